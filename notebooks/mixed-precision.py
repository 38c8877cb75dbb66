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
# # A forward pass in reduced precision
#
# Running a model's arithmetic in bfloat16 while its weights stay in float32, on the CPU. PyTorch
# switches eligible operations (matrix products, convolutions) to bfloat16 inside a
# `torch.autocast` context; Keras 3 layers built under the `"mixed_bfloat16"` dtype policy keep
# float32 variables and compute in bfloat16; JAX has no automatic casting, so the function casts
# its float32 parameters and inputs to bfloat16 itself. The same small network (16 → 32 → 4, tanh)
# with the same weights is run in each, the dtypes of outputs, weights and gradients are printed, and
# the results are compared with the same computation in float32.
#
# Not equivalent by default, and therefore set here: which operations run in low precision
# (autocast has per-operation lists, so PyTorch's tanh runs in whatever dtype reaches it; a Keras
# policy casts each layer's inputs and weights; JAX casts exactly what the code casts), where inside
# a layer results are rounded to bfloat16 (PyTorch's `linear` adds the bias within one operation,
# Keras and the JAX code add it in a second one, so the three bfloat16 results differ slightly from
# each other too), and the scope of the setting (a context in PyTorch, a global policy read when
# layers are built in Keras — reset to float32 afterwards here — and nothing global in JAX).
# bfloat16 keeps 8 significant bits, so results agree with float32 only to about two decimal
# digits: the tolerances below are loose on purpose.
#
# float16 would also need loss scaling (`torch.amp.GradScaler`, `keras.optimizers.LossScaleOptimizer`);
# bfloat16 has float32's exponent range and does not. In JAX, DeepMind's `jmp` library provides
# Keras-like policies; the casts are written out here instead, which is what such a policy does.

# %%
import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp

from helpers.agreement import assert_agree, to_numpy

jax.config.update("jax_enable_x64", False)
rng = np.random.default_rng(11)
inputs = rng.normal(size=(8, 16)).astype(np.float32)
targets = rng.normal(size=(8, 4)).astype(np.float32)
initial = {
    "w1": (rng.normal(size=(16, 32)) / 4).astype(np.float32), "b1": (rng.normal(size=32) * 0.1).astype(np.float32),
    "w2": (rng.normal(size=(32, 4)) / 6).astype(np.float32), "b2": (rng.normal(size=4) * 0.1).astype(np.float32),
}


def build_torch_model():
    model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.Tanh(), torch.nn.Linear(32, 4))
    with torch.no_grad():
        for layer, w, b in ((model[0], "w1", "b1"), (model[2], "w2", "b2")):
            layer.weight.copy_(torch.tensor(initial[w].T))
            layer.bias.copy_(torch.tensor(initial[b]))
    return model


def build_keras_model():  # the layers take the dtype policy in force when they are built
    model = keras.Sequential([
        keras.Input(shape=(16,)),
        keras.layers.Dense(32, activation="tanh"),
        keras.layers.Dense(4),
    ])
    model.set_weights([initial["w1"], initial["b1"], initial["w2"], initial["b2"]])
    return model


def mse_keras(y, prediction):
    return keras.ops.mean((keras.ops.cast(prediction, "float32") - y) ** 2)


print("Keras dtype policy at the start:", keras.mixed_precision.dtype_policy().name)

# %% [markdown]
# ## A forward and backward pass in bfloat16
#
# The loss is computed in float32 from the bfloat16 output in every framework, and the gradients
# are taken with respect to the float32 weights.

# %% tags=["pytorch", "autocast-a-forward-pass"]
model_torch = build_torch_model()  # float32 weights
with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
    out_torch = model_torch(torch.tensor(inputs))  # Linear runs in bfloat16 here
loss_torch = torch.nn.functional.mse_loss(out_torch.float(), torch.tensor(targets))  # float32, outside autocast
loss_torch.backward()
grads_torch = [p.grad for p in model_torch.parameters()]
print("output:", out_torch.dtype, "| weights:", model_torch[0].weight.dtype, "| gradients:", grads_torch[0].dtype)

# %% tags=["tensorflow", "autocast-a-forward-pass"]
keras.mixed_precision.set_dtype_policy("mixed_bfloat16")  # applies to layers built from now on
model_keras = build_keras_model()
keras.mixed_precision.set_dtype_policy("float32")  # back to the default for anything built later

with tf.GradientTape() as tape:
    out_tf = model_keras(inputs)
    loss_tf = mse_keras(targets, out_tf)
grads_tf = tape.gradient(loss_tf, model_keras.trainable_variables)
layer = model_keras.layers[0]
print("policy:", layer.dtype_policy.name, "| compute:", layer.compute_dtype, "| variables:", layer.variable_dtype)
print("output:", out_tf.dtype.name, "| weights:", layer.kernel.dtype, "| gradients:", grads_tf[0].dtype.name)

# %% tags=["jax", "autocast-a-forward-pass"]
def model_jax(params, x, dtype=jnp.bfloat16):
    p = jax.tree.map(lambda v: v.astype(dtype), params)  # float32 parameters, cast for the computation
    hidden = jnp.tanh(x.astype(dtype) @ p["w1"] + p["b1"])
    return hidden @ p["w2"] + p["b2"]

def mse_jax(params, x, y, dtype=jnp.bfloat16):
    return jnp.mean((model_jax(params, x, dtype).astype(jnp.float32) - y) ** 2)

params_jax = {name: jnp.asarray(value) for name, value in initial.items()}  # float32
out_jax = model_jax(params_jax, inputs)
loss_jax, grads_jax = jax.value_and_grad(mse_jax)(params_jax, inputs, targets)
print("output:", out_jax.dtype, "| params:", params_jax["w1"].dtype, "| gradients:", grads_jax["w1"].dtype)

# %% [markdown]
# ## Compared with float32
#
# The same computation in float32 in each framework: PyTorch without autocast, a Keras model built
# under the default policy, the JAX function with `dtype=jnp.float32`.

# %%
reference_torch = build_torch_model()
out32_torch = reference_torch(torch.tensor(inputs))
loss32_torch = torch.nn.functional.mse_loss(out32_torch, torch.tensor(targets))
loss32_torch.backward()

reference_keras = build_keras_model()
with tf.GradientTape() as tape:
    out32_tf = reference_keras(inputs)
    loss32_tf = mse_keras(targets, out32_tf)
grads32_tf = tape.gradient(loss32_tf, reference_keras.trainable_variables)

out32_jax = model_jax(params_jax, inputs, jnp.float32)
loss32_jax, grads32_jax = jax.value_and_grad(mse_jax)(params_jax, inputs, targets, jnp.float32)

assert keras.mixed_precision.dtype_policy().name == "float32"
assert (out_torch.dtype, out_tf.dtype, out_jax.dtype) == (torch.bfloat16, tf.bfloat16, jnp.bfloat16)
assert (out32_torch.dtype, out32_tf.dtype, out32_jax.dtype) == (torch.float32, tf.float32, jnp.float32)
assert all(g.dtype == torch.float32 for g in grads_torch)
assert all(g.dtype == tf.float32 for g in grads_tf) and all(v.dtype == "float32" for v in model_keras.weights)
assert all(g.dtype == jnp.float32 for g in jax.tree.leaves(grads_jax))
full = {"pytorch": out32_torch, "tensorflow": out32_tf, "jax": out32_jax}
assert_agree("float32 outputs (the reference: tight tolerance)", full, rtol=1e-5, atol=1e-6)

# bfloat16 has an 8-bit significand: one rounding is a relative error of up to 2⁻⁸ ≈ 0.4 %.
BF16 = {"rtol": 2e-2, "atol": 2e-2}
mixed = {"pytorch": out_torch.float(), "tensorflow": tf.cast(out_tf, tf.float32), "jax": out_jax.astype(jnp.float32)}
for name in mixed:
    assert_agree(f"{name}: bfloat16 output vs float32", {"float32": full[name], "bfloat16": mixed[name]}, **BF16)
    assert np.abs(to_numpy(mixed[name]) - to_numpy(full[name])).max() > 1e-4, "no rounding: was bfloat16 used?"

assert_agree("bfloat16 outputs across frameworks", mixed, **BF16)
assert_agree("loss, bfloat16 vs float32", {"float32 (jax)": loss32_jax, "pytorch": loss_torch,
                                           "tensorflow": loss_tf, "jax": loss_jax}, **BF16)
assert_agree("gradient of the first-layer weights, bfloat16 vs float32", {
    "float32 (jax)": grads32_jax["w1"], "pytorch": grads_torch[0].T, "tensorflow": grads_tf[0], "jax": grads_jax["w1"],
}, **BF16)
