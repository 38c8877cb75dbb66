"""Execute API Rosetta rows: the same operation in each framework, on the same inputs, compared.

Used by tests/test_rosetta.py. Inputs are NumPy arrays made from a seeded generator; each
framework's code sees every input converted to its own tensor type (and the array itself as
`<name>_np`). Code is an expression, or statements that assign `result`.
"""

from __future__ import annotations

import os

import numpy as np

from notebooks.helpers.agreement import compare, to_numpy

from .models import Framework, RosettaRow

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


def framework_namespace(framework: Framework) -> dict:
    """The names a framework's code may use: those its `imports` bind, and `np`."""
    namespace: dict = {"np": np}
    exec("\n".join(framework.imports), namespace)  # noqa: S102 — import lines from data/frameworks/
    return namespace


def from_numpy(framework: Framework, namespace: dict, array: np.ndarray):
    return eval(framework.from_numpy, {**namespace, "array": array})  # noqa: S307 — data/frameworks/


def run(row: RosettaRow, framework: Framework) -> object:
    namespace = framework_namespace(framework)
    for name, value in make_inputs(row).items():
        namespace[name] = from_numpy(framework, namespace, value) if isinstance(value, np.ndarray) else value
        namespace[f"{name}_np"] = value
    code, label = row.code[framework.id], f"<{row.id}:{framework.id}>"
    try:
        compiled = compile(code, label, "eval")
        result = eval(compiled, namespace)  # noqa: S307
    except SyntaxError:
        exec(compile(code, label, "exec"), namespace)  # noqa: S102
        if "result" not in namespace:
            raise ValueError(f"{row.id}: the {framework.id} statements do not assign `result`") from None
        result = namespace["result"]
    return to_numpy(result)


def disagreement(row: RosettaRow, results: dict[str, object]) -> str | None:
    """None when the results agree as the row says they should (the one rule of notebooks/helpers/agreement.py);
    otherwise what differs."""
    if row.results_differ is not None:
        namespace = {"np": np, "results": results, "inputs": make_inputs(row)}
        holds = eval(row.results_differ.check, namespace)  # noqa: S307
        return None if holds else f"declared difference does not hold: {row.results_differ.check}"
    if row.compare == "none":
        return None
    reference_name, reference = next(iter(results.items()))
    for name, value in results.items():
        problem, _ = compare(value, reference, row.rtol, row.atol, values=row.compare == "values")
        if problem:
            return f"{name} {problem} against {reference_name}"
    return None
