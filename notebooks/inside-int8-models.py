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
# # What int8 quantization stores: weight grids and activation ranges
#
# One small classifier, a multilayer perceptron (64 inputs → 512 ReLU units → 10 classes), is
# trained identically in the three frameworks and quantized to 8-bit integers, as in the notebook
# *Quantizing one trained model in each framework*, which measures how far each int8 model's
# outputs (logits) move from the float model's. This notebook reads what the int8 models store,
# where those changes come from:
#
# - **The weights.** torchao's `quantize_` with `Int8WeightOnlyConfig`, Keras 3's
#   `model.quantize("int8")` and Qwix's `PtqProvider` with int8 weights all use one scale per
#   output channel, but torchao and Qwix place the largest weight at ±127.5 steps and Keras places
#   it at ±127.
# - **The activations of LiteRT's full-integer models.** LiteRT (formerly TensorFlow Lite) runs
#   `.tflite` files. Its
#   [migration guide](https://developers.google.com/edge/litert/quantization/tflq_to_litertq_migration)
#   separates conversion from quantization: first convert to a float `.tflite` file, then quantize
#   that file with the LiteRT Quantizer (`litert-quantizer`, formerly AI Edge Quantizer). Its
#   `static_wi8_ai8` recipe makes the activations int8 too, with fixed ranges measured on
#   calibration data. The
#   [post-training quantization page](https://developers.google.com/edge/litert/conversion/tensorflow/quantization/post_training_quantization)
#   marks quantizing inside `tf.lite.TFLiteConverter` as deprecated. That older route still works in
#   TensorFlow 2.21, and the notebook runs it too, for comparison. The notebook measures the size
#   of each `.tflite` file, the change in the logits and the test accuracy, and finds that the
#   largest changes of the full-integer models are logits clipped at the edge of their ranges.
#
# Going from float32 to int8 makes the weights four times smaller, and LiteRT's post-training
# quantization page lists "4x smaller" for its integer methods. A `.tflite` file shrinks less than
# that, because biases, scales and the format's own overhead stay. Speed is not measured here:
# int8 speed-ups depend on kernels and hardware that this small CPU run does not represent.

# %%
import copy
import logging
import os
import tempfile
import warnings

import numpy as np
import torch
import tensorflow as tf
import keras
from flax import nnx
from IPython.display import SVG, display

from helpers.agreement import assert_agree, to_numpy
from helpers.int8_routes import (FEATURES, HIDDEN, make_data, native_stderr_into, print_table, recorder, run_tflite,
                                 runtime_log, svg_size_chart, train_jax, train_keras, train_torch)

# torchao's import logs warnings through Python's logging (the notebook *Quantizing one trained
# model in each framework* lists them); they are left out here. Set after `import torch`, which
# configures the levels of its own loggers.
for noisy in ("torchao", "torch.utils._pytree"):
    logging.getLogger(noisy).setLevel(logging.ERROR)
from torchao.quantization import quantize_, Int8WeightOnlyConfig
import qwix
from ai_edge_litert.interpreter import Interpreter
from litert_quantizer import quantizer, recipe

tf.get_logger().setLevel("WARNING")  # a script's default; in Jupyter TensorFlow's logger starts at INFO
# Keras's Model.quantize visits every layer, including the InputLayer that Sequential adds, and
# warns that the InputLayer has no quantize method. That layer has no weights.
warnings.filterwarnings("ignore", message="Layer InputLayer does not have a `quantize` method", category=UserWarning)

# %% [markdown]
# ## The same training, then int8 weights
#
# The data are ten Gaussian clusters in 64 dimensions, with noise large enough that a test accuracy
# near 80 % leaves room for quantization to change some predictions. The data, the initial weights
# and the training come from `notebooks/helpers/int8_routes.py`, shared with the notebook
# *Quantizing one trained model in each framework*: each framework runs 100 full-batch
# gradient-descent steps with learning rate 0.1 on the mean cross-entropy, and the three trained
# models give the same float outputs, up to the order in which each library adds numbers. Each
# one then gets int8 weights: torchao with `Int8WeightOnlyConfig`, Keras with `quantize("int8")`
# (which also quantizes each layer's inputs as it runs) and Qwix with an int8 weight rule.
# `quantize_` and `model.quantize` change a model in place, so they get a copy; Qwix's
# `quantize_model` traces the model on an example input and returns a new one.

# %%
x_train, y_train, x_test, y_test, initial = make_data()
workdir = tempfile.TemporaryDirectory(prefix="rosetta-int8-")  # deleted when the kernel exits
model_torch, _ = train_torch(x_train, y_train, initial)
model_keras, _ = train_keras(x_train, y_train, initial)
model_jax, _ = train_jax(x_train, y_train, initial)
with torch.no_grad():
    float_logits = {"pytorch": model_torch(torch.from_numpy(x_test)), "tensorflow": model_keras(x_test),
                    "jax": model_jax(x_test)}
# 100 steps of float32 arithmetic summed in different orders: agreement to about 1e-5 is expected.
assert_agree("trained float32 models, logits on the test set", float_logits, rtol=1e-4, atol=1e-4)

model_torch_w8 = copy.deepcopy(model_torch)
quantize_(model_torch_w8, Int8WeightOnlyConfig())  # int8 weights, one scale per output channel
model_keras_int8 = keras.models.clone_model(model_keras)
model_keras_int8.set_weights(model_keras.get_weights())
model_keras_int8.quantize("int8")  # int8 kernels per output unit; inputs quantized per row at run time
weights_only = [qwix.QuantizationRule(module_path=".*", weight_qtype="int8")]
model_jax_w8 = qwix.quantize_model(model_jax, qwix.PtqProvider(weights_only), x_test[:1])

# %% [markdown]
# ## What the int8 weights hold
#
# All three libraries quantize each output channel separately and symmetrically around zero, with
# a scale set by that channel's largest absolute weight. They differ in where that largest weight
# lands. The cells below read the first layer's stored integers and scales. For each library they
# print the integers given to the channels' largest weights, positive and negative.
#
# - torchao and Qwix both place the largest weight at 127.5 steps. On the positive side that
#   rounds up to 128, which is clipped to 127. On the negative side the result sits on the half
#   step -127.5, so the last bit of the division decides between -128 and -127, and both values
#   occur.
# - Keras 3.15.1's `Dense` uses `AbsMaxQuantizer`, whose default `value_range` is (-127, 127). The
#   largest weight lands on exactly ±127 steps. The Keras int8 guide describes a different
#   scheme: a scale of 2·max|w| / 256 over [-128, 127].

# %%
w1_torch = model_torch[0].weight.detach().numpy().T  # (in, out), like the others
w1_keras = model_keras.layers[0].kernel.numpy()
w1_jax = np.asarray(model_jax.hidden.kernel[...])
with torch.no_grad():  # quantizing left the float models as they were
    assert np.array_equal(model_torch(torch.from_numpy(x_test)).numpy(), to_numpy(float_logits["pytorch"]))
assert np.array_equal(to_numpy(model_keras(x_test)), to_numpy(float_logits["tensorflow"]))
assert np.array_equal(np.asarray(model_jax(x_test)), np.asarray(float_logits["jax"]))
assert_agree("trained first-layer weights", {"pytorch": w1_torch, "tensorflow": w1_keras, "jax": w1_jax},
             rtol=1e-4, atol=1e-5)
columns = np.arange(HIDDEN)


def report(name, w, q, steps):
    """The integer range, where a channel's largest |w| lands in steps, and the integers the largest weights become."""
    assert q.dtype == np.int8 and q.shape == (FEATURES, HIDDEN)
    top, bottom = w.argmax(axis=0), w.argmin(axis=0)  # per channel
    negative_peak = np.abs(w[bottom, columns]) > np.abs(w[top, columns])  # channels whose largest |w| is negative
    print(f"{name:<8} integers in [{q.min()}, {q.max()}]; largest |w| = {np.median(np.abs(steps).max(axis=0)):.2f} "
          f"steps; it becomes {sorted(set(q[top, columns][~negative_peak].tolist()))} when positive, "
          f"{sorted(set(q[bottom, columns][negative_peak].tolist()))} when negative")

# %% tags=["pytorch", "int8-weight-grid"]
q_torch = model_torch_w8[0].weight.qdata.numpy().T
steps_torch = w1_torch / model_torch_w8[0].weight.scale.numpy().ravel()  # torchao stores a divisor
report("torchao", w1_torch, q_torch, steps_torch)

# %% tags=["tensorflow", "int8-weight-grid"]
q_keras = model_keras_int8.layers[0].kernel.numpy()  # int8 after quantize()
steps_keras = w1_keras * model_keras_int8.layers[0].kernel_scale.numpy()  # Keras stores a multiplier
report("Keras", w1_keras, q_keras, steps_keras)

# %% tags=["jax", "int8-weight-grid"]
jax_kernel = nnx.to_pure_dict(nnx.state(model_jax_w8.hidden))["kernel"]["array"]
q_jax = np.asarray(jax_kernel["qvalue"])
steps_jax = w1_jax / np.asarray(jax_kernel["scale"]).ravel()  # Qwix stores a divisor
report("Qwix", w1_jax, q_jax, steps_jax)

# %% [markdown]
# ## Full-integer variants and the converter's older route
#
# The trained Keras model is exported as a SavedModel, which `tf.lite.TFLiteConverter` converts to
# a float `.tflite` flatbuffer. Four int8 variants are made from it:
#
# - **LiteRT Quantizer, dynamic range** (`dynamic_wi8_afp32`), the route of the notebook
#   *Quantizing one trained model in each framework*: the weights are stored as int8, and the float
#   activations are quantized as the model runs.
# - **Full-integer LiteRT Quantizer model** (`static_wi8_ai8`): the activations are int8 too, with
#   fixed ranges measured on calibration data (100 training rows here). Its input and output
#   tensors become int8, so the caller scales them with the quantization parameters stored in the
#   model.
# - **The deprecated converter route, dynamic range**: `converter.optimizations =
#   [tf.lite.Optimize.DEFAULT]`.
# - **The deprecated converter route, full integer**: the same setting with a
#   `representative_dataset`, and the operator set restricted to int8 built-ins.
#
# The converter and the LiteRT runtime are C++ code. They write progress lines straight to the
# process's standard error, so `native_stderr_into`, from the helper module, collects those lines
# in `runtime_log`, and the notebook prints them once.

# %%
saved_model_dir = os.path.join(workdir.name, "saved_model")
model_keras.export(saved_model_dir, verbose=False)
tflite_float = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir).convert()
litert_quantizer = quantizer.Quantizer(tflite_float)
litert_quantizer.load_quantization_recipe(recipe.dynamic_wi8_afp32())  # int8 weights, float activations
tflite_dynamic = bytes(litert_quantizer.quantize(enable_progress_report=False).quantized_model)

calibration_rows = x_train[:100]
litert_quantizer = quantizer.Quantizer(tflite_float)
litert_quantizer.load_quantization_recipe(recipe.static_wi8_ai8())
with native_stderr_into(runtime_log), warnings.catch_warnings():
    # The quantizer's interpreters keep every intermediate tensor, and the runtime warns that this
    # is meant for debugging. The quantizer chooses that setting; this notebook does not.
    warnings.filterwarnings("ignore", message=".*experimental_preserve_all_tensors", category=UserWarning)
    signature = Interpreter(model_content=tflite_float).get_signature_list()["serving_default"]
    calibration = litert_quantizer.calibrate(
        {"serving_default": [{signature["inputs"][0]: calibration_rows[i:i + 10]} for i in range(0, 100, 10)]})
    tflite_full_integer = bytes(litert_quantizer.quantize(calibration, enable_progress_report=False).quantized_model)

with native_stderr_into(runtime_log):
    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    tflite_legacy_dynamic = converter.convert()

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([row[None]] for row in calibration_rows)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    tflite_legacy_full_integer = converter.convert()

for name, flatbuffer in [("float", tflite_float), ("LiteRT Quantizer dynamic_wi8_afp32", tflite_dynamic),
                         ("LiteRT Quantizer static_wi8_ai8", tflite_full_integer),
                         ("converter, dynamic range", tflite_legacy_dynamic),
                         ("converter, full integer", tflite_legacy_full_integer)]:
    with native_stderr_into(runtime_log):
        interpreter = Interpreter(model_content=flatbuffer)
    ops = [op["op_name"] for op in interpreter._get_ops_details()]  # no public listing of the operators
    io_types = [d["dtype"].__name__ for d in interpreter.get_input_details() + interpreter.get_output_details()]
    print(f"{name:<35} {len(flatbuffer):>7} bytes  input/output {'/'.join(io_types)}  ops {ops}")

# %% [markdown]
# ## Size and error of the four variants
#
# Each variant is measured against the float `.tflite` file, after a check that the float file
# gives the same logits as Keras. The size is the flatbuffer's length in bytes. The error compares
# the logits of the quantized model with those of the float model over the 1,000 test rows: the
# helper reports the largest and the mean absolute difference, and counts how many test
# predictions changed.
#
# The two full-integer models have fixed int8 ranges for every activation, including the output
# logits, and those ranges come from the 100 calibration rows. A test logit outside its calibrated
# range is clipped to the range's edge. The last lines of the cell count those logits and check
# that the furthest one accounts for the model's largest error. Clipping a few extreme logits
# barely changes which class scores highest, so the mean errors and the accuracies of these two
# models stay close to those of the other routes.

# %%
logits_tflite = run_tflite(tflite_float, x_test)
assert_agree("float .tflite vs Keras", {"keras": model_keras.predict(x_test, verbose=0), ".tflite": logits_tflite},
             rtol=1e-5, atol=1e-5)
results = []
record = recorder(results, y_test)  # record(framework, route, artefact, sizes, float logits, int8 logits)
for route, flatbuffer in [("LiteRT Quantizer dynamic_wi8_afp32", tflite_dynamic),
                          ("LiteRT Quantizer static_wi8_ai8", tflite_full_integer),
                          ("converter, dynamic range (deprecated)", tflite_legacy_dynamic),
                          ("converter, full integer (deprecated)", tflite_legacy_full_integer)]:
    record("tensorflow", route, ".tflite", len(tflite_float), len(flatbuffer), logits_tflite,
           run_tflite(flatbuffer, x_test))

def int8_output_range(flatbuffer):
    """The float interval the model's int8 output can represent."""
    with native_stderr_into(runtime_log):
        interpreter = Interpreter(model_content=flatbuffer)
    index = interpreter.get_output_details()[0]["index"]
    for op in interpreter._get_ops_details():  # follow a final DEQUANTIZE back to its int8 input
        if op["op_name"] == "DEQUANTIZE" and index in op["outputs"]:
            index = op["inputs"][0]
    scale, zero_point = next(d for d in interpreter.get_tensor_details() if d["index"] == index)["quantization"]
    return (-128 - zero_point) * scale, (127 - zero_point) * scale


for name, flatbuffer in [("LiteRT Quantizer static_wi8_ai8", tflite_full_integer),
                         ("converter, full integer", tflite_legacy_full_integer)]:
    low, high = int8_output_range(flatbuffer)
    outside = np.sum((logits_tflite < low) | (logits_tflite > high))
    furthest = max(low - logits_tflite.min(), logits_tflite.max() - high, 0.0)
    print(f"{name}: int8 output covers [{low:.2f}, {high:.2f}]; {outside} of {logits_tflite.size} float logits "
          f"fall outside it, the furthest by {furthest:.2f}")
    max_error = next(r["max_abs_error"] for r in results if r["route"].startswith(name))
    assert outside > 0 and abs(furthest - max_error) < 0.1, "the largest error is no longer the clipping"
print("LiteRT runtime and converter log:", *sorted(set(runtime_log)), sep="\n  ")

# %% [markdown]
# ## All four variants in one table
#
# The table and the chart below are generated from the measurements above. The "ratio" column is
# the int8 size as a share of the float `.tflite` file's size.

# %%
print_table(results)

# The measured claims the text above makes, checked so that a change in a library shows up here.
assert all(0.2 < r["int8_bytes"] / r["float_bytes"] < 0.4 for r in results)
assert all(abs(r["accuracy_int8"] - r["accuracy_float"]) < 0.02 for r in results)
display(SVG(svg_size_chart(results, "LiteRT file size before and after int8 quantization, with test accuracy")))
