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
# # Dtypes, float64 and NCHW versus NHWC in code
#
# Four places where the same line of array code gives different dtypes or needs different axes in
# PyTorch 2.13, TensorFlow 2.21 (Keras 3.15) and JAX 0.10.2: the dtype a tensor gets when none is
# asked for, how to compute in float64, where the channel axis of an image goes, and what happens
# when two dtypes meet in one operation. Every dtype, stride and error below is printed by the
# code that produced it.
#
# Sources: PyTorch's [tensor attributes](https://docs.pytorch.org/docs/stable/tensor_attributes.html)
# page (dtypes and type promotion) and
# [`torch.set_default_dtype`](https://docs.pytorch.org/docs/stable/generated/torch.set_default_dtype.html);
# TensorFlow's [`tf.constant`](https://www.tensorflow.org/api_docs/python/tf/constant) and
# [`experimental_enable_numpy_behavior`](https://www.tensorflow.org/api_docs/python/tf/experimental/numpy/experimental_enable_numpy_behavior)
# pages and its [TF-NumPy type promotion guide](https://www.tensorflow.org/guide/tf_numpy_type_promotion);
# JAX's [default dtypes and the X64 flag](https://docs.jax.dev/en/latest/default_dtypes.html),
# [`jax.enable_x64`](https://docs.jax.dev/en/latest/_autosummary/jax.enable_x64.html) and
# [type promotion semantics](https://docs.jax.dev/en/latest/type_promotion.html).

# %%
import warnings

import numpy as np
import torch
import tensorflow as tf
import tensorflow.experimental.numpy as tnp
import keras
import jax
import jax.numpy as jnp

from helpers.agreement import assert_agree

jax.config.update("jax_enable_x64", False)  # JAX's default, stated because one cell below turns it on in a block
print("torch", torch.__version__, "| tensorflow", tf.__version__, "| keras", keras.__version__,
      "| jax", jax.__version__)

# %% [markdown]
# ## Default dtypes
#
# A tensor built from Python floats is float32 in all three. They part ways on NumPy input, whose
# default float is float64: PyTorch and TensorFlow keep the array's dtype (`tf.constant` infers the
# dtype from the value), while JAX, with its `jax_enable_x64` flag off by default, turns the array
# into float32 without a word. Integers differ too: PyTorch makes int64 from Python ints, TensorFlow
# and JAX int32. Asking JAX for float64 explicitly is what produces a warning.

# %% tags=["pytorch", "default-dtypes"]
numpy_float64 = np.array([1.5, 2.5])  # NumPy's default float is float64
print("from Python floats:", torch.tensor([1.5, 2.5]).dtype)
print("from Python ints:  ", torch.tensor([1, 2]).dtype)
print("from NumPy float64:", torch.tensor(numpy_float64).dtype,
      "| torch.from_numpy:", torch.from_numpy(numpy_float64).dtype)
print("torch.get_default_dtype():", torch.get_default_dtype())

# %% tags=["tensorflow", "default-dtypes"]
numpy_float64 = np.array([1.5, 2.5])  # NumPy's default float is float64
print("from Python floats:", tf.constant([1.5, 2.5]).dtype.name)
print("from Python ints:  ", tf.constant([1, 2]).dtype.name)
print("from NumPy float64:", tf.constant(numpy_float64).dtype.name)
print("keras.config.floatx():", keras.config.floatx(), "(the dtype Keras gives new weights)")

# %% tags=["jax", "default-dtypes"]
numpy_float64 = np.array([1.5, 2.5])  # NumPy's default float is float64
print("from Python floats:", jnp.array([1.5, 2.5]).dtype)
print("from Python ints:  ", jnp.array([1, 2]).dtype)
print("from NumPy float64:", jnp.asarray(numpy_float64).dtype, "| jax_enable_x64 =", jax.config.jax_enable_x64)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    asked = jnp.zeros(2, dtype=jnp.float64)
print("asked for float64, got", asked.dtype, "with a", caught[0].category.__name__)

# %%
# The statements in the text above, checked so that a change in a new release stops the build.
assert torch.tensor([1.5]).dtype == torch.float32 and torch.tensor(np.array([1.5])).dtype == torch.float64
assert torch.tensor([1]).dtype == torch.int64
assert tf.constant([1.5]).dtype == tf.float32 and tf.constant(np.array([1.5])).dtype == tf.float64
assert tf.constant([1]).dtype == tf.int32
assert jnp.asarray(np.array([1.5])).dtype == jnp.float32 and jnp.array([1]).dtype == jnp.int32
assert asked.dtype == jnp.float32 and issubclass(caught[0].category, UserWarning)

# %% [markdown]
# ## Computing in float64
#
# `(1 + 1e-8) - 1` is 0 in float32, whose spacing near 1 is about 1.2e-7, and close to 1e-8 in
# float64. PyTorch and TensorFlow take a dtype per tensor; PyTorch can also change the dtype Python
# floats become with `torch.set_default_dtype`, a process-wide setting restored here. JAX cannot
# create 64-bit values at all until the `jax_enable_x64` flag is on. The JAX page on default dtypes
# shows `jax.config.update("jax_enable_x64", True)` (or the `JAX_ENABLE_X64` environment variable)
# at the top of the program and describes the flag as a global setting; since JAX 0.8.0 the
# `jax.enable_x64` context manager turns it on for a block, replacing
# `jax.experimental.enable_x64`, which the JAX changelog deprecated in 0.8.0 and which is gone in
# 0.10.2 (the import fails below).

# %% tags=["pytorch", "enable-float64"]
for dtype in (torch.float32, torch.float64):
    one = torch.ones((), dtype=dtype)
    print(dtype, "(1 + 1e-8) - 1 =", ((one + 1e-8) - one).item())

torch.set_default_dtype(torch.float64)  # process-wide: Python floats now become float64
print("after set_default_dtype(torch.float64):", torch.tensor(1.0).dtype)
torch.set_default_dtype(torch.float32)  # back to the default for the rest of the program

# %% tags=["tensorflow", "enable-float64"]
for dtype in (tf.float32, tf.float64):
    one = tf.ones((), dtype=dtype)
    print(dtype.name, "(1 + 1e-8) - 1 =", ((one + 1e-8) - one).numpy())

# Keras layers take a dtype per layer too.
layer = keras.layers.Dense(2, dtype="float64")
layer.build((None, 3))
print("Dense(dtype='float64') kernel:", layer.kernel.dtype)

# %% tags=["jax", "enable-float64"]
one = jnp.ones(())
print(one.dtype, "(1 + 1e-8) - 1 =", (one + 1e-8) - one)

# Or jax.config.update("jax_enable_x64", True) once, at program start.
with jax.enable_x64(True):
    one = jnp.ones(())
    print(one.dtype, "(1 + 1e-8) - 1 =", (one + 1e-8) - one)
print("outside the block, new arrays are", jnp.ones(()).dtype, "again")

# %%
assert torch.get_default_dtype() == torch.float32 and not jax.config.jax_enable_x64
expected = {np.dtype("float32"): 0.0, np.dtype("float64"): (1.0 + 1e-8) - 1.0}  # NumPy's own answers
for dtype, answer in expected.items():
    one_t, one_tf = torch.ones((), dtype=getattr(torch, dtype.name)), tf.ones((), dtype=dtype.name)
    with jax.enable_x64(dtype == np.float64):
        one_j = jnp.ones((), dtype=dtype)
        assert_agree(f"(1 + 1e-8) - 1 in {dtype.name}", {
            "numpy": np.asarray(answer, dtype=dtype), "pytorch": (one_t + 1e-8) - one_t,
            "tensorflow": (one_tf + 1e-8) - one_tf, "jax": (one_j + 1e-8) - one_j}, rtol=0, atol=0)
try:
    from jax.experimental import enable_x64  # noqa: F401
except ImportError as error:
    print("jax.experimental.enable_x64:", type(error).__name__, "-", str(error).split(" (")[0])

# %% [markdown]
# One consequence of a scoped flag: an array made inside the block stays float64 after it, but
# arithmetic outside the block runs with the flag off again, so the result drops back to float32
# (with the same "not available" warning).

# %%
with jax.enable_x64(True):
    kept = jnp.ones(()) / 3
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    later = kept + 1
print("made in the block:", kept.dtype, "| kept + 1 outside it:", later.dtype,
      "| warnings:", sorted({w.category.__name__ for w in caught}))
assert kept.dtype == jnp.float64 and later.dtype == jnp.float32

# %% [markdown]
# ## Channels first or channels last
#
# The same 3×3 convolution, no bias, on the same 8×8 RGB image with the same weights.
# `torch.nn.Conv2d` takes NCHW input (batch, channels, height, width) and keeps its weight as
# (out, in, kH, kW). Keras layers follow `keras.config.image_data_format()`, `"channels_last"`
# unless changed ([Keras `Conv2D`](https://keras.io/api/layers/convolution_layers/convolution2d/),
# [`set_image_data_format`](https://www.tensorflow.org/api_docs/python/tf/keras/backend/set_image_data_format)),
# so the image is transposed to NHWC and the kernel to (kH, kW, in, out).
# `jax.lax.conv_general_dilated` takes no default: its `dimension_numbers` name the axes of input,
# kernel and output, so it can be given either layout
# ([API page](https://docs.jax.dev/en/latest/_autosummary/jax.lax.conv_general_dilated.html),
# [convolutions guide](https://docs.jax.dev/en/latest/101/convolutions.html)).
#
# PyTorch separates the logical layout from the order in memory:
# `x.to(memory_format=torch.channels_last)` keeps the NCHW shape and changes the strides so that
# channels are adjacent in memory; the
# [channels-last tutorial](https://docs.pytorch.org/tutorials/intermediate/memory_format_tutorial.html)
# describes it as implemented for 4D NCHW tensors and as faster for some operators.

# %%
rng = np.random.default_rng(7)
image_nchw = rng.normal(size=(1, 3, 8, 8)).astype(np.float32)   # batch, channels, height, width
kernel_oihw = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)  # out, in, kernel height, kernel width

# %% tags=["pytorch", "channels-layout"]
conv = torch.nn.Conv2d(3, 4, kernel_size=3, bias=False)  # NCHW input, (out, in, kH, kW) weight
with torch.no_grad():
    conv.weight.copy_(torch.from_numpy(kernel_oihw))
    x = torch.from_numpy(image_nchw)
    out_torch = conv(x)
    x_cl = x.to(memory_format=torch.channels_last)  # same shape, channels adjacent in memory
    out_torch_cl = conv.to(memory_format=torch.channels_last)(x_cl)
print("input", tuple(x.shape), "strides", x.stride())
print("channels_last input", tuple(x_cl.shape), "strides", x_cl.stride())
print("output", tuple(out_torch.shape), "| channels_last output keeps the format:",
      out_torch_cl.is_contiguous(memory_format=torch.channels_last))

# %% tags=["tensorflow", "channels-layout"]
print("keras.config.image_data_format():", keras.config.image_data_format())
conv = keras.layers.Conv2D(4, kernel_size=3, use_bias=False)  # NHWC input, (kH, kW, in, out) kernel
image_nhwc = image_nchw.transpose(0, 2, 3, 1)
conv.build(image_nhwc.shape)
conv.kernel.assign(kernel_oihw.transpose(2, 3, 1, 0))  # (out, in, kH, kW) -> (kH, kW, in, out)
out_tf = conv(image_nhwc)
print("input", image_nhwc.shape, "| kernel", tuple(conv.kernel.shape), "| output", tuple(out_tf.shape))

# %% tags=["jax", "channels-layout"]
from jax import lax

image_nhwc = jnp.asarray(image_nchw.transpose(0, 2, 3, 1))
kernel_hwio = jnp.asarray(kernel_oihw.transpose(2, 3, 1, 0))
out_jax = lax.conv_general_dilated(image_nhwc, kernel_hwio, window_strides=(1, 1), padding="VALID",
                                   dimension_numbers=("NHWC", "HWIO", "NHWC"))
# The same call on the untransposed arrays, by naming their layout instead:
out_jax_nchw = lax.conv_general_dilated(jnp.asarray(image_nchw), jnp.asarray(kernel_oihw), (1, 1), "VALID",
                                        dimension_numbers=("NCHW", "OIHW", "NCHW"))
print("NHWC output", out_jax.shape, "| NCHW output", out_jax_nchw.shape)

# %% [markdown]
# All five outputs agree once put in one layout (NCHW here). Float32 convolutions sum 27 products
# per output in an order each library chooses, hence a tolerance of 1e-5.

# %%
to_nchw = lambda array: np.asarray(array).transpose(0, 3, 1, 2)
assert_agree("convolution output, NCHW", {
    "pytorch": out_torch, "pytorch channels_last": out_torch_cl, "tensorflow (NHWC)": to_nchw(out_tf),
    "jax (NHWC)": to_nchw(out_jax), "jax (NCHW)": out_jax_nchw,
}, rtol=1e-5, atol=1e-5)
assert x_cl.stride() == (192, 1, 24, 3) and x.stride() == (192, 64, 8, 1)

# %% [markdown]
# Keras does accept `data_format="channels_first"`, but on the TensorFlow backend the layer calls
# TensorFlow's CPU convolution kernel, which only implements NHWC:

# %%
try:
    keras.layers.Conv2D(4, kernel_size=3, data_format="channels_first")(image_nchw)
except tf.errors.UnimplementedError as error:
    print(type(error).__name__, "-", error.message.split("}}")[-1].split(" [Op")[0].strip())

# %% [markdown]
# ## Type promotion
#
# Adding tensors of two dtypes: PyTorch and JAX promote, each by its own rules
# ([PyTorch](https://docs.pytorch.org/docs/stable/tensor_attributes.html#type-promotion-doc),
# [JAX's lattice](https://docs.jax.dev/en/latest/type_promotion.html)); TensorFlow raises.
# The three pairs below land on the same dtype in PyTorch and JAX. Where PyTorch and JAX differ
# from NumPy is int32 + float32: NumPy gives float64, which
# [JAX's design note](https://docs.jax.dev/en/latest/jep/9407-type-promotion.html) avoids on
# purpose because 64-bit values are slow or missing on accelerators. In both, a Python scalar
# does not widen a tensor's float type (JAX calls such values weakly typed).
#
# TensorFlow's `tf.experimental.numpy` functions (`tnp.add`) follow NumPy's rules, so they give
# float64 for int32 + float32. `tf.experimental.numpy.experimental_enable_numpy_behavior()` makes
# the `+` operator of every `tf.Tensor` promote the same way — a global switch, and its
# `dtype_conversion_mode="all"` or `"safe"` options select the newer JAX-like rules described in
# the TF-NumPy type promotion guide.

# %% tags=["pytorch", "type-promotion"]
pairs = [(torch.int32, torch.float32), (torch.float16, torch.float32), (torch.uint8, torch.int8)]
for a, b in pairs:
    result = torch.ones(2, dtype=a) + torch.ones(2, dtype=b)
    print(f"{a} + {b} -> {result.dtype}")
print("int32 tensor + Python float ->", (torch.ones(2, dtype=torch.int32) + 1.5).dtype)
print("float16 tensor + Python float ->", (torch.ones(2, dtype=torch.float16) + 1.5).dtype)

# %% tags=["tensorflow", "type-promotion"]
pairs = [(tf.int32, tf.float32), (tf.float16, tf.float32), (tf.uint8, tf.int8)]
for a, b in pairs:
    try:
        print(f"{a.name} + {b.name} ->", (tf.ones(2, a) + tf.ones(2, b)).dtype.name)
    except tf.errors.InvalidArgumentError as error:
        print(f"{a.name} + {b.name} -> {type(error).__name__}: {error.message.split(' [Op')[0]}")
    print(f"   tnp.add, NumPy's rules -> {tnp.add(tf.ones(2, a), tf.ones(2, b)).dtype.name}")

# %% tags=["jax", "type-promotion"]
pairs = [(jnp.int32, jnp.float32), (jnp.float16, jnp.float32), (jnp.uint8, jnp.int8)]
for a, b in pairs:
    result = jnp.ones(2, a) + jnp.ones(2, b)
    print(f"{jnp.dtype(a)} + {jnp.dtype(b)} -> {result.dtype}  (jnp.promote_types: {jnp.promote_types(a, b)})")
print("int32 array + Python float ->", (jnp.ones(2, jnp.int32) + 1.5).dtype)
print("float16 array + Python float ->", (jnp.ones(2, jnp.float16) + 1.5).dtype)

# %%
numpy_results = {(a, b): (np.ones(2, a) + np.ones(2, b)).dtype.name
                 for a, b in [("int32", "float32"), ("float16", "float32"), ("uint8", "int8")]}
print("NumPy", np.__version__, "for comparison:", {f"{a} + {b}": r for (a, b), r in numpy_results.items()})
for a, b in numpy_results:
    torch_dtype = (torch.ones(2, dtype=getattr(torch, a)) + torch.ones(2, dtype=getattr(torch, b))).dtype
    jax_dtype = (jnp.ones(2, a) + jnp.ones(2, b)).dtype
    assert str(torch_dtype).removeprefix("torch.") == jax_dtype.name, (a, b, torch_dtype, jax_dtype)
    try:
        tf.ones(2, a) + tf.ones(2, b)
        raise AssertionError(f"TensorFlow promoted {a} + {b}")
    except tf.errors.InvalidArgumentError:
        pass
assert numpy_results[("int32", "float32")] == "float64" and jnp.promote_types("int32", "float32") == jnp.float32
assert tnp.add(tf.ones(2, tf.int32), tf.ones(2, tf.float32)).dtype == tf.float64
