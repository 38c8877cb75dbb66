"""The one equivalence rule of the site, used by the notebooks and by the API Rosetta rows alike.

Two results agree when they have the same number of outputs, each output has the same shape, and,
compared in float64, |actual - reference| <= atol + rtol * |reference| holds element-wise (NumPy's
`allclose`), with NaN agreeing only with NaN in the same place. The defaults (RTOL, ATOL) suit float32
results computed by different kernels; a check that needs another tolerance states it where it is made.

In a notebook, a failed check raises AssertionError naming the quantity, the framework and the
difference, which the build reports as the notebook's failing cell.
"""

from __future__ import annotations

# NumPy is imported where it is used: the site build reads RTOL and ATOL from here and need not load it.

RTOL = 1e-5
ATOL = 1e-6


def to_numpy(value):
    """A NumPy copy of a tensor of any framework (or anything array-like); tuples and lists stay lists."""
    if isinstance(value, (tuple, list)):
        return [to_numpy(item) for item in value]
    if hasattr(value, "detach"):  # a tensor that tracks gradients: detach it from its graph first
        return value.detach().cpu().numpy()
    if hasattr(value, "numpy"):  # tensors and variables that copy themselves out
        return value.numpy()
    import numpy as np
    return np.asarray(value)


def _outputs(value) -> list[np.ndarray]:
    import numpy as np
    value = to_numpy(value)
    return [np.asarray(item) for item in value] if isinstance(value, list) else [value]


def compare(actual, reference, rtol: float = RTOL, atol: float = ATOL, values: bool = True) -> tuple[str | None, float]:
    """(None, worst |difference|) when `actual` agrees with `reference` under the rule above, else (what differs,
    worst |difference|). With values=False only the number of outputs and their shapes are compared."""
    import numpy as np
    actual, reference = _outputs(actual), _outputs(reference)
    if len(actual) != len(reference):
        return f"returned {len(actual)} values where the reference returned {len(reference)}", float("nan")
    worst = 0.0
    for index, (array, expected) in enumerate(zip(actual, reference)):
        where = f"output {index} " if len(reference) > 1 else ""
        if array.shape != expected.shape:
            return f"{where}has shape {array.shape} where the reference has {expected.shape}", float("nan")
        if not values:
            continue
        array, expected = array.astype(np.float64), expected.astype(np.float64)
        both_nan = np.isnan(array) & np.isnan(expected)
        difference = np.where(both_nan, 0.0, np.abs(array - expected))
        if difference.size:
            worst = max(worst, float(np.nanmax(np.where(np.isnan(difference), np.inf, difference))))
        if not np.allclose(array, expected, rtol=rtol, atol=atol, equal_nan=True):
            return f"{where}differs by up to {worst:.3g} (rtol={rtol:g}, atol={atol:g})", worst
    return None, worst


def assert_agree(quantity: str, results: dict, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Check that every framework's result agrees with the first one's; print one line per framework."""
    reference_name, reference = next(iter(results.items()))
    print(f"{quantity}: compared with {reference_name}, tolerance rtol={rtol:g} atol={atol:g}")
    for name, value in list(results.items())[1:]:
        problem, worst = compare(value, reference, rtol, atol)
        if problem:
            raise AssertionError(f"equivalence check failed for {quantity}: {name} {problem} ({reference_name} is "
                                 "the reference)")
        print(f"  {name:<22} max |difference| = {worst:.3g}  ok")
