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
#   TensorFlow 2.21, and the notebook runs it too, for comparison.
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
#   but torchao and Qwix place the largest weight at ±127.5 steps and Keras places it at ±127 (see
#   "What the int8 weights hold" below).
# - How each framework saves a model. The sizes compare float with int8 within one file format,
#   not across formats.
#
# Going from float32 to int8 makes the weights four times smaller, and LiteRT's post-training
# quantization page lists "4x smaller" for its integer methods. A saved file shrinks less than
# that, because biases, scales and the format's own overhead stay. Speed is not measured here:
# int8 speed-ups depend on kernels and hardware that this small CPU run does not represent.

# %%
import copy
import contextlib
import importlib.metadata
import io
import logging
import os
import tempfile
import warnings
from html import escape
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp
import flax
import optax
from flax import nnx
from IPython.display import SVG, display

from helpers.agreement import assert_agree, to_numpy


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
from ai_edge_litert.interpreter import Interpreter
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
# `(out, in)`, while Keras and Flax store it as `(in, out)`.

# %%
rng = np.random.default_rng(0)
FEATURES, HIDDEN, CLASSES = 64, 512, 10
centres = (rng.normal(size=(CLASSES, FEATURES)) * 0.35).astype(np.float32)


def make_split(n):
    labels = rng.integers(0, CLASSES, n)
    return (centres[labels] + rng.normal(size=(n, FEATURES))).astype(np.float32), labels


x_train, y_train = make_split(2000)
x_test, y_test = make_split(1000)
initial = {
    "w1": (rng.normal(size=(FEATURES, HIDDEN)) * np.sqrt(2 / FEATURES)).astype(np.float32),  # (in, out)
    "b1": np.zeros(HIDDEN, np.float32),
    "w2": (rng.normal(size=(HIDDEN, CLASSES)) * np.sqrt(1 / HIDDEN)).astype(np.float32),
    "b2": np.zeros(CLASSES, np.float32),
}
STEPS, LEARNING_RATE = 100, 0.1  # full-batch gradient descent: no shuffling, the same steps everywhere
workdir = tempfile.TemporaryDirectory(prefix="rosetta-quantization-")  # deleted when the kernel exits
print(f"train {x_train.shape}, test {x_test.shape}, {sum(v.size for v in initial.values())} parameters")

# %% [markdown]
# ## Train the same model three times
#
# Each framework runs 100 full-batch gradient-descent steps with learning rate 0.1 on the mean
# cross-entropy. PyTorch uses a hand-written loop, Keras uses `fit` with one batch per epoch and no
# shuffling, and Flax NNX uses an Optax optimizer in a jitted step. The three trained models should
# then give the same float outputs, up to the order in which each library adds numbers.

# %%
model_torch = torch.nn.Sequential(torch.nn.Linear(FEATURES, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES))
with torch.no_grad():
    for layer, w, b in ((model_torch[0], "w1", "b1"), (model_torch[2], "w2", "b2")):
        layer.weight.copy_(torch.from_numpy(initial[w].T))  # → (out, in)
        layer.bias.copy_(torch.from_numpy(initial[b]))
optimizer_torch = torch.optim.SGD(model_torch.parameters(), lr=LEARNING_RATE)
for _ in range(STEPS):
    optimizer_torch.zero_grad()
    loss_torch = torch.nn.functional.cross_entropy(model_torch(torch.from_numpy(x_train)), torch.from_numpy(y_train))
    loss_torch.backward()
    optimizer_torch.step()
model_torch.eval()

model_keras = keras.Sequential([
    keras.Input(shape=(FEATURES,)),
    keras.layers.Dense(HIDDEN, activation="relu"),
    keras.layers.Dense(CLASSES),
], name="mlp_float")
model_keras.set_weights([initial["w1"], initial["b1"], initial["w2"], initial["b2"]])
model_keras.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
history = model_keras.fit(x_train, y_train, batch_size=len(x_train), epochs=STEPS, shuffle=False, verbose=0)


class MLP(nnx.Module):
    def __init__(self, rngs):
        self.hidden = nnx.Linear(FEATURES, HIDDEN, rngs=rngs)
        self.out = nnx.Linear(HIDDEN, CLASSES, rngs=rngs)

    def __call__(self, x):
        return self.out(nnx.relu(self.hidden(x)))


model_jax = MLP(nnx.Rngs(0))
for layer, w, b in ((model_jax.hidden, "w1", "b1"), (model_jax.out, "w2", "b2")):
    layer.kernel[...] = jnp.asarray(initial[w])
    layer.bias[...] = jnp.asarray(initial[b])
optimizer_jax = nnx.Optimizer(model_jax, optax.sgd(LEARNING_RATE), wrt=nnx.Param)


@nnx.jit
def train_step(model, optimizer, x, y):
    def loss_fn(model):
        return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()
    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss


for _ in range(STEPS):
    loss_jax = train_step(model_jax, optimizer_jax, x_train, y_train)

print(f"final training loss: pytorch {loss_torch.item():.6f}  keras {history.history['loss'][-1]:.6f}  "
      f"jax {float(loss_jax):.6f}")
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
# Three more LiteRT variants, for comparison:
#
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
# process's standard error, so the helper below collects those lines in `runtime_log`, and the
# notebook prints them once.

# %%
runtime_log = []


@contextlib.contextmanager
def native_stderr_into(lines):
    """Collect what C++ code writes to file descriptor 2 (Python's own sys.stderr is not affected)."""
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
    """Run a .tflite model on a float batch; int8 inputs and outputs are (de)quantized with the model's own scales."""
    with native_stderr_into(runtime_log):
        interpreter = Interpreter(model_content=flatbuffer)
        (inp,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
        interpreter.resize_tensor_input(inp["index"], x.shape)
        interpreter.allocate_tensors()
        if inp["dtype"] == np.int8:
            scale, zero_point = inp["quantization"]
            x = np.clip(np.round(x / scale + zero_point), -128, 127).astype(np.int8)
        interpreter.set_tensor(inp["index"], x)
        interpreter.invoke()
        y = interpreter.get_tensor(out["index"])
    if out["dtype"] == np.int8:
        scale, zero_point = out["quantization"]
        y = (y.astype(np.float32) - zero_point) * scale
    return y


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
# ## Size and error
#
# Each framework saves its weights in its usual format. For PyTorch that is the `state_dict` written
# by `torch.save` (into memory here). Keras writes `save_weights` to a `.weights.h5` file. Flax's
# msgpack serialization (`flax.serialization.to_bytes`) stores the model's state as a plain
# dictionary. LiteRT models are `.tflite` flatbuffers. The error compares the logits of the
# quantized model with those of the float model over the 1,000 test rows: the helper reports the
# largest and the mean absolute difference, and counts how many test predictions changed.

# %%
results = []


def record(framework, route, artefact, size_float, size_int8, logits_float, logits_int8):
    logits_float, logits_int8 = to_numpy(logits_float), to_numpy(logits_int8)
    row = {"framework": framework, "route": route, "artefact": artefact, "float_bytes": size_float,
           "int8_bytes": size_int8, "max_abs_error": float(np.abs(logits_int8 - logits_float).max()),
           "mean_abs_error": float(np.abs(logits_int8 - logits_float).mean()),
           "accuracy_float": float(np.mean(logits_float.argmax(1) == y_test)),
           "accuracy_int8": float(np.mean(logits_int8.argmax(1) == y_test)),
           "changed": int(np.sum(logits_float.argmax(1) != logits_int8.argmax(1)))}
    results.append(row)
    print(f"{route}: {artefact} {size_float:,} → {size_int8:,} bytes ({size_int8 / size_float:.0%}), "
          f"|Δlogit| max {row['max_abs_error']:.4f} mean {row['mean_abs_error']:.4f}, "
          f"accuracy {row['accuracy_float']:.1%} → {row['accuracy_int8']:.1%}, "
          f"{row['changed']} of {len(y_test)} predictions changed")


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

# %% [markdown]
# The three other LiteRT variants are measured the same way, against the float `.tflite` file. A
# check then confirms that the float `.tflite` file gives the same logits as Keras.
#
# The two full-integer models have fixed int8 ranges for every activation, including the output
# logits, and those ranges come from the 100 calibration rows. A test logit outside its calibrated
# range is clipped to the range's edge. The last lines of the cell count those logits and check
# that the furthest one accounts for the model's largest error. Clipping a few extreme logits
# barely changes which class scores highest, so the mean errors and the accuracies of these two
# models stay close to those of the other routes.

# %%
for route, flatbuffer in [("LiteRT Quantizer static_wi8_ai8", tflite_full_integer),
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

assert_agree("float .tflite vs Keras", {"keras": model_keras.predict(x_test, verbose=0), ".tflite": logits_tflite},
             rtol=1e-5, atol=1e-5)
print("LiteRT runtime and converter log:", *sorted(set(runtime_log)), sep="\n  ")

# %% [markdown]
# ## What the int8 weights hold
#
# All of these routes quantize each output channel separately and symmetrically around zero, with
# a scale set by that channel's largest absolute weight. They differ in where that largest weight
# lands. The cell below reads the first layer's stored integers and scales. For each library it
# prints the integers given to the channels' largest weights, positive and negative.
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

q_torch = model_torch_w8[0].weight.qdata.numpy().T
steps_torch = w1_torch / model_torch_w8[0].weight.scale.numpy().ravel()  # torchao stores a divisor
q_keras = model_keras_int8.layers[0].kernel.numpy()  # int8 after quantize()
steps_keras = w1_keras * model_keras_int8.layers[0].kernel_scale.numpy()  # Keras stores a multiplier
jax_kernel = nnx.to_pure_dict(nnx.state(model_jax_w8.hidden))["kernel"]["array"]
q_jax = np.asarray(jax_kernel["qvalue"])
steps_jax = w1_jax / np.asarray(jax_kernel["scale"]).ravel()  # Qwix stores a divisor

columns = np.arange(HIDDEN)
for name, w, q, steps in [("torchao", w1_torch, q_torch, steps_torch), ("Keras", w1_keras, q_keras, steps_keras),
                          ("Qwix", w1_jax, q_jax, steps_jax)]:
    assert q.dtype == np.int8 and q.shape == (FEATURES, HIDDEN)
    top, bottom = w.argmax(axis=0), w.argmin(axis=0)  # per channel
    negative_peak = np.abs(w[bottom, columns]) > np.abs(w[top, columns])  # channels whose largest |w| is negative
    print(f"{name:<8} integers in [{q.min()}, {q.max()}]; largest |w| = {np.median(np.abs(steps).max(axis=0)):.2f} "
          f"steps; it becomes {sorted(set(q[top, columns][~negative_peak].tolist()))} when positive, "
          f"{sorted(set(q[bottom, columns][negative_peak].tolist()))} when negative")

from keras.src.dtype_policies.dtype_policy import QUANTIZATION_MODES  # not exported publicly in 3.15.1
print("Keras quantization modes:", QUANTIZATION_MODES)

# %% [markdown]
# ## All routes in one table
#
# The table and the chart below are generated from the measurements above. The "ratio" column is
# the int8 size as a share of the float size in the same format.

# %%
header = (f"{'framework':<11} {'route':<38} {'saved as':<12} {'float bytes':>11} {'int8 bytes':>10} {'ratio':>6} "
          f"{'max |Δ|':>7} {'mean |Δ|':>8} {'acc float':>9} {'acc int8':>8} {'changed':>7}")
print(header)
print("-" * len(header))
results.sort(key=lambda r: ("pytorch", "tensorflow", "jax").index(r["framework"]))  # stable: keeps each order
for r in results:
    print(f"{r['framework']:<11} {r['route']:<38} {r['artefact']:<12} {r['float_bytes']:>11,} {r['int8_bytes']:>10,} "
          f"{r['int8_bytes'] / r['float_bytes']:>6.0%} {r['max_abs_error']:>7.4f} {r['mean_abs_error']:>8.4f} "
          f"{r['accuracy_float']:>9.1%} "
          f"{r['accuracy_int8']:>8.1%} {r['changed']:>7}")

# The measured claims the text above makes, checked so that a change in a library shows up here.
assert all(0.2 < r["int8_bytes"] / r["float_bytes"] < 0.4 for r in results)
assert all(abs(r["accuracy_int8"] - r["accuracy_float"]) < 0.02 for r in results)

COLOURS = {"pytorch": "#c2410c", "tensorflow": "#1d4ed8", "jax": "#15803d"}


NAMES = {"pytorch": "PyTorch", "tensorflow": "TensorFlow", "jax": "JAX"}


def svg_size_chart(rows, title, width=840):
    """Paired horizontal bars: the float size (grey) and the int8 size (framework colour) of each route."""
    label_width, bar_room, row_height, top = 320, 300, 40, 48
    largest = max(r["float_bytes"] for r in rows)
    height = top + row_height * len(rows) + 30

    def length(size):
        return bar_room * size / largest

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" font-family="sans-serif" font-size="12">',
             f"<title>{escape(title)}</title>",
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="8" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
             f'<rect x="{label_width}" y="28" width="12" height="10" fill="#9ca3af"/>'
             f'<text x="{label_width + 16}" y="37">float32</text>'
             f'<rect x="{label_width + 80}" y="28" width="12" height="10" fill="#444"/>'
             f'<text x="{label_width + 96}" y="37">int8 (colour = framework)</text>']
    for index, r in enumerate(rows):
        y = top + index * row_height
        label = escape(f"{NAMES[r['framework']]} · {r['route']}")
        parts += [
            f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end">{label}</text>',
            f'<text x="{label_width - 8}" y="{y + 28}" text-anchor="end" fill="#444">{escape(r["artefact"])}</text>',
            f'<rect x="{label_width}" y="{y + 3}" width="{length(r["float_bytes"]):.1f}" height="14" fill="#9ca3af"/>',
            f'<rect x="{label_width}" y="{y + 19}" width="{length(r["int8_bytes"]):.1f}" height="14" '
            f'fill="{COLOURS[r["framework"]]}"/>',
            f'<text x="{label_width + length(r["float_bytes"]) + 6:.1f}" y="{y + 14}">'
            f'{r["float_bytes"] / 1024:.1f} KiB, accuracy {r["accuracy_float"]:.1%}</text>',
            f'<text x="{label_width + length(r["int8_bytes"]) + 6:.1f}" y="{y + 30}">'
            f'{r["int8_bytes"] / 1024:.1f} KiB ({r["int8_bytes"] / r["float_bytes"]:.0%}), '
            f'accuracy {r["accuracy_int8"]:.1%}</text>',
        ]
    parts.append("</svg>")
    return "\n".join(parts)


chart = svg_size_chart(results, "Saved size before and after int8 quantization, with test accuracy")
tree = ElementTree.fromstring(chart)  # well-formed, with a title and two bars per route
assert tree.find("{http://www.w3.org/2000/svg}title").text.startswith("Saved size")
assert len(tree.findall("{http://www.w3.org/2000/svg}rect")) == 3 + 2 * len(results)
display(SVG(chart))
