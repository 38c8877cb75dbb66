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
# # Logging training curves
#
# Recording a scalar (here the training loss) at every step of the same small training run in
# each framework, then drawing the three curves. The usual destination is TensorBoard:
# `torch.utils.tensorboard.SummaryWriter` in PyTorch, `tf.summary` and the
# `keras.callbacks.TensorBoard` callback in TensorFlow and Keras, and in JAX, which has no logger of
# its own, a writer from another library (`flax.metrics.tensorboard`, `tensorboardX`, or `tf.summary`
# itself). None of those can run here: the `tensorboard` package is not installed, `tensorflow-cpu`
# 2.21 no longer lists it as a dependency, `torch.utils.tensorboard` fails to import without it, and
# `tf.summary.scalar` raises `TBNotInstalledError`. The event-file code is therefore shown at the end
# as text, and the executed cells log into an in-memory record with the same
# `add_scalar(tag, value, step)` call as PyTorch's writer, then draw it as an SVG chart.
#
# Not equivalent by default: the step number (PyTorch's writer takes whatever step it is given;
# `tf.summary.scalar` needs `step=` or a default step set with `tf.summary.experimental.set_step`;
# Keras's TensorBoard callback counts epochs, or batches with `update_freq`), the value logged for
# an epoch (Keras logs the mean of the epoch's batch losses; a hand-written loop usually logs the
# last batch's loss), and when the number leaves the device (`loss.item()` waits for the step to
# finish; JAX dispatches steps asynchronously, so converting once at the end avoids waiting every
# step). With one full batch per epoch, as here, all three log the same numbers.

# %%
from collections import defaultdict
from html import escape
from xml.etree import ElementTree

import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp
from IPython.display import SVG, display

from helpers.agreement import assert_agree

jax.config.update("jax_enable_x64", False)
rng = np.random.default_rng(5)
inputs = rng.normal(size=(32, 4)).astype(np.float32)
targets = (np.sin(inputs.sum(axis=1, keepdims=True)) + 0.1 * rng.normal(size=(32, 1))).astype(np.float32)
initial = {
    "w1": (rng.normal(size=(4, 8)) * 0.5).astype(np.float32), "b1": np.zeros(8, np.float32),
    "w2": (rng.normal(size=(8, 1)) * 0.5).astype(np.float32), "b2": np.zeros(1, np.float32),
}
LEARNING_RATE, STEPS = 0.1, 30


class ScalarLog:
    """An in-memory stand-in for a summary writer: each tag maps to a list of (step, value)."""

    def __init__(self):
        self.scalars = defaultdict(list)

    def add_scalar(self, tag, value, step):  # the signature of PyTorch's SummaryWriter.add_scalar
        self.scalars[tag].append((int(step), float(value)))

    def steps(self, tag):
        return [step for step, _ in self.scalars[tag]]

    def values(self, tag):
        return np.array([value for _, value in self.scalars[tag]], np.float32)


# The same 4 → 8 → 1 network and the same starting weights in each framework.
model_torch = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
with torch.no_grad():
    for layer, w, b in ((model_torch[0], "w1", "b1"), (model_torch[2], "w2", "b2")):
        layer.weight.copy_(torch.tensor(initial[w].T))
        layer.bias.copy_(torch.tensor(initial[b]))
optimizer = torch.optim.SGD(model_torch.parameters(), lr=LEARNING_RATE)

model_keras = keras.Sequential([
    keras.Input(shape=(4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1),
])
model_keras.set_weights([initial["w1"], initial["b1"], initial["w2"], initial["b2"]])
model_keras.compile(optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE), loss="mse")


def loss_jax(params, x, y):
    hidden = jnp.tanh(x @ params["w1"] + params["b1"])
    return jnp.mean((hidden @ params["w2"] + params["b2"] - y) ** 2)


@jax.jit
def train_step_jax(params, x, y):
    loss, grads = jax.value_and_grad(loss_jax)(params, x, y)
    return jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, grads), loss


params_jax = {name: jnp.asarray(value) for name, value in initial.items()}

# %% [markdown]
# ## Log a scalar at every step
#
# PyTorch logs from the hand-written loop; Keras logs from a callback that `fit` calls after each
# epoch, which is where `keras.callbacks.TensorBoard` writes too; JAX keeps the losses as device
# arrays and fetches them once at the end.

# %% tags=["pytorch", "log-a-scalar"]
log_torch = ScalarLog()  # stands in for torch.utils.tensorboard.SummaryWriter(log_dir)
x_torch, y_torch = torch.tensor(inputs), torch.tensor(targets)
for step in range(STEPS):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model_torch(x_torch), y_torch)
    loss.backward()
    optimizer.step()
    log_torch.add_scalar("train/loss", loss.item(), step)  # .item() gives a Python float

# %% tags=["tensorflow", "log-a-scalar"]
class LogScalars(keras.callbacks.Callback):  # stands in for keras.callbacks.TensorBoard(log_dir)
    def __init__(self, log):
        super().__init__()
        self.log = log

    def on_epoch_end(self, epoch, logs=None):
        self.log.add_scalar("train/loss", logs["loss"], epoch)  # the mean loss of the epoch's batches

log_tf = ScalarLog()
history = model_keras.fit(inputs, targets, batch_size=len(inputs), epochs=STEPS, shuffle=False, verbose=0,
                          callbacks=[LogScalars(log_tf)])

# %% tags=["jax", "log-a-scalar"]
log_jax = ScalarLog()
losses = []
for step in range(STEPS):
    params_jax, loss = train_step_jax(params_jax, inputs, targets)
    losses.append(loss)  # stays on the device: the loop does not wait for each step
for step, loss in enumerate(jax.device_get(losses)):  # one transfer at the end
    log_jax.add_scalar("train/loss", loss, step)

# %% [markdown]
# The three records hold the same steps and, within float32 rounding, the same losses; Keras's
# own `History` holds the same curve as the callback's record.

# %%
record = {"pytorch": log_torch, "tensorflow": log_tf, "jax": log_jax}
assert all(log.steps("train/loss") == list(range(STEPS)) for log in record.values())
assert_agree(f"logged loss at each of {STEPS} steps",
             {name: log.values("train/loss") for name, log in record.items()}, rtol=1e-4, atol=1e-6)
assert_agree("Keras callback record vs History",
             {"callback": log_tf.values("train/loss"), "History": np.array(history.history["loss"], np.float32)},
             rtol=0, atol=0)
for step in (0, 9, STEPS - 1):
    values = (f"{name} {log.values('train/loss')[step]:.6f}" for name, log in record.items())
    print(f"step {step:>2}: " + "  ".join(values))

# %% [markdown]
# ## Draw the curves
#
# A line chart written as SVG by hand, since no plotting library is installed here. The three
# curves lie on top of each other, so they are drawn with different widths and dash patterns.

# %%
def svg_line_chart(curves, title, width=640, height=320):
    """An SVG line chart of {name: (steps, values)}, with axes, ticks, a legend and a <title>."""
    left, right, top, bottom = 60, 150, 20, 40
    all_steps = np.concatenate([np.asarray(s, float) for s, _ in curves.values()])
    all_values = np.concatenate([np.asarray(v, float) for _, v in curves.values()])
    x_min, x_max = all_steps.min(), all_steps.max()
    y_min, y_max = 0.0, float(np.ceil(all_values.max() * 10) / 10)

    def x(step):
        return left + (step - x_min) / (x_max - x_min) * (width - left - right)

    def y(value):
        return height - bottom - (value - y_min) / (y_max - y_min) * (height - top - bottom)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" font-family="sans-serif" font-size="12">',
             f"<title>{escape(title)}</title>",
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<line x1="{left}" y1="{y(y_min)}" x2="{x(x_max)}" y2="{y(y_min)}" stroke="black"/>',
             f'<line x1="{left}" y1="{y(y_min)}" x2="{left}" y2="{top}" stroke="black"/>']
    for value in np.linspace(y_min, y_max, 5):
        parts.append(f'<line x1="{left - 4}" y1="{y(value):.1f}" x2="{left}" y2="{y(value):.1f}" stroke="black"/>'
                     f'<text x="{left - 8}" y="{y(value) + 4:.1f}" text-anchor="end">{value:.2f}</text>')
    for step in sorted(set(np.arange(x_min, x_max, 10)) | {x_max}):
        parts.append(f'<line x1="{x(step):.1f}" y1="{y(y_min)}" x2="{x(step):.1f}" y2="{y(y_min) + 4}" stroke="black"/>'
                     f'<text x="{x(step):.1f}" y="{y(y_min) + 18}" text-anchor="middle">{step:.0f}</text>')
    parts.append(f'<text x="{(left + x(x_max)) / 2:.1f}" y="{height - 6}" text-anchor="middle">step</text>')
    parts.append(f'<text x="14" y="{(top + y(y_min)) / 2:.1f}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {(top + y(y_min)) / 2:.1f})">loss</text>')
    styles = [("#1f77b4", 7, "", 0.35), ("#d62728", 3, "", 1.0), ("black", 1.5, "6 4", 1.0)]
    for index, (name, (steps, values)) in enumerate(curves.items()):
        colour, stroke_width, dash, opacity = styles[index]
        points = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in zip(steps, values))
        line_style = (f'fill="none" stroke="{colour}" stroke-width="{stroke_width}" stroke-opacity="{opacity}"'
                      + (f' stroke-dasharray="{dash}"' if dash else ""))
        parts.append(f'<polyline points="{points}" {line_style}/>')
        legend_y = top + 10 + 22 * index
        parts.append(f'<line x1="{width - right + 15}" y1="{legend_y}" x2="{width - right + 45}" y2="{legend_y}" '
                     f'{line_style}/><text x="{width - right + 52}" y="{legend_y + 4}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


chart = svg_line_chart({name: (log.steps("train/loss"), log.values("train/loss")) for name, log in record.items()},
                       title="Training loss per step: PyTorch, TensorFlow and JAX")
tree = ElementTree.fromstring(chart)  # well-formed, with a title and one polyline per framework
assert tree.find("{http://www.w3.org/2000/svg}title").text.startswith("Training loss")
assert len(tree.findall("{http://www.w3.org/2000/svg}polyline")) == len(record)
display(SVG(chart))

# %% [markdown]
# ## Writing event files for TensorBoard
#
# With `pip install tensorboard`, the loops above would write event files instead, and
# `tensorboard --logdir runs` would draw the curves. Not executed here.
#
# PyTorch, in the training loop:
#
# ```python
# from torch.utils.tensorboard import SummaryWriter
#
# writer = SummaryWriter("runs/pytorch")
# for step in range(STEPS):
#     ...
#     writer.add_scalar("train/loss", loss.item(), step)
# writer.close()
# ```
#
# TensorFlow, in a hand-written loop, or Keras's callback with `fit`:
#
# ```python
# writer = tf.summary.create_file_writer("runs/tensorflow")
# with writer.as_default():
#     for step in range(STEPS):
#         ...
#         tf.summary.scalar("train/loss", loss, step=step)
#
# model.fit(inputs, targets, epochs=STEPS,
#           callbacks=[keras.callbacks.TensorBoard(log_dir="runs/keras")])
# ```
#
# JAX, with Flax's writer (which writes through `tf.summary`), after fetching the losses:
#
# ```python
# from flax.metrics import tensorboard
#
# writer = tensorboard.SummaryWriter("runs/jax")
# for step, loss in enumerate(jax.device_get(losses)):
#     writer.scalar("train/loss", loss, step)
# writer.flush()
# ```
#
# Without TensorBoard installed, `tf.summary.create_file_writer` and the low-level
# `tf.summary.write(tag, tensor, step)` still write an event file, but `tf.summary.scalar` and the
# Keras callback need the package for the metadata that tells TensorBoard a value is a scalar.
