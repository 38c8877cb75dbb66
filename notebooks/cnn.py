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
# # A small CNN end to end
#
# One tiny convolutional network (3×3 convolution with 4 filters → ReLU → 2×2 max pooling →
# flatten → dense layer with 3 outputs) on 8×8 synthetic two-channel images, built with
# `torch.nn`, with Keras 3 layers, and in JAX with Flax NNX layers and an Optax optimizer.
# Starting from the same weights, the notebook compares the feature maps, the outputs, the
# cross-entropy loss, the gradients, and five steps of SGD.
#
# Not equivalent by default, and therefore converted or set by hand here:
#
# - the image layout: PyTorch convolutions take NCHW (channels first); Keras defaults to NHWC
#   (`channels_last`), and Flax's `nnx.Conv` takes channels last;
# - the kernel layout: `torch.nn.Conv2d` stores (out, in, height, width), Keras and Flax store
#   (height, width, in, out);
# - the padding: `nnx.Conv` pads to `"SAME"` unless given `padding="VALID"`, while `Conv2d` and
#   Keras's `Conv2D` do not pad by default;
# - the pooling stride: `nnx.max_pool` moves its window one pixel at a time unless given
#   `strides`, while `MaxPool2d` and `MaxPooling2D` default the stride to the window size;
# - the flatten order: flattening NCHW feature maps lists all of channel 0 first, flattening NHWC
#   lists the channels of each pixel together, so the rows of the dense weight matrix come in a
#   different order (and `torch.nn.Linear` stores that matrix transposed);
# - the initializers (Kaiming-uniform in PyTorch, Glorot-uniform in Keras, LeCun-normal kernels in
#   Flax).

# %%
from functools import partial

import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp
import optax
from flax import nnx

from helpers.agreement import assert_agree

jax.config.update("jax_enable_x64", False)
rng = np.random.default_rng(7)

BATCH, SIZE, CHANNELS, FILTERS, CLASSES = 16, 8, 2, 4, 3
POOLED = (SIZE - 2) // 2  # 8×8 → 6×6 after a 3×3 "valid" convolution → 3×3 after 2×2 pooling
LEARNING_RATE, STEPS = 0.1, 5

# The NumPy originals use the channels-last layouts of Keras and Flax.
images_nhwc = rng.normal(size=(BATCH, SIZE, SIZE, CHANNELS)).astype(np.float32)
labels = rng.integers(0, CLASSES, size=BATCH)  # int64
initial = {
    "kernel": (rng.normal(size=(3, 3, CHANNELS, FILTERS)) * 0.3).astype(np.float32),  # (kh, kw, in, out)
    "conv_bias": (rng.normal(size=FILTERS) * 0.1).astype(np.float32),
    # rows in (h, w, c) order, the order in which NHWC feature maps flatten
    "dense": (rng.normal(size=(POOLED * POOLED * FILTERS, CLASSES)) * 0.15).astype(np.float32),
    "dense_bias": np.zeros(CLASSES, np.float32),
}

# The conversions to PyTorch's layouts, written out.
images_nchw = images_nhwc.transpose(0, 3, 1, 2)  # (N, H, W, C) → (N, C, H, W)


def kernel_to_torch(kernel):  # (kh, kw, in, out) → (out, in, kh, kw)
    return kernel.transpose(3, 2, 0, 1)


def dense_to_torch(dense):  # rows in (h, w, c) order → rows in (c, h, w) order, then (out, in)
    per_pixel = dense.reshape(POOLED, POOLED, FILTERS, CLASSES)
    return per_pixel.transpose(2, 0, 1, 3).reshape(-1, CLASSES).T


def dense_from_torch(weight):  # the inverse, to compare PyTorch's gradients with the others
    per_channel = np.asarray(weight).T.reshape(FILTERS, POOLED, POOLED, CLASSES)
    return per_channel.transpose(1, 2, 0, 3).reshape(-1, CLASSES)


print("images:", images_nhwc.shape, "(NHWC) and", images_nchw.shape, "(NCHW); labels:", np.bincount(labels))

# %% [markdown]
# ## The model

# %% tags=["pytorch", "define-a-cnn"]
model_torch = torch.nn.Sequential(
    torch.nn.Conv2d(CHANNELS, FILTERS, kernel_size=3),  # input (N, C, H, W); weight (out, in, kh, kw)
    torch.nn.ReLU(),
    torch.nn.MaxPool2d(2),
    torch.nn.Flatten(),  # (C, H, W) order
    torch.nn.Linear(FILTERS * POOLED * POOLED, CLASSES),
)
print(model_torch)

# %% tags=["tensorflow", "define-a-cnn"]
model_keras = keras.Sequential([
    keras.Input(shape=(SIZE, SIZE, CHANNELS)),  # (H, W, C): keras.config.image_data_format() is channels_last
    keras.layers.Conv2D(FILTERS, 3, activation="relu"),  # kernel (kh, kw, in, out)
    keras.layers.MaxPooling2D(2),
    keras.layers.Flatten(),  # (H, W, C) order
    keras.layers.Dense(CLASSES),
])
model_keras.summary(print_fn=print)

# %% tags=["jax", "define-a-cnn"]
def flatten(x):  # Flax has no Flatten layer; (H, W, C) order
    return x.reshape(x.shape[0], -1)

rngs = nnx.Rngs(0)
model_jax = nnx.Sequential(
    nnx.Conv(CHANNELS, FILTERS, kernel_size=(3, 3), padding="VALID", rngs=rngs),  # input NHWC; kernel (kh, kw, in, out)
    nnx.relu,
    partial(nnx.max_pool, window_shape=(2, 2), strides=(2, 2)),  # the stride defaults to 1, not to the window
    flatten,
    nnx.Linear(POOLED * POOLED * FILTERS, CLASSES, rngs=rngs),
)
print(jax.tree.map(jnp.shape, nnx.to_pure_dict(nnx.state(model_jax, nnx.Param))))

# %% [markdown]
# Copy the same weights in, converted to PyTorch's layouts, and compare the feature maps after
# the convolution and ReLU (PyTorch's transposed to NHWC for the comparison) and the outputs.

# %%
with torch.no_grad():
    model_torch[0].weight.copy_(torch.tensor(kernel_to_torch(initial["kernel"])))
    model_torch[0].bias.copy_(torch.tensor(initial["conv_bias"]))
    model_torch[4].weight.copy_(torch.tensor(dense_to_torch(initial["dense"])))
    model_torch[4].bias.copy_(torch.tensor(initial["dense_bias"]))
model_keras.set_weights([initial["kernel"], initial["conv_bias"], initial["dense"], initial["dense_bias"]])
state = nnx.state(model_jax, nnx.Param)
nnx.replace_by_pure_dict(state, {"layers": {  # layers/0 is the convolution, layers/4 the dense layer
    0: {"kernel": jnp.asarray(initial["kernel"]), "bias": jnp.asarray(initial["conv_bias"])},
    4: {"kernel": jnp.asarray(initial["dense"]), "bias": jnp.asarray(initial["dense_bias"])},
}})
nnx.update(model_jax, state)

x_torch, y_torch = torch.tensor(images_nchw), torch.tensor(labels)
with torch.no_grad():
    feature_maps_torch = model_torch[1](model_torch[0](x_torch))
assert_agree("feature maps after conv + ReLU, NHWC", {
    "pytorch": feature_maps_torch.permute(0, 2, 3, 1),  # NCHW → NHWC
    "tensorflow": model_keras.layers[0](images_nhwc),
    "jax": model_jax.layers[1](model_jax.layers[0](images_nhwc)),
}, rtol=1e-5, atol=1e-6)
assert_agree("outputs (logits)", {
    "pytorch": model_torch(x_torch),
    "tensorflow": model_keras(images_nhwc),
    "jax": model_jax(images_nhwc),
}, rtol=1e-5, atol=1e-6)

# %% [markdown]
# What the reordering of the dense rows is for: the same matrix copied with only a transpose
# multiplies PyTorch's (C, H, W)-ordered features with rows meant for (H, W, C) order.

# %%
with torch.no_grad():
    flat_torch = model_torch[3](model_torch[2](feature_maps_torch))  # pooled, flattened in (C, H, W) order
    unordered = flat_torch @ torch.tensor(initial["dense"]) + torch.tensor(initial["dense_bias"])
worst = float(np.abs(unordered.numpy() - model_keras(images_nhwc).numpy()).max())
assert worst > 1e-2, "the flatten order unexpectedly made no difference"
print(f"logits without the row reordering differ from Keras's by up to {worst:.3g}")

# %% [markdown]
# The two Flax defaults set by hand above, left at their defaults: `nnx.Conv` pads to keep 8×8, and
# `nnx.max_pool` with stride 1 slides over overlapping windows and gives 5×5 instead of 3×3.

# %%
default_conv = nnx.Conv(CHANNELS, FILTERS, kernel_size=(3, 3), rngs=nnx.Rngs(0))
feature_maps_jax = model_jax.layers[1](model_jax.layers[0](images_nhwc))
shapes = {"nnx.Conv, default padding": default_conv(images_nhwc).shape,
          "nnx.Conv, padding='VALID'": feature_maps_jax.shape,
          "nnx.max_pool, default strides": nnx.max_pool(feature_maps_jax, window_shape=(2, 2)).shape,
          "nnx.max_pool, strides=(2, 2)": model_jax.layers[2](feature_maps_jax).shape,
          "keras MaxPooling2D(2)": tuple(model_keras.layers[1](model_keras.layers[0](images_nhwc)).shape)}
for what, shape in shapes.items():
    print(f"{what:<32} {shape}")
assert shapes["nnx.Conv, default padding"][1:3] == (SIZE, SIZE)
assert shapes["nnx.max_pool, default strides"][1:3] == (5, 5)
assert shapes["nnx.max_pool, strides=(2, 2)"] == shapes["keras MaxPooling2D(2)"] == (BATCH, POOLED, POOLED, FILTERS)

# %% [markdown]
# ## Loss, gradients and a training step
#
# Softmax cross-entropy on integer labels, averaged over the batch. JAX has no loss library of
# its own; Optax's `softmax_cross_entropy_with_integer_labels` returns one loss per example, so
# the step takes its mean, as PyTorch's and Keras's losses do by default. `nnx.Optimizer` pairs the
# model with `optax.sgd` and updates its `nnx.Param`s in place inside the `nnx.jit`-compiled step.
# Each step function returns the loss and the gradients it applied.

# %% tags=["pytorch", "cnn-training-step"]
optimizer = torch.optim.SGD(model_torch.parameters(), lr=LEARNING_RATE)

def train_step_torch(x, y):
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(model_torch(x), y)
    loss.backward()
    grads = [p.grad.clone() for p in model_torch.parameters()]
    optimizer.step()
    return loss.item(), grads

# %% tags=["tensorflow", "cnn-training-step"]
optimizer_keras = keras.optimizers.SGD(learning_rate=LEARNING_RATE)
cross_entropy = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

def train_step_tf(x, y):
    with tf.GradientTape() as tape:
        loss = cross_entropy(y, model_keras(x, training=True))
    grads = tape.gradient(loss, model_keras.trainable_variables)
    optimizer_keras.apply_gradients(zip(grads, model_keras.trainable_variables))
    return float(loss), grads

# %% tags=["jax", "cnn-training-step"]
optimizer_jax = nnx.Optimizer(model_jax, optax.sgd(LEARNING_RATE), wrt=nnx.Param)

@nnx.jit
def train_step_jax(model, optimizer, x, y):
    def loss_fn(model):
        return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()
    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss, grads

# %% [markdown]
# What Optax's loss computes, written out in plain JAX: the mean over the batch of minus the
# log-softmax at each example's label.

# %%
logits_before = model_jax(images_nhwc)
by_hand = -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits_before), labels[:, None], axis=1))
assert_agree("cross-entropy before training", {
    "optax": optax.softmax_cross_entropy_with_integer_labels(logits_before, labels).mean(),
    "log_softmax by hand": by_hand,
    "pytorch": torch.nn.functional.cross_entropy(model_torch(x_torch), y_torch),
}, rtol=1e-6, atol=1e-6)

# %% [markdown]
# ## Five steps, and the check
#
# The first step's gradients are compared after converting PyTorch's to the channels-last layouts.

# %%
losses = {"pytorch": [], "tensorflow": [], "jax": []}
for step in range(STEPS):
    loss, grads_torch = train_step_torch(x_torch, y_torch)
    losses["pytorch"].append(loss)
    loss, grads_tf = train_step_tf(images_nhwc, labels)
    losses["tensorflow"].append(loss)
    loss, grads_jax = train_step_jax(model_jax, optimizer_jax, images_nhwc, labels)
    losses["jax"].append(float(loss))
    if step == 0:
        first_grads = {"pytorch": grads_torch, "tensorflow": grads_tf, "jax": grads_jax}

for step in range(STEPS):
    print(f"step {step + 1}: " + "  ".join(f"{name} {values[step]:.6f}" for name, values in losses.items()))

g_torch, g_tf = first_grads["pytorch"], first_grads["tensorflow"]
g_jax = {"kernel": first_grads["jax"]["layers"][0]["kernel"], "conv_bias": first_grads["jax"]["layers"][0]["bias"],
         "dense": first_grads["jax"]["layers"][4]["kernel"]}
assert_agree("first-step gradient of the kernel, (kh, kw, in, out)", {
    "pytorch": g_torch[0].numpy().transpose(2, 3, 1, 0), "tensorflow": g_tf[0], "jax": g_jax["kernel"],
}, rtol=1e-5, atol=1e-6)
assert_agree("first-step gradient of the conv bias", {
    "pytorch": g_torch[1], "tensorflow": g_tf[1], "jax": g_jax["conv_bias"],
}, rtol=1e-5, atol=1e-6)
assert_agree("first-step gradient of the dense weights, rows in (h, w, c) order", {
    "pytorch": dense_from_torch(g_torch[2]), "tensorflow": g_tf[2], "jax": g_jax["dense"],
}, rtol=1e-5, atol=1e-6)
assert_agree(f"loss at each of {STEPS} steps", losses, rtol=1e-5, atol=1e-6)
assert_agree(f"kernel after {STEPS} steps", {
    "pytorch": model_torch[0].weight.detach().numpy().transpose(2, 3, 1, 0),
    "tensorflow": model_keras.layers[0].kernel,
    "jax": model_jax.layers[0].kernel,
}, rtol=1e-5, atol=1e-6)
assert_agree(f"dense weights after {STEPS} steps", {
    "pytorch": dense_from_torch(model_torch[4].weight.detach()),
    "tensorflow": model_keras.layers[3].kernel,
    "jax": model_jax.layers[4].kernel,
}, rtol=1e-5, atol=1e-6)
