"""The versions page: what executed the notebooks, read from the executed notebooks themselves."""

from __future__ import annotations

from .execution import ExecutedNotebook
from .loading import Site
from .rendering import doc_link, render


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
            (site.notebooks[name].title, doc_link(page_src, f"notebooks/{name}.ipynb"),
             nb.notebook.metadata["rosetta"]["cache_key"][:12])
            for name, nb in executed.items()
        ],
    )
