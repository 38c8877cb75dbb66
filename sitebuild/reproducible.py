"""Reproducible pages: the same inputs give byte-identical pages, however many times the notebooks run.

An execution leaves traces that are not content: random cell ids (nbformat 4.5), per-cell timestamps
(nbclient's `metadata.execution`), stream output split wherever the kernel flushed, and the run's clock
time and duration. Cell ids become their position, timestamps go, consecutive chunks of one stream
merge, and the run facts stay in the cache (the build log reports them) but not in what is published.
Page dates come from the data: SOURCE_DATE_EPOCH, or else the newest `last_reviewed` date.

What a run measures (timings, file sizes) cannot repeat. Such cells are tagged `measured`; their outputs
are marked on the page (macros.notebook_pages.MEASURED_ATTRIBUTES) and are the one part of a published file
allowed to differ between two executions (`differs_outside_measurements`).
"""

from __future__ import annotations

import calendar
import json
from pathlib import Path

import nbformat

from content.loading import Site
from content.notebooks import MEASURED_TAG
from .html_checks import replace_elements

# Facts about one run, kept in the cache's copy of a notebook but not in the published one.
RUN_FACTS = ("executed_at", "seconds")


def normalise_notebook(nb: nbformat.NotebookNode) -> bool:
    """Remove execution noise from `nb` in place; True if anything changed."""
    before = json.dumps(nb, sort_keys=True)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index + 1}"
        cell.get("metadata", {}).pop("execution", None)
        outputs = cell.get("outputs")
        if outputs:
            merged = []
            for output in outputs:
                previous = merged[-1] if merged else None
                if (previous is not None and output.get("output_type") == "stream"
                        and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
                    previous["text"] = previous["text"] + output["text"]
                else:
                    merged.append(output)
            cell["outputs"] = merged
    return json.dumps(nb, sort_keys=True) != before


def publish_notebook(source: Path, folder: Path) -> None:
    """Write the executed notebook `source` into `folder` (beside its page) without the run facts.

    Plain JSON rather than nbformat (which validates every notebook against its schema on reading), written as
    nbformat writes: sorted keys, indent 1, a final newline."""
    nb = json.loads(Path(source).read_text(encoding="utf-8"))
    rosetta = nb.get("metadata", {}).get("rosetta", {})
    for fact in RUN_FACTS:
        rosetta.pop(fact, None)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / Path(source).name).write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n",
                                             encoding="utf-8")


def data_epoch(site: Site) -> int:
    """Seconds since the epoch of the newest `last_reviewed` date in the data (midnight UTC)."""
    dates = [item.last_reviewed for group in (site.topics, site.claims, site.situations) for item in group
             if getattr(item, "last_reviewed", None)]
    return calendar.timegm(max(dates).timetuple()) if dates else 0


def _without_measurements(path: Path, data: bytes) -> bytes:
    if path.suffix == ".html":
        return replace_elements(data.decode("utf-8"), "data-measured", "<!-- measured -->").encode("utf-8")
    if path.suffix == ".ipynb":
        nb = json.loads(data)
        for cell in nb.get("cells", []):
            if MEASURED_TAG in cell.get("metadata", {}).get("tags", []):
                cell["outputs"] = []
        return json.dumps(nb, sort_keys=True).encode("utf-8")
    return data


def differs_outside_measurements(left: Path, right: Path) -> bool:
    """Whether two builds' copies of one published file differ anywhere but in measured outputs."""
    left_data, right_data = Path(left).read_bytes(), Path(right).read_bytes()
    return left_data != right_data and (_without_measurements(Path(left), left_data)
                                        != _without_measurements(Path(right), right_data))
