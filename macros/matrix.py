"""The feature matrix as rows of cells — one dataset for the matrix page, topic pages and framework pages."""

from __future__ import annotations

from dataclasses import dataclass

from . import urls
from content.loading import Site
from content.models import Feature, FeatureCategory, FeatureCell, Framework
from content.vocabularies import SupportLevel
from .rendering import compact_html, render, tight_html


@dataclass(frozen=True)
class MatrixCell:
    framework: Framework
    cell: FeatureCell | None  # None: a framework in preview that this feature does not cover yet
    level: SupportLevel | None


@dataclass(frozen=True)
class MatrixRow:
    category: FeatureCategory
    feature: Feature
    cells: tuple[MatrixCell, ...]

    @property
    def anchor(self) -> str:
        return urls.feature_anchor(self.feature.id)


def matrix_rows(site: Site, feature_ids: list[str] | None = None) -> list[MatrixRow]:
    """Rows in page order, or in the order of `feature_ids` when given."""
    levels = {level.id: level for level in site.levels.levels}

    def matrix_cell(framework: Framework, feature: Feature) -> MatrixCell:
        cell = feature.cells.get(framework.id)
        return MatrixCell(framework, cell, levels[cell.level] if cell else None)

    def row(category: FeatureCategory, feature: Feature) -> MatrixRow:
        return MatrixRow(category, feature, tuple(matrix_cell(framework, feature) for framework in site.frameworks))

    if feature_ids is None:
        return [row(category, feature) for category in site.categories for feature in category.features]
    return [row(*site.feature(feature_id)) for feature_id in feature_ids]


def levels_used(site: Site, rows: list[MatrixRow]) -> list[SupportLevel]:
    """The legend shows only the levels its table uses, in vocabulary order."""
    used = {cell.level.id for row in rows for cell in row.cells if cell.level}
    return [level for level in site.levels.levels if level.id in used]


def features_table(site: Site, rows: list[MatrixRow], page_src: str, on_matrix_page: bool) -> str:
    """HTML table of rows; off the matrix page each feature links to its matrix row."""
    return tight_html(render(
        "features_table.html",
        frameworks=site.frameworks,
        rows=rows,
        feature_link=lambda row: urls.html_link(page_src, urls.feature(row.feature.id)),
        legend_link=lambda level: urls.html_link(page_src, urls.legend(level.id)),
        row_id=(lambda row: row.anchor) if on_matrix_page else (lambda row: ""),
        difference_kind={kind.id: kind for kind in site.difference_kinds.kinds},
    ))


def legend(site: Site, rows: list[MatrixRow], with_ids: bool) -> str:
    return compact_html(render("legend.html", levels=levels_used(site, rows), with_ids=with_ids,
                               anchor=urls.legend_anchor))


def matrix_page(site: Site, page_src: str) -> str:
    rows = matrix_rows(site)
    return render(
        "matrix.md",
        site=site,
        sections=[(category, [r for r in rows if r.category.id == category.id]) for category in site.categories],
        table=lambda section_rows: features_table(site, section_rows, page_src, on_matrix_page=True),
        legend=legend(site, rows, with_ids=True),
        feature_count=len(rows),
        levels=levels_used(site, rows),
        difference_count=sum(1 for row in rows if row.feature.difference),
    )
