"""One run of the harness: each framework's worker in its own process, one YAML file (data/benchmarks/)."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from content.loading import load_frameworks
from content.measurements import BenchmarkRun
from content.models import Framework

from . import __doc__ as HARNESS_DOC
from .harness import MODELS, SIZES, TASKS, describe_sizes

ROOT = Path(__file__).resolve().parent.parent


def worker_module_name(framework_id: str) -> str:
    return f"benchmarks.{framework_id.replace('-', '_')}_worker"


def workers(frameworks: tuple[Framework, ...]) -> dict[str, ModuleType]:
    """Framework id → its worker module, for the frameworks that have one, in column order."""
    return {f.id: importlib.import_module(worker_module_name(f.id)) for f in frameworks
            if importlib.util.find_spec(worker_module_name(f.id)) is not None}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def base_environment(frameworks: tuple[Framework, ...]) -> dict[str, Any]:
    environment: dict[str, Any] = {"cpu_model": cpu_model(), "cpu_count": os.cpu_count(),
                                   "python": platform.python_version(), "platform": platform.platform()}
    distributions = [f.distribution for f in frameworks] + ["numpy"]
    environment.update({name: _version(name) for name in dict.fromkeys(distributions)})
    environment["XLA_FLAGS"] = os.environ.get("XLA_FLAGS")
    for name in ("OMP_NUM_THREADS", "TF_ENABLE_ONEDNN_OPTS"):
        if name in os.environ:
            environment[name] = os.environ[name]
    return environment


def run_worker_process(framework: str, mode: str) -> dict:
    """Runs one framework's measurements in a fresh interpreter; its progress goes straight to stderr."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as directory:
        result_path = Path(directory) / "result.json"
        command = [sys.executable, "-m", "benchmarks", "--mode", mode, "--worker", framework,
                   "--output", str(result_path)]
        completed = subprocess.run(command, cwd=ROOT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
        if completed.returncode or not result_path.exists():
            return {"environment": {}, "timings": [],
                    "failures": [f"[{framework}] worker exited with status {completed.returncode}"]}
        result = json.loads(result_path.read_text())
    # Other work on the machine inflates the timings: the 1-minute load average before → after.
    result["environment"][f"{framework}_load_average"] = f"{load_before:.2f} → {os.getloadavg()[0]:.2f}"
    return result


def main(argv: list[str] | None = None) -> int:
    frameworks = load_frameworks(ROOT)
    measured = workers(frameworks)
    parser = argparse.ArgumentParser(description=(HARNESS_DOC or "").split("\n\n")[0])
    parser.add_argument("--mode", choices=("full", "smoke"), required=True)
    parser.add_argument("--output", type=Path, required=True, help="data/benchmarks/<id>.yml")
    parser.add_argument("--id", help='the run id, which the file name should match; '
                                     'defaults to "cpu-<UTC date>" (full), "smoke" (smoke)')
    parser.add_argument("--worker", choices=tuple(measured), help=argparse.SUPPRESS)  # internal: one framework
    args = parser.parse_args(argv)

    if args.worker:
        result = measured[args.worker].run(args.mode)
        args.output.write_text(json.dumps(result))
        return 0

    for framework in frameworks:
        if framework.id not in measured:
            print(f"[{framework.id}] not measured: no module {worker_module_name(framework.id)}", file=sys.stderr)
    started = time.perf_counter()
    recorded_at = dt.datetime.now(dt.timezone.utc)
    environment, timings, failures = base_environment(frameworks), [], []
    for framework_id in measured:
        result = run_worker_process(framework_id, args.mode)
        environment.update(result["environment"])
        timings += result["timings"]
        failures += result["failures"]
    elapsed = time.perf_counter() - started
    print(f"total {elapsed:.0f} s", file=sys.stderr)
    if failures:
        print(f"{len(failures)} measurement(s) failed; nothing written:\n" + "\n".join(failures), file=sys.stderr)
        return 1

    def sort_key(timing: dict) -> tuple:
        variants = [variant for variant, _ in measured[timing["framework"]].VARIANTS]
        return (MODELS.index(timing["model"]), TASKS.index(timing["task"]), list(measured).index(timing["framework"]),
                variants.index(timing["variant"]))

    run = BenchmarkRun.model_validate({
        "id": args.id or ("smoke" if args.mode == "smoke" else f"cpu-{recorded_at.date().isoformat()}"),
        "generated_by": f"python -m benchmarks --mode {args.mode}",
        "recorded_at": recorded_at.isoformat(timespec="seconds"),
        "mode": args.mode,
        "environment": {**environment, "total_seconds": round(elapsed, 1)},
        "sizes": describe_sizes(SIZES[args.mode]),
        "timings": sorted(timings, key=sort_key),
    })
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(yaml.safe_dump(run.model_dump(), sort_keys=False, allow_unicode=True), encoding="utf-8")
    print(f"wrote {args.output} ({len(run.timings)} timings)", file=sys.stderr)
    return 0
