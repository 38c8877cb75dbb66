"""Which pages exist and where they sit in the navigation — derived from data, never listed by hand.

Adding data/topics/<id>.yml adds topics/<id>.md and its nav entry; adding notebooks/<name>.py adds
its rendered page. Each generated page is its kind's template in templates/pages/ (front matter and
the macro call, with `$id` filled in). The navigation skeleton is `nav:` in mkdocs.yml; the hook
appends the generated pages to the section that lists their folder's index page.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache

from . import urls
from content.loading import Site
from .rendering import TEMPLATES


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    title: str
    content: str


@lru_cache(maxsize=None)
def _page_template(kind: str) -> string.Template:
    return string.Template((TEMPLATES / "pages" / f"{kind}.md").read_text(encoding="utf-8"))


def generated_pages(site: Site) -> list[GeneratedPage]:
    """Every page made from data, in navigation order."""
    def page(kind: str, src_uri: str, title: str, item_id: str) -> GeneratedPage:
        return GeneratedPage(src_uri, title, _page_template(kind).substitute(id=item_id))

    return ([page("topic", urls.topic(t.id), t.title, t.id) for t in site.topics]
            + [page("framework", urls.framework(f.id), f.name, f.id) for f in site.frameworks]
            + [page("rosetta_category", urls.rosetta_category(c.id), c.label, c.id) for c in site.rosetta]
            + [page("migration_guide", urls.migration(g.id), g.title, g.id) for g in site.migrations])


def navigation(skeleton: list, generated: list[tuple[str, str]]) -> list:
    """The nav of mkdocs.yml with each generated page (src_uri, title) appended after the entry for its
    folder's index page, in the order given."""
    def folder(src_uri: str) -> str:
        return src_uri.rpartition("/")[0]

    def expand(entries: list) -> list:
        expanded = []
        for entry in entries:
            title, value = next(iter(entry.items())) if isinstance(entry, dict) else (None, entry)
            if isinstance(value, list):
                expanded.append({title: expand(value)} if title else expand(value))
                continue
            expanded.append(entry)
            if isinstance(value, str) and value.endswith("/index.md"):
                expanded += [{page_title: src_uri} for src_uri, page_title in generated
                             if folder(src_uri) == folder(value)]
        return expanded

    return expand(skeleton)
