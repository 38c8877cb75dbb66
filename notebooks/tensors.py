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
# # Tensors and NumPy interop
#
# The same small computations on tensors in PyTorch, TensorFlow and JAX: creating tensors from
# NumPy arrays, running operations eagerly, converting back, and changing a value in place. The
# last cell checks that all three frameworks produced the same numbers.

# %%
import numpy as np
import torch
import tensorflow as tf
import jax
import jax.numpy as jnp

from helpers.agreement import assert_agree

data = np.arange(6, dtype=np.float32).reshape(2, 3)

# %% [markdown]
# ## Operations run as soon as they are called
#
# In all three frameworks an operation on concrete tensors returns a concrete result straight away:
# there is no session and no separate graph-building step. (TensorFlow 1.x needed both; TensorFlow 2
# executes eagerly by default.)

# %% tags=["pytorch", "eager-arithmetic"]
x = torch.tensor(data)
y_torch = x @ x.T + 1.0
print(y_torch)
print(type(y_torch).__name__, y_torch.dtype, tuple(y_torch.shape))

# %% tags=["tensorflow", "eager-arithmetic"]
x = tf.constant(data)
y_tf = x @ tf.transpose(x) + 1.0
print(y_tf)
print(type(y_tf).__name__, y_tf.dtype.name, tuple(y_tf.shape))

# %% tags=["jax", "eager-arithmetic"]
x = jnp.asarray(data)
y_jax = x @ x.T + 1.0
print(y_jax)
print(type(y_jax).__name__, y_jax.dtype, y_jax.shape)

# %%
assert_agree("x @ x.T + 1", {"pytorch": y_torch, "tensorflow": y_tf, "jax": y_jax}, rtol=0, atol=0)

# %% [markdown]
# ## To and from NumPy
#
# `torch.from_numpy` shares memory with the NumPy array, so a change on one side shows on the other.
# TensorFlow and JAX copy: their tensors are immutable, and JAX may place them on an accelerator.

# %% tags=["pytorch", "numpy-round-trip"]
array = np.ones(3, dtype=np.float32)
shared = torch.from_numpy(array)  # no copy
array[0] = 7.0
print("tensor sees the change:", shared.tolist())
back_torch = (shared * 2).numpy()
print("back to NumPy:", back_torch, type(back_torch).__name__)

# %% tags=["tensorflow", "numpy-round-trip"]
array = np.ones(3, dtype=np.float32)
copied = tf.convert_to_tensor(array)  # a copy
array[0] = 7.0
print("tensor sees the change:", copied.numpy().tolist())
back_tf = (copied * 2).numpy()
print("back to NumPy:", back_tf, type(back_tf).__name__)

# %% tags=["jax", "numpy-round-trip"]
array = np.ones(3, dtype=np.float32)
copied = jnp.asarray(array)  # a copy, placed on the default device
array[0] = 7.0
print("tensor sees the change:", copied.tolist())
back_jax = np.asarray(copied * 2)
print("back to NumPy:", back_jax, type(back_jax).__name__)

# %% [markdown]
# The round trip gives the same values everywhere except where memory was shared: only the PyTorch
# tensor saw the later write to the NumPy array. That difference is intended, so the check states it.

# %%
assert_agree("round trip (PyTorch shares memory)", {"expected": np.array([14.0, 2.0, 2.0], dtype=np.float32), "pytorch": back_torch})
assert_agree("round trip (TensorFlow and JAX copy)", {"expected": np.array([2.0, 2.0, 2.0], dtype=np.float32), "tensorflow": back_tf, "jax": back_jax})

# %% [markdown]
# ## Changing one element
#
# PyTorch tensors are mutable. A TensorFlow tensor is not; mutable state lives in a `tf.Variable`.
# JAX arrays are immutable too: `.at[...].set(...)` returns a new array.

# %% tags=["pytorch", "update-one-element"]
t_torch = torch.zeros(4)
t_torch[1] = 5.0  # in place
print(t_torch)

# %% tags=["tensorflow", "update-one-element"]
v = tf.Variable(tf.zeros(4))
v[1].assign(5.0)  # Variables can be assigned; plain tensors cannot
t_tf = tf.tensor_scatter_nd_update(tf.zeros(4), [[1]], [5.0])  # the functional form
print(v.numpy(), t_tf.numpy())

# %% tags=["jax", "update-one-element"]
zeros = jnp.zeros(4)
t_jax = zeros.at[1].set(5.0)  # a new array; `zeros` is unchanged
print(zeros, t_jax)

# %%
assert_agree(
    "one-element update",
    {"expected": np.array([0.0, 5.0, 0.0, 0.0], dtype=np.float32),
     "pytorch": t_torch, "tensorflow (Variable)": v, "tensorflow": t_tf, "jax": t_jax},
    rtol=0, atol=0,
)
