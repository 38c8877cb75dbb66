"""The versions page: what executed the notebooks, read from the executed notebooks themselves."""

from __future__ import annotations

from .execution import ExecutedNotebook
from .loading import Site
from . import urls
from .rendering import render


def versions_page(site: Site, executed: dict[str, ExecutedNotebook], page_src: str) -> str:
    environments = {name: nb.environment for name, nb in executed.items()}
    # Every notebook's cache key includes these versions, so all executions share one environment.
    reference = next(iter(environments.values()))
    framework_distributions = {f.distribution for f in site.frameworks}
    distributions = reference["distributions"]
    return render(
        "versions.md",
        environment=reference,
        frameworks=[(f, distributions.get(f.distribution)) for f in site.frameworks],
        tools=[(name, version) for name, version in distributions.items()
               if name not in framework_distributions and version],
        notebooks=[
            (site.notebooks[name].title, urls.doc_link(page_src, urls.notebook(name)),
             nb.notebook.metadata["rosetta"]["executed_at"], nb.seconds)
            for name, nb in executed.items()
        ],
    )
