"""Outputs of cells tagged `measured` (timings, file sizes): marked on every page that shows them, told to the
reader, left out of search, and the only part of a page allowed to differ when the notebooks run again."""

from __future__ import annotations

import gzip
import json
import re

import nbformat

from content.notebooks import MEASURED_TAG
from macros.notebook_pages import MEASURED_ATTRIBUTES, MEASURED_SENTENCE
from sitebuild.reproducible import differs_outside_measurements

from conftest import ROOT

_MARKED = re.compile(r'<(?:div|p)\b[^>]*' + re.escape(MEASURED_ATTRIBUTES))


def published_notebook(site_dir, name) -> nbformat.NotebookNode:
    return nbformat.read(site_dir / "notebooks" / name / f"{name}.ipynb", as_version=4)


def measured_cells(nb) -> list:
    return [cell for cell in nb.cells if MEASURED_TAG in cell.metadata.get("tags", [])]


def output_text(cell) -> str:
    return "".join(output.get("text", "") or output.get("data", {}).get("text/plain", "") for output in cell.outputs)


def notebooks_with_measurements(site_dir) -> list[str]:
    names = [path.stem for path in sorted((ROOT / "notebooks").glob("*.py"))]
    return [name for name in names if measured_cells(published_notebook(site_dir, name))]


def test_the_notebooks_that_print_measurements_tag_them(site_dir):
    assert set(notebooks_with_measurements(site_dir)) >= {"profiling", "saving-and-export", "onnx-and-device-formats"}


def test_each_measured_output_is_marked_on_its_notebook_page_with_the_note(site_dir):
    for name in notebooks_with_measurements(site_dir):
        page = (site_dir / "notebooks" / name / "index.html").read_text(encoding="utf-8")
        with_output = [cell for cell in measured_cells(published_notebook(site_dir, name)) if cell.outputs]
        wrappers = re.findall(r'<div class="jp-Cell-outputWrapper" ' + re.escape(MEASURED_ATTRIBUTES), page)
        assert len(wrappers) == len(with_output) > 0, name
        assert page.count(MEASURED_SENTENCE) == len(with_output), name
        # Outputs of other cells stay unmarked.
        assert page.count('class="jp-Cell-outputWrapper"') > len(with_output), name


def test_topic_tabs_mark_measured_outputs_and_keep_the_others_plain(site_dir):
    marked_pages = 0
    for page_path in sorted((site_dir / "topics").glob("*/index.html")):
        page = page_path.read_text(encoding="utf-8")
        notes = page.count(MEASURED_SENTENCE)
        blocks = len(re.findall(r'<div class="highlight" ' + re.escape(MEASURED_ATTRIBUTES), page))
        assert blocks >= notes, page_path  # every note sits above at least one marked output
        assert (notes == 0) == (blocks == 0), page_path
        marked_pages += notes > 0
    assert marked_pages >= 2  # the profiling and export topics embed measured snippets


def _fragment_text(site_dir, url_end: str) -> str:
    for path in (site_dir / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        fragment = json.loads(data[data.index(b"{"):])
        if fragment["url"].endswith(url_end):
            return fragment["content"]
    raise AssertionError(f"no Pagefind fragment for {url_end}")


def test_search_indexes_a_page_without_its_measured_outputs(site_dir):
    nb = published_notebook(site_dir, "profiling")
    measured_lines = [line.split()[0] + " " + line.split()[1] for cell in measured_cells(nb) if cell.outputs
                      for line in output_text(cell).splitlines() if "calls" in line]
    assert measured_lines, "the profiling notebook's ranking cells print `<op> <n> calls ...`"
    indexed = " ".join(_fragment_text(site_dir, "/notebooks/profiling/").split())
    assert "profiler" in indexed  # the page itself is indexed
    assert not [line for line in measured_lines if line in indexed]
    assert MEASURED_SENTENCE not in indexed
    vocabulary = json.loads((site_dir / "pagefind/vocabulary.json").read_text(encoding="utf-8"))
    assert "profiler" in vocabulary


def _changed_digit(text: str, start: int) -> str:
    index = next(i for i in range(start, len(text)) if text[i].isdigit())
    return text[:index] + str((int(text[index]) + 1) % 10) + text[index + 1:]


def test_only_a_change_inside_a_measured_output_counts_as_no_difference(site_dir, tmp_path):
    original = site_dir / "notebooks/profiling/index.html"
    page = original.read_text(encoding="utf-8")
    inside, outside = tmp_path / "inside.html", tmp_path / "outside.html"
    inside.write_text(_changed_digit(page, _MARKED.search(page).end()), encoding="utf-8")
    outside.write_text(_changed_digit(page, page.index("<article")), encoding="utf-8")
    assert not differs_outside_measurements(original, inside)
    assert differs_outside_measurements(original, outside)


def test_only_a_measured_cells_output_may_change_in_a_notebook_download(site_dir, tmp_path):
    original = site_dir / "notebooks/saving-and-export/saving-and-export.ipynb"
    nb = nbformat.read(original, as_version=4)
    measured = next(cell for cell in measured_cells(nb) if cell.outputs)
    plain = next(cell for cell in nb.cells if cell.cell_type == "code" and cell.outputs and cell not in measured_cells(nb))
    for cell, expected in ((measured, False), (plain, True)):
        changed = nbformat.read(original, as_version=4)
        index = nb.cells.index(cell)
        changed.cells[index].outputs = [nbformat.v4.new_output("stream", name="stdout", text="something else\n")]
        path = tmp_path / f"{expected}.ipynb"
        nbformat.write(changed, path)
        assert differs_outside_measurements(original, path) is expected
