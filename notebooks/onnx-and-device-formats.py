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
# # Exporting to ONNX and on-device formats
#
# The files a small model (4 → 8 → 2, tanh, the same weights in each framework) can be exported to
# for a runtime other than the framework that wrote it, each one run by that runtime and checked
# against the original:
#
# - An ONNX file from each framework, run in ONNX Runtime: `torch.onnx.export`, `tf2onnx` and
#   `jax2onnx`.
# - The on-device formats: an ExecuTorch `.pte` program and two LiteRT `.tflite` files, run by
#   their runtimes (the notebook *Mobile and edge conversion* explains those steps).
#
# A last section measures every file written, in bytes. Checkpoints of the weights and each
# framework's own exported graph (a `torch.export` program, a SavedModel, a `jax.export` module)
# are written from the same model, with the same weights, in the notebook *Saving weights and
# exporting graphs*.
#
# Not equivalent by default: the weight layouts (`torch.nn.Linear` stores `(out, in)`, Keras
# `Dense` and the JAX dictionary here `(in, out)`) and which input shapes an exported file accepts
# (Keras exports a variable batch dimension on its own; `torch.export`, which `torch.onnx.export`
# uses here, and `jax2onnx` fix every dimension unless one is declared dynamic or symbolic, as done
# here).

# %%
import contextlib
import importlib.metadata
import io
import logging
import os
import tempfile
import warnings

import torch
import tensorflow as tf
import keras
import jax.numpy as jnp

from helpers.agreement import assert_agree
from helpers.saved_files import initial, inputs, other_inputs, print_size_table, print_sizes, size_on_disk

# executorch imports torchao, which logs that it cannot load its CUDA-only extension libraries on a
# CPU build of torch, and torch's pytree module then logs a deprecation about one of torchao's
# registrations; torch's ONNX exporter logs that optional torchvision operators are skipped. Set
# after `import torch`, which configures the levels of its own loggers.
for noisy in ("torchao", "torch.utils._pytree", "torch.onnx"):
    logging.getLogger(noisy).setLevel(logging.ERROR)
# Raised inside torch 2.13's own run_decompositions (it deep-copies a pytree spec of a deprecated
# class), which torch.onnx.export and ExecuTorch's lowering call; nothing this notebook could change.
warnings.filterwarnings("ignore", message=r"`isinstance\(treespec, LeafSpec\)` is deprecated", category=FutureWarning)
tf.get_logger().setLevel("WARNING")  # a script's default; in Jupyter TensorFlow's logger starts at INFO
# The inputs (batches of 3 and 5) and the weights come from one seeded NumPy generator in
# notebooks/helpers/saved_files.py, which the notebook on saving weights and exporting graphs uses too.
temporary = tempfile.TemporaryDirectory(prefix="rosetta-onnx-")  # deleted when the kernel exits
workdir = temporary.name


def build_torch():
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))


def build_keras():
    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(2)])


def mlp_jax(params, x):
    return jnp.tanh(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]


model_torch = build_torch().eval()
with torch.no_grad():  # the NumPy weights, transposed to PyTorch's (out, in)
    for parameter, name in zip(model_torch.parameters(), ["w1", "b1", "w2", "b2"], strict=True):
        parameter.copy_(torch.from_numpy(initial[name].T.copy() if name.startswith("w") else initial[name]))
    out_torch = model_torch(torch.from_numpy(inputs))
    direct_torch = model_torch(torch.from_numpy(other_inputs))
model_keras = build_keras()
model_keras.set_weights([initial["w1"], initial["b1"], initial["w2"], initial["b2"]])
out_tf = model_keras(inputs)
params_jax = {name: jnp.asarray(value) for name, value in initial.items()}
out_jax = mlp_jax(params_jax, inputs)
assert_agree("outputs before exporting", {"pytorch": out_torch, "tensorflow": out_tf, "jax": out_jax},
             rtol=1e-6, atol=1e-6)

# %% [markdown]
# ## Export to ONNX
#
# ONNX is the exchange format that most other runtimes read; each file below is run in ONNX Runtime
# (`onnxruntime.InferenceSession`) on the batch of 5, with the batch dimension declared variable.
#
# - PyTorch: `torch.onnx.export` is part of torch; in 2.13 it captures the model through
#   `torch.export` by default (`dynamo=True` has been the default since 2.9) and needs the `onnx`
#   and `onnxscript` packages. Unless `external_data=False` is passed it writes a `.data` file next
#   to the `.onnx` file for the weights, but only tensors larger than 256 bytes go there (the
#   default threshold of `onnx_ir.save`, which the exporter calls): this model's weights are all
#   smaller than that, so its `.data` file stays empty (checked below).
# - TensorFlow has no ONNX exporter of its own. The third-party
#   [`tf2onnx`](https://github.com/onnx/tensorflow-onnx) converts a `tf.function` with
#   `tf2onnx.convert.from_function`, given an input signature; Keras 3's own
#   `model.export(format="onnx")` calls that same function on the TensorFlow backend (after patching
#   `tf2onnx` for NumPy 2). Its `from_keras` entry point fails on Keras 3 models with a `KeyError`
#   on the output name ([tensorflow-onnx issue 2448](https://github.com/onnx/tensorflow-onnx/issues/2448),
#   open); the last cell of this section checks that it still does.
# - JAX has no ONNX exporter of its own either. The third-party
#   [`jax2onnx`](https://github.com/enpasos/jax2onnx) traces a function to a jaxpr and maps each
#   primitive to ONNX operators; a string in an input shape (`"b"`) names a symbolic dimension.

# %%
import onnx
import onnxruntime
import tf2onnx
import jax2onnx

# %% tags=["pytorch", "export-to-onnx"]
path = os.path.join(workdir, "model.onnx")
torch.onnx.export(model_torch, (torch.from_numpy(inputs),), path,  # through torch.export
                  input_names=["x"], output_names=["y"],
                  dynamic_shapes=({0: torch.export.Dim("batch")},), verbose=False)

session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
onnx_out_torch = session.run(None, {"x": other_inputs})[0]
print("inputs:", [(i.name, i.shape) for i in session.get_inputs()])
print("operators:", [node.op_type for node in onnx.load(path).graph.node])

# %% tags=["tensorflow", "export-to-onnx"]
path = os.path.join(workdir, "model_tf.onnx")
signature = [tf.TensorSpec([None, 4], tf.float32, name="x")]  # None: any batch size
serve = tf.function(lambda x: model_keras(x), input_signature=signature)
tf2onnx.convert.from_function(serve, input_signature=signature, output_path=path)

session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
onnx_out_tf = session.run(None, {"x": other_inputs})[0]
print("inputs:", [(i.name, i.shape) for i in session.get_inputs()])
print("operators:", [node.op_type for node in onnx.load(path).graph.node])

# %% tags=["jax", "export-to-onnx"]
path = os.path.join(workdir, "model_jax.onnx")
jax2onnx.to_onnx(lambda x: mlp_jax(params_jax, x), [("b", 4)],  # b: any batch size
                 input_names=["x"], output_names=["y"], return_mode="file", output_path=path)

session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
onnx_out_jax = session.run(None, {"x": other_inputs})[0]
print("inputs:", [(i.name, i.shape) for i in session.get_inputs()])
print("operators:", [node.op_type for node in onnx.load(path).graph.node])

# %% [markdown]
# The checks: `onnx.checker.check_model` validates each file, the opsets each exporter chose are
# printed, and each ONNX Runtime result is compared with its framework and across frameworks.
# Then Keras's own ONNX export, and `tf2onnx.convert.from_keras`.

# %%
print({name: importlib.metadata.version(name) for name in ("onnx", "onnxscript", "onnxruntime", "tf2onnx", "jax2onnx")})
for name in ("model.onnx", "model_tf.onnx", "model_jax.onnx"):
    onnx_model = onnx.load(os.path.join(workdir, name))  # also reads the weights from a .data file beside it
    onnx.checker.check_model(onnx_model)  # raises if the graph is not valid ONNX
    print(f"{name}: valid; opsets", [(opset.domain or "ai.onnx", opset.version) for opset in onnx_model.opset_import])
largest_weight = max(value.nbytes for value in initial.values())
external_data = size_on_disk(os.path.join(workdir, "model.onnx.data"))
assert largest_weight <= 256 and external_data == 0, "update the text about the .data file"
print(f"largest weight: {largest_weight} bytes; model.onnx.data: {external_data} bytes")
for name, original, onnx_out in [("pytorch", direct_torch, onnx_out_torch),
                                 ("tensorflow", model_keras(other_inputs), onnx_out_tf),
                                 ("jax", mlp_jax(params_jax, other_inputs), onnx_out_jax)]:
    assert_agree(f"{name}: ONNX Runtime vs the model, batch of 5", {"model": original, "onnxruntime": onnx_out},
                 rtol=1e-5, atol=1e-6)
assert_agree("ONNX Runtime across frameworks", {
    "pytorch": onnx_out_torch, "tensorflow": onnx_out_tf, "jax": onnx_out_jax}, rtol=1e-5, atol=1e-6)

keras_onnx_path = os.path.join(workdir, "model_keras_export.onnx")
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="In the future `np.object`", category=FutureWarning)  # Keras's patch
    model_keras.export(keras_onnx_path, format="onnx", verbose=False)
keras_session = onnxruntime.InferenceSession(keras_onnx_path, providers=["CPUExecutionProvider"])
assert_agree("model.export(format='onnx') vs tf2onnx.convert.from_function, batch of 5", {
    "from_function": onnx_out_tf,
    "keras export": keras_session.run(None, {keras_session.get_inputs()[0].name: other_inputs})[0]}, rtol=0, atol=0)

try:
    tf2onnx.convert.from_keras(model_keras, input_signature=signature)
    raise AssertionError("tf2onnx.convert.from_keras now works on a Keras 3 model: update the text above")
except KeyError as error:
    print(f"tf2onnx.convert.from_keras on a Keras 3 model: KeyError {error}")

# %% [markdown]
# ## On-device formats
#
# The same model for phones and boards, each file run by its runtime on this CPU: an ExecuTorch
# program lowered to the XNNPACK backend and executed by `executorch.runtime`, the Keras model
# exported as LiteRT, and the JAX function converted through `jax2tf`, both run by the LiteRT
# interpreter from `ai_edge_litert`. The `.pte` program keeps the batch of 3 it was exported with;
# the `.tflite` files accept the batch of 5. The runtimes' status lines on standard error are kept
# out of the output (the other notebook shows them).

# %%
from executorch.exir import to_edge_transform_and_lower
from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
from executorch.runtime import Runtime
from ai_edge_litert.interpreter import Interpreter
from jax.experimental import jax2tf


@contextlib.contextmanager
def native_stderr_discarded():
    """Drop what is written to standard error, at the file-descriptor level and through sys.stderr."""
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def run_litert(path, x):
    with native_stderr_discarded():
        interpreter = Interpreter(model_path=path)
        (input_detail,), (output_detail,) = interpreter.get_input_details(), interpreter.get_output_details()
        interpreter.resize_tensor_input(input_detail["index"], x.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(input_detail["index"], x)
        interpreter.invoke()
        return interpreter.get_tensor(output_detail["index"])


lowered = to_edge_transform_and_lower(torch.export.export(model_torch, (torch.from_numpy(inputs),)),
                                      partitioner=[XnnpackPartitioner()])
with open(os.path.join(workdir, "model.pte"), "wb") as file:
    file.write(lowered.to_executorch().buffer)
with native_stderr_discarded():
    method = Runtime.get().load_program(os.path.join(workdir, "model.pte")).load_method("forward")
    pte_out = method.execute([torch.from_numpy(inputs)])[0]
assert_agree("pytorch: ExecuTorch runtime vs the model, batch of 3", {"model": out_torch, "executorch": pte_out},
             rtol=1e-5, atol=1e-6)

model_keras.export(os.path.join(workdir, "model_keras.tflite"), format="litert", verbose=False)
as_tf = tf.function(jax2tf.convert(lambda x: mlp_jax(params_jax, x), polymorphic_shapes=["(b, 4)"]),
                    input_signature=[tf.TensorSpec([None, 4], tf.float32)], autograph=False)
with open(os.path.join(workdir, "model_jax.tflite"), "wb") as file:
    file.write(tf.lite.TFLiteConverter.from_concrete_functions([as_tf.get_concrete_function()], as_tf).convert())
for name, original, tflite_name in [("tensorflow", model_keras(other_inputs), "model_keras.tflite"),
                                    ("jax", mlp_jax(params_jax, other_inputs), "model_jax.tflite")]:
    assert_agree(f"{name}: LiteRT interpreter vs the model, batch of 5", {
        "model": original, "litert": run_litert(os.path.join(workdir, tflite_name), other_inputs)},
        rtol=1e-5, atol=1e-6)

# %% [markdown]
# ## Artefact sizes
#
# What each file above takes on disk, measured here. The weights themselves take less than a
# kilobyte (the last row of the table below gives the exact figure); everything else in a file is
# format: headers, names, the graph, metadata. These numbers show that overhead, not how the
# formats compare on a real model, where the weights dominate every one of them.

# %% tags=["pytorch", "artefact-sizes", "measured"]
artefacts_torch = {
    "ONNX graph (.onnx)": "model.onnx",
    "ONNX weights (.onnx.data)": "model.onnx.data",
    "ExecuTorch program (.pte)": "model.pte",
}
print_sizes(artefacts_torch, workdir)

# %% tags=["tensorflow", "artefact-sizes", "measured"]
artefacts_tf = {
    "ONNX via tf2onnx (.onnx)": "model_tf.onnx",
    "ONNX via model.export (.onnx)": "model_keras_export.onnx",
    "LiteRT (.tflite)": "model_keras.tflite",
}
print_sizes(artefacts_tf, workdir)

# %% tags=["jax", "artefact-sizes", "measured"]
artefacts_jax = {
    "ONNX via jax2onnx (.onnx)": "model_jax.onnx",
    "LiteRT via jax2tf (.tflite)": "model_jax.tflite",
}
print_sizes(artefacts_jax, workdir)

# %% [markdown]
# All of them in one table, with the number of files each takes. Every file written to the working
# directory appears in it (the check below fails otherwise).

# %% tags=["measured"]
parameter_bytes = sum(value.nbytes for value in initial.values())
assert parameter_bytes < 1024, "the text above says the weights take less than a kilobyte"
print_size_table({"pytorch": artefacts_torch, "tensorflow": artefacts_tf, "jax": artefacts_jax}, workdir,
                 parameter_bytes)
