# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Gradients, second derivatives and per-example gradients
#
# Three styles of reverse-mode automatic differentiation computing the same derivatives. PyTorch
# records operations on tensors that require gradients and fills `.grad` on `backward()`.
# TensorFlow records operations inside a `tf.GradientTape` context. JAX transforms a function:
# `jax.grad(f)` is a new function that returns the gradient. Each section checks that the three
# agree with each other and with the derivative worked out by hand.

# %%
import numpy as np
import torch
import tensorflow as tf
import jax
import jax.numpy as jnp

from helpers.agreement import assert_agree

jax.config.update("jax_enable_x64", False)
points = np.linspace(-2.0, 2.0, 5, dtype=np.float32)


# The function differentiated below, and its derivatives worked out by hand for the check.
def analytic_first(x):
    return np.cos(x) * x**2 + 2 * x * np.sin(x)


def analytic_second(x):
    return -np.sin(x) * x**2 + 4 * x * np.cos(x) + 2 * np.sin(x)


# %% [markdown]
# ## Gradient of a scalar function
#
# f(x) = Σ sin(xᵢ)·xᵢ², so ∂f/∂xᵢ = cos(xᵢ)·xᵢ² + 2xᵢ·sin(xᵢ).

# %% tags=["pytorch", "gradient-of-a-function"]
x = torch.tensor(points, requires_grad=True)
f = (torch.sin(x) * x**2).sum()
f.backward()  # fills x.grad
grad_torch = x.grad
print(grad_torch)

# %% tags=["tensorflow", "gradient-of-a-function"]
x = tf.constant(points)
with tf.GradientTape() as tape:
    tape.watch(x)  # constants are not watched automatically; tf.Variable is
    f = tf.reduce_sum(tf.sin(x) * x**2)
grad_tf = tape.gradient(f, x)
print(grad_tf)

# %% tags=["jax", "gradient-of-a-function"]
def f(x):
    return jnp.sum(jnp.sin(x) * x**2)

grad_jax = jax.grad(f)(jnp.asarray(points))
print(grad_jax)

# %%
assert_agree("gradient of Σ sin(x)·x²",
             {"by hand": analytic_first(points), "pytorch": grad_torch, "tensorflow": grad_tf, "jax": grad_jax},
             rtol=1e-5, atol=1e-5)

# %% [markdown]
# ## Second derivative
#
# Differentiating a derivative: PyTorch needs `create_graph=True` so the first gradient is itself
# differentiable; TensorFlow nests two tapes; JAX composes `grad` twice (elementwise here, via `vmap`).

# %% tags=["pytorch", "second-derivative"]
x = torch.tensor(points, requires_grad=True)
f = (torch.sin(x) * x**2).sum()
(first,) = torch.autograd.grad(f, x, create_graph=True)
(second_torch,) = torch.autograd.grad(first.sum(), x)
print(second_torch)

# %% tags=["tensorflow", "second-derivative"]
x = tf.constant(points)
with tf.GradientTape() as outer:
    outer.watch(x)
    with tf.GradientTape() as inner:
        inner.watch(x)
        f = tf.reduce_sum(tf.sin(x) * x**2)
    first = inner.gradient(f, x)
second_tf = outer.gradient(first, x)
print(second_tf)

# %% tags=["jax", "second-derivative"]
def g(x):  # scalar → scalar
    return jnp.sin(x) * x**2

second_jax = jax.vmap(jax.grad(jax.grad(g)))(jnp.asarray(points))
print(second_jax)

# %%
assert_agree("second derivative of sin(x)·x²",
             {"by hand": analytic_second(points), "pytorch": second_torch, "tensorflow": second_tf,
              "jax": second_jax},
             rtol=1e-5, atol=1e-5)

# %% [markdown]
# ## Per-example gradients
#
# The gradient of a loss for each example of a batch separately, as differential privacy or
# influence estimates need. `torch.func` brings JAX-style `grad` and `vmap` to PyTorch; TensorFlow
# gets the same numbers from a tape's `jacobian` of the per-example losses.

# %%
rng = np.random.default_rng(0)
inputs = rng.normal(size=(4, 3)).astype(np.float32)
targets = rng.normal(size=(4,)).astype(np.float32)
weights = rng.normal(size=(3,)).astype(np.float32)

# %% tags=["pytorch", "per-example-gradients"]
from torch.func import grad, vmap

def loss(w, x, y):
    return (x @ w - y) ** 2

per_example_torch = vmap(grad(loss), in_dims=(None, 0, 0))(
    torch.tensor(weights), torch.tensor(inputs), torch.tensor(targets))
print(per_example_torch)

# %% tags=["tensorflow", "per-example-gradients"]
w = tf.Variable(weights)
with tf.GradientTape() as tape:
    losses = (tf.linalg.matvec(inputs, w) - targets) ** 2  # one loss per example
per_example_tf = tape.jacobian(losses, w)  # shape (examples, weights)
print(per_example_tf)

# %% tags=["jax", "per-example-gradients"]
def loss(w, x, y):
    return (x @ w - y) ** 2

per_example_jax = jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(weights, inputs, targets)
print(per_example_jax)

# %%
by_hand = 2 * (inputs @ weights - targets)[:, None] * inputs
assert_agree("per-example gradients of (x·w − y)²",
             {"by hand": by_hand, "pytorch": per_example_torch, "tensorflow": per_example_tf,
              "jax": per_example_jax},
             rtol=1e-5, atol=1e-5)
