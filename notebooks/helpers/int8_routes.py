"""The classifier, its data and its training, the measurement of each int8 route and the LiteRT runner,
shared by notebooks/quantization.py and notebooks/inside-int8-models.py.

Both notebooks train the same multilayer perceptron (64 inputs → 512 ReLU units → 10 classes) identically in
the three frameworks, from the same initial weights on the same seeded synthetic data, and quantize it: the
data, the training, the rows of the results table, the table, the chart and the way a `.tflite` model is run
are defined once, here.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from html import escape
from xml.etree import ElementTree

import numpy as np
import torch
import keras
import jax.numpy as jnp
import optax
from flax import nnx
from ai_edge_litert.interpreter import Interpreter

from .agreement import to_numpy

FEATURES, HIDDEN, CLASSES = 64, 512, 10
STEPS, LEARNING_RATE = 100, 0.1  # full-batch gradient descent: no shuffling, the same steps everywhere

COLOURS = {"pytorch": "#c2410c", "tensorflow": "#1d4ed8", "jax": "#15803d"}
NAMES = {"pytorch": "PyTorch", "tensorflow": "TensorFlow", "jax": "JAX"}


def make_data():
    """(x_train, y_train, x_test, y_test, initial): ten Gaussian clusters in 64 dimensions, 2,000 training and
    1,000 test rows, and the initial weights drawn from NumPy with linear layers' weights as (in, out)."""
    rng = np.random.default_rng(0)
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
    return x_train, y_train, x_test, y_test, initial


def train_torch(x_train, y_train, initial):
    """(model, final loss): a hand-written loop of full-batch SGD steps on the mean cross-entropy."""
    model_torch = torch.nn.Sequential(torch.nn.Linear(FEATURES, HIDDEN), torch.nn.ReLU(),
                                      torch.nn.Linear(HIDDEN, CLASSES))
    with torch.no_grad():
        for layer, w, b in ((model_torch[0], "w1", "b1"), (model_torch[2], "w2", "b2")):
            layer.weight.copy_(torch.from_numpy(initial[w].T))  # → (out, in)
            layer.bias.copy_(torch.from_numpy(initial[b]))
    optimizer_torch = torch.optim.SGD(model_torch.parameters(), lr=LEARNING_RATE)
    for _ in range(STEPS):
        optimizer_torch.zero_grad()
        loss_torch = torch.nn.functional.cross_entropy(model_torch(torch.from_numpy(x_train)),
                                                       torch.from_numpy(y_train))
        loss_torch.backward()
        optimizer_torch.step()
    return model_torch.eval(), loss_torch.item()


def train_keras(x_train, y_train, initial):
    """(model, final loss): `fit` with one batch per epoch and no shuffling."""
    model_keras = keras.Sequential([
        keras.Input(shape=(FEATURES,)),
        keras.layers.Dense(HIDDEN, activation="relu"),
        keras.layers.Dense(CLASSES),
    ], name="mlp_float")
    model_keras.set_weights([initial["w1"], initial["b1"], initial["w2"], initial["b2"]])
    model_keras.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE),
                        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model_keras.fit(x_train, y_train, batch_size=len(x_train), epochs=STEPS, shuffle=False, verbose=0)
    return model_keras, history.history["loss"][-1]


class MLP(nnx.Module):
    def __init__(self, rngs):
        self.hidden = nnx.Linear(FEATURES, HIDDEN, rngs=rngs)
        self.out = nnx.Linear(HIDDEN, CLASSES, rngs=rngs)

    def __call__(self, x):
        return self.out(nnx.relu(self.hidden(x)))


def train_jax(x_train, y_train, initial):
    """(model, final loss): a Flax NNX model and an Optax optimizer in a jitted step."""
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
    return model_jax, float(loss_jax)


def recorder(results: list, y_test):
    """A `record(framework, route, artefact, size_float, size_int8, logits_float, logits_int8)` that appends one
    row to `results` and prints it: the sizes, the largest and mean |Δlogit| of the int8 model against the float
    one, the test accuracy of each and how many test predictions changed."""
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
    return record


def print_table(results: list) -> None:
    """The recorded rows as one table, in framework order; "ratio" is the int8 size as a share of the float size."""
    header = (f"{'framework':<11} {'route':<38} {'saved as':<12} {'float bytes':>11} {'int8 bytes':>10} "
              f"{'ratio':>6} {'max |Δ|':>7} {'mean |Δ|':>8} {'acc float':>9} {'acc int8':>8} {'changed':>7}")
    print(header)
    print("-" * len(header))
    for r in sorted(results, key=lambda r: list(NAMES).index(r["framework"])):  # stable: keeps each order
        print(f"{r['framework']:<11} {r['route']:<38} {r['artefact']:<12} {r['float_bytes']:>11,} "
              f"{r['int8_bytes']:>10,} {r['int8_bytes'] / r['float_bytes']:>6.0%} {r['max_abs_error']:>7.4f} "
              f"{r['mean_abs_error']:>8.4f} {r['accuracy_float']:>9.1%} {r['accuracy_int8']:>8.1%} {r['changed']:>7}")


def svg_size_chart(rows: list, title: str, width: int = 840) -> str:
    """Paired horizontal bars: the float size (grey) and the int8 size (framework colour) of each route,
    in framework order; checked to be well-formed, with the title and two bars per route."""
    rows = sorted(rows, key=lambda r: list(NAMES).index(r["framework"]))
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
    chart = "\n".join(parts)
    tree = ElementTree.fromstring(chart)  # well-formed, with a title and two bars per route
    assert tree.find("{http://www.w3.org/2000/svg}title").text == title
    assert len(tree.findall("{http://www.w3.org/2000/svg}rect")) == 3 + 2 * len(rows)
    return chart


# What the LiteRT converter and runtime (C++ code) write to the process's standard error, collected by
# native_stderr_into so that a notebook prints it once instead of in the middle of its outputs.
runtime_log: list[str] = []


@contextlib.contextmanager
def native_stderr_into(lines: list[str]):
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


def run_tflite(flatbuffer: bytes, x):
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
