"""The feature matrix as rows of cells — one dataset for the matrix page, topic pages and framework pages."""

from __future__ import annotations

from dataclasses import dataclass

from .loading import Site
from .models import Feature, FeatureCategory, FeatureCell, Framework, SupportLevel
from .rendering import compact_html, page_url, relative_url, render

MATRIX_URL = "matrix/"
DIFFERENCE_LABELS = {
    "names-differ": "Names differ",
    "defaults-differ": "Defaults differ",
    "semantics-differ": "Semantics differ",
    "only-in-some": "Only in some",
    "needs-add-on": "Needs an add-on",
}


@dataclass(frozen=True)
class MatrixCell:
    framework: Framework
    cell: FeatureCell
    level: SupportLevel


@dataclass(frozen=True)
class MatrixRow:
    category: FeatureCategory
    feature: Feature
    cells: tuple[MatrixCell, ...]

    @property
    def anchor(self) -> str:
        return f"feature-{self.feature.id}"


def matrix_rows(site: Site, feature_ids: list[str] | None = None) -> list[MatrixRow]:
    """Rows in page order, or in the order of `feature_ids` when given."""
    levels = {level.id: level for level in site.levels.levels}

    def row(category: FeatureCategory, feature: Feature) -> MatrixRow:
        return MatrixRow(category, feature, tuple(
            MatrixCell(framework, feature.cells[framework.id], levels[feature.cells[framework.id].level])
            for framework in site.frameworks
        ))

    if feature_ids is None:
        return [row(category, feature) for category in site.categories for feature in category.features]
    return [row(*site.feature(feature_id)) for feature_id in feature_ids]


def levels_used(site: Site, rows: list[MatrixRow]) -> list[SupportLevel]:
    """The legend shows only the levels its table uses, in vocabulary order."""
    used = {cell.level.id for row in rows for cell in row.cells}
    return [level for level in site.levels.levels if level.id in used]


def features_table(site: Site, rows: list[MatrixRow], page_src: str, on_matrix_page: bool) -> str:
    """HTML table of rows; off the matrix page each feature links to its matrix row."""
    here = page_url(page_src)
    return compact_html(render(
        "features_table.html",
        frameworks=site.frameworks,
        rows=rows,
        feature_link=lambda row: f"#{row.anchor}" if on_matrix_page
        else relative_url(here, f"{MATRIX_URL}#{row.anchor}"),
        legend_link=lambda level: f"#legend-{level.id}" if on_matrix_page
        else relative_url(here, f"{MATRIX_URL}#legend-{level.id}"),
        row_id=(lambda row: row.anchor) if on_matrix_page else (lambda row: ""),
        difference_label=DIFFERENCE_LABELS.__getitem__,
    ))


def legend(site: Site, rows: list[MatrixRow], with_ids: bool) -> str:
    return compact_html(render("legend.html", levels=levels_used(site, rows), with_ids=with_ids))


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
