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
# One small convolutional network (a 3×3 convolution with 4 filters, ReLU, global average pooling,
# a dense layer with 2 outputs) converted to the file a phone or a small board runs, and run by the
# on-device runtime itself, through its Python bindings, on this machine's CPU.
#
# - PyTorch: `torch.export` captures the model, ExecuTorch's `to_edge_transform_and_lower` lowers it
#   to the Edge dialect and hands the operators XNNPACK supports to the XNNPACK backend
#   (ExecuTorch's backend for mobile CPUs), and `to_executorch()` writes a `.pte` program that the
#   ExecuTorch runtime (`executorch.runtime.Runtime`) loads and executes. ExecuTorch 1.0 was marked
#   stable in October 2025 ([the docs' switch of 1.0 to "stable release"](https://github.com/pytorch/executorch/pull/15237);
#   Arm called it the [general availability release](https://community.arm.com/arm-community-blogs/b/ai-blog/posts/ethos-u-and-beyond-how-executorch-1-0-powers-ai-at-the-edge)).
#   The runtime module in its [PyPI wheel](https://pypi.org/project/executorch/) links only the
#   Core ATen kernels and a few backends, XNNPACK among them; the last cell prints the release
#   installed here and those backends.
# - TensorFlow: Keras 3 writes a `.tflite` flatbuffer with `model.export(..., format="litert")`
#   ([Keras guide](https://keras.io/guides/litert_export/)); on the TensorFlow backend it writes a
#   SavedModel and runs `tf.lite.TFLiteConverter.from_saved_model` on it, which the last cell
#   repeats by hand, with identical outputs. TensorFlow Lite is now called LiteRT and is developed
#   under Google AI Edge; its Python interpreter is `ai_edge_litert.interpreter.Interpreter`, from
#   the `ai-edge-litert` package, with the same API as `tf.lite.Interpreter`
#   ([migration guide](https://ai.google.dev/edge/litert/migration)).
# - JAX has no on-device runtime. `jax2tf` wraps the function's StableHLO in a TensorFlow function,
#   `tf.lite.TFLiteConverter` turns that into a `.tflite` flatbuffer, and the same LiteRT interpreter
#   runs it.
#
# Every converted model is run and compared with the original, in float32: no quantization, which
# both toolchains offer but which changes the numbers.
#
# Not equivalent by default: the image layout (PyTorch, and ExecuTorch after it, take channels
# first, NCHW; Keras, JAX's convolution here, and LiteRT take channels last, NHWC), the weight
# layouts (PyTorch kernels `(out, in, height, width)` and `(out, in)`; Keras and JAX
# `(height, width, in, out)` and `(in, out)`), the initial weights, copied here from NumPy, and the
# batch size a converted model accepts (the `.pte` program keeps the batch of 3 it was exported with,
# since `torch.export` fixes every dimension not declared dynamic; both `.tflite` files keep a
# variable batch dimension, resized at run time).

# %%
import contextlib
import io
import logging
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

# executorch imports torchao, which logs that it cannot load its CUDA-only extension libraries on a
# CPU build of torch, and torch's pytree module then logs a deprecation about one of torchao's
# registrations; neither affects what runs here. Set after `import torch`, which configures the
# levels of its own loggers.
for noisy in ("torchao", "torch.utils._pytree"):
    logging.getLogger(noisy).setLevel(logging.ERROR)
# Printed and checked once, in the last cell, instead of in every cell that makes an interpreter.
warnings.filterwarnings("ignore", message=r"\s*Warning: tf\.lite\.Interpreter is deprecated", category=UserWarning)
# Raised inside torch 2.13's own run_decompositions (it deep-copies a pytree spec of a deprecated
# class), which ExecuTorch's lowering calls several times; nothing this notebook could change.
warnings.filterwarnings("ignore", message=r"`isinstance\(treespec, LeafSpec\)` is deprecated", category=FutureWarning)
tf.get_logger().setLevel("WARNING")  # a script's default; in Jupyter TensorFlow's logger starts at INFO

rng = np.random.default_rng(0)
images_nhwc = rng.normal(size=(3, 8, 8, 1)).astype(np.float32)  # batch, height, width, channels
# A copy laid out as NCHW: a transposed view keeps NHWC strides, which torch.export records (with one
# channel, torch still calls such a view contiguous) and which the lowered XNNPACK program then rejects.
images_nchw = images_nhwc.transpose(0, 3, 1, 2).copy()
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
# Both runtimes are C++ libraries that write status lines to standard error (LiteRT says when it
# applies its XNNPACK delegate; ExecuTorch's CPU-detection code reports what it reads from `/sys`),
# LiteRT to the process's file descriptor 2, ExecuTorch's Python bindings through Python's
# `sys.stderr`. The helper below collects both in `runtime_log`, shown in the last cell, rather than
# letting them interleave with the cells' own output.

# %%
runtime_log = []


@contextlib.contextmanager
def native_stderr_into(lines):
    """Collect what is written to standard error, at the file-descriptor level and through sys.stderr."""
    python_stderr = io.StringIO()
    with tempfile.TemporaryFile(mode="w+") as captured, contextlib.redirect_stderr(python_stderr):
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        lines.extend(captured.read().splitlines())
    lines.extend(python_stderr.getvalue().splitlines())


# %% [markdown]
# ## Convert for mobile
#
# PyTorch: the graph printed is the lowered program's top level, where the whole network has become
# one call into the XNNPACK delegate. TensorFlow: Keras writes the `.tflite` file directly. JAX:
# `jax2tf.convert` makes the function a TensorFlow function with the batch dimension left symbolic,
# and the converter takes its concrete function.

# %% tags=["pytorch", "convert-for-mobile"]
from executorch.exir import to_edge_transform_and_lower
from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner

program = torch.export.export(model_torch, (torch.from_numpy(images_nchw),))  # NCHW, batch of 3
lowered = to_edge_transform_and_lower(program, partitioner=[XnnpackPartitioner()])
print(sorted({str(node.target) for node in lowered.exported_program().graph.nodes if node.op == "call_function"}))

pte_path = os.path.join(workdir, "model.pte")
with open(pte_path, "wb") as file:
    file.write(lowered.to_executorch().buffer)  # an ExecuTorch program: a flatbuffer
print(f".pte size: {os.path.getsize(pte_path)} bytes")

# %% tags=["tensorflow", "convert-for-mobile"]
tflite_path_keras = os.path.join(workdir, "model_keras.tflite")
model_keras.export(tflite_path_keras, format="litert", verbose=False)  # via tf.lite.TFLiteConverter
print(f".tflite size: {os.path.getsize(tflite_path_keras)} bytes")

# %% tags=["jax", "convert-for-mobile"]
as_tf = tf.function(
    jax2tf.convert(lambda x: model_jax(params_jax, x), polymorphic_shapes=["(b, 8, 8, 1)"]),
    input_signature=[tf.TensorSpec([None, 8, 8, 1], tf.float32)], autograph=False)
converter = tf.lite.TFLiteConverter.from_concrete_functions([as_tf.get_concrete_function()], as_tf)

tflite_path_jax = os.path.join(workdir, "model_jax.tflite")
with open(tflite_path_jax, "wb") as file:
    file.write(converter.convert())  # bytes of a .tflite flatbuffer
print(f".tflite size: {os.path.getsize(tflite_path_jax)} bytes")

# %% [markdown]
# ## Run on the device runtime
#
# Each file is loaded from disk by the runtime a device would use. ExecuTorch: load the program,
# load its `forward` method (which initialises the XNNPACK delegate), execute it on a list of
# tensors. LiteRT: the Keras file carries a signature (`serving_default`), so a signature runner
# takes the input by name and resizes it to the batch at hand; the file converted from JAX's
# concrete function has no signature, so the interpreter is driven by tensor index: resize the
# input, allocate the tensors, copy the input in, invoke, copy the output out. On CPU the LiteRT
# interpreter applies its XNNPACK delegate by default.

# %% tags=["pytorch", "run-on-device-runtime"]
from executorch.runtime import Runtime

runtime = Runtime.get()
with native_stderr_into(runtime_log):
    method = runtime.load_program(pte_path).load_method("forward")
    device_out_torch = method.execute([torch.from_numpy(images_nchw)])[0]
print(method.metadata)
print(device_out_torch)

# %% tags=["tensorflow", "run-on-device-runtime"]
from ai_edge_litert.interpreter import Interpreter

with native_stderr_into(runtime_log):
    interpreter = Interpreter(model_path=tflite_path_keras)
    print(interpreter.get_signature_list())
    serve = interpreter.get_signature_runner("serving_default")
    device_out_tf = serve(keras_tensor=images_nhwc)["output_0"]
print(device_out_tf)

# %% tags=["jax", "run-on-device-runtime"]
from ai_edge_litert.interpreter import Interpreter

with native_stderr_into(runtime_log):
    interpreter = Interpreter(model_path=tflite_path_jax)
    (input_detail,), (output_detail,) = interpreter.get_input_details(), interpreter.get_output_details()
    interpreter.resize_tensor_input(input_detail["index"], images_nhwc.shape)  # -1 in the file: any batch
    interpreter.allocate_tensors()
    interpreter.set_tensor(input_detail["index"], images_nhwc)
    interpreter.invoke()
    device_out_jax = interpreter.get_tensor(output_detail["index"])
print("input shape in the file:", input_detail["shape_signature"])
print(device_out_jax)

# %% [markdown]
# The checks: each model as run by its device runtime against the original, then across
# frameworks, then the two `.tflite` files on a batch of another size. The tolerance allows for the
# XNNPACK kernels summing in another order than the originals (the convolution and the mean, for
# instance), which moves the last bits of a float32 result.

# %%
for name, original, on_device in [("pytorch (ExecuTorch)", original_torch, device_out_torch),
                                  ("tensorflow (LiteRT)", original_tf, device_out_tf),
                                  ("jax (LiteRT)", original_jax, device_out_jax)]:
    assert_agree(f"{name}: device runtime vs the original", {"original": original, "device runtime": on_device},
                 rtol=1e-5, atol=1e-6)
assert_agree("device runtimes across frameworks", {
    "pytorch": device_out_torch, "tensorflow": device_out_tf, "jax": device_out_jax}, rtol=1e-5, atol=1e-6)


def run_litert(path, x):
    with native_stderr_into(runtime_log):
        interpreter = Interpreter(model_path=path)
        (input_detail,), (output_detail,) = interpreter.get_input_details(), interpreter.get_output_details()
        interpreter.resize_tensor_input(input_detail["index"], x.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(input_detail["index"], x)
        interpreter.invoke()
        return interpreter.get_tensor(output_detail["index"])


larger_batch = rng.normal(size=(5, 8, 8, 1)).astype(np.float32)
assert_agree("the .tflite files on a batch of 5 (the batch dimension was left variable)", {
    "keras": model_keras(larger_batch), "tflite from keras": run_litert(tflite_path_keras, larger_batch),
    "tflite from jax": run_litert(tflite_path_jax, larger_batch)}, rtol=1e-5, atol=1e-6)

# %% [markdown]
# The runtimes' versions, what the ExecuTorch runtime module here was built with, what the two
# runtimes logged, and what the old names still do. `tf.lite.TFLiteConverter`, the converter that Keras's export and the JAX
# route both use, gives no warning in this TensorFlow version; `tf.lite.Interpreter` still runs
# the same file but warns that it is deprecated in favour of `ai_edge_litert`, with the wording
# printed below (it still names TF 2.20 as the version that would delete it).

# %%
import importlib.metadata

for distribution in ("executorch", "ai-edge-litert", "tensorflow-cpu", "keras"):
    print(f"{distribution} {importlib.metadata.version(distribution)}")
print("ExecuTorch backends linked into this runtime:", sorted(runtime.backend_registry.registered_backend_names))

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    saved_model_dir = os.path.join(workdir, "saved_model")
    model_keras.export(saved_model_dir, verbose=False)
    converted_path = os.path.join(workdir, "model_converter.tflite")
    with open(converted_path, "wb") as file:
        file.write(tf.lite.TFLiteConverter.from_saved_model(saved_model_dir).convert())
assert not caught, [str(w.message) for w in caught]
print("tf.lite.TFLiteConverter: no warning")
assert_agree("the converter on a SavedModel vs model.export(format='litert'), batch of 5", {
    "export litert": run_litert(tflite_path_keras, larger_batch),
    "converter": run_litert(converted_path, larger_batch)}, rtol=0, atol=0)

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    tf.lite.Interpreter(model_path=tflite_path_keras)
deprecation = [str(w.message) for w in caught if "ai_edge_litert" in str(w.message)]
assert deprecation, "tf.lite.Interpreter no longer warns: update the text above"
print("tf.lite.Interpreter warns:", " ".join(deprecation[0].split()))

assert any("XNNPACK delegate" in line for line in runtime_log), runtime_log
print("Runtime log (standard error of the C++ runtimes):", *sorted(set(runtime_log)), sep="\n  ")
