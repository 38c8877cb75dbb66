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
# # Modules, layers and Keras models
#
# One small convolutional network (a 3×3 convolution with 2 filters, ReLU, flatten, a dense layer
# with 3 outputs) written in the ways each framework offers: a `torch.nn.Module` subclass and
# `torch.nn.Sequential`; a subclassed `keras.Model` and the Keras functional API; and, since JAX has
# no layer library of its own, a pure function of a parameter pytree, plus the small combinator
# library `jax.example_libraries.stax` that ships with JAX. Every version gets the same weights
# from NumPy, and the notebook counts their parameters and checks that their outputs agree.
#
# Not equivalent by default, and therefore set by hand here: the image layout (PyTorch convolutions
# take channels first, NCHW; Keras and `jax.lax` convolutions here take channels last, NHWC), the
# weight layouts (a PyTorch convolution kernel is `(out, in, height, width)`, a Keras one
# `(height, width, in, out)`; `torch.nn.Linear` stores `(out, in)`, Keras `Dense` stores
# `(in, out)`), the order in which flatten lays out a feature map (channel-major in PyTorch,
# channel-minor in Keras), and the initial weights (each framework has its own default
# initializers: PyTorch's scaled uniform for both kernels and biases, Keras's Glorot uniform
# kernels and zero biases; a JAX function has none until you write one).
#
# Flax (`flax.nnx` or `flax.linen`) is the usual JAX layer library. This notebook keeps plain JAX and
# `stax` (whose own docstring says it is "intended as an example library only") on purpose: they show
# what a layer library does underneath, a pytree of arrays and a pure function over it.

# %%
import numpy as np
import torch
import keras
import jax
import jax.numpy as jnp
from jax.example_libraries import stax

from helpers.agreement import assert_agree

torch.manual_seed(0)
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
images_nhwc = rng.normal(size=(2, 6, 6, 1)).astype(np.float32)  # batch, height, width, channels
images_nchw = images_nhwc.transpose(0, 3, 1, 2)  # the same images, channels first for PyTorch
# The weights every version receives, in the channels-last layout that Keras and JAX use.
initial = {
    "conv_kernel": (rng.normal(size=(3, 3, 1, 2)) * 0.5).astype(np.float32),  # height, width, in, out
    "conv_bias": (rng.normal(size=(2,)) * 0.1).astype(np.float32),
    "dense_kernel": (rng.normal(size=(4 * 4 * 2, 3)) * 0.3).astype(np.float32),  # rows in (h, w, c) order
    "dense_bias": (rng.normal(size=(3,)) * 0.1).astype(np.float32),
}
print("Keras backend:", keras.backend.backend())

# %% [markdown]
# ## A model as a class
#
# PyTorch creates a module's weights in `__init__`, so they exist before any data is seen. A
# subclassed Keras model creates them on its first call, once it knows the input shape. In JAX the
# model is a function and the weights are an argument: a nested dictionary (a pytree) that you
# create and pass around yourself.

# %% tags=["pytorch", "subclass-a-module"]
class SmallNetTorch(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(in_channels=1, out_channels=2, kernel_size=3)
        self.dense = torch.nn.Linear(2 * 4 * 4, 3)

    def forward(self, x):  # x: (batch, channels, height, width)
        x = torch.relu(self.conv(x))
        return self.dense(torch.flatten(x, start_dim=1))

model_torch = SmallNetTorch()
print(model_torch)

# %% tags=["tensorflow", "subclass-a-module"]
class SmallNetKeras(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv = keras.layers.Conv2D(filters=2, kernel_size=3, activation="relu")
        self.flatten = keras.layers.Flatten()
        self.dense = keras.layers.Dense(3)

    def call(self, x):  # x: (batch, height, width, channels)
        return self.dense(self.flatten(self.conv(x)))

model_keras = SmallNetKeras()
model_keras(np.zeros((1, 6, 6, 1), np.float32))  # the first call creates the weights
model_keras.summary(print_fn=print)

# %% tags=["jax", "subclass-a-module"]
def small_net_jax(params, x):  # x: (batch, height, width, channels)
    x = jax.lax.conv_general_dilated(x, params["conv"]["kernel"], window_strides=(1, 1), padding="VALID",
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
    x = jax.nn.relu(x + params["conv"]["bias"])
    x = x.reshape(x.shape[0], -1)
    return x @ params["dense"]["kernel"] + params["dense"]["bias"]

params_jax = {
    "conv": {"kernel": jnp.asarray(initial["conv_kernel"]), "bias": jnp.asarray(initial["conv_bias"])},
    "dense": {"kernel": jnp.asarray(initial["dense_kernel"]), "bias": jnp.asarray(initial["dense_bias"])},
}
print(jax.tree.map(jnp.shape, params_jax))

# %% [markdown]
# ## A model from layer objects
#
# The same network assembled from ready-made layers instead of a class: `torch.nn.Sequential`, the
# Keras functional API (symbolic inputs passed through layers; the model's weights are created at
# once because the input shape is given), and `stax.serial`, which returns a pair of functions,
# one that creates parameters for an input shape and one that applies them.

# %% tags=["pytorch", "compose-layers"]
sequential_torch = torch.nn.Sequential(
    torch.nn.Conv2d(1, 2, kernel_size=3),
    torch.nn.ReLU(),
    torch.nn.Flatten(),
    torch.nn.Linear(2 * 4 * 4, 3),
)
print(sequential_torch)

# %% tags=["tensorflow", "compose-layers"]
inputs = keras.Input(shape=(6, 6, 1))
hidden = keras.layers.Conv2D(2, 3, activation="relu")(inputs)
outputs = keras.layers.Dense(3)(keras.layers.Flatten()(hidden))
functional_keras = keras.Model(inputs=inputs, outputs=outputs)
functional_keras.summary(print_fn=print)

# %% tags=["jax", "compose-layers"]
init_stax, apply_stax = stax.serial(
    stax.Conv(2, (3, 3)),  # channels last: NHWC images, HWIO kernel
    stax.Relu,
    stax.Flatten,
    stax.Dense(3),
)
output_shape, params_stax = init_stax(jax.random.key(0), (-1, 6, 6, 1))
print("output shape:", tuple(int(d) for d in output_shape))  # -1: any batch size
print(jax.tree.map(jnp.shape, params_stax))

# %% [markdown]
# ## Counting parameters
#
# The convolution has 3·3·1·2 + 2 = 20 parameters and the dense layer 32·3 + 3 = 99, 119 in all.
# PyTorch and Keras count them from the model object; in JAX they are the leaves of the pytree.

# %% tags=["pytorch", "count-parameters"]
count_torch = sum(p.numel() for p in model_torch.parameters())
trainable_torch = sum(p.numel() for p in model_torch.parameters() if p.requires_grad)
print("parameters:", count_torch, "trainable:", trainable_torch)

# %% tags=["tensorflow", "count-parameters"]
count_tf = model_keras.count_params()
trainable_tf = sum(int(np.prod(w.shape)) for w in model_keras.trainable_weights)
print("parameters:", count_tf, "trainable:", trainable_tf)

# %% tags=["jax", "count-parameters"]
count_jax = sum(leaf.size for leaf in jax.tree.leaves(params_jax))
print("parameters:", count_jax, "(everything in the pytree; JAX has no notion of trainable)")

# %%
assert_agree("parameter count", {
    "by hand": 3 * 3 * 1 * 2 + 2 + 32 * 3 + 3,
    "pytorch": count_torch, "pytorch trainable": trainable_torch,
    "pytorch Sequential": sum(p.numel() for p in sequential_torch.parameters()),
    "tensorflow": count_tf, "tensorflow trainable": trainable_tf,
    "tensorflow functional": functional_keras.count_params(),
    "jax": count_jax, "jax stax": sum(leaf.size for leaf in jax.tree.leaves(params_stax)),
}, rtol=0, atol=0)

# %% [markdown]
# ## Weight names and layouts
#
# Each framework names the weights after where they sit in the model, and stores them in its own
# layout. `stax` keeps the convolution bias with shape `(1, 1, 1, 2)`, ready to broadcast over
# NHWC feature maps.

# %% tags=["pytorch", "weight-layout"]
for name, tensor in model_torch.state_dict().items():
    print(f"{name:<14} {tuple(tensor.shape)}")

# %% tags=["tensorflow", "weight-layout"]
for weight in model_keras.weights:
    print(f"{weight.path:<32} {tuple(weight.shape)}")

# %% tags=["jax", "weight-layout"]
for path, leaf in jax.tree_util.tree_flatten_with_path(params_jax)[0]:
    print(f"{jax.tree_util.keystr(path):<22} {leaf.shape}")

# %% [markdown]
# Copy the NumPy weights into every model. PyTorch needs the convolution kernel transposed to
# `(out, in, height, width)` and the dense kernel transposed to `(out, in)`, and the dense kernel's
# rows reordered too: PyTorch flattens a `(channels, height, width)` feature map, Keras and JAX a
# `(height, width, channels)` one, so the same row of the kernel meets a different feature.

# %%
conv_kernel_torch = initial["conv_kernel"].transpose(3, 2, 0, 1)  # HWIO → OIHW
dense_kernel_torch = (initial["dense_kernel"].reshape(4, 4, 2, 3)  # rows (h, w, c)
                      .transpose(2, 0, 1, 3).reshape(32, 3)        # rows (c, h, w)
                      .T)                                          # (in, out) → (out, in)
torch_weights = [conv_kernel_torch, initial["conv_bias"], dense_kernel_torch, initial["dense_bias"]]
with torch.no_grad():
    for model in (model_torch, sequential_torch):
        for parameter, value in zip(model.parameters(), torch_weights, strict=True):
            parameter.copy_(torch.from_numpy(value))
keras_weights = [initial["conv_kernel"], initial["conv_bias"], initial["dense_kernel"], initial["dense_bias"]]
model_keras.set_weights(keras_weights)
functional_keras.set_weights(keras_weights)
params_stax = [(jnp.asarray(initial["conv_kernel"]), jnp.asarray(initial["conv_bias"]).reshape(1, 1, 1, 2)),
               (), (), (jnp.asarray(initial["dense_kernel"]), jnp.asarray(initial["dense_bias"]))]

# %% [markdown]
# ## The forward pass
#
# PyTorch gets the images channels first, Keras and JAX channels last. The outputs are class
# scores, `(batch, 3)`, in every framework.

# %% tags=["pytorch", "forward-pass"]
with torch.no_grad():
    logits_torch = model_torch(torch.from_numpy(images_nchw))
print(logits_torch)

# %% tags=["tensorflow", "forward-pass"]
logits_tf = model_keras(images_nhwc)
print(logits_tf)

# %% tags=["jax", "forward-pass"]
logits_jax = jax.jit(small_net_jax)(params_jax, images_nhwc)
print(logits_jax)

# %%
with torch.no_grad():
    logits_sequential = sequential_torch(torch.from_numpy(images_nchw))
assert_agree("class scores of the same network, written six ways", {
    "pytorch Module": logits_torch, "pytorch Sequential": logits_sequential,
    "tensorflow subclass": logits_tf, "tensorflow functional": functional_keras(images_nhwc),
    "jax function": logits_jax, "jax stax": apply_stax(params_stax, images_nhwc),
}, rtol=1e-5, atol=1e-6)

# %% [markdown]
# The flatten order is a real difference, not a detail: the dense kernel copied into PyTorch with
# only the transpose, its rows left in `(h, w, c)` order, gives different scores.

# %%
with torch.no_grad():
    model_torch.dense.weight.copy_(torch.from_numpy(initial["dense_kernel"].T))
    wrong_torch = model_torch(torch.from_numpy(images_nchw))
    model_torch.dense.weight.copy_(torch.from_numpy(dense_kernel_torch))  # put the right one back
worst = float(np.abs(wrong_torch.numpy() - logits_tf.numpy()).max())
assert worst > 1e-2, worst
print(f"dense rows not reordered: scores differ from Keras by up to {worst:.3g}")
