"""Execute notebooks once per change of their inputs, in parallel, and cache the executed .ipynb.

The cache key covers everything an execution depends on: the notebook's bytes, the helper modules
in notebooks/helpers/, the files it declares in `metadata.rosetta.depends_on`, the versions of the
libraries it runs on, and the kernel environment. A build whose key matches reuses the executed
notebook; its page and the tabs embedded in topic pages both read that one file.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .errors import NotebookError
from .models import Framework, Tool
from .notebooks import NotebookSource

# Bump when the way notebooks are executed or post-processed changes.
EXECUTION_FORMAT = "1"

# Set in the kernel's environment: keep TensorFlow's start-up log lines out of cell outputs,
# and make oneDNN's float reordering (which changes the last bits) not vary between runs.
KERNEL_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "PYTHONHASHSEED": "0",
}

# Without data (tests of execution alone), the one package every notebook uses.
MINIMAL_DISTRIBUTIONS = ("numpy",)


def tracked_distributions(frameworks: Iterable[Framework], tools: Iterable[Tool]) -> tuple[str, ...]:
    """Distributions whose version changes what a notebook prints: each framework's (data/frameworks/) and every
    package run beside them (data/tools/). Part of the cache key; shown on the versions page."""
    return tuple(dict.fromkeys([f.distribution for f in frameworks] + [t.id for t in tools]))


# Runs inside the kernel after the notebook, so the versions shown are those that produced the outputs.
_PROBE_TAG = "rosetta-environment-probe"


def _probe_source(distributions: tuple[str, ...]) -> str:
    return f"""
import importlib.metadata as _md, json as _json, os as _os, platform as _platform, sys as _sys
def _version(name):
    try:
        return _md.version(name)
    except _md.PackageNotFoundError:
        return None
print(_json.dumps({{
    "python": _platform.python_version(),
    "platform": _platform.platform(),
    "machine": _platform.machine(),
    "cpu_count": _os.cpu_count(),
    "distributions": {{name: _version(name) for name in {list(distributions)!r}}},
}}))
"""


@dataclass(frozen=True)
class ExecutedNotebook:
    name: str
    path: Path  # the executed .ipynb in the cache
    notebook: nbformat.NotebookNode
    environment: dict
    seconds: float
    from_cache: bool


def installed_versions(distributions: Iterable[str]) -> dict[str, str | None]:
    versions = {}
    for name in distributions:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def cache_key(source: NotebookSource, root: Path, distributions: Iterable[str] = MINIMAL_DISTRIBUTIONS) -> str:
    digest = hashlib.sha256()

    def feed(label: str, data: bytes) -> None:
        digest.update(label.encode() + b"\0" + hashlib.sha256(data).digest())

    feed("format", EXECUTION_FORMAT.encode())
    feed("notebook", source.path.read_bytes())
    helpers = root / "notebooks" / "helpers"
    for helper in sorted(helpers.rglob("*.py")) if helpers.is_dir() else []:
        feed(helper.relative_to(root).as_posix(), helper.read_bytes())
    for dependency in source.depends_on:
        feed(dependency, (root / dependency).read_bytes())
    feed("versions", json.dumps(installed_versions(distributions), sort_keys=True).encode())
    feed("python", f"{sys.version} {platform.machine()}".encode())
    feed("environment", json.dumps(KERNEL_ENVIRONMENT, sort_keys=True).encode())
    return digest.hexdigest()


def _failure_message(nb: nbformat.NotebookNode, display_path: str, error: Exception) -> NotebookError:
    """One line naming the notebook, the cell and the exception — not a coloured traceback."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
                tags = cell.get("metadata", {}).get("tags", [])
                where = f"cell {index + 1}" + (f" (tags {', '.join(tags)})" if tags else "") + f" `{first_line[:60]}`"
                evalue = " ".join(str(output.get("evalue", "")).split())[:300]
                return NotebookError(display_path, where, f"raised {output.get('ename')}: {evalue}",
                                     "correct the cell (or the stated tolerance if the difference is explained), "
                                     "then rebuild")
    summary = " ".join(str(error).split())[:300]
    return NotebookError(display_path, "", f"could not be executed: {summary}",
                         "run it with `jupytext --execute` to see the full error")


def execute_notebook(source_path: str, root: str, key: str, destination: str, timeout: int,
                     distributions: tuple[str, ...]) -> tuple[str, float]:
    """Execute one notebook in a fresh kernel; write the executed .ipynb atomically. Runs in a worker process."""
    import jupytext
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    os.environ.update(KERNEL_ENVIRONMENT)
    source = Path(source_path)
    display_path = source.relative_to(root).as_posix()
    nb = jupytext.read(source)
    nb.cells.append(nbformat.v4.new_code_cell(_probe_source(distributions), metadata={"tags": [_PROBE_TAG]}))
    from traitlets.config import Config

    # IPC sockets: the kernel talks to this process only, and does not warn about unencrypted TCP.
    sockets = tempfile.mkdtemp(prefix="rosetta-kernel-")  # short path: IPC socket paths are length-limited
    kernel_config = Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/kernel"}})
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", allow_errors=False, config=kernel_config,
        resources={"metadata": {"path": str(source.parent)}},
    )
    started = time.perf_counter()
    # The kernel process's own stderr (C++ library logs, interpreter-shutdown noise) is not cell
    # output; keep it out of the build log but beside the executed notebook for debugging.
    kernel_log = Path(destination).with_suffix(".kernel.log")
    kernel_log.parent.mkdir(parents=True, exist_ok=True)
    try:
        with kernel_log.open("w") as kernel_stderr:
            client.execute(stderr=kernel_stderr)
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as error:
        raise _failure_message(nb, display_path, error) from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    seconds = time.perf_counter() - started
    probe = nb.cells.pop()
    environment = json.loads("".join(o.get("text", "") for o in probe.outputs if o.output_type == "stream"))
    nb.metadata["rosetta"] = {
        "source": display_path,
        "cache_key": key,
        "seconds": round(seconds, 2),
        "executed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "environment": environment,
    }
    destination_path = Path(destination)
    destination_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination_path.with_suffix(".ipynb.partial")
    nbformat.write(nb, temporary)
    temporary.replace(destination_path)
    return display_path, seconds


def _cached(path: Path, key: str) -> nbformat.NotebookNode | None:
    if not path.is_file():
        return None
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return None
    return nb if nb.metadata.get("rosetta", {}).get("cache_key") == key else None


def execute_all(
    sources: dict[str, NotebookSource],
    root: Path,
    cache_dir: Path,
    distributions: tuple[str, ...] = MINIMAL_DISTRIBUTIONS,
    workers: int = 2,
    timeout: int = 600,
    log: Callable[[str], None] = print,
) -> dict[str, ExecutedNotebook]:
    """Executed notebooks by name; runs only those whose inputs changed, `workers` at a time."""
    root, cache_dir = Path(root), Path(cache_dir)
    keys = {name: cache_key(source, root, distributions) for name, source in sources.items()}
    destination = {name: cache_dir / "notebooks" / f"{name}.ipynb" for name in sources}
    stale = [name for name in sources if _cached(destination[name], keys[name]) is None]
    if stale:
        log(f"notebooks: executing {len(stale)} of {len(sources)} ({len(sources) - len(stale)} unchanged): "
            + ", ".join(stale))
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=max(1, min(workers, len(stale)))) as pool:
            futures = {
                pool.submit(execute_notebook, str(sources[name].path), str(root), keys[name],
                            str(destination[name]), timeout, distributions): name
                for name in stale
            }
            try:
                for future in as_completed(futures):
                    display_path, seconds = future.result()
                    log(f"notebooks: {display_path} executed in {seconds:.1f} s")
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        log(f"notebooks: {len(stale)} executed in {time.perf_counter() - started:.1f} s wall time")
    executed = {}
    for name in sources:
        nb = nbformat.read(destination[name], as_version=4)
        meta = nb.metadata["rosetta"]
        executed[name] = ExecutedNotebook(name, destination[name], nb, meta["environment"], meta["seconds"],
                                          from_cache=name not in stale)
    return executed
