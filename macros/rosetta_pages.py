"""API Rosetta pages and the migration guides generated from the same rows."""

from __future__ import annotations

from dataclasses import dataclass

from . import urls
from content.api_names import cited_names, expand_alias, import_aliases
from content.loading import Site
from content.models import RosettaCategory, RosettaRow
from content.vocabularies import DifferenceKind
from .rendering import compact_html, render


def api_names(row: RosettaRow, framework_id: str, aliases: dict[str, str]) -> list[str]:
    """The dotted API names a row's code uses, as written and with the module alias spelt out, so
    that searching a name by its alias or by its full module path finds the row."""
    names: list[str] = []
    for name in cited_names(row.code.get(framework_id, ""), aliases):
        for spelling in (name, expand_alias(name, aliases)):
            if spelling not in names and "." in spelling:
                names.append(spelling)
    return names


def rosetta_category_page(site: Site, category_id: str, page_src: str) -> str:
    category = next(c for c in site.rosetta if c.id == category_id)
    aliases = import_aliases(site.frameworks)
    return render("rosetta_category.md", category=category, label=category.label, frameworks=site.frameworks,
                  difference_kind={kind.id: kind for kind in site.difference_kinds.kinds},
                  anchor=lambda row: urls.row_anchor(row.id),
                  api_names=lambda row, framework_id: api_names(row, framework_id, aliases))


def migration_index(site: Site, page_src: str) -> str:
    names = {f.id: f.name for f in site.frameworks}
    return render("migration_index.md", guides=[
        (guide, names[guide.source], names[guide.target], urls.doc_link(page_src, urls.migration(guide.id)))
        for guide in site.migrations])


def rosetta_index(site: Site, page_src: str) -> str:
    rows = [row for c in site.rosetta for row in c.rows]
    return render("rosetta_index.md", categories=[
        (c, urls.doc_link(page_src, urls.rosetta_category(c.id))) for c in site.rosetta
    ], row_count=len(rows), declared=sum(1 for r in rows if r.results_differ), frameworks=site.frameworks,
        guides=[(g, urls.doc_link(page_src, urls.migration(g.id))) for g in site.migrations])


@dataclass(frozen=True)
class GuideEntry:
    category: RosettaCategory
    row: RosettaRow
    link: str
    is_trap: bool  # results differ on purpose, or a difference that changes behaviour (data/difference_kinds.yml)


def migration_guide(site: Site, guide_id: str, page_src: str) -> str:
    guide = next(g for g in site.migrations if g.id == guide_id)
    categories = [c for c in site.rosetta if not guide.categories or c.id in guide.categories]
    kinds: dict[str, DifferenceKind] = {kind.id: kind for kind in site.difference_kinds.kinds}

    def is_trap(row: RosettaRow) -> bool:
        return row.results_differ is not None or (row.difference is not None and kinds[row.difference.kind].trap)

    entries = [GuideEntry(c, row, urls.html_link(page_src, urls.rosetta_row(c.id, row.id)), is_trap(row))
               for c in categories for row in c.rows
               if guide.source in row.code and guide.target in row.code]
    return render(
        "migration_guide.md", guide=guide,
        source=site.framework(guide.source), target=site.framework(guide.target),
        traps=[e for e in entries if e.is_trap],
        weights_notebook=guide.weights and (site.notebooks[guide.weights.notebook].title,
                                            urls.doc_link(page_src, urls.notebook(guide.weights.notebook))),
        sections=[(c, compact_html(render("migration_table.html", source=site.framework(guide.source),
                                          target=site.framework(guide.target),
                                          entries=[e for e in entries if e.category.id == c.id])))
                  for c in categories],
        difference_label=lambda kind_id: kinds[kind_id].label,
    )
