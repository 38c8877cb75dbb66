"""Notebook execution with limits (issue 11): a cell that never ends, prints too much, kills its
kernel, leaves a process behind or writes into the project is stopped and named in one line."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import nbformat
import pytest

from content.errors import NotebookError
from sitebuild.execution import ExecutionLimits, execute_all, execution_limits
from sitebuild.notebook_safety import safe_notebook
from content.notebooks import read_notebook_source

from conftest import ROOT

FRAMEWORKS = {"pytorch", "tensorflow", "jax"}
HEADER = "# %% [markdown]\n# # {title}\n\n"


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "notebooks").mkdir()
    shutil.copytree(ROOT / "notebooks/helpers", tmp_path / "notebooks/helpers")
    (tmp_path / "data").mkdir()
    (tmp_path / "data/keep.yml").write_text("id: keep\n")
    return tmp_path


def run(project: Path, name: str, cells: str, limits: ExecutionLimits = ExecutionLimits(), log=None):
    path = project / "notebooks" / f"{name}.py"
    path.write_text(HEADER.format(title=name.title()) + cells)
    sources = {name: read_notebook_source(path, project, FRAMEWORKS)}
    return execute_all(sources, project, project / ".cache", log=log or (lambda _: None), limits=limits)


def one_line(error: NotebookError) -> str:
    message = str(error)
    assert "\n" not in message and " — fix: " in message and len(message) < 600, message
    return message


def test_an_endless_cell_stops_at_the_configured_timeout_with_progress_lines(project):
    log: list[str] = []
    started = time.perf_counter()
    with pytest.raises(NotebookError) as raised:
        run(project, "endless", "# %%\nprint('before')\n\n# %%\nimport time\nwhile True:\n    time.sleep(0.1)\n",
            ExecutionLimits(cell_timeout_seconds=6, progress_every_seconds=2), log.append)
    message = one_line(raised.value)
    assert message.startswith("notebooks/endless.py: cell 3 `import time`: did not finish within 6 s")
    assert "cell_timeout_seconds" in message and "KeyboardInterrupt" not in message
    assert any("notebooks/endless.py cell 3 `import time` still running after" in line for line in log), log
    assert time.perf_counter() - started < 120


def test_a_cell_printing_50_mb_is_refused_naming_the_cell(project):
    with pytest.raises(NotebookError) as raised:
        run(project, "chatty", "# %%\nprint('x' * 50_000_000)\n")
    message = one_line(raised.value)
    assert message.startswith("notebooks/chatty.py: cell 2 `print('x' * 50_000_000)`: its output is")
    assert "over the limit of 1,000,000" in message
    assert not (project / ".cache/notebooks/chatty.ipynb").exists()


def test_the_output_limit_comes_from_mkdocs_yml():
    import yaml

    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)  # BaseLoader: ignores !ENV
    limits = execution_limits({"extra": {k: {kk: int(vv) for kk, vv in v.items()} if k == "notebook_execution" else v
                                         for k, v in config["extra"].items()}})
    assert limits.cell_output_limit_bytes == 1_000_000 and limits.cell_timeout_seconds == 600
    with pytest.raises(NotebookError) as raised:
        execution_limits({"extra": {"notebook_execution": {"cell_timeout": 5}}})
    assert str(raised.value).startswith("mkdocs.yml: extra.notebook_execution.cell_timeout:")


def test_a_dead_kernel_names_the_cell(project):
    with pytest.raises(NotebookError) as raised:
        run(project, "crash", "# %%\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    message = one_line(raised.value)
    assert message.startswith("notebooks/crash.py: cell 2 `import os, signal`: the kernel died while this cell ran")


def test_a_background_process_does_not_outlive_the_build(project):
    marker = project / "pid.txt"
    # A daemonised grandchild: its parent shell exits at once, so the kernel's own clean-up of its
    # children does not see it; only ending the kernel's process group does.
    run(project, "spawner", "# %%\nimport subprocess\n"
        f"subprocess.run(['sh', '-c', 'sleep 600 > /dev/null 2>&1 & echo $! > {marker}'], check=True)\n")
    pid = int(marker.read_text())
    state = "running"
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        except FileNotFoundError:
            return  # gone
        if state == "Z":  # killed; only waiting to be reaped by init
            return
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    pytest.fail(f"the background process {pid} outlived the build (state {state})")


def test_a_cell_writing_into_data_fails_the_build(project):
    target = project / "data/keep.yml"
    with pytest.raises(NotebookError) as raised:
        run(project, "vandal", f"# %%\nopen({str(target)!r}, 'a').write('extra: 1\\n')\n")
    message = one_line(raised.value)
    assert message.startswith("notebooks/vandal.py: changed data/keep.yml while it ran")


def test_a_notebook_runs_in_a_scratch_copy_of_its_folder(project):
    executed = run(project, "scribbler", "# %%\nopen('scribble.txt', 'w').write('x')\nimport os\nprint(os.getcwd())\n")
    assert not (project / "notebooks/scribble.txt").exists()
    printed = executed["scribbler"].notebook.cells[1].outputs[0]["text"].strip()
    assert printed != str(project / "notebooks") and printed.endswith("/notebooks")


def _display_cell(data: dict) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    nb.cells = [cell]
    return nb


def test_notebook_outputs_keep_only_what_cannot_run_or_load():
    nb = _display_cell({"text/html": '<table class="dataframe"><tr><td>1</td></tr></table><script>alert(1)</script>'
                                     '<img src="data:image/png;base64,AAAA" onerror="alert(2)"><a href="javascript:x()">a</a>',
                        "application/javascript": "alert(3)", "text/plain": "table"})
    assert safe_notebook(nb, "notebooks/x.py")
    data = nb.cells[0].outputs[0].data
    assert set(data) == {"text/html", "text/plain"}
    assert '<table class="dataframe">' in data["text/html"] and "<td>1</td>" in data["text/html"]
    for payload in ("<script", "alert(1)", "onerror", "javascript:"):
        assert payload not in data["text/html"]
    assert not safe_notebook(nb, "notebooks/x.py"), "making safe twice changes nothing"


def test_svg_outputs_become_images_with_their_title_as_text():
    nb = _display_cell({"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"><title>Loss</title>'
                                         '<script>alert(1)</script></svg>', "text/plain": "<Figure>"})
    safe_notebook(nb, "notebooks/x.py")
    html = nb.cells[0].outputs[0].data["text/html"]
    assert html.startswith('<img alt="Loss" src="data:image/svg+xml;base64,') and "<svg" not in html


def test_an_external_image_in_an_output_is_refused():
    nb = _display_cell({"text/html": '<img src="https://tracker.example/pixel.png">'})
    with pytest.raises(NotebookError) as raised:
        safe_notebook(nb, "notebooks/x.py")
    assert str(raised.value).startswith("notebooks/x.py: cell 1 `show()`: shows an image from 'https://tracker.example")
