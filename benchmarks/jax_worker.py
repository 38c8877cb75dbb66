"""The JAX worker: pure functions of a parameter pytree, dispatched op by op and under `jax.jit`."""

from __future__ import annotations

import functools
import os
from typing import Callable, Iterator

import numpy as np

from .harness import (CLASSES, LAYER_NORM_EPSILON, LEARNING_RATE, REPEATS, SIZES, Case, Sizes, make_data,
                      run_cases, startup_ms)

# (variant, compiled) in the order they run.
VARIANTS = (("eager", False), ("jax.jit", True))


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
        for variant, compiled in VARIANTS:
            build = builders[model]
            yield Case(model, "training-step", variant, compiled,
                       functools.partial(jax_training_step, build, s, x, y, compiled), block=jax.block_until_ready)
            yield Case(model, "inference", variant, compiled,
                       functools.partial(jax_inference, build, s, x, compiled), block=jax.block_until_ready)


def run(mode: str) -> dict:
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import jax.numpy as jnp

    startup = startup_ms(lambda: jax.jit(lambda t: t * 2 + 1)(jnp.ones(8)).block_until_ready())
    timings, failures = run_cases("jax", jax_cases(SIZES[mode]), REPEATS[mode])
    return {"environment": {"jax_backend": jax.default_backend(), "jax_compiler_startup_ms": startup},
            "timings": timings, "failures": failures}
