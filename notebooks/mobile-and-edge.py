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
# # Mobile and edge conversion
#
# Getting one small convolutional network (a 3×3 convolution with 4 filters, ReLU, global average
# pooling, a dense layer with 2 outputs) ready for a phone or another small device, as far as this
# environment allows. TensorFlow converts a Keras model to a `.tflite` flatbuffer with
# `tf.lite.TFLiteConverter` and runs it with the TensorFlow Lite interpreter. JAX reaches the same
# converter through `jax2tf`, which wraps the function's StableHLO in a TensorFlow graph. PyTorch's
# on-device runtime, ExecuTorch, starts from a `torch.export` program reduced to the Core ATen
# operator set; that program is built and run here, the ExecuTorch lowering itself is not (the
# package is not installed). Every converted model is run and compared with the original, in
# float32: no quantization, which the converter offers (`converter.optimizations`) but which
# changes the numbers.
#
# Not equivalent by default: the image layout (PyTorch, and ExecuTorch after it, take channels
# first, NCHW; Keras, JAX's convolution here, and TensorFlow Lite take channels last, NHWC), the
# weight layouts (PyTorch kernels `(out, in, height, width)` and `(out, in)`; Keras and JAX
# `(height, width, in, out)` and `(in, out)`), and the initial weights, copied here from NumPy.
#
# Runtime names are changing. TensorFlow Lite is now called LiteRT and its interpreter lives in the
# `ai_edge_litert` package; `tf.lite.Interpreter` still works in TensorFlow 2.21 but warns that it
# is deprecated (and "scheduled for deletion in TF 2.20"). `ai_edge_litert` is not installed here,
# so the notebook uses `tf.lite.Interpreter` and shows its warning once, at the end, with the
# checks, instead of in every cell. `tf.lite.TFLiteConverter` gives no warning in this version.

# %%
import contextlib
import importlib.util
import os
import tempfile
import warnings

import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp
from jax.experimental import jax2tf

from helpers.agreement import assert_agree

# Printed and checked once, in the last cell, instead of in every cell that makes an interpreter.
warnings.filterwarnings("ignore", message=r"\s*Warning: tf\.lite\.Interpreter is deprecated", category=UserWarning)
# Raised inside torch 2.13's own run_decompositions (it deep-copies a pytree spec of a deprecated
# class), not by anything this notebook could change.
warnings.filterwarnings("ignore", message=r"`isinstance\(treespec, LeafSpec\)` is deprecated", category=FutureWarning)
tf.get_logger().setLevel("WARNING")  # a script's default; in Jupyter TensorFlow's logger starts at INFO

rng = np.random.default_rng(0)
images_nhwc = rng.normal(size=(3, 8, 8, 1)).astype(np.float32)  # batch, height, width, channels
images_nchw = images_nhwc.transpose(0, 3, 1, 2)
initial = {
    "conv_kernel": (rng.normal(size=(3, 3, 1, 4)) * 0.5).astype(np.float32),  # height, width, in, out
    "conv_bias": (rng.normal(size=4) * 0.1).astype(np.float32),
    "dense_kernel": (rng.normal(size=(4, 2)) * 0.5).astype(np.float32),  # in, out
    "dense_bias": (rng.normal(size=2) * 0.1).astype(np.float32),
}
temporary = tempfile.TemporaryDirectory(prefix="rosetta-mobile-")  # deleted when the kernel exits
workdir = temporary.name

model_torch = torch.nn.Sequential(
    torch.nn.Conv2d(1, 4, kernel_size=3), torch.nn.ReLU(),
    torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(4, 2),
).eval()
with torch.no_grad():
    model_torch[0].weight.copy_(torch.from_numpy(initial["conv_kernel"].transpose(3, 2, 0, 1)))  # → OIHW
    model_torch[0].bias.copy_(torch.from_numpy(initial["conv_bias"]))
    model_torch[4].weight.copy_(torch.from_numpy(initial["dense_kernel"].T))  # → (out, in)
    model_torch[4].bias.copy_(torch.from_numpy(initial["dense_bias"]))

model_keras = keras.Sequential([
    keras.Input(shape=(8, 8, 1)),
    keras.layers.Conv2D(4, 3, activation="relu"),
    keras.layers.GlobalAveragePooling2D(),
    keras.layers.Dense(2),
])
model_keras.set_weights([initial["conv_kernel"], initial["conv_bias"], initial["dense_kernel"], initial["dense_bias"]])


def model_jax(params, x):  # x: NHWC
    x = jax.lax.conv_general_dilated(x, params["conv_kernel"], (1, 1), "VALID",
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
    x = jax.nn.relu(x + params["conv_bias"]).mean(axis=(1, 2))
    return x @ params["dense_kernel"] + params["dense_bias"]


params_jax = {name: jnp.asarray(value) for name, value in initial.items()}

with torch.no_grad():
    original_torch = model_torch(torch.from_numpy(images_nchw))
original_tf = model_keras(images_nhwc)
original_jax = model_jax(params_jax, images_nhwc)
assert_agree("original models", {"pytorch": original_torch, "tensorflow": original_tf, "jax": original_jax},
             rtol=1e-5, atol=1e-6)

# %% [markdown]
# ## Running a .tflite model
#
# Both the TensorFlow and the JAX path end in a `.tflite` flatbuffer, run by the same interpreter:
# resize the input to the batch at hand, allocate the tensors, copy the input in, invoke, copy the
# output out. On CPU the interpreter applies the XNNPACK delegate by default, as on a phone, and
# its C++ runtime says so on the process's standard error; the helper collects those lines in
# `runtime_log`, checked at the end.

# %%
runtime_log = []


@contextlib.contextmanager
def native_stderr_into(lines):
    """Collect what C++ code writes to file descriptor 2 (Python's own stderr is not affected)."""
    with tempfile.TemporaryFile(mode="w+") as captured:
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        lines.extend(captured.read().splitlines())


def run_tflite(flatbuffer, x):
    with native_stderr_into(runtime_log):
        interpreter = tf.lite.Interpreter(model_content=flatbuffer)  # LiteRT: ai_edge_litert.interpreter
        (input_detail,), (output_detail,) = interpreter.get_input_details(), interpreter.get_output_details()
        interpreter.resize_tensor_input(input_detail["index"], x.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(input_detail["index"], x)
        interpreter.invoke()
        return interpreter.get_tensor(output_detail["index"])


# %% [markdown]
# ## Convert for mobile
#
# TensorFlow: Keras writes a SavedModel (`model.export`), and the converter reads it
# (`TFLiteConverter.from_keras_model` does the same through a temporary directory, printing its
# path). JAX: `jax2tf.convert` makes the function a TensorFlow function, with the batch dimension
# left symbolic, and the converter takes its concrete function. PyTorch: `torch.export` captures the
# model and `run_decompositions()` rewrites it into Core ATen operators, the operator set that
# ExecuTorch's `executorch.exir.to_edge` lowers a program to before `to_executorch()` writes a
# `.pte` file.

# %% tags=["pytorch", "convert-for-mobile"]
program = torch.export.export(model_torch, (torch.from_numpy(images_nchw),))
core_aten = program.run_decompositions()  # Core ATen, as ExecuTorch's to_edge would produce
print(sorted({str(node.target) for node in core_aten.graph.nodes if node.op == "call_function"}))

with torch.no_grad():
    converted_out_torch = core_aten.module()(torch.from_numpy(images_nchw))  # NCHW, as on the device
print(converted_out_torch)

# %% tags=["tensorflow", "convert-for-mobile"]
saved_model_dir = os.path.join(workdir, "saved_model")
model_keras.export(saved_model_dir, verbose=False)
converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
tflite_model_tf = converter.convert()  # bytes of a .tflite flatbuffer
print(f".tflite size: {len(tflite_model_tf)} bytes")

converted_out_tf = run_tflite(tflite_model_tf, images_nhwc)
print(converted_out_tf)

# %% tags=["jax", "convert-for-mobile"]
as_tf = tf.function(
    jax2tf.convert(lambda x: model_jax(params_jax, x), polymorphic_shapes=["(b, 8, 8, 1)"]),
    input_signature=[tf.TensorSpec([None, 8, 8, 1], tf.float32)], autograph=False)
converter = tf.lite.TFLiteConverter.from_concrete_functions([as_tf.get_concrete_function()], as_tf)
tflite_model_jax = converter.convert()
print(f".tflite size: {len(tflite_model_jax)} bytes")

converted_out_jax = run_tflite(tflite_model_jax, images_nhwc)
print(converted_out_jax)

# %% [markdown]
# The checks: each converted model against its original, then across frameworks. The tolerance
# allows for the converted kernels summing in another order than the originals (XNNPACK's
# convolution and mean, for instance), which moves the last bits of a float32 result.

# %%
for name, original, converted in [("pytorch", original_torch, converted_out_torch),
                                  ("tensorflow", original_tf, converted_out_tf),
                                  ("jax", original_jax, converted_out_jax)]:
    assert_agree(f"{name}: converted model vs the original", {"original": original, "converted": converted},
                 rtol=1e-5, atol=1e-6)
assert_agree("converted models across frameworks", {
    "pytorch": converted_out_torch, "tensorflow": converted_out_tf, "jax": converted_out_jax}, rtol=1e-5, atol=1e-6)

larger_batch = rng.normal(size=(5, 8, 8, 1)).astype(np.float32)
assert_agree("the .tflite models on a batch of 5 (the batch dimension was left variable)", {
    "keras": model_keras(larger_batch), "tflite from keras": run_tflite(tflite_model_tf, larger_batch),
    "tflite from jax": run_tflite(tflite_model_jax, larger_batch)}, rtol=1e-5, atol=1e-6)

# %% [markdown]
# What is not installed, what the runtime logged, and the interpreter's deprecation warning, as
# this TensorFlow version words it.

# %%
for package in ("executorch", "ai_edge_litert"):
    print(f"{package}: installed" if importlib.util.find_spec(package) else f"{package}: not installed")

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    tf.lite.TFLiteConverter.from_saved_model(saved_model_dir).convert()
assert not caught, [str(w.message) for w in caught]
print("tf.lite.TFLiteConverter: no warning")

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    tf.lite.Interpreter(model_content=tflite_model_tf)
deprecation = [str(w.message) for w in caught if "ai_edge_litert" in str(w.message)]
assert deprecation, "tf.lite.Interpreter no longer warns: update the introduction"
print("tf.lite.Interpreter warns:", " ".join(deprecation[0].split()))

assert any("XNNPACK delegate" in line for line in runtime_log), runtime_log
print("TensorFlow Lite runtime log:", *sorted(set(runtime_log)), sep="\n  ")
