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
# # Compiling functions with torch.compile, tf.function and jax.jit
#
# All three frameworks run operations eagerly and can also capture a Python function as a graph and
# compile it: `torch.compile` (TorchDynamo captures, TorchInductor compiles), `tf.function`
# (AutoGraph traces to a TensorFlow graph) and `jax.jit` (traces to a jaxpr, XLA compiles). This
# notebook compiles the same function in each, checks that compiled and eager results agree, prints
# the captured graph, and counts how often each framework captures again when input shapes change.

# %%
import numpy as np
import torch
import tensorflow as tf
import jax
import jax.numpy as jnp

from helpers.agreement import assert_agree

rng = np.random.default_rng(0)
x = rng.normal(size=(8, 16)).astype(np.float32)
w = rng.normal(size=(16, 4)).astype(np.float32)

# %% [markdown]
# ## Compile a function
#
# The function: a dense layer with GELU (tanh approximation) followed by a softmax.

# %% tags=["pytorch", "compile-a-function"]
def layer_torch(x, w):
    return torch.softmax(torch.nn.functional.gelu(x @ w, approximate="tanh"), dim=-1)

compiled_torch = torch.compile(layer_torch)  # compiles on the first call
out_torch = compiled_torch(torch.tensor(x), torch.tensor(w))
print(out_torch[:2])

# %% tags=["tensorflow", "compile-a-function"]
def layer_tf(x, w):
    return tf.nn.softmax(tf.nn.gelu(x @ w, approximate=True), axis=-1)

compiled_tf = tf.function(layer_tf)  # traced to a graph on the first call
out_tf = compiled_tf(tf.constant(x), tf.constant(w))
print(out_tf[:2])

# %% tags=["jax", "compile-a-function"]
def layer_jax(x, w):
    return jax.nn.softmax(jax.nn.gelu(x @ w, approximate=True), axis=-1)

compiled_jax = jax.jit(layer_jax)  # traced and compiled by XLA on the first call
out_jax = compiled_jax(x, w)
print(out_jax[:2])

# %%
assert_agree("compiled vs eager (same framework)", {
    "pytorch eager": layer_torch(torch.tensor(x), torch.tensor(w)), "pytorch compiled": out_torch,
}, rtol=1e-5, atol=1e-6)
assert_agree("compiled vs eager (same framework)", {
    "tensorflow eager": layer_tf(tf.constant(x), tf.constant(w)), "tensorflow compiled": out_tf,
}, rtol=1e-5, atol=1e-6)
assert_agree("compiled vs eager (same framework)", {
    "jax eager": layer_jax(x, w), "jax compiled": out_jax,
}, rtol=1e-5, atol=1e-6)
assert_agree("compiled layer across frameworks", {
    "pytorch": out_torch, "tensorflow": out_tf, "jax": out_jax,
}, rtol=1e-5, atol=1e-6)

# %% [markdown]
# ## Look at the captured graph
#
# `torch.export` produces an `ExportedProgram` whose FX graph lists the ATen operations;
# a `tf.function`'s concrete function holds a TensorFlow graph; `jax.make_jaxpr` prints the jaxpr
# that `jit` hands to XLA.

# %% tags=["pytorch", "inspect-the-graph"]
class Layer(torch.nn.Module):
    def forward(self, x, w):
        return layer_torch(x, w)

exported = torch.export.export(Layer(), (torch.tensor(x), torch.tensor(w)))
print(exported.graph_module.code.strip())

# %% tags=["tensorflow", "inspect-the-graph"]
concrete = compiled_tf.get_concrete_function(tf.TensorSpec([8, 16]), tf.TensorSpec([16, 4]))
for op in concrete.graph.get_operations():
    print(f"{op.type:<12} {op.name}")

# %% tags=["jax", "inspect-the-graph"]
print(jax.make_jaxpr(layer_jax)(x, w).pretty_print(use_color=False))

# %% [markdown]
# ## When a graph is captured again
#
# Each framework specialises a captured graph to what it saw, and captures again when a call does
# not fit: a new shape, dtype or Python value. The counters below record every capture, on a fresh
# function each (captures are cached per function). `tf.function`
# and `jax.jit` retrace for each new shape. `torch.compile` recompiles once when a second shape
# arrives and marks that dimension dynamic, after which further sizes reuse the dynamic graph.

# %% tags=["pytorch", "retracing"]
torch_captures = 0

def counting_backend(graph_module, example_inputs):  # a custom torch.compile backend
    global torch_captures
    torch_captures += 1
    return graph_module.forward  # run the captured graph as is

@torch.compile(backend=counting_backend)
def counted_torch(x, w):  # a new function: compile caches are kept per function
    return layer_torch(x, w)

for rows in (2, 3, 4, 5):
    counted_torch(torch.ones(rows, 16), torch.tensor(w))
print("captures for 4 batch sizes:", torch_captures)

# %% tags=["tensorflow", "retracing"]
tf_captures = 0

@tf.function
def counted_tf(x, w):
    global tf_captures
    tf_captures += 1  # Python side effects run only while tracing
    return layer_tf(x, w)

for rows in (2, 3, 4, 5):
    counted_tf(tf.ones([rows, 16]), tf.constant(w))
print("captures for 4 batch sizes:", tf_captures)

# %% tags=["jax", "retracing"]
jax_captures = 0

@jax.jit
def counted_jax(x, w):
    global jax_captures
    jax_captures += 1  # Python side effects run only while tracing
    return layer_jax(x, w)

for rows in (2, 3, 4, 5):
    counted_jax(jnp.ones((rows, 16)), w)
print("captures for 4 batch sizes:", jax_captures)

# %%
assert (torch_captures, tf_captures, jax_captures) == (2, 4, 4), (torch_captures, tf_captures, jax_captures)
print("capture counts as described: torch.compile 2 (then dynamic), tf.function 4, jax.jit 4")
