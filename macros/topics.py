"""Topic pages, the topic index and per-framework overview pages, all from the same Site objects."""

from __future__ import annotations

from collections.abc import Callable

from . import urls
from sitebuild.execution import ExecutedNotebook
from content.loading import Site
from .matrix import features_table, legend, matrix_rows
from .rendering import compact_html, render
from .snippets import snippet_tabs
from .versions import release_status_list, statuses_for


def topic_page(site: Site, executed: dict[str, ExecutedNotebook], topic_id: str, page_src: str,
               measured: dict[str, Callable[[], str]] | None = None) -> str:
    """`measured` maps a measured-section name to a function returning its markdown."""
    topic = site.topic(topic_id)
    measured = measured or {}
    rows = matrix_rows(site, topic.related_features)
    return render(
        "topic.md",
        topic=topic,
        glance=at_a_glance(site, topic, page_src),
        release_status=release_status_list(site, executed, page_src, [f.distribution for f in site.frameworks]),
        frameworks=site.frameworks,
        framework_name={f.id: f.name for f in site.frameworks},
        snippets=[(ref, snippet_tabs(site, executed, ref.notebook, ref.snippet, page_src)) for ref in topic.snippets],
        features_table=features_table(site, rows, page_src, on_matrix_page=False) if rows else "",
        legend=legend(site, rows, with_ids=False) if rows else "",
        matrix_link=urls.doc_link(page_src, urls.MATRIX),
        measured=[(name, measured[name]()) for name in topic.measured_sections],
    )


def at_a_glance(site: Site, topic, page_src: str) -> str:
    """The short answer before the prose: one row per framework (a framework in preview may have none yet),
    badges linking to the legend."""
    levels = {level.id: level for level in site.levels.levels}
    glance = topic.at_a_glance.frameworks
    rows = [(f, glance.get(f.id), levels[glance[f.id].level] if f.id in glance else None) for f in site.frameworks]
    return compact_html(render("at_a_glance.html", rows=rows, glance=topic.at_a_glance,
                               legend_link=lambda level: urls.html_link(page_src, urls.legend(level.id))))


def topic_index(site: Site, page_src: str) -> str:
    return render("topic_index.md", topics=[
        (topic, urls.doc_link(page_src, urls.topic(topic.id))) for topic in site.topics
    ])


def framework_page(site: Site, executed: dict[str, ExecutedNotebook], framework_id: str, page_src: str) -> str:
    framework = site.framework(framework_id)
    rows = matrix_rows(site)
    return render(
        "framework.md",
        framework=framework,
        # The framework and the tools the site runs with it.
        release_status=release_status_list(site, executed, page_src, [framework.distribution] + [
            t.id for t in site.tools if t.framework == framework_id]),
        categories=[
            (category, [(row, next(c for c in row.cells if c.framework.id == framework_id))
                        for row in rows if row.category.id == category.id])
            for category in site.categories
        ],
        # An HTML list: MkDocs' anchor check does not see ids inside raw HTML, so these are URL links
        # (tests/test_build.py checks every internal link and fragment of the built site).
        feature_link=lambda row: urls.html_link(page_src, urls.feature(row.feature.id)),
        topics=[(topic, urls.doc_link(page_src, urls.topic(topic.id)), topic.positions.get(framework_id))
                for topic in site.topics],
    )


def framework_index(site: Site, executed: dict[str, ExecutedNotebook], page_src: str) -> str:
    statuses = statuses_for(site, executed, [f.distribution for f in site.frameworks])
    return render("framework_index.md", frameworks=[
        (f, urls.doc_link(page_src, urls.framework(f.id)), status) for f, status in zip(site.frameworks, statuses)])


def notebook_index(site: Site, executed: dict[str, ExecutedNotebook], page_src: str) -> str:
    embedded_in = {name: [t for t in site.topics if any(ref.notebook == name for ref in t.snippets)]
                   for name in site.notebooks}
    return render("notebook_index.md", notebooks=[
        (source, urls.doc_link(page_src, urls.notebook(name)),
         [(t, urls.doc_link(page_src, urls.topic(t.id))) for t in embedded_in[name]])
        for name, source in site.notebooks.items()
    ])
