"""Execute API Rosetta rows: the same operation in each framework, on the same inputs, compared.

Used by tests/test_rosetta.py. Inputs are NumPy arrays made from a seeded generator; each
framework's code sees every input converted to its own tensor type (and the array itself as
`<name>_np`). Code is an expression, or statements that assign `result`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .models import RosettaRow

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def input_namespace(rng: np.random.Generator) -> dict:
    """Helpers available in `inputs` expressions; all floats are float32 so frameworks agree on dtype."""
    return {
        "np": np,
        "rng": rng,
        "randn": lambda *shape: rng.standard_normal(shape).astype(np.float32),
        "rand": lambda *shape: rng.random(shape).astype(np.float32),
        "randint": lambda low, high, *shape: rng.integers(low, high, shape).astype(np.int64),
        "arange": lambda *args: np.arange(*args, dtype=np.float32),
    }


def make_inputs(row: RosettaRow) -> dict[str, object]:
    namespace = input_namespace(np.random.default_rng(0))
    values: dict[str, object] = {}
    for name, expression in row.inputs.items():
        values[name] = eval(expression, {**namespace, **values})  # noqa: S307 — data written by editors, run in tests
    return values


@dataclass(frozen=True)
class Runtime:
    namespace: Callable[[], dict]
    convert: Callable[[np.ndarray], object]


def _pytorch() -> Runtime:
    import torch
    import torch.nn.functional as F

    return Runtime(lambda: {"torch": torch, "F": F, "np": np}, lambda a: torch.from_numpy(np.array(a)))


def _tensorflow() -> Runtime:
    import keras
    import tensorflow as tf

    return Runtime(lambda: {"tf": tf, "keras": keras, "np": np}, lambda a: tf.constant(a))


def _jax() -> Runtime:
    """Core JAX plus the libraries JAX users train with: Optax (optimizers, schedules, losses), Flax NNX
    (layers), Orbax (checkpoints) and Grain (data loading)."""
    import grain
    import jax
    import jax.numpy as jnp
    import optax
    import orbax.checkpoint as ocp
    from flax import nnx

    return Runtime(lambda: {"jax": jax, "jnp": jnp, "lax": jax.lax, "np": np, "optax": optax, "nnx": nnx,
                            "ocp": ocp, "grain": grain}, lambda a: jnp.asarray(a))


# What each framework's code may assume, as a reader would write it; shown on every Rosetta page.
IMPORTS: dict[str, list[str]] = {
    "pytorch": ["import torch", "import torch.nn.functional as F"],
    "tensorflow": ["import tensorflow as tf", "import keras"],
    "jax": ["import jax", "import jax.numpy as jnp", "from jax import lax", "import optax", "from flax import nnx",
            "import orbax.checkpoint as ocp", "import grain"],
}

RUNTIMES: dict[str, Callable[[], Runtime]] = {"pytorch": _pytorch, "tensorflow": _tensorflow, "jax": _jax}


def to_numpy(value) -> object:
    if isinstance(value, (tuple, list)):
        return [to_numpy(v) for v in value]
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    if hasattr(value, "numpy"):
        return value.numpy()
    return np.asarray(value)


def run(row: RosettaRow, framework: str) -> object:
    runtime = RUNTIMES[framework]()
    namespace = runtime.namespace()
    for name, value in make_inputs(row).items():
        namespace[name] = runtime.convert(value) if isinstance(value, np.ndarray) else value
        namespace[f"{name}_np"] = value
    code = row.code[framework]
    try:
        compiled = compile(code, f"<{row.id}:{framework}>", "eval")
        result = eval(compiled, namespace)  # noqa: S307
    except SyntaxError:
        exec(compile(code, f"<{row.id}:{framework}>", "exec"), namespace)  # noqa: S102
        if "result" not in namespace:
            raise ValueError(f"{row.id}: the {framework} statements do not assign `result`") from None
        result = namespace["result"]
    return to_numpy(result)


def _flatten(value) -> list[np.ndarray]:
    return [np.asarray(v) for v in value] if isinstance(value, list) else [np.asarray(value)]


def disagreement(row: RosettaRow, results: dict[str, object]) -> str | None:
    """None when the results agree as the row says they should; otherwise what differs."""
    if row.differs is not None:
        namespace = {"np": np, "results": results, "inputs": make_inputs(row)}
        holds = eval(row.differs.check, namespace)  # noqa: S307
        return None if holds else f"declared difference does not hold: {row.differs.check}"
    if row.compare == "none":
        return None
    reference_name = next(iter(results))
    reference = _flatten(results[reference_name])
    for name, value in results.items():
        arrays = _flatten(value)
        if len(arrays) != len(reference):
            return f"{name} returned {len(arrays)} values, {reference_name} {len(reference)}"
        for index, (array, expected) in enumerate(zip(arrays, reference)):
            if array.shape != expected.shape:
                return f"{name} output {index} has shape {array.shape}, {reference_name} {expected.shape}"
            if row.compare == "values" and not np.allclose(array.astype(np.float64), expected.astype(np.float64),
                                                           rtol=row.rtol, atol=row.atol, equal_nan=True):
                worst = float(np.max(np.abs(array.astype(np.float64) - expected.astype(np.float64))))
                return f"{name} differs from {reference_name} by up to {worst:.3g} (rtol={row.rtol}, atol={row.atol})"
    return None
