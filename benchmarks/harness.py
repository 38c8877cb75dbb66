"""What every framework's worker shares: sizes, inputs and labels, and the timing loop (see benchmarks/__init__.py)."""

from __future__ import annotations

import gc
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np

MODELS = ("mlp", "cnn", "lstm", "transformer-block")
TASKS = ("training-step", "inference")
REPEATS = {"full": 20, "smoke": 5}
WARMUP_CALLS = 2
CLASSES = 10
LEARNING_RATE = 0.01
LAYER_NORM_EPSILON = 1e-5  # PyTorch's default; Keras's (1e-3) is set to match.



@dataclass(frozen=True)
class Sizes:
    mlp_batch: int = 64
    mlp_input: int = 256
    mlp_hidden: int = 512
    cnn_batch: int = 16
    image: int = 32  # square images, 3 channels
    conv1: int = 16
    conv2: int = 32
    lstm_batch: int = 16
    lstm_sequence: int = 32
    lstm_input: int = 32
    lstm_hidden: int = 64
    block_batch: int = 8
    block_sequence: int = 64
    d_model: int = 64
    heads: int = 4
    ffn: int = 256


SIZES = {
    "full": Sizes(),
    # Batch 2, feature sizes divided by 8, sequences 4, images 8×8: checks the harness, not the speed.
    "smoke": Sizes(mlp_batch=2, mlp_input=32, mlp_hidden=64, cnn_batch=2, image=8, conv1=2, conv2=4,
                   lstm_batch=2, lstm_sequence=4, lstm_input=4, lstm_hidden=8,
                   block_batch=2, block_sequence=4, d_model=8, heads=4, ffn=32),
}


def describe_sizes(s: Sizes) -> dict[str, str]:
    flat = s.conv2 * (s.image // 4) ** 2
    common = f"float32; cross-entropy over {CLASSES} classes; SGD, learning rate {LEARNING_RATE}"
    return {
        "mlp": f"batch {s.mlp_batch}; {s.mlp_input} → {s.mlp_hidden} → {s.mlp_hidden} → {CLASSES}, ReLU; {common}",
        "cnn": (f"batch {s.cnn_batch}; images {s.image}×{s.image}×3, NCHW in PyTorch, NHWC in Keras and JAX; "
                f"conv3×3 {s.conv1} (same padding) → ReLU → max-pool 2 → conv3×3 {s.conv2} → ReLU → max-pool 2 "
                f"→ flatten ({flat}) → dense {CLASSES}; {common}"),
        "lstm": (f"batch {s.lstm_batch}; sequence {s.lstm_sequence}; input {s.lstm_input}; one LSTM layer, "
                 f"hidden {s.lstm_hidden}; last hidden state → dense {CLASSES}; {common}. PyTorch's LSTM has "
                 f"two bias vectors, Keras's and the JAX cell one. torch.compile leaves nn.LSTM to eager "
                 f"(a graph break by default). JAX scans the cell with jax.lax.scan, which without jit is "
                 f"traced and compiled again on every call"),
        "transformer-block": (f"batch {s.block_batch}; sequence {s.block_sequence}; d_model {s.d_model}, "
                              f"{s.heads} heads, FFN {s.ffn} (ReLU); pre-LayerNorm, residuals, no dropout; "
                              f"mean over the sequence → dense {CLASSES}; {common}"),
    }


def make_data(s: Sizes) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The same inputs and labels for every framework; images are NHWC (PyTorch transposes them)."""
    rng = np.random.default_rng(0)

    def batch(*shape: int) -> tuple[np.ndarray, np.ndarray]:
        return rng.standard_normal(shape, dtype=np.float32), rng.integers(0, CLASSES, shape[0], dtype=np.int64)

    return {
        "mlp": batch(s.mlp_batch, s.mlp_input),
        "cnn": batch(s.cnn_batch, s.image, s.image, 3),
        "lstm": batch(s.lstm_batch, s.lstm_sequence, s.lstm_input),
        "transformer-block": batch(s.block_batch, s.block_sequence, s.d_model),
    }


# --- Timing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One measurement: `setup` builds the model and returns the call to time; `block` waits for its result."""

    model: str
    task: str
    variant: str
    compiled: bool
    setup: Callable[[], Callable[[], Any]]
    block: Callable[[Any], Any]


def timed_ms(call: Callable[[], Any], block: Callable[[Any], Any]) -> float:
    started = time.perf_counter()
    block(call())
    return (time.perf_counter() - started) * 1000


def measure(case: Case, repeats: int) -> dict[str, Any]:
    call = case.setup()
    first_call_ms = timed_ms(call, case.block)
    for _ in range(WARMUP_CALLS):
        timed_ms(call, case.block)
    gc.collect()
    gc.disable()  # a collection in the middle of a timed call measures Python, not the framework
    try:
        samples = [timed_ms(call, case.block) for _ in range(repeats)]
    finally:
        gc.enable()
    p25, median, p75 = statistics.quantiles(samples, n=4, method="inclusive")
    return {
        "median_ms": round(median, 4), "p25_ms": round(p25, 4), "p75_ms": round(p75, 4),
        "min_ms": round(min(samples), 4), "max_ms": round(max(samples), 4),
        "first_call_ms": round(first_call_ms, 3), "repeats": repeats,
    }


def startup_ms(compile_trivial_function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    compile_trivial_function()
    return round((time.perf_counter() - started) * 1000, 1)


def run_cases(framework: str, cases: Iterator[Case], repeats: int) -> tuple[list[dict], list[str]]:
    timings, failures = [], []
    for case in cases:
        label = f"[{framework}] {case.model} {case.task} {case.variant}"
        try:
            result = measure(case, repeats)
        except Exception as error:  # noqa: BLE001 — reported, and the run fails at the end
            failures.append(f"{label}: {type(error).__name__}: {error}")
            print(f"{label}: FAILED {type(error).__name__}: {str(error)[:500]}", file=sys.stderr, flush=True)
            continue
        print(f"{label}: median {result['median_ms']:.3f} ms (first call {result['first_call_ms']:.1f} ms)",
              file=sys.stderr, flush=True)
        timings.append({"model": case.model, "task": case.task, "framework": framework,
                        "variant": case.variant, "compiled": case.compiled, **result})
    return timings, failures
