"""The benchmark harness, run end to end in smoke mode (tiny sizes, about a minute and a half)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import yaml
from conftest import ROOT

from benchmarks.harness import MODELS, TASKS
from benchmarks.run import workers
from content.loading import load_frameworks
from content.measurements import BenchmarkRun

FRAMEWORKS = load_frameworks(ROOT)
WORKERS = workers(FRAMEWORKS)


def test_every_framework_out_of_preview_has_a_worker():
    assert {f.id for f in FRAMEWORKS if not f.preview} <= set(WORKERS)


def test_smoke_run_measures_every_model_task_and_variant(tmp_path):
    output = tmp_path / "smoke.yml"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--mode", "smoke", "--output", str(output)],
        cwd=ROOT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]

    run = BenchmarkRun.model_validate(yaml.safe_load(output.read_text(encoding="utf-8")))
    assert (run.id, run.mode) == ("smoke", "smoke")
    assert set(run.sizes) == set(MODELS)
    for key in ("cpu_model", "cpu_count", "numpy", *(f.distribution for f in FRAMEWORKS)):
        assert key in run.environment, key
    for framework_id in WORKERS:
        assert f"{framework_id}_compiler_startup_ms" in run.environment, framework_id

    measured = [(t.model, t.task, t.framework, t.variant) for t in run.timings]
    variants = [(framework_id, variant) for framework_id, worker in WORKERS.items() for variant, _ in worker.VARIANTS]
    expected = {(model, task, framework, variant)
                for model, task, (framework, variant) in itertools.product(MODELS, TASKS, variants)}
    assert len(measured) == len(set(measured)) == len(expected) >= 40
    assert set(measured) == expected
    for timing in run.timings:
        assert timing.median_ms > 0 and timing.first_call_ms > 0, timing
        assert timing.min_ms <= timing.p25_ms <= timing.median_ms <= timing.p75_ms <= timing.max_ms, timing
        assert timing.compiled == (timing.variant != "eager"), timing
