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
# # Saving weights and exporting graphs
#
# Every file a small model (4 → 8 → 2, tanh, the same weights in each framework) can be saved to
# and read back by the framework that wrote it, each one checked against the original:
#
# - A checkpoint of the weights, loaded into a model built by the same code: a PyTorch
#   `state_dict`, a Keras `.keras` file (which also stores the architecture) or `.weights.h5` file,
#   and an Orbax checkpoint of the JAX parameter dictionary.
# - An exported graph that runs without the Python code that defined the model: a `torch.export`
#   program saved as `.pt2`, a TensorFlow SavedModel written by Keras's `model.export`, and a
#   serialized `jax.export` StableHLO module.
#
# A last section measures every file and directory written, in bytes. The files that other
# runtimes read (ONNX files, an ExecuTorch `.pte` program, LiteRT `.tflite` files) are written from
# the same model, with the same weights, in the notebook *Exporting to ONNX and on-device formats*.
#
# Not equivalent by default: what a file holds (a `state_dict`, a `.weights.h5` file or an Orbax
# checkpoint holds only arrays, so the model's code must exist to load it; a `.keras` file holds
# the architecture as a config that Keras rebuilds; the exported graphs hold the computation
# itself), the weight layouts inside them (`torch.nn.Linear` stores `(out, in)`, Keras `Dense` and
# the JAX dictionary here `(in, out)`) and which input shapes an exported graph accepts (Keras
# exports a variable batch dimension on its own; `torch.export` and `jax.export` fix every
# dimension unless one is declared dynamic or symbolic, as done here).

# %%
import os
import tempfile

import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp
from jax import export

from helpers.agreement import assert_agree
from helpers.saved_files import initial, inputs, other_inputs, print_size_table, print_sizes

tf.get_logger().setLevel("WARNING")  # a script's default; in Jupyter TensorFlow's logger starts at INFO
# The inputs (batches of 3 and 5) and the weights come from one seeded NumPy generator in
# notebooks/helpers/saved_files.py, which the notebook on ONNX and on-device formats uses too.
temporary = tempfile.TemporaryDirectory(prefix="rosetta-saving-")  # deleted when the kernel exits
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
assert_agree("outputs before saving", {"pytorch": out_torch, "tensorflow": out_tf, "jax": out_jax},
             rtol=1e-6, atol=1e-6)

# %% [markdown]
# ## Save and reload weights
#
# `torch.load` reads only tensors and plain containers by default (`weights_only=True`), so a
# checkpoint cannot run code when it is loaded. A `.keras` file is a zip archive of the model's
# config and weights; `model.save_weights` writes the weights alone, to a `.weights.h5` file that
# `load_weights` reads into a model built by the same code. JAX's parameters are a pytree (here a
# dictionary of arrays), which Orbax, the checkpoint library of the JAX ecosystem, saves as a
# directory: `StandardCheckpointer` writes in a background thread (hence `wait_until_finished`)
# and restores into a tree of `jax.ShapeDtypeStruct`s that says which shapes and dtypes to expect
# ([Orbax guide](https://orbax.readthedocs.io/en/latest/guides/checkpoint/orbax_checkpoint_101.html)).
# Orbax documents a newer API as well (`ocp.v1.save_pytree`, `load_pytree`); in the release
# installed here it is still the experimental module, as the check below prints.

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

weights_path = os.path.join(workdir, "model.weights.h5")
model_keras.save_weights(weights_path)  # the weights alone
rebuilt_keras = build_keras()  # like a state_dict, this needs the model's code
rebuilt_keras.load_weights(weights_path)
reloaded_weights_out_tf = rebuilt_keras(inputs)
print({w.path: tuple(w.shape) for w in reloaded_keras.weights})

# %% tags=["jax", "save-and-reload-weights"]
import orbax.checkpoint as ocp

path = os.path.join(workdir, "orbax_checkpoint")  # a directory
checkpointer = ocp.StandardCheckpointer()
checkpointer.save(path, params_jax)
checkpointer.wait_until_finished()  # saving runs in the background

abstract_params = jax.tree.map(ocp.utils.to_shape_dtype_struct, params_jax)  # shapes and dtypes only
reloaded_params = checkpointer.restore(path, abstract_params)
reloaded_out_jax = mlp_jax(reloaded_params, inputs)
print({name: value.shape for name, value in reloaded_params.items()})

# %%
for name, original, reloaded in [("pytorch", out_torch, reloaded_out_torch),
                                 ("tensorflow (.keras)", out_tf, reloaded_out_tf),
                                 ("tensorflow (.weights.h5)", out_tf, reloaded_weights_out_tf),
                                 ("jax (Orbax)", out_jax, reloaded_out_jax)]:
    assert_agree(f"{name}: outputs after the weights' round trip", {"original": original, "reloaded": reloaded},
                 rtol=0, atol=0)

import importlib.metadata

assert ocp.v1.__name__ == "orbax.checkpoint.experimental.v1", "update the text about Orbax's v1 API"
print(f"orbax-checkpoint {importlib.metadata.version('orbax-checkpoint')}: ocp.v1 is {ocp.v1.__name__}")
print("Orbax checkpoint directory:", sorted(os.listdir(os.path.join(workdir, "orbax_checkpoint"))))

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
for name, original, exported_out in [("pytorch", direct_torch, exported_out_torch),
                                     ("tensorflow", model_keras(other_inputs), exported_out_tf),
                                     ("jax", mlp_jax(params_jax, other_inputs), exported_out_jax)]:
    assert_agree(f"{name}: reloaded exported graph vs the model, batch of 5", {"model": original, "exported": exported_out},
                 rtol=1e-6, atol=1e-6)
assert_agree("reloaded exported graphs across frameworks", {
    "pytorch": exported_out_torch, "tensorflow": exported_out_tf, "jax": exported_out_jax}, rtol=1e-5, atol=1e-6)

# %% [markdown]
# ## Artefact sizes
#
# What each file above takes on disk, measured here (directories are summed over every file in
# them). The weights themselves take less than a kilobyte (the last row of the table below gives
# the exact figure); everything else in a file is format: headers, names, the graph, metadata.
# These numbers show that overhead, not how the formats compare on a real model, where the weights
# dominate every one of them.

# %% tags=["pytorch", "artefact-sizes", "measured"]
artefacts_torch = {
    "state_dict (.pt)": "model.pt",
    "torch.export program (.pt2)": "model.pt2",
}
print_sizes(artefacts_torch, workdir)

# %% tags=["tensorflow", "artefact-sizes", "measured"]
artefacts_tf = {
    "Keras model (.keras)": "model.keras",
    "Keras weights (.weights.h5)": "model.weights.h5",
    "SavedModel (directory)": "saved_model",
}
print_sizes(artefacts_tf, workdir)

# %% tags=["jax", "artefact-sizes", "measured"]
artefacts_jax = {
    "Orbax checkpoint (directory)": "orbax_checkpoint",
    "jax.export (serialized)": "model.jax_export",
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
