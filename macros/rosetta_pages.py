"""API Rosetta pages and the migration guides generated from the same rows."""

from __future__ import annotations

from dataclasses import dataclass

from .loading import Site
from .models import RosettaCategory, RosettaRow
from .api_names import ALIASES, cited_names
from .rosetta import IMPORTS
from .pages import notebook_src_uri
from .rendering import compact_html, doc_link, page_url, relative_url, render

ROSETTA_DOC = "rosetta/{id}.md"
DIFFERENCE_LABELS = {
    "argument-names": "Argument names differ",
    "defaults": "Defaults differ",
    "axis-convention": "Axis convention differs",
    "layout": "Layout differs",
    "dtype-promotion": "Dtype promotion differs",
    "in-place-vs-functional": "In place vs functional",
    "semantics": "Semantics differ",
    "no-direct-equivalent": "No direct equivalent",
}
# Differences that change results or behaviour, not just spelling: these are a migration's traps.
TRAP_KINDS = frozenset(DIFFERENCE_LABELS) - {"argument-names"}


def row_anchor(row: RosettaRow) -> str:
    return f"op-{row.id}"


def api_names(row: RosettaRow, framework: str) -> list[str]:
    """The dotted API names a row's code uses, as written and with the module alias spelt out, so
    that searching `tf.tensor_scatter_nd_update` or `torch.nn.functional.softmax` finds the row."""
    names: list[str] = []
    for name in cited_names(row.code[framework]):
        for spelling in (name, _expand_alias(name)):
            if spelling not in names and "." in spelling:
                names.append(spelling)
    return names


def _expand_alias(name: str) -> str:
    root, _, rest = name.partition(".")
    return f"{ALIASES[root]}.{rest}" if root in ALIASES and rest else name


def rosetta_category_page(site: Site, category_id: str, page_src: str) -> str:
    category = next(c for c in site.rosetta if c.id == category_id)
    return render("rosetta_category.md", category=category, label=category.label, frameworks=site.frameworks,
                  difference_label=DIFFERENCE_LABELS.__getitem__, anchor=row_anchor, api_names=api_names,
                  imports=IMPORTS)


def migration_index(site: Site, page_src: str) -> str:
    names = {f.id: f.name for f in site.frameworks}
    return render("migration_index.md", guides=[
        (guide, names[guide.source], names[guide.target], doc_link(page_src, f"migration/{guide.id}.md"))
        for guide in site.migrations])


def rosetta_index(site: Site, page_src: str) -> str:
    rows = [row for c in site.rosetta for row in c.rows]
    return render("rosetta_index.md", categories=[
        (c, doc_link(page_src, ROSETTA_DOC.format(id=c.id))) for c in site.rosetta
    ], row_count=len(rows), declared=sum(1 for r in rows if r.differs),
        guides=[(g, doc_link(page_src, f"migration/{g.id}.md")) for g in site.migrations])


@dataclass(frozen=True)
class GuideEntry:
    category: RosettaCategory
    row: RosettaRow
    link: str

    @property
    def is_trap(self) -> bool:
        return self.row.differs is not None or (
            self.row.difference is not None and self.row.difference.kind in TRAP_KINDS)


def migration_guide(site: Site, guide_id: str, page_src: str) -> str:
    guide = next(g for g in site.migrations if g.id == guide_id)
    categories = [c for c in site.rosetta if not guide.categories or c.id in guide.categories]
    here = page_url(page_src)
    entries = [GuideEntry(c, row, relative_url(here, f"rosetta/{c.id}/#{row_anchor(row)}"))
               for c in categories for row in c.rows]
    return render(
        "migration_guide.md", guide=guide,
        source=site.framework(guide.source), target=site.framework(guide.target),
        traps=[e for e in entries if e.is_trap],
        weights_notebook=guide.weights and (site.notebooks[guide.weights.notebook].title,
                                            doc_link(page_src, notebook_src_uri(guide.weights.notebook))),
        sections=[(c, compact_html(render("migration_table.html", source=site.framework(guide.source),
                                          target=site.framework(guide.target),
                                          entries=[e for e in entries if e.category.id == c.id])))
                  for c in categories],
        difference_label=DIFFERENCE_LABELS.__getitem__,
    )
