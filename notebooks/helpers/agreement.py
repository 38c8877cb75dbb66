"""Numerical agreement between frameworks: one call per quantity, one printed line per framework.

A failed check raises AssertionError naming the quantity, the framework and the difference, which
the build reports as the notebook's failing cell.
"""

from __future__ import annotations

import numpy as np


def to_numpy(value) -> np.ndarray:
    """A NumPy copy of a PyTorch, TensorFlow or JAX tensor (or anything array-like)."""
    if hasattr(value, "detach"):  # torch.Tensor
        return value.detach().cpu().numpy()
    if hasattr(value, "numpy"):  # tf.Tensor, tf.Variable
        return value.numpy()
    return np.asarray(value)


def assert_agree(quantity: str, results: dict, rtol: float = 1e-6, atol: float = 1e-6) -> None:
    """Check that every framework's result equals the first one's within rtol/atol (NumPy's allclose rule)."""
    arrays = {name: to_numpy(value) for name, value in results.items()}
    reference_name, reference = next(iter(arrays.items()))
    print(f"{quantity}: compared with {reference_name}, tolerance rtol={rtol:g} atol={atol:g}")
    for name, array in list(arrays.items())[1:]:
        if array.shape != reference.shape:
            raise AssertionError(f"equivalence check failed for {quantity}: {name} has shape {array.shape}, "
                                 f"{reference_name} has {reference.shape}")
        difference = np.abs(array.astype(np.float64) - reference.astype(np.float64))
        worst = float(difference.max()) if difference.size else 0.0
        if not np.allclose(array, reference, rtol=rtol, atol=atol):
            raise AssertionError(f"equivalence check failed for {quantity}: {name} differs from {reference_name} "
                                 f"by up to {worst:.3g} (rtol={rtol:g}, atol={atol:g})")
        print(f"  {name:<22} max |difference| = {worst:.3g}  ok")
