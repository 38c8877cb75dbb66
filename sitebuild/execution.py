"""Execute notebooks once per change of their inputs, in parallel, and cache the executed .ipynb.

The cache key covers everything an execution depends on: the notebook's bytes, the helper modules
in notebooks/helpers/, the files it declares in `metadata.rosetta.depends_on`, the versions of the
libraries it runs on, and the kernel environment. A build whose key matches reuses the executed
notebook; its page and the tabs embedded in topic pages both read that one file.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, fields
from pathlib import Path

import nbformat
import nbformat.v4

from content.errors import NotebookError
from content.models import Framework, Tool
from .build_cache import write_atomically
from .notebook_safety import DEFAULT_CELL_OUTPUT_LIMIT, safe_notebook
from content.notebooks import NotebookSource

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
    package run in the notebooks (data/tools/ with `runs_in: notebooks`). Part of the cache key."""
    return tuple(dict.fromkeys([f.distribution for f in frameworks]
                               + [t.id for t in tools if t.runs_in == "notebooks"]))


def site_environment(tools: Iterable[Tool], executed_distributions: dict[str, str | None]) -> dict[str, str | None]:
    """Every package the versions page shows: the notebooks' as the executing kernel reported them, the build's
    and the tests' as this process finds them (the same environment, but they change no notebook output)."""
    return {**executed_distributions, **installed_versions(tuple(t.id for t in tools if t.runs_in != "notebooks"))}


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
class ExecutionLimits:
    """Set in mkdocs.yml under `extra.notebook_execution`; these are the defaults."""

    cell_timeout_seconds: int = 600
    cell_output_limit_bytes: int = DEFAULT_CELL_OUTPUT_LIMIT
    progress_every_seconds: int = 30


LIMITS_KEY = "extra.notebook_execution"


def execution_limits(config) -> ExecutionLimits:
    settings = dict((config.get("extra") or {}).get("notebook_execution") or {})
    known = {f.name for f in fields(ExecutionLimits)}
    for key, value in settings.items():
        if key not in known or not isinstance(value, int) or value <= 0:
            raise NotebookError("mkdocs.yml", f"{LIMITS_KEY}.{key}", f"{value!r} is not a known positive limit",
                                f"use positive whole numbers for {', '.join(sorted(known))}")
    return ExecutionLimits(**settings)


# Project files a notebook must never change (it runs in a scratch copy of its folder); checked
# after each execution.
TRACKED_PARTS = ("data", "notebooks", "docs", "content", "sitebuild", "macros", "hooks", "overrides", "mkdocs.yml")


def tracked_files(root: Path) -> dict[str, tuple[int, int]]:
    """path → (size, modification time) of every project file a build reads."""
    snapshot = {}
    for part in TRACKED_PARTS:
        top = root / part
        for path in (top.rglob("*") if top.is_dir() else [top]):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                snapshot[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return snapshot


def changed_files(before: dict, after: dict) -> list[str]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def scratch_copy(source: Path, root: Path, depends_on: list[str]) -> tuple[Path, Path]:
    """A temporary copy of the notebook's folder (and its declared inputs), where it runs: whatever it
    writes stays out of the project."""
    scratch = Path(tempfile.mkdtemp(prefix="rosetta-run-"))
    folder = scratch / source.parent.relative_to(root)
    shutil.copytree(source.parent, folder, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for dependency in depends_on:
        (scratch / dependency).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / dependency, scratch / dependency)
    return scratch, folder


def kill_process_group(pgid: int | None) -> None:
    """End whatever the kernel started (a background process outlives a kernel's shutdown otherwise)."""
    if pgid and pgid != os.getpgid(0):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class CellProgress:
    """The running cell, written to a small file the parent process reads to print progress lines."""

    def __init__(self, path: Path):
        self.path = path
        self.cell_index: int | None = None
        self.pgid: int | None = None

    def started(self, cell, cell_index: int) -> None:
        self.cell_index = cell_index
        first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
        self.path.write_text(json.dumps({"cell": cell_index + 1, "first_line": first_line[:60],
                                         "started": time.time()}))


def progress_lines(running: dict[str, Path], every: int, limit: int) -> list[str]:
    """'still running' lines for cells that have run `every` seconds or more."""
    lines = []
    for display_path, progress in running.items():
        try:
            state = json.loads(progress.read_text())
        except (OSError, ValueError):
            continue
        seconds = time.time() - state["started"]
        if seconds >= every:
            lines.append(f"notebooks: {display_path} cell {state['cell']} `{state['first_line']}` still running "
                         f"after {seconds:.0f} s (limit {limit} s)")
    return lines


def interruption_message(nb, display_path: str, error: Exception, cell_index: int | None,
                         limits: ExecutionLimits) -> NotebookError | None:
    """A timeout or a dead kernel, named by the cell that was running."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if cell_index is None or not isinstance(error, (CellTimeoutError, DeadKernelError)):
        return None
    cell = nb.cells[cell_index]
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
    where = f"cell {cell_index + 1} `{first_line[:60]}`"
    if isinstance(error, CellTimeoutError):
        return NotebookError(display_path, where, f"did not finish within {limits.cell_timeout_seconds} s",
                             f"make the cell faster, or raise {LIMITS_KEY}.cell_timeout_seconds in mkdocs.yml")
    return NotebookError(display_path, where, "the kernel died while this cell ran (out of memory, or a crash "
                         "in native code)", "run the notebook with `jupytext --execute` to see where it stops")


@dataclass(frozen=True)
class ExecutedNotebook:
    name: str
    path: Path  # the executed .ipynb in the cache
    notebook: nbformat.NotebookNode
    environment: dict
    seconds: float
    from_cache: bool


def installed_versions(distributions: Iterable[str]) -> dict[str, str | None]:
    return dict(_installed_versions(distributions))


@functools.lru_cache(maxsize=8)  # a metadata scan of sys.path per name: once per process, not once per notebook
def _installed_versions(distributions: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
    versions = []
    for name in distributions:
        try:
            versions.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            versions.append((name, None))
    return tuple(versions)


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


def execute_notebook(source_path: str, root: str, key: str, destination: str, limits: ExecutionLimits,
                     depends_on: tuple[str, ...] = (), distributions: tuple[str, ...] = MINIMAL_DISTRIBUTIONS
                     ) -> tuple[str, float]:
    """Execute one notebook in a fresh kernel, in a scratch copy of its folder; write the executed,
    made-safe .ipynb atomically. Runs in a worker process."""
    import jupytext
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    os.environ.update(KERNEL_ENVIRONMENT)
    source, root_path = Path(source_path), Path(root)
    display_path = source.relative_to(root).as_posix()
    nb = jupytext.read(source)
    nb.cells.append(nbformat.v4.new_code_cell(_probe_source(distributions), metadata={"tags": [_PROBE_TAG]}))
    from traitlets.config import Config

    destination_path = Path(destination)
    destination_path.parent.mkdir(parents=True, exist_ok=True)
    progress = CellProgress(destination_path.with_suffix(".progress"))
    before = tracked_files(root_path)
    scratch, workdir = scratch_copy(source, root_path, list(depends_on))
    # IPC sockets: the kernel talks to this process only, and does not warn about unencrypted TCP.
    sockets = tempfile.mkdtemp(prefix="rosetta-kernel-")  # short path: IPC socket paths are length-limited
    kernel_config = Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/kernel"}})
    client = NotebookClient(
        nb, timeout=limits.cell_timeout_seconds, kernel_name="python3", allow_errors=False, config=kernel_config,
        resources={"metadata": {"path": str(workdir)}},
        on_cell_execute=progress.started,
        on_notebook_start=lambda notebook: setattr(progress, "pgid", client.km.provisioner.pgid),
    )
    started = time.perf_counter()
    # The kernel process's own stderr (C++ library logs, interpreter-shutdown noise) is not cell
    # output; keep it out of the build log but beside the executed notebook for debugging.
    kernel_log = destination_path.with_suffix(".kernel.log")
    try:
        with kernel_log.open("w") as kernel_stderr:
            client.execute(stderr=kernel_stderr)
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as error:
        raise (interruption_message(nb, display_path, error, progress.cell_index, limits)
               or _failure_message(nb, display_path, error)) from None
    finally:
        kill_process_group(progress.pgid)
        shutil.rmtree(sockets, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
        progress.path.unlink(missing_ok=True)
    changed = changed_files(before, tracked_files(root_path))
    if changed:
        raise NotebookError(display_path, "", f"changed {', '.join(changed[:3])} while it ran",
                            "write files to a temporary directory (tempfile.mkdtemp()), never into the project; "
                            "then restore the file (git checkout)")
    seconds = time.perf_counter() - started
    probe = nb.cells.pop()
    environment = json.loads("".join(o.get("text", "") for o in probe.outputs if o.output_type == "stream"))
    safe_notebook(nb, display_path, limits.cell_output_limit_bytes)
    nb.metadata["rosetta"] = {
        "source": display_path,
        "cache_key": key,
        "seconds": round(seconds, 2),
        "executed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "environment": environment,
    }
    _write_atomically(nb, destination_path)
    return display_path, seconds


# Path → (digest of its bytes, the parsed notebook). Parsing and validating 19 executed notebooks took a second;
# a build reads each twice and `mkdocs serve` rebuilds in one process, so a file is parsed once per content.
# Callers change a notebook in place only by idempotent clean-ups they write back (a new digest).
_parsed: dict[str, tuple[bytes, nbformat.NotebookNode]] = {}


def _read_executed(path: Path) -> nbformat.NotebookNode | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(data).digest()
    known = _parsed.get(str(path))
    if known is None or known[0] != digest:
        try:
            # Written by this build code (atomically, after nbclient ran it), so read without nbformat's schema
            # validation, which was most of reading the cache; a partial or foreign file is executed again.
            nb = nbformat.v4.reads(data.decode("utf-8"))
            if nb.nbformat != 4 or not isinstance(nb.cells, list) or "cache_key" not in nb.metadata.rosetta:
                return None
        except Exception:  # a partial or foreign file: execute again
            return None
        known = _parsed[str(path)] = (digest, nb)
    return known[1]


def _cached(path: Path, key: str) -> nbformat.NotebookNode | None:
    nb = _read_executed(path)
    return nb if nb is not None and nb.metadata.get("rosetta", {}).get("cache_key") == key else None


def execute_all(
    sources: dict[str, NotebookSource],
    root: Path,
    cache_dir: Path,
    distributions: tuple[str, ...] = MINIMAL_DISTRIBUTIONS,
    workers: int = 2,
    log: Callable[[str], None] = print,
    limits: ExecutionLimits = ExecutionLimits(),
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
        _run_in_workers(sources, stale, root, keys, destination, workers, log, limits, distributions)
        log(f"notebooks: {len(stale)} executed in {time.perf_counter() - started:.1f} s wall time")
    executed = {}
    for name in sources:
        nb = _read_executed(destination[name])
        if nb is None:
            raise RuntimeError(f"{destination[name]} could not be read back after execution")
        meta = nb.metadata["rosetta"]
        if safe_notebook(nb, meta["source"], limits.cell_output_limit_bytes):
            # Executed before outputs were made safe: rewrite it once (its cache key is unchanged).
            _write_atomically(nb, destination[name])
        executed[name] = ExecutedNotebook(name, destination[name], nb, meta["environment"], meta["seconds"],
                                          from_cache=name not in stale)
    return executed


def _write_atomically(nb: nbformat.NotebookNode, destination: Path) -> None:
    text = nbformat.writes(nb)
    write_atomically(destination, (text if text.endswith("\n") else text + "\n").encode("utf-8"))


def _run_in_workers(sources, stale, root, keys, destination, workers, log, limits: ExecutionLimits,
                    distributions: tuple[str, ...]) -> None:
    """Execute the stale notebooks in worker processes, logging progress lines for long cells."""
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(stale)))) as pool:
        futures = {
            pool.submit(execute_notebook, str(sources[name].path), str(root), keys[name], str(destination[name]),
                        limits, tuple(sources[name].depends_on), distributions): name
            for name in stale
        }
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, timeout=limits.progress_every_seconds, return_when=FIRST_COMPLETED)
                for future in done:
                    display_path, seconds = future.result()
                    log(f"notebooks: {display_path} executed in {seconds:.1f} s")
                running = {f"notebooks/{futures[f]}.py": destination[futures[f]].with_suffix(".progress")
                           for f in pending if f.running()}
                for line in progress_lines(running, limits.progress_every_seconds, limits.cell_timeout_seconds):
                    log(line)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
