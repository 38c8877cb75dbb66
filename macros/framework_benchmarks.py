"""Measure a training step and inference in PyTorch, TensorFlow (Keras 3) and JAX on this machine's CPU.

    python -m macros.framework_benchmarks --mode full --output data/benchmarks/cpu-2026-11-21.yml
    python -m macros.framework_benchmarks --mode smoke --output /tmp/smoke.yml

What is measured: four small models with the same architecture in every framework (an MLP, a CNN, a
one-layer LSTM and a pre-LayerNorm transformer block, each ending in a 10-class head), two tasks each:

- training-step: forward, cross-entropy loss, gradients and a plain SGD update of every parameter;
- inference: the forward pass alone, without gradients (`torch.no_grad`, `training=False`).

Each task runs in each execution variant of a framework: PyTorch eager and `torch.compile` (inductor);
TensorFlow eager, `tf.function` and `tf.function(jit_compile=True)` (XLA); JAX op-by-op dispatch and
`jax.jit`. Every (model, task, variant) gets a freshly built model; its first call is recorded on its
own (it includes tracing and compilation), then 2 warm-up calls, then the repeats are timed one by one
with `time.perf_counter`, waiting for the result (TensorFlow: `.numpy()`; JAX: `block_until_ready`;
PyTorch on CPU returns finished tensors). The medians and quartiles are in milliseconds.

Each framework runs in its own subprocess, so no framework's thread pools or allocator share the
process with another's. In full mode PyTorch's inductor compiles into a fresh cache directory, so the
first call of `torch.compile` is a cold compile, as JAX's and XLA's are without a persistent cache;
smoke mode keeps inductor's default on-disk cache so that repeated checks stay quick. Before its
measurements each worker compiles one trivial function, so that a model's first call measures that
model's tracing and compilation rather than the compiler's one-time start-up in the process (imports,
toolchain checks), which is recorded apart as `<framework>_compiler_startup_ms`. Thread counts
are each framework's defaults and are recorded, with the load average around each framework's run.

Two behaviours of the frameworks' defaults show in the numbers and are stated with the sizes:
`torch.compile` does not trace `nn.LSTM` (a graph break; the LSTM runs eagerly between compiled
parts), and JAX without `jit` compiles `lax.scan` as one XLA loop on every call (its body is traced
anew each time), so the eager JAX LSTM measures that recompilation.

What the numbers say: how much per-step overhead each framework and execution mode has for SMALL models
on a small, shared CPU — dispatch cost, graph/compilation benefit, first-call compilation latency.
What they do not say: anything about GPUs or TPUs (different kernels, asynchronous execution, memory
transfers), clusters or multi-device training (communication dominates), large models (where the
same matrix-multiply libraries dominate and frameworks converge), or input pipelines. Two shared
cores make the numbers noisy; compare the quartiles, not the third digit.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import gc
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import yaml

from .models import BenchmarkRun

MODELS = ("mlp", "cnn", "lstm", "transformer-block")
TASKS = ("training-step", "inference")
# framework id → (variant, compiled) in the order they run.
VARIANTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "pytorch": (("eager", False), ("torch.compile", True)),
    "tensorflow": (("eager", False), ("tf.function", True), ("tf.function + XLA", True)),
    "jax": (("eager", False), ("jax.jit", True)),
}
REPEATS = {"full": 20, "smoke": 5}
WARMUP_CALLS = 2
CLASSES = 10
LEARNING_RATE = 0.01
LAYER_NORM_EPSILON = 1e-5  # PyTorch's default; Keras's (1e-3) is set to match.
DISTRIBUTIONS = ("torch", "tensorflow-cpu", "keras", "jax", "jaxlib", "numpy")


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


# --- PyTorch -------------------------------------------------------------------------------------


def torch_mlp(s: Sizes):
    from torch import nn

    return nn.Sequential(nn.Linear(s.mlp_input, s.mlp_hidden), nn.ReLU(), nn.Linear(s.mlp_hidden, s.mlp_hidden),
                         nn.ReLU(), nn.Linear(s.mlp_hidden, CLASSES))


def torch_cnn(s: Sizes):
    from torch import nn

    return nn.Sequential(nn.Conv2d(3, s.conv1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(s.conv1, s.conv2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(s.conv2 * (s.image // 4) ** 2, CLASSES))


def torch_lstm(s: Sizes):
    from torch import nn

    class LSTMClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(s.lstm_input, s.lstm_hidden, batch_first=True)
            self.head = nn.Linear(s.lstm_hidden, CLASSES)

        def forward(self, x):
            _, (hidden, _) = self.lstm(x)
            return self.head(hidden[-1])

    return LSTMClassifier()


def torch_transformer_block(s: Sizes):
    from torch import nn

    class BlockClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = nn.TransformerEncoderLayer(s.d_model, s.heads, s.ffn, dropout=0.0,
                                                    layer_norm_eps=LAYER_NORM_EPSILON, batch_first=True,
                                                    norm_first=True)
            self.head = nn.Linear(s.d_model, CLASSES)

        def forward(self, x):
            return self.head(self.block(x).mean(dim=1))

    return BlockClassifier()


def torch_training_step(build: Callable, s: Sizes, x, y, compiled: bool) -> Callable:
    import torch
    import torch.nn.functional as F

    model = build(s).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    if not compiled:
        return step
    torch._dynamo.reset()  # each compiled measurement starts from an empty compile cache
    return torch.compile(step)


def torch_inference(build: Callable, s: Sizes, x, compiled: bool) -> Callable:
    import torch

    model = build(s).eval()

    def forward():
        with torch.no_grad():
            return model(x)

    if not compiled:
        return forward
    torch._dynamo.reset()
    return torch.compile(forward)


def pytorch_cases(s: Sizes) -> Iterator[Case]:
    import torch

    builders = {"mlp": torch_mlp, "cnn": torch_cnn, "lstm": torch_lstm, "transformer-block": torch_transformer_block}
    for model, (x, y) in make_data(s).items():
        if model == "cnn":
            x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))  # NHWC → NCHW
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        for variant, compiled in VARIANTS["pytorch"]:
            build = builders[model]
            yield Case(model, "training-step", variant, compiled,
                       functools.partial(torch_training_step, build, s, x, y, compiled), block=lambda result: result)
            yield Case(model, "inference", variant, compiled,
                       functools.partial(torch_inference, build, s, x, compiled), block=lambda result: result)


def run_pytorch(mode: str) -> dict:
    with contextlib.ExitStack() as stack:
        if mode == "full":  # a fresh inductor cache: the first call of torch.compile is a cold compile
            os.environ["TORCHINDUCTOR_CACHE_DIR"] = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="benchmark-inductor-"))
        import torch

        # A forward and a backward graph: what every compiled training step needs first.
        startup = startup_ms(lambda: torch.compile(lambda t: (t * 2).sum())(torch.ones(8, requires_grad=True))
                             .backward())
        timings, failures = run_cases("pytorch", pytorch_cases(SIZES[mode]), REPEATS[mode])
    cache = "fresh directory (cold compile)" if mode == "full" else "default on-disk cache (may be warm)"
    return {"environment": {"torch_num_threads": torch.get_num_threads(), "torch_inductor_cache": cache,
                            "pytorch_compiler_startup_ms": startup},
            "timings": timings, "failures": failures}


# --- TensorFlow (Keras 3 on the TensorFlow backend) ---------------------------------------------


def keras_mlp(s: Sizes):
    import keras
    from keras import layers

    return keras.Sequential([keras.Input((s.mlp_input,)), layers.Dense(s.mlp_hidden, activation="relu"),
                             layers.Dense(s.mlp_hidden, activation="relu"), layers.Dense(CLASSES)])


def keras_cnn(s: Sizes):
    import keras
    from keras import layers

    return keras.Sequential([keras.Input((s.image, s.image, 3)),
                             layers.Conv2D(s.conv1, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
                             layers.Conv2D(s.conv2, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
                             layers.Flatten(), layers.Dense(CLASSES)])


def keras_lstm(s: Sizes):
    import keras
    from keras import layers

    return keras.Sequential([keras.Input((s.lstm_sequence, s.lstm_input)), layers.LSTM(s.lstm_hidden),
                             layers.Dense(CLASSES)])


def keras_transformer_block(s: Sizes):
    import keras
    from keras import layers

    inputs = keras.Input((s.block_sequence, s.d_model))
    normed = layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON)(inputs)
    x = inputs + layers.MultiHeadAttention(num_heads=s.heads, key_dim=s.d_model // s.heads)(normed, normed)
    normed = layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON)(x)
    x = x + layers.Dense(s.d_model)(layers.Dense(s.ffn, activation="relu")(normed))
    outputs = layers.Dense(CLASSES)(layers.GlobalAveragePooling1D()(x))
    return keras.Model(inputs, outputs)


def tf_variant(function: Callable, variant: str) -> Callable:
    import tensorflow as tf

    if variant == "eager":
        return function
    return tf.function(function, jit_compile=variant == "tf.function + XLA")


def tf_training_step(build: Callable, s: Sizes, x, y, variant: str) -> Callable:
    import keras
    import tensorflow as tf

    model = build(s)
    optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE)
    optimizer.build(model.trainable_variables)  # its variables exist before any tf.function traces
    loss_function = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_function(y, model(x, training=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    step = tf_variant(step, variant)
    return lambda: step(x, y)


def tf_inference(build: Callable, s: Sizes, x, variant: str) -> Callable:
    model = build(s)
    forward = tf_variant(lambda x: model(x, training=False), variant)
    return lambda: forward(x)


def tensorflow_cases(s: Sizes) -> Iterator[Case]:
    import tensorflow as tf

    builders = {"mlp": keras_mlp, "cnn": keras_cnn, "lstm": keras_lstm, "transformer-block": keras_transformer_block}
    for model, (x, y) in make_data(s).items():
        x, y = tf.constant(x), tf.constant(y)
        for variant, compiled in VARIANTS["tensorflow"]:
            build = builders[model]
            # .numpy() copies the result to the host, so the call has finished (the loss; the logits).
            yield Case(model, "training-step", variant, compiled,
                       functools.partial(tf_training_step, build, s, x, y, variant), block=lambda loss: loss.numpy())
            yield Case(model, "inference", variant, compiled,
                       functools.partial(tf_inference, build, s, x, variant), block=lambda logits: logits.numpy())


def run_tensorflow(mode: str) -> dict:
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import keras
    import tensorflow as tf

    assert keras.backend.backend() == "tensorflow", keras.backend.backend()
    startup = startup_ms(lambda: tf.function(lambda t: t * 2 + 1, jit_compile=True)(tf.ones(8)).numpy())
    timings, failures = run_cases("tensorflow", tensorflow_cases(SIZES[mode]), REPEATS[mode])
    return {"environment": {"tf_intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
                            "tf_inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
                            "tensorflow_compiler_startup_ms": startup},
            "timings": timings, "failures": failures}


# --- JAX: pure functions of a parameter pytree ---------------------------------------------------


def _dense(rng: np.random.Generator, fan_in: int, fan_out: int) -> dict[str, np.ndarray]:
    scale = 1 / np.sqrt(fan_in)
    return {"w": rng.uniform(-scale, scale, (fan_in, fan_out)).astype(np.float32),
            "b": np.zeros(fan_out, np.float32)}


def _apply_dense(p, x):
    return x @ p["w"] + p["b"]


def jax_mlp(s: Sizes):
    import jax

    rng = np.random.default_rng(1)
    params = [_dense(rng, s.mlp_input, s.mlp_hidden), _dense(rng, s.mlp_hidden, s.mlp_hidden),
              _dense(rng, s.mlp_hidden, CLASSES)]

    def apply(p, x):
        x = jax.nn.relu(_apply_dense(p[0], x))
        x = jax.nn.relu(_apply_dense(p[1], x))
        return _apply_dense(p[2], x)

    return params, apply


def jax_cnn(s: Sizes):
    import jax
    import jax.numpy as jnp
    from jax import lax

    rng = np.random.default_rng(1)

    def conv_params(c_in, c_out):
        scale = 1 / np.sqrt(9 * c_in)
        return {"w": rng.uniform(-scale, scale, (3, 3, c_in, c_out)).astype(np.float32),  # HWIO
                "b": np.zeros(c_out, np.float32)}

    params = {"conv1": conv_params(3, s.conv1), "conv2": conv_params(s.conv1, s.conv2),
              "head": _dense(rng, s.conv2 * (s.image // 4) ** 2, CLASSES)}

    def conv_relu_pool(p, x):
        x = lax.conv_general_dilated(x, p["w"], (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
        x = jax.nn.relu(x + p["b"])
        return lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")

    def apply(p, x):
        x = conv_relu_pool(p["conv2"], conv_relu_pool(p["conv1"], x))
        return _apply_dense(p["head"], x.reshape(x.shape[0], -1))

    return params, apply


def jax_lstm(s: Sizes):
    import jax
    import jax.numpy as jnp

    rng = np.random.default_rng(1)
    scale = 1 / np.sqrt(s.lstm_hidden)
    params = {"w_x": rng.uniform(-scale, scale, (s.lstm_input, 4 * s.lstm_hidden)).astype(np.float32),
              "w_h": rng.uniform(-scale, scale, (s.lstm_hidden, 4 * s.lstm_hidden)).astype(np.float32),
              "b": np.zeros(4 * s.lstm_hidden, np.float32),
              "head": _dense(rng, s.lstm_hidden, CLASSES)}

    def apply(p, x):
        def cell(carry, x_t):
            h, c = carry
            i, f, g, o = jnp.split(x_t @ p["w_x"] + h @ p["w_h"] + p["b"], 4, axis=-1)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), None

        zeros = jnp.zeros((x.shape[0], s.lstm_hidden), x.dtype)
        (h, _), _ = jax.lax.scan(cell, (zeros, zeros), jnp.swapaxes(x, 0, 1))  # scan over time
        return _apply_dense(p["head"], h)

    return params, apply


def jax_transformer_block(s: Sizes):
    import jax
    import jax.numpy as jnp

    rng = np.random.default_rng(1)
    d, heads = s.d_model, s.heads
    params = {"norm1": {"scale": np.ones(d, np.float32), "bias": np.zeros(d, np.float32)},
              "q": _dense(rng, d, d), "k": _dense(rng, d, d), "v": _dense(rng, d, d), "out": _dense(rng, d, d),
              "norm2": {"scale": np.ones(d, np.float32), "bias": np.zeros(d, np.float32)},
              "ffn1": _dense(rng, d, s.ffn), "ffn2": _dense(rng, s.ffn, d), "head": _dense(rng, d, CLASSES)}

    def layer_norm(p, x):
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return (x - mean) * jax.lax.rsqrt(variance + LAYER_NORM_EPSILON) * p["scale"] + p["bias"]

    def attention(p, x):
        batch, sequence, _ = x.shape

        def split_heads(t):  # (batch, sequence, d) → (batch, heads, sequence, d / heads)
            return t.reshape(batch, sequence, heads, d // heads).transpose(0, 2, 1, 3)

        q, k, v = (split_heads(_apply_dense(p[name], x)) for name in ("q", "k", "v"))
        weights = jax.nn.softmax(q @ jnp.swapaxes(k, -1, -2) / np.sqrt(d // heads), axis=-1)
        merged = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, sequence, d)
        return _apply_dense(p["out"], merged)

    def apply(p, x):
        x = x + attention(p, layer_norm(p["norm1"], x))
        x = x + _apply_dense(p["ffn2"], jax.nn.relu(_apply_dense(p["ffn1"], layer_norm(p["norm2"], x))))
        return _apply_dense(p["head"], x.mean(axis=1))

    return params, apply


def jax_cross_entropy(logits, labels):
    import jax
    import jax.numpy as jnp

    log_probabilities = jax.nn.log_softmax(logits)
    return -jnp.take_along_axis(log_probabilities, labels[:, None], axis=1).mean()


def jax_training_step(build: Callable, s: Sizes, x, y, compiled: bool) -> Callable:
    import jax

    params, apply = build(s)

    def loss(params, x, y):
        return jax_cross_entropy(apply(params, x), y)

    def step(params, x, y):
        value, gradients = jax.value_and_grad(loss)(params, x, y)
        return jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, gradients), value

    if compiled:
        step = jax.jit(step)
    state = {"params": jax.device_put(params)}

    def call():
        state["params"], value = step(state["params"], x, y)
        return state["params"], value

    return call


def jax_inference(build: Callable, s: Sizes, x, compiled: bool) -> Callable:
    import jax

    params, apply = build(s)
    params = jax.device_put(params)
    forward = jax.jit(apply) if compiled else apply
    return lambda: forward(params, x)


def jax_cases(s: Sizes) -> Iterator[Case]:
    import jax

    builders = {"mlp": jax_mlp, "cnn": jax_cnn, "lstm": jax_lstm, "transformer-block": jax_transformer_block}
    for model, (x, y) in make_data(s).items():
        x, y = jax.device_put(x), jax.device_put(y.astype(np.int32))
        for variant, compiled in VARIANTS["jax"]:
            build = builders[model]
            yield Case(model, "training-step", variant, compiled,
                       functools.partial(jax_training_step, build, s, x, y, compiled), block=jax.block_until_ready)
            yield Case(model, "inference", variant, compiled,
                       functools.partial(jax_inference, build, s, x, compiled), block=jax.block_until_ready)


def run_jax(mode: str) -> dict:
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import jax.numpy as jnp

    startup = startup_ms(lambda: jax.jit(lambda t: t * 2 + 1)(jnp.ones(8)).block_until_ready())
    timings, failures = run_cases("jax", jax_cases(SIZES[mode]), REPEATS[mode])
    return {"environment": {"jax_backend": jax.default_backend(), "jax_compiler_startup_ms": startup},
            "timings": timings, "failures": failures}


# --- The run: one subprocess per framework, one YAML file ----------------------------------------

WORKERS = {"pytorch": run_pytorch, "tensorflow": run_tensorflow, "jax": run_jax}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def base_environment() -> dict[str, Any]:
    environment: dict[str, Any] = {"cpu_model": cpu_model(), "cpu_count": os.cpu_count(),
                                   "python": platform.python_version(), "platform": platform.platform()}
    environment.update({name: importlib.metadata.version(name) for name in DISTRIBUTIONS})
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
        command = [sys.executable, "-m", "macros.framework_benchmarks", "--mode", mode,
                   "--worker", framework, "--output", str(result_path)]
        completed = subprocess.run(command, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
        if completed.returncode or not result_path.exists():
            return {"environment": {}, "timings": [],
                    "failures": [f"[{framework}] worker exited with status {completed.returncode}"]}
        result = json.loads(result_path.read_text())
    # Other work on the machine inflates the timings: the 1-minute load average before → after.
    result["environment"][f"{framework}_load_average"] = f"{load_before:.2f} → {os.getloadavg()[0]:.2f}"
    return result


def sort_key(timing: dict) -> tuple:
    variants = [variant for variant, _ in VARIANTS[timing["framework"]]]
    return (MODELS.index(timing["model"]), TASKS.index(timing["task"]), list(VARIANTS).index(timing["framework"]),
            variants.index(timing["variant"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("full", "smoke"), required=True)
    parser.add_argument("--output", type=Path, required=True, help="data/benchmarks/<id>.yml")
    parser.add_argument("--id", help='the run id, which the file name should match; '
                                     'defaults to "cpu-<UTC date>" (full), "smoke" (smoke)')
    parser.add_argument("--worker", choices=tuple(WORKERS), help=argparse.SUPPRESS)  # internal: one framework
    args = parser.parse_args(argv)

    if args.worker:
        result = WORKERS[args.worker](args.mode)
        args.output.write_text(json.dumps(result))
        return 0

    started = time.perf_counter()
    recorded_at = dt.datetime.now(dt.timezone.utc)
    environment, timings, failures = base_environment(), [], []
    for framework in WORKERS:
        result = run_worker_process(framework, args.mode)
        environment.update(result["environment"])
        timings += result["timings"]
        failures += result["failures"]
    elapsed = time.perf_counter() - started
    print(f"total {elapsed:.0f} s", file=sys.stderr)
    if failures:
        print(f"{len(failures)} measurement(s) failed; nothing written:\n" + "\n".join(failures), file=sys.stderr)
        return 1

    run = BenchmarkRun.model_validate({
        "id": args.id or ("smoke" if args.mode == "smoke" else f"cpu-{recorded_at.date().isoformat()}"),
        "generated_by": f"python -m macros.framework_benchmarks --mode {args.mode}",
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


if __name__ == "__main__":
    sys.exit(main())
