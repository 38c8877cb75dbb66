"""Which pages exist and where they sit in the navigation — derived from data, never listed by hand.

Adding data/topics/<id>.yml adds topics/<id>.md and its nav entry; adding notebooks/<name>.py adds
its rendered page. docs/ holds only the hand-written pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from .loading import Site

# Front matter that opts a generated page into macro rendering (render_by_default is off,
# so notebook sources are never run through Jinja).
_MACRO_PAGE = "---\nrender_macros: true\n---\n\n{call}\n"
# Topic pages (concepts), Rosetta pages (API names) and migration guides (moving from one framework to
# another) are the site's answers: search ranks them above pages that only mention a term.
_TOPIC_PAGE = "---\nrender_macros: true\nsearch:\n  boost: 2\n---\n\n{call}\n"
# Framework overviews repeat what topic pages say in full: below them. (Migration guides keep their
# copies of Rosetta rows out of the index instead, so only their own text is weighed.)
_DIGEST_PAGE = "---\nrender_macros: true\nsearch:\n  boost: 0.5\n---\n\n{call}\n"


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    content: str


def generated_pages(site: Site) -> list[GeneratedPage]:
    pages = [GeneratedPage(f"topics/{t.id}.md", _TOPIC_PAGE.format(call=f'{{{{ topic_page("{t.id}") }}}}'))
             for t in site.topics]
    pages += [GeneratedPage(f"frameworks/{f.id}.md", _DIGEST_PAGE.format(call=f'{{{{ framework_page("{f.id}") }}}}'))
              for f in site.frameworks]
    pages += [GeneratedPage(f"rosetta/{c.id}.md", _TOPIC_PAGE.format(call=f'{{{{ rosetta_category("{c.id}") }}}}'))
              for c in site.rosetta]
    pages += [GeneratedPage(f"migration/{g.id}.md", _TOPIC_PAGE.format(call=f'{{{{ migration_guide("{g.id}") }}}}'))
              for g in site.migrations]
    pages += [GeneratedPage("frameworks/index.md", _MACRO_PAGE.format(call="{{ framework_index() }}")),
              GeneratedPage("migration/index.md", _MACRO_PAGE.format(call="{{ migration_index() }}"))]
    return pages


def notebook_src_uri(name: str) -> str:
    return f"notebooks/{name}.ipynb"


def navigation(site: Site) -> list:
    """Five top-level sections, shown as tabs: Compare · Topics · API Rosetta · Notebooks · About."""
    nav = [
        {"Compare": [
            {"Home": "index.md"},
            {"Feature matrix": "matrix.md"},
            {"Decision guide": "decision-guide.md"},
            {"Frameworks": [{"All frameworks": "frameworks/index.md"}]
             + [{f.name: f"frameworks/{f.id}.md"} for f in site.frameworks]},
            {"Migration guides": [{"All migration guides": "migration/index.md"}]
             + [{g.title: f"migration/{g.id}.md"} for g in site.migrations]},
        ]},
        {"Topics": [{"All topics": "topics/index.md"}] + [{t.title: f"topics/{t.id}.md"} for t in site.topics]},
        {"API Rosetta": [{"All operations": "rosetta/index.md"}]
         + [{c.label: f"rosetta/{c.id}.md"} for c in site.rosetta]},
        {"Notebooks": [{"All notebooks": "notebooks/index.md"}]
         + [{nb.title: notebook_src_uri(name)} for name, nb in site.notebooks.items()]},
        {"About": [{"Claims audit": "claims.md"}, {"Versions": "versions.md"}]},
    ]
    return nav
