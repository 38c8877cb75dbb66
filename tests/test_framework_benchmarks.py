"""The benchmark harness, run end to end in smoke mode (tiny sizes, about a minute and a half)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import yaml
from conftest import ROOT

from macros.models import BenchmarkRun

EXPECTED_VARIANTS = {
    ("pytorch", "eager"), ("pytorch", "torch.compile"),
    ("tensorflow", "eager"), ("tensorflow", "tf.function"), ("tensorflow", "tf.function + XLA"),
    ("jax", "eager"), ("jax", "jax.jit"),
}
MODELS = ("mlp", "cnn", "lstm", "transformer-block")
TASKS = ("training-step", "inference")


def test_smoke_run_measures_every_model_task_and_variant(tmp_path):
    output = tmp_path / "smoke.yml"
    result = subprocess.run(
        [sys.executable, "-m", "macros.framework_benchmarks", "--mode", "smoke", "--output", str(output)],
        cwd=ROOT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]

    run = BenchmarkRun.model_validate(yaml.safe_load(output.read_text(encoding="utf-8")))
    assert (run.id, run.mode) == ("smoke", "smoke")
    assert set(run.sizes) == set(MODELS)
    for key in ("cpu_model", "cpu_count", "torch", "tensorflow-cpu", "keras", "jax", "jaxlib", "numpy",
                "torch_num_threads", "tf_intra_op_threads", "tf_inter_op_threads"):
        assert key in run.environment, key

    measured = [(t.model, t.task, t.framework, t.variant) for t in run.timings]
    expected = {(model, task, framework, variant)
                for model, task, (framework, variant) in itertools.product(MODELS, TASKS, EXPECTED_VARIANTS)}
    assert len(measured) == len(set(measured)) == 56
    assert set(measured) == expected
    for timing in run.timings:
        assert timing.median_ms > 0 and timing.first_call_ms > 0, timing
        assert timing.min_ms <= timing.p25_ms <= timing.median_ms <= timing.p75_ms <= timing.max_ms, timing
        assert timing.compiled == (timing.variant != "eager"), timing
