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
# `torch.nn.Sequential`; a subclassed `keras.Model` and the Keras functional API; and, since the
# `jax` package has no layer library of its own, Flax NNX, the neural-network library Google
# develops for JAX ([Flax NNX basics](https://flax.readthedocs.io/en/latest/nnx_basics.html)): an
# `nnx.Module` subclass and `nnx.Sequential`. Every version gets the same weights from NumPy, and
# the notebook counts their parameters and checks that their outputs agree. A last section, in
# plain JAX on purpose, shows what Flax holds underneath: a pytree of arrays and a pure function
# over it.
#
# Not equivalent by default, and therefore set by hand here: the image layout (PyTorch convolutions
# take channels first, NCHW; Keras and Flax convolutions take channels last, NHWC), the weight
# layouts (a PyTorch convolution kernel is `(out, in, height, width)`, a Keras or Flax one
# `(height, width, in, out)`; `torch.nn.Linear` stores `(out, in)`, Keras `Dense` and Flax
# `nnx.Linear` store `(in, out)`), the convolution padding (`nnx.Conv` pads to `"SAME"` unless told
# `"VALID"`, while PyTorch and Keras default to no padding), the order in which flatten lays out a
# feature map (channel-major in PyTorch, channel-minor in Keras and Flax), and the initial weights
# (each framework has its own default initializers: PyTorch's scaled uniform for both kernels and
# biases, Keras's Glorot uniform kernels and zero biases, Flax's LeCun normal kernels and zero
# biases).

# %%
import numpy as np
import torch
import keras
import jax
import jax.numpy as jnp
from flax import nnx

from helpers.agreement import assert_agree

torch.manual_seed(0)
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
images_nhwc = rng.normal(size=(2, 6, 6, 1)).astype(np.float32)  # batch, height, width, channels
images_nchw = images_nhwc.transpose(0, 3, 1, 2)  # the same images, channels first for PyTorch
# The weights every version receives, in the channels-last layout that Keras and Flax use.
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
# subclassed Keras model creates them on its first call, once it knows the input shape. A Flax NNX
# module, like a PyTorch one, creates them in `__init__`, so each layer is told its input size; the
# random initializers draw from an explicit `nnx.Rngs` object rather than a global seed.
# `nnx.tabulate` runs the model on an example input and prints the table that Keras's `summary`
# prints. Flax has no flatten layer, so `__call__` reshapes, as PyTorch's `forward` does with
# `torch.flatten`.

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
class SmallNetFlax(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.conv = nnx.Conv(in_features=1, out_features=2, kernel_size=(3, 3), padding="VALID", rngs=rngs)
        self.dense = nnx.Linear(4 * 4 * 2, 3, rngs=rngs)

    def __call__(self, x):  # x: (batch, height, width, channels)
        x = nnx.relu(self.conv(x))
        return self.dense(x.reshape(x.shape[0], -1))

model_flax = SmallNetFlax(nnx.Rngs(0))
print(nnx.tabulate(model_flax, jnp.zeros((1, 6, 6, 1)),
                   console_kwargs={"force_terminal": False, "force_jupyter": False}))  # plain text, no colour codes

# %% [markdown]
# ## A model from layer objects
#
# The same network assembled from ready-made layers instead of a class: `torch.nn.Sequential`, the
# Keras functional API (symbolic inputs passed through layers; the model's weights are created at
# once because the input shape is given), and `nnx.Sequential`, which calls its layers in order and
# accepts plain functions among them: `nnx.relu` and a reshape stand in for PyTorch's `ReLU` and
# `Flatten` modules.

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
def flatten(x):  # Flax has no Flatten layer; any function can sit in nnx.Sequential
    return x.reshape(x.shape[0], -1)

rngs = nnx.Rngs(0)
sequential_flax = nnx.Sequential(
    nnx.Conv(1, 2, kernel_size=(3, 3), padding="VALID", rngs=rngs),  # NHWC images, HWIO kernel
    nnx.relu,
    flatten,
    nnx.Linear(4 * 4 * 2, 3, rngs=rngs),
)
print(jax.tree.map(jnp.shape, nnx.to_pure_dict(nnx.state(sequential_flax, nnx.Param))))

# %% [markdown]
# ## Counting parameters
#
# The convolution has 3·3·1·2 + 2 = 20 parameters and the dense layer 32·3 + 3 = 99, 119 in all.
# PyTorch and Keras count them from the model object. Flax keeps every array in a typed
# `nnx.Variable`: weights are `nnx.Param`, batch-norm statistics `nnx.BatchStat`, and so on.
# Filtering the model's state by `nnx.Param` is what "trainable" means in Flax; it is also the
# filter `nnx.Optimizer` is given (`wrt=nnx.Param`) to decide what to update.

# %% tags=["pytorch", "count-parameters"]
count_torch = sum(p.numel() for p in model_torch.parameters())
trainable_torch = sum(p.numel() for p in model_torch.parameters() if p.requires_grad)
print("parameters:", count_torch, "trainable:", trainable_torch)

# %% tags=["tensorflow", "count-parameters"]
count_tf = model_keras.count_params()
trainable_tf = sum(int(np.prod(w.shape)) for w in model_keras.trainable_weights)
print("parameters:", count_tf, "trainable:", trainable_tf)

# %% tags=["jax", "count-parameters"]
count_jax = sum(leaf.size for leaf in jax.tree.leaves(nnx.state(model_flax)))
trainable_jax = sum(leaf.size for leaf in jax.tree.leaves(nnx.state(model_flax, nnx.Param)))
print("parameters:", count_jax, "trainable (nnx.Param):", trainable_jax)

# %%
assert_agree("parameter count", {
    "by hand": 3 * 3 * 1 * 2 + 2 + 32 * 3 + 3,
    "pytorch": count_torch, "pytorch trainable": trainable_torch,
    "pytorch Sequential": sum(p.numel() for p in sequential_torch.parameters()),
    "tensorflow": count_tf, "tensorflow trainable": trainable_tf,
    "tensorflow functional": functional_keras.count_params(),
    "jax": count_jax, "jax trainable": trainable_jax,
    "jax Sequential": sum(leaf.size for leaf in jax.tree.leaves(nnx.state(sequential_flax, nnx.Param))),
}, rtol=0, atol=0)

# %% [markdown]
# ## Weight names and layouts
#
# Each framework names the weights after where they sit in the model, and stores them in its own
# layout. Flax's paths are the attribute names of `__init__`; in `nnx.Sequential` they are
# `layers/0`, `layers/3`, the positions in the list.

# %% tags=["pytorch", "weight-layout"]
for name, tensor in model_torch.state_dict().items():
    print(f"{name:<14} {tuple(tensor.shape)}")

# %% tags=["tensorflow", "weight-layout"]
for weight in model_keras.weights:
    print(f"{weight.path:<32} {tuple(weight.shape)}")

# %% tags=["jax", "weight-layout"]
for path, param in nnx.to_flat_state(nnx.state(model_flax, nnx.Param)):
    print(f"{'/'.join(map(str, path)):<14} {param.shape}")

# %% [markdown]
# Copy the NumPy weights into every model. PyTorch needs the convolution kernel transposed to
# `(out, in, height, width)` and the dense kernel transposed to `(out, in)`, and the dense kernel's
# rows reordered too: PyTorch flattens a `(channels, height, width)` feature map, Keras and Flax a
# `(height, width, channels)` one, so the same row of the kernel meets a different feature. Flax
# takes a nested dictionary of arrays: `nnx.replace_by_pure_dict` puts it into the model's state
# and `nnx.update` writes that state into the model (as the
# [Flax checkpointing guide](https://flax.readthedocs.io/en/latest/guides/checkpointing.html)
# does with restored weights).

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
flax_weights = {
    "conv": {"kernel": jnp.asarray(initial["conv_kernel"]), "bias": jnp.asarray(initial["conv_bias"])},
    "dense": {"kernel": jnp.asarray(initial["dense_kernel"]), "bias": jnp.asarray(initial["dense_bias"])},
}
for model, weights in ((model_flax, flax_weights),
                       (sequential_flax, {"layers": {0: flax_weights["conv"], 3: flax_weights["dense"]}})):
    state = nnx.state(model, nnx.Param)
    nnx.replace_by_pure_dict(state, weights)
    nnx.update(model, state)

# %% [markdown]
# ## The forward pass
#
# PyTorch gets the images channels first, Keras and Flax channels last. The outputs are class
# scores, `(batch, 3)`, in every framework. A Flax module is called like a PyTorch one; wrapping the
# call in `nnx.jit` compiles it, as `jax.jit` does for a function.

# %% tags=["pytorch", "forward-pass"]
with torch.no_grad():
    logits_torch = model_torch(torch.from_numpy(images_nchw))
print(logits_torch)

# %% tags=["tensorflow", "forward-pass"]
logits_tf = model_keras(images_nhwc)
print(logits_tf)

# %% tags=["jax", "forward-pass"]
logits_jax = model_flax(images_nhwc)
print(logits_jax)

# %%
with torch.no_grad():
    logits_sequential = sequential_torch(torch.from_numpy(images_nchw))
assert_agree("class scores of the same network, written six ways (and once compiled)", {
    "pytorch Module": logits_torch, "pytorch Sequential": logits_sequential,
    "tensorflow subclass": logits_tf, "tensorflow functional": functional_keras(images_nhwc),
    "jax nnx.Module": logits_jax, "jax nnx.Sequential": sequential_flax(images_nhwc),
    "jax nnx.jit": nnx.jit(lambda model, x: model(x))(model_flax, images_nhwc),
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

# %% [markdown]
# ## Underneath Flax: a pytree and a pure function (plain JAX)
#
# This section is plain JAX on purpose, to show what Flax holds. `nnx.split` separates a module into
# a `GraphDef` (its structure, static) and a `State` (its arrays, a pytree), and `nnx.merge`
# rebuilds the module from the two. JAX transformations see only the pytree; `nnx.jit` and
# `nnx.grad` split and merge at their boundaries for you
# ([Flax NNX vs JAX transformations](https://flax.readthedocs.io/en/latest/guides/jax_and_nnx_transforms.html)).
# The same network written as a function of that pytree, with `jax.lax.conv_general_dilated`
# declaring the NHWC/HWIO layouts that `nnx.Conv` uses, gives the same scores.

# %%
def small_net_jax(params, x):  # x: (batch, height, width, channels)
    x = jax.lax.conv_general_dilated(x, params["conv"]["kernel"], window_strides=(1, 1), padding="VALID",
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
    x = jax.nn.relu(x + params["conv"]["bias"])
    x = x.reshape(x.shape[0], -1)
    return x @ params["dense"]["kernel"] + params["dense"]["bias"]


graphdef, state = nnx.split(model_flax)
params_jax = nnx.to_pure_dict(state)  # nested dict of arrays, no Flax types
print(type(graphdef).__name__, "+", jax.tree.map(jnp.shape, params_jax))
assert_agree("Flax module, its split-and-merged copy and a plain function of its pytree", {
    "nnx.Module": logits_jax,
    "nnx.merge(graphdef, state)": nnx.merge(graphdef, state)(images_nhwc),
    "plain JAX function": jax.jit(small_net_jax)(params_jax, images_nhwc),
}, rtol=1e-6, atol=1e-6)
