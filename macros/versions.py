"""The versions page and the "executed with X / newer: Y" markers, from the executed notebooks' environment
and the release histories in data/ (data/frameworks/*.yml, data/tools/*.yml)."""

from __future__ import annotations

from sitebuild.execution import ExecutedNotebook, site_environment
from content.loading import Site
from . import urls
from content.releases import ReleaseStatus, release_statuses
from .rendering import compact_html, render


def executed_environment(executed: dict[str, ExecutedNotebook]) -> dict:
    # Every notebook's cache key includes the versions, so all executions share one environment.
    return next(iter(executed.values())).environment if executed else {"distributions": {}}


def statuses_for(site: Site, executed: dict[str, ExecutedNotebook],
                 distributions: list[str] | None = None) -> list[ReleaseStatus]:
    """Release status of the named distributions (all frameworks and tools when None), in data order."""
    every = release_statuses(site, site_environment(site.tools, executed_environment(executed)["distributions"]))
    return list(every.values()) if distributions is None else [every[name] for name in distributions]


def release_status_list(site: Site, executed: dict[str, ExecutedNotebook], page_src: str,
                        distributions: list[str]) -> str:
    """The marker shown on topic and framework pages."""
    return compact_html(render("release_status.html", statuses=statuses_for(site, executed, distributions),
                               # Raw HTML: MkDocs rewrites only Markdown links, so this is the page's URL.
                               versions_link=urls.html_link(page_src, urls.VERSIONS)))


def versions_page(site: Site, executed: dict[str, ExecutedNotebook], page_src: str) -> str:
    environment = executed_environment(executed)
    statuses = statuses_for(site, executed)
    framework_distributions = [f.distribution for f in site.frameworks]
    framework_of = {t.id: t.framework for t in site.tools}
    names = {f.id: f.name for f in site.frameworks}
    return render(
        "versions.md",
        environment=environment,
        frameworks=[s for s in statuses if s.distribution in framework_distributions],
        tools=[(s, names.get(framework_of[s.distribution]), tool)
               for s in statuses if s.distribution not in framework_distributions
               for tool in [next(t for t in site.tools if t.id == s.distribution)]],
        behind=[s for s in statuses if s.newer],
        notebooks=[
            (site.notebooks[name].title, urls.doc_link(page_src, urls.notebook(name)),
             nb.notebook.metadata["rosetta"]["cache_key"][:12])
            for name, nb in executed.items()
        ],
    )
