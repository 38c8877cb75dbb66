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
# # Saving, loading and export
#
# Two kinds of file for one small model (4 → 8 → 2, tanh) with the same weights in each framework.
# A checkpoint of the weights, read back into a model built by the same code: a PyTorch
# `state_dict`, a Keras `.keras` file (which also stores the architecture) and, for JAX, whose
# parameters are a plain dictionary of arrays, a NumPy `.npz` file. And an exported graph that runs
# without the Python code that defined the model: a `torch.export` program saved as `.pt2`, a
# TensorFlow SavedModel written by Keras's `model.export`, and a serialized `jax.export` StableHLO
# module. Every round trip is checked: the reloaded model must give the original's outputs. Last,
# the PyTorch model goes to ONNX and runs in ONNX Runtime; TensorFlow's and JAX's ONNX converters
# are third-party packages that are not installed here.
#
# Not equivalent by default: what a file holds (a `state_dict` or an `.npz` file holds only arrays,
# so the model's code must exist to load it; a `.keras` file holds the architecture as a config
# that Keras rebuilds; the exported graphs hold the computation itself), the weight layouts inside
# them (`torch.nn.Linear` stores `(out, in)`, Keras `Dense` and the JAX dictionary here `(in, out)`)
# and which input shapes an exported graph accepts (Keras exports a variable batch dimension on its
# own; `torch.export` and `jax.export` fix every dimension unless one is declared dynamic or
# symbolic, as done here).
#
# Usual JAX checkpointing libraries, Orbax and `flax.serialization`, are not installed here.

# %%
import os
import tempfile

import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp
from jax import export

from helpers.agreement import assert_agree

tf.get_logger().setLevel("WARNING")  # a script's default; in Jupyter TensorFlow's logger starts at INFO
rng = np.random.default_rng(0)
inputs = rng.normal(size=(3, 4)).astype(np.float32)
other_inputs = rng.normal(size=(5, 4)).astype(np.float32)  # another batch size, for the exported graphs
initial = {
    "w1": (rng.normal(size=(4, 8)) * 0.5).astype(np.float32), "b1": (rng.normal(size=8) * 0.1).astype(np.float32),
    "w2": (rng.normal(size=(8, 2)) * 0.5).astype(np.float32), "b2": (rng.normal(size=2) * 0.1).astype(np.float32),
}
temporary = tempfile.TemporaryDirectory(prefix="rosetta-saving-")  # deleted when the kernel exits
workdir = temporary.name


def build_torch():
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))


def mlp_jax(params, x):
    return jnp.tanh(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]


model_torch = build_torch()
with torch.no_grad():  # the NumPy weights, transposed to PyTorch's (out, in)
    for parameter, name in zip(model_torch.parameters(), ["w1", "b1", "w2", "b2"], strict=True):
        parameter.copy_(torch.from_numpy(initial[name].T.copy() if name.startswith("w") else initial[name]))
    out_torch = model_torch(torch.from_numpy(inputs))
model_keras = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(2)])
model_keras.set_weights([initial["w1"], initial["b1"], initial["w2"], initial["b2"]])
out_tf = model_keras(inputs)
params_jax = {name: jnp.asarray(value) for name, value in initial.items()}
out_jax = mlp_jax(params_jax, inputs)
assert_agree("outputs before saving", {"pytorch": out_torch, "tensorflow": out_tf, "jax": out_jax},
             rtol=1e-6, atol=1e-6)

# %% [markdown]
# ## Save and reload weights
#
# `torch.load` reads only tensors and plain containers by default (`weights_only=True`), so a
# checkpoint cannot run code when it is loaded. A `.keras` file is a zip archive of the model's
# config and weights (`model.save_weights` writes the weights alone, to a `.weights.h5` file).
# In JAX the dictionary of parameters goes into an `.npz` archive, one array per key.

# %% tags=["pytorch", "save-and-reload-weights"]
path = os.path.join(workdir, "model.pt")
torch.save(model_torch.state_dict(), path)

reloaded_torch = build_torch()  # the code that defines the model is still needed
reloaded_torch.load_state_dict(torch.load(path, weights_only=True))
with torch.no_grad():
    reloaded_out_torch = reloaded_torch(torch.from_numpy(inputs))
print({name: tuple(t.shape) for name, t in torch.load(path, weights_only=True).items()})

# %% tags=["tensorflow", "save-and-reload-weights"]
path = os.path.join(workdir, "model.keras")
model_keras.save(path)  # architecture and weights (and optimizer state, once compiled)

reloaded_keras = keras.models.load_model(path)  # rebuilt from the stored config
reloaded_out_tf = reloaded_keras(inputs)
print({w.path: tuple(w.shape) for w in reloaded_keras.weights})

# %% tags=["jax", "save-and-reload-weights"]
path = os.path.join(workdir, "params.npz")
np.savez(path, **params_jax)  # one array per key of the parameter dictionary

with np.load(path) as stored:
    reloaded_params = {name: jnp.asarray(stored[name]) for name in stored.files}
reloaded_out_jax = mlp_jax(reloaded_params, inputs)
print({name: value.shape for name, value in reloaded_params.items()})

# %%
for name, original, reloaded in [("pytorch", out_torch, reloaded_out_torch),
                                 ("tensorflow", out_tf, reloaded_out_tf),
                                 ("jax", out_jax, reloaded_out_jax)]:
    assert_agree(f"{name}: outputs after the weights' round trip", {"original": original, "reloaded": reloaded},
                 rtol=0, atol=0)

# %% [markdown]
# ## Export a graph
#
# An exported graph is called without the model's Python code. `torch.export.export` traces the
# model to an `ExportedProgram` of ATen operations with the weights inside; `torch.export.save`
# writes it to a `.pt2` archive. `model.export` writes a TensorFlow SavedModel with a `serve`
# endpoint, which `tf.saved_model.load` restores, with no Keras involved. `jax.export` lowers a
# jitted function to a StableHLO module; the weights are closed over here, so they are stored in
# it as constants (passing them as arguments would keep them out). Each graph is declared with a
# variable batch dimension and called on a batch of another size than the one it was traced with.

# %% tags=["pytorch", "export-a-graph"]
path = os.path.join(workdir, "model.pt2")
batch = torch.export.Dim("batch")
program = torch.export.export(model_torch, (torch.from_numpy(inputs),), dynamic_shapes=({0: batch},))
torch.export.save(program, path)

loaded_program = torch.export.load(path)
exported_out_torch = loaded_program.module()(torch.from_numpy(other_inputs))
print(loaded_program.graph_module.code.strip())

# %% tags=["tensorflow", "export-a-graph"]
path = os.path.join(workdir, "saved_model")
model_keras.export(path, format="tf_saved_model", verbose=False)  # the batch dimension stays None

loaded_saved_model = tf.saved_model.load(path)
exported_out_tf = loaded_saved_model.serve(other_inputs)
print(loaded_saved_model.serve.concrete_functions[0].structured_input_signature)

# %% tags=["jax", "export-a-graph"]
path = os.path.join(workdir, "model.jax_export")
batch_shape = export.symbolic_shape("b, 4")  # b: any batch size
exported = export.export(jax.jit(lambda x: mlp_jax(params_jax, x)))(
    jax.ShapeDtypeStruct(batch_shape, jnp.float32))
with open(path, "wb") as file:
    file.write(exported.serialize())

with open(path, "rb") as file:
    restored = export.deserialize(bytearray(file.read()))
exported_out_jax = restored.call(other_inputs)
print("inputs:", restored.in_avals, "outputs:", restored.out_avals, "platforms:", restored.platforms)

# %%
with torch.no_grad():
    direct_torch = model_torch(torch.from_numpy(other_inputs))
for name, original, exported_out in [("pytorch", direct_torch, exported_out_torch),
                                     ("tensorflow", model_keras(other_inputs), exported_out_tf),
                                     ("jax", mlp_jax(params_jax, other_inputs), exported_out_jax)]:
    assert_agree(f"{name}: reloaded exported graph vs the model, batch of 5", {"model": original, "exported": exported_out},
                 rtol=1e-6, atol=1e-6)
assert_agree("reloaded exported graphs across frameworks", {
    "pytorch": exported_out_torch, "tensorflow": exported_out_tf, "jax": exported_out_jax}, rtol=1e-5, atol=1e-6)

# %% [markdown]
# ## ONNX
#
# ONNX is the exchange format that most other runtimes read. `torch.onnx.export` is part of torch;
# in 2.13 it captures the model through `torch.export` by default (`dynamo=True` has been the
# default since 2.9) and needs the `onnx` and `onnxscript` packages, which this site installs along
# with ONNX Runtime (`onnxruntime`) to run the file. The model is switched to evaluation mode
# first (the exporter warns about a model left in training mode), the batch dimension is declared
# dynamic as above, `onnx.checker.check_model` validates the file, and an ONNX Runtime
# `InferenceSession` runs it on the batch of 5. The exporter writes the weights to a separate
# `.data` file next to the `.onnx` file unless `external_data=False` is passed.
#
# TensorFlow and JAX have no ONNX exporter of their own. Keras 3's `model.export(format="onnx")`
# calls the third-party `tf2onnx` on the TensorFlow backend and `jax2onnx` on the JAX backend, and a
# JAX function converts with `jax2onnx` directly; neither package is installed here (the last cell
# checks this), so this section shows an ONNX file from PyTorch only and is not a snippet.

# %%
import importlib.metadata
import importlib.util
import logging
import warnings

import onnx
import onnxruntime

# Keep torch's exporter quiet: it logs that optional torchvision operators are skipped, and its own
# code trips a deprecation warning of torch's pytree module in 2.13.
logging.getLogger("torch.onnx").setLevel(logging.ERROR)
warnings.filterwarnings("ignore", message=r"`isinstance\(treespec, LeafSpec\)` is deprecated", category=FutureWarning)

path = os.path.join(workdir, "model.onnx")
model_torch.eval()  # export the inference behaviour
onnx_program = torch.onnx.export(model_torch, (torch.from_numpy(inputs),), path,
                                 input_names=["x"], output_names=["y"],
                                 dynamic_shapes=({0: torch.export.Dim("batch")},),
                                 verbose=False)  # no progress lines
onnx_model = onnx.load(path)  # also reads the weights from the .data file beside it
onnx.checker.check_model(onnx_model)  # raises if the graph is not valid ONNX

session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
onnx_out = session.run(None, {"x": other_inputs})[0]
print("files:", sorted(os.path.basename(name) for name in os.listdir(workdir) if name.startswith("model.onnx")))
print("opset:", [(opset.domain or "ai.onnx", opset.version) for opset in onnx_model.opset_import])
print("operators:", [node.op_type for node in onnx_model.graph.node])
print("inputs:", [(i.name, i.shape, i.type) for i in session.get_inputs()])
assert_agree("pytorch: ONNX Runtime vs the model, batch of 5", {"model": direct_torch, "onnxruntime": onnx_out},
             rtol=1e-5, atol=1e-6)

# %%
for package in ("onnx", "onnxscript", "onnxruntime"):
    print(f"{package} {importlib.metadata.version(package)}: installed")
for package in ("tf2onnx", "jax2onnx"):
    print(f"{package}: installed" if importlib.util.find_spec(package) else f"{package}: not installed")
