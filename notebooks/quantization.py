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
# # Quantizing one trained model in each framework
#
# One small classifier, a multilayer perceptron (64 inputs → 512 ReLU units → 10 classes), is
# trained identically in the three frameworks from the same initial weights on the same seeded
# synthetic data. Each framework's current post-training route then stores its weights as 8-bit
# integers. The notebook measures the saved size before and after, the largest change in the
# outputs (logits), and the test accuracy before and after. At the end it puts every number in one
# table and one chart.
#
# The routes:
#
# - **PyTorch**: torchao's `quantize_` with `Int8WeightOnlyConfig` (int8 weights) and
#   `Int8DynamicActivationInt8WeightConfig` (int8 weights, with the activations also rounded to
#   int8 as the model runs). The
#   [torchao API reference](https://docs.pytorch.org/ao/main/api_reference/api_ref_quantization.html)
#   lists both as its int8 configurations. Both run on this CPU.
# - **TensorFlow / Keras**: Keras 3's `model.quantize("int8")`. Its
#   [quantization overview](https://keras.io/guides/quantization_overview) and
#   [int8 guide](https://keras.io/guides/int8_quantization_in_keras) describe it as post-training
#   quantization of weights and activations. For on-device use, the model goes to LiteRT (formerly
#   TensorFlow Lite). LiteRT's
#   [migration guide](https://developers.google.com/edge/litert/quantization/tflq_to_litertq_migration)
#   separates conversion from quantization: first convert to a float `.tflite` file, then quantize
#   that file with the LiteRT Quantizer (`litert-quantizer`, formerly AI Edge Quantizer). The
#   [post-training quantization page](https://developers.google.com/edge/litert/conversion/tensorflow/quantization/post_training_quantization)
#   marks quantizing inside `tf.lite.TFLiteConverter` as deprecated. That older route still works in
#   TensorFlow 2.21: the notebook *What int8 quantization stores: weight grids and activation
#   ranges* runs it, with the LiteRT Quantizer's full-integer recipe, beside the route used here.
# - **JAX**: neither JAX 0.10.2 nor Flax 0.12.8 has an int8 post-training quantization API of its
#   own. Google publishes two JAX libraries for it: [AQT](https://github.com/google/aqt) (`aqtp`
#   on PyPI) and [Qwix](https://qwix.readthedocs.io/) (`qwix`). Qwix's documentation says its
#   design drew on AQT, that it covers post-training quantization on XLA devices (CPU included),
#   and that one function call applies it to a Flax Linen or NNX model. This notebook uses Qwix's
#   `PtqProvider`, as its [PTQ guide](https://github.com/google/qwix/blob/main/docs/source/ptq.md)
#   shows. Two other routes are not run here: Keras 3 `model.quantize` on the JAX backend (this
#   process's Keras runs on TensorFlow), and converting a JAX function with `jax2tf` followed by
#   the LiteRT Quantizer.
#
# Not equivalent by default, and therefore shown here:
#
# - What is quantized: weights only, or weights and activations.
# - How the integer range is chosen. torchao, Keras and Qwix all use one scale per output channel,
#   but torchao and Qwix place the largest weight at ±127.5 steps and Keras places it at ±127 (the
#   notebook *What int8 quantization stores: weight grids and activation ranges* reads the stored
#   integers).
# - How each framework saves a model. The sizes compare float with int8 within one file format,
#   not across formats.
#
# Going from float32 to int8 makes the weights four times smaller, and LiteRT's post-training
# quantization page lists "4x smaller" for its integer methods. A saved file shrinks less than
# that, because biases, scales and the format's own overhead stay. Speed is not measured here:
# int8 speed-ups depend on kernels and hardware that this small CPU run does not represent.

# %%
import copy
import importlib.metadata
import io
import logging
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import flax
from flax import nnx
from IPython.display import SVG, display

from helpers.agreement import assert_agree, to_numpy
from helpers.int8_routes import (make_data, print_table, recorder, run_tflite, runtime_log, svg_size_chart,
                                 train_jax, train_keras, train_torch)


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


# torchao's import logs warnings through Python's logging. They are collected here and
# summarised below, not printed as they happen.
import_log = Collect()
for name in ("torchao", "torch.utils._pytree"):
    logging.getLogger(name).addHandler(import_log)
    logging.getLogger(name).propagate = False
import torchao
from torchao.quantization import quantize_, Int8WeightOnlyConfig, Int8DynamicActivationInt8WeightConfig
import qwix
from litert_quantizer import quantizer, recipe

tf.get_logger().setLevel("WARNING")  # a script's default; in Jupyter TensorFlow's logger starts at INFO
# Keras's Model.quantize visits every layer, including the InputLayer that Sequential adds, and
# warns that the InputLayer has no quantize method. That layer has no weights.
warnings.filterwarnings("ignore", message="Layer InputLayer does not have a `quantize` method", category=UserWarning)

for distribution in ("torch", "torchao", "tensorflow-cpu", "keras", "ai-edge-litert", "litert-quantizer",
                     "jax", "flax", "qwix"):
    print(f"{distribution:<17} {importlib.metadata.version(distribution)}")
package_dir = str(Path(torchao.__file__).parent)
print(f"\ntorchao's import logged {len(import_log.records)} warning(s):")
for record in import_log.records:  # the two .so files link to PyTorch's CUDA libraries, absent from a CPU build
    print(" ", record.name, "-", record.getMessage().replace(package_dir, "torchao").split(". ")[0])

# %% [markdown]
# ## The data and the initial weights
#
# The data are ten Gaussian clusters in 64 dimensions, with noise large enough that a test accuracy
# near 80 % leaves room for quantization to change some predictions. The initial weights come from
# NumPy and are copied into each framework. PyTorch stores a linear layer's weight as
# `(out, in)`, while Keras and Flax store it as `(in, out)`. NumPy draws both in
# `notebooks/helpers/int8_routes.py`, which the notebook *What int8 quantization stores: weight
# grids and activation ranges* uses too, so both notebooks quantize the same trained model.

# %%
x_train, y_train, x_test, y_test, initial = make_data()
workdir = tempfile.TemporaryDirectory(prefix="rosetta-quantization-")  # deleted when the kernel exits
print(f"train {x_train.shape}, test {x_test.shape}, {sum(v.size for v in initial.values())} parameters")

# %% [markdown]
# ## Train the same model three times
#
# Each framework runs 100 full-batch gradient-descent steps with learning rate 0.1 on the mean
# cross-entropy. PyTorch uses a hand-written loop, Keras uses `fit` with one batch per epoch and no
# shuffling, and Flax NNX uses an Optax optimizer in a jitted step. The three trained models should
# then give the same float outputs, up to the order in which each library adds numbers. The three
# training functions live in `notebooks/helpers/int8_routes.py`, so that the other quantization
# notebook trains exactly the same models.

# %%
model_torch, loss_torch = train_torch(x_train, y_train, initial)
model_keras, loss_keras = train_keras(x_train, y_train, initial)
model_jax, loss_jax = train_jax(x_train, y_train, initial)

print(f"final training loss: pytorch {loss_torch:.6f}  keras {loss_keras:.6f}  jax {loss_jax:.6f}")
with torch.no_grad():
    float_logits = {"pytorch": model_torch(torch.from_numpy(x_test)), "tensorflow": model_keras(x_test),
                    "jax": model_jax(x_test)}
# 100 steps of float32 arithmetic summed in different orders: agreement to about 1e-5 is expected.
assert_agree("trained float32 models, logits on the test set", float_logits, rtol=1e-4, atol=1e-4)
for name, logits in float_logits.items():
    print(f"{name:<11} float32 test accuracy {np.mean(to_numpy(logits).argmax(1) == y_test):.1%}")

# %% [markdown]
# ## Quantize the weights to int8
#
# **PyTorch.** `quantize_` changes the model in place, so each configuration gets its own copy. It
# replaces every `nn.Linear` weight with a torchao tensor subclass that holds int8 values and one
# float scale per output channel. With `Int8DynamicActivationInt8WeightConfig`, each layer's input
# is also quantized to int8 at run time, with one scale per row.
#
# **TensorFlow.** `model.quantize("int8")` also works in place. In Keras 3.15.1 each `Dense` kernel
# becomes an int8 variable with a `kernel_scale` per output unit. The layer also quantizes its
# inputs at run time: by default `Int8QuantizationConfig` uses an `AbsMaxQuantizer` on the last
# axis, so each row gets its own scale
# ([quantizer classes](https://keras.io/api/quantizers/quantizer_classes)). Keras 3.15.1 accepts
# the modes `"int8"`, `"int4"`, `"float8"` and `"gptq"`, the ones its docstring lists, and also
# `"awq"`: its `QUANTIZATION_MODES` constant, printed below, includes it, and there is an
# [AWQ guide](https://keras.io/guides/awq_quantization_in_keras/). GPTQ and AWQ are weight-only
# methods aimed at large language models: their configurations take a calibration dataset and a
# tokenizer. For LiteRT, the float model is exported and converted to a float `.tflite`
# flatbuffer, and the LiteRT Quantizer applies its `dynamic_wi8_afp32` recipe. The migration guide
# calls this dynamic range quantization: the weights are stored as int8, and the float
# activations are quantized as the model runs.
#
# **JAX.** A Qwix rule chooses which modules to quantize by a regular expression on their path
# and sets the types. `quantize_model` with a `PtqProvider` traces the model once on an example
# input. It returns a new model whose kernels are already int8, and leaves the float model
# unchanged.

# %% tags=["pytorch", "quantize-weights-int8"]
model_torch_w8 = copy.deepcopy(model_torch)  # quantize_ changes the model in place
quantize_(model_torch_w8, Int8WeightOnlyConfig())  # int8 weights, one scale per output channel

model_torch_w8a8 = copy.deepcopy(model_torch)
quantize_(model_torch_w8a8, Int8DynamicActivationInt8WeightConfig())  # and int8 inputs at run time

weight = model_torch_w8[0].weight
print(type(weight).__name__, weight.qdata.dtype, tuple(weight.qdata.shape), "scales", tuple(weight.scale.shape))

# %% tags=["tensorflow", "quantize-weights-int8"]
model_keras_int8 = keras.models.clone_model(model_keras)  # quantize() also works in place
model_keras_int8.set_weights(model_keras.get_weights())
model_keras_int8.quantize("int8")  # int8 kernels per output unit; inputs quantized per row at run time
print([f"{v.name}: {v.dtype}{tuple(v.shape)}" for v in model_keras_int8.layers[0].weights])

# LiteRT: a float .tflite first, then the LiteRT Quantizer on that file
saved_model_dir = os.path.join(workdir.name, "saved_model")
model_keras.export(saved_model_dir, verbose=False)
tflite_float = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir).convert()
litert_quantizer = quantizer.Quantizer(tflite_float)
litert_quantizer.load_quantization_recipe(recipe.dynamic_wi8_afp32())  # int8 weights, float activations
tflite_dynamic = bytes(litert_quantizer.quantize(enable_progress_report=False).quantized_model)

# %% tags=["jax", "quantize-weights-int8"]
weights_only = [qwix.QuantizationRule(module_path=".*", weight_qtype="int8")]
weights_and_inputs = [qwix.QuantizationRule(module_path=".*", weight_qtype="int8", act_qtype="int8")]

# quantize_model traces the model on an example input and returns a new, quantized model
model_jax_w8 = qwix.quantize_model(model_jax, qwix.PtqProvider(weights_only), x_test[:1])
model_jax_w8a8 = qwix.quantize_model(model_jax, qwix.PtqProvider(weights_and_inputs), x_test[:1])

print(jax.tree.map(lambda a: f"{a.dtype}{list(a.shape)}", nnx.to_pure_dict(nnx.state(model_jax_w8.hidden))))

# %% [markdown]
# ## Size and error
#
# Each framework saves its weights in its usual format. For PyTorch that is the `state_dict` written
# by `torch.save` (into memory here). Keras writes `save_weights` to a `.weights.h5` file. Flax's
# msgpack serialization (`flax.serialization.to_bytes`) stores the model's state as a plain
# dictionary. LiteRT models are `.tflite` flatbuffers. The error compares the logits of the
# quantized model with those of the float model over the 1,000 test rows: the helper reports the
# largest and the mean absolute difference, and counts how many test predictions changed. The
# last cell checks that the float `.tflite` file gives the same logits as Keras and that
# quantizing left the float models as they were, and prints what the LiteRT runtime (C++ code)
# wrote to standard error, which `run_tflite` collects.

# %%
results = []
record = recorder(results, y_test)  # record(framework, route, artefact, sizes, float logits, int8 logits)


# %% tags=["pytorch", "quantized-size-and-error"]
def state_dict_bytes(model):  # the bytes torch.save writes for the weights
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getbuffer().nbytes

x = torch.from_numpy(x_test)
with torch.no_grad():
    logits, logits_w8, logits_w8a8 = model_torch(x), model_torch_w8(x), model_torch_w8a8(x)
record("pytorch", "torchao int8 weights", "state_dict", state_dict_bytes(model_torch),
       state_dict_bytes(model_torch_w8), logits, logits_w8)
record("pytorch", "torchao int8 weights + inputs", "state_dict", state_dict_bytes(model_torch),
       state_dict_bytes(model_torch_w8a8), logits, logits_w8a8)

# %% tags=["tensorflow", "quantized-size-and-error"]
def weights_h5_bytes(model):  # Keras's own weights file
    path = os.path.join(workdir.name, f"{model.name}.weights.h5")
    model.save_weights(path)
    return os.path.getsize(path)

logits = model_keras.predict(x_test, verbose=0)
record("tensorflow", "Keras quantize('int8')", ".weights.h5", weights_h5_bytes(model_keras),
       weights_h5_bytes(model_keras_int8), logits, model_keras_int8.predict(x_test, verbose=0))

logits_tflite = run_tflite(tflite_float, x_test)  # the float .tflite is the baseline for LiteRT
record("tensorflow", "LiteRT Quantizer dynamic_wi8_afp32", ".tflite", len(tflite_float), len(tflite_dynamic),
       logits_tflite, run_tflite(tflite_dynamic, x_test))

# %% tags=["jax", "quantized-size-and-error"]
def msgpack_bytes(model):  # Flax's msgpack serialization of the model's state
    return len(flax.serialization.to_bytes(nnx.to_pure_dict(nnx.state(model))))

logits = model_jax(x_test)
record("jax", "Qwix int8 weights", "msgpack", msgpack_bytes(model_jax), msgpack_bytes(model_jax_w8),
       logits, model_jax_w8(x_test))
record("jax", "Qwix int8 weights + inputs", "msgpack", msgpack_bytes(model_jax), msgpack_bytes(model_jax_w8a8),
       logits, model_jax_w8a8(x_test))

# %%
assert_agree("float .tflite vs Keras", {"keras": model_keras.predict(x_test, verbose=0), ".tflite": logits_tflite},
             rtol=1e-5, atol=1e-5)
with torch.no_grad():  # quantizing left the float models as they were
    assert np.array_equal(model_torch(torch.from_numpy(x_test)).numpy(), to_numpy(float_logits["pytorch"]))
assert np.array_equal(to_numpy(model_keras(x_test)), to_numpy(float_logits["tensorflow"]))
assert np.array_equal(np.asarray(model_jax(x_test)), np.asarray(float_logits["jax"]))
print("LiteRT runtime and converter log:", *sorted(set(runtime_log)), sep="\n  ")

from keras.src.dtype_policies.dtype_policy import QUANTIZATION_MODES  # not exported publicly in 3.15.1
print("Keras quantization modes:", QUANTIZATION_MODES)

# %% [markdown]
# ## All routes in one table
#
# The table and the chart below are generated from the measurements above. The "ratio" column is
# the int8 size as a share of the float size in the same format.

# %%
print_table(results)

# The measured claims the text above makes, checked so that a change in a library shows up here.
assert all(0.2 < r["int8_bytes"] / r["float_bytes"] < 0.4 for r in results)
assert all(abs(r["accuracy_int8"] - r["accuracy_float"]) < 0.02 for r in results)
display(SVG(svg_size_chart(results, "Saved size before and after int8 quantization, with test accuracy")))
