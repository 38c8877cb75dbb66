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
# each framework, as TensorBoard event files, then reading the files back and drawing the three
# curves. PyTorch writes with `torch.utils.tensorboard.SummaryWriter`; TensorFlow and Keras with
# `tf.summary` or the `keras.callbacks.TensorBoard` callback, used here with `fit`; JAX has no
# writer of its own, so its loop writes through `tf.summary`, the same calls Flax's
# `flax.metrics.tensorboard.SummaryWriter` wraps. All of them need the
# `tensorboard` package, a separate install: `tensorflow-cpu` 2.21 no longer depends on it, and
# `torch` does not list it either. This site installs it, so the cells below write real event
# files into a temporary directory; `tensorboard --logdir` pointed at such a directory would show
# the runs.
#
# Not equivalent by default: the step number (PyTorch's writer takes whatever step it is given;
# `tf.summary.scalar` needs `step=` or a default step set with `tf.summary.experimental.set_step`;
# Keras's TensorBoard callback counts epochs, or batches with `update_freq`), the tag and the place
# (Keras names the series `epoch_loss` and writes it under a `train` subdirectory of the log
# directory), how the number is stored (PyTorch's writer fills the old `simple_value` field unless
# `new_style=True`; `tf.summary.scalar` writes a one-value tensor marked for TensorBoard's scalars
# plugin, so a program reading the file finds it among tensors, not scalars), the value logged for
# an epoch (Keras logs the mean of the epoch's batch losses; a hand-written loop usually logs the
# last batch's loss), and when the number leaves the device (`loss.item()` waits for the step to
# finish; JAX dispatches steps asynchronously, so converting once at the end avoids waiting every
# step). With one full batch per epoch, as here, all three log the same numbers.

# %%
import os
import tempfile
from html import escape
from xml.etree import ElementTree

import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp
from IPython.display import SVG, display
from torch.utils.tensorboard import SummaryWriter  # needs the separate tensorboard package
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util

from helpers.agreement import assert_agree

tf.get_logger().setLevel("WARNING")  # a script's default; in Jupyter TensorFlow's logger starts at INFO
jax.config.update("jax_enable_x64", False)
rng = np.random.default_rng(5)
inputs = rng.normal(size=(32, 4)).astype(np.float32)
targets = (np.sin(inputs.sum(axis=1, keepdims=True)) + 0.1 * rng.normal(size=(32, 1))).astype(np.float32)
initial = {
    "w1": (rng.normal(size=(4, 8)) * 0.5).astype(np.float32), "b1": np.zeros(8, np.float32),
    "w2": (rng.normal(size=(8, 1)) * 0.5).astype(np.float32), "b2": np.zeros(1, np.float32),
}
LEARNING_RATE, STEPS = 0.1, 30
temporary = tempfile.TemporaryDirectory(prefix="rosetta-tensorboard-")  # deleted when the kernel exits
logdir = temporary.name

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
# ## Log a scalar to TensorBoard at every step, from PyTorch, TensorFlow and JAX
#
# PyTorch logs from the hand-written loop and closes the writer, which flushes the file. Keras logs
# from its `TensorBoard` callback, which `fit` calls after each epoch. JAX keeps the losses as device
# arrays, fetches them once at the end and writes them with `tf.summary.scalar` inside the file
# writer's `as_default()` block. PyTorch's `SummaryWriter` would work for JAX too (it takes any
# Python float); `tf.summary` is used because it is what the JAX ecosystem's own writer, Flax's,
# wraps.

# %% tags=["pytorch", "log-a-scalar"]
writer = SummaryWriter(os.path.join(logdir, "pytorch"))
x_torch, y_torch = torch.tensor(inputs), torch.tensor(targets)
for step in range(STEPS):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model_torch(x_torch), y_torch)
    loss.backward()
    optimizer.step()
    writer.add_scalar("train/loss", loss.item(), step)  # .item() gives a Python float
writer.close()  # flushes the events to disk

# %% tags=["tensorflow", "log-a-scalar"]
tensorboard_callback = keras.callbacks.TensorBoard(log_dir=os.path.join(logdir, "keras"))
history = model_keras.fit(inputs, targets, batch_size=len(inputs), epochs=STEPS, shuffle=False, verbose=0,
                          callbacks=[tensorboard_callback])  # writes epoch_loss under keras/train

# %% tags=["jax", "log-a-scalar"]
writer = tf.summary.create_file_writer(os.path.join(logdir, "jax"))
losses = []
for step in range(STEPS):
    params_jax, loss = train_step_jax(params_jax, inputs, targets)
    losses.append(loss)  # stays on the device: the loop does not wait for each step
with writer.as_default():
    for step, loss in enumerate(jax.device_get(losses)):  # one transfer at the end
        tf.summary.scalar("train/loss", float(loss), step=step)
writer.close()

# %% [markdown]
# ## Read the TensorBoard event files back
#
# TensorBoard's own reader, `EventAccumulator`, loads each run directory. It keeps a sample of each
# series by default (10 tensor events per tag), so it is told to keep everything. PyTorch's values
# come back from `Scalars`, the two `tf.summary` runs' values from `Tensors`. Keras's run holds two
# more series, `epoch_learning_rate` and `keras` (the model's config, written because `write_graph`
# defaults to `True`). The three loss curves hold the same steps and, within float32 rounding, the
# same losses, and the Keras event file holds exactly the curve in Keras's own `History`.

# %%
def read_curve(run_dir, tag):
    """Steps and values of one scalar series from the event files in run_dir."""
    accumulator = event_accumulator.EventAccumulator(
        run_dir, size_guidance={event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0})  # 0: keep all
    accumulator.Reload()
    if tag in accumulator.Tags()["scalars"]:  # written to the simple_value field
        events, kind = accumulator.Scalars(tag), "scalars"
        values = [event.value for event in events]
    else:  # written as a tensor for the scalars plugin
        events, kind = accumulator.Tensors(tag), "tensors"
        assert accumulator.SummaryMetadata(tag).plugin_data.plugin_name == "scalars"
        values = [tensor_util.make_ndarray(event.tensor_proto).item() for event in events]
    files = [name for name in os.listdir(run_dir) if name.startswith("events.out.tfevents")]
    all_tags = sorted(accumulator.Tags()["scalars"] + accumulator.Tags()["tensors"])
    print(f"{os.path.relpath(run_dir, logdir)}: {len(files)} event file, tags {all_tags}; "
          f"{tag!r} read from {kind}, {len(events)} points")
    return [event.step for event in events], np.array(values, np.float32)


curves = {
    "pytorch": read_curve(os.path.join(logdir, "pytorch"), "train/loss"),
    "tensorflow": read_curve(os.path.join(logdir, "keras", "train"), "epoch_loss"),
    "jax": read_curve(os.path.join(logdir, "jax"), "train/loss"),
}
assert all(steps == list(range(STEPS)) for steps, _ in curves.values())
assert_agree(f"logged loss at each of {STEPS} steps, read from the event files",
             {name: values for name, (_, values) in curves.items()}, rtol=1e-4, atol=1e-6)
assert_agree("Keras event file vs History",
             {"event file": curves["tensorflow"][1], "History": np.array(history.history["loss"], np.float32)},
             rtol=0, atol=0)
for step in (0, 9, STEPS - 1):
    values = (f"{name} {curve[1][step]:.6f}" for name, curve in curves.items())
    print(f"step {step:>2}: " + "  ".join(values))

# %% [markdown]
# ## Draw the curves
#
# The curves read from the event files, as a line chart written as SVG by hand, since no plotting
# library is installed here. The three curves lie on top of each other, so they are drawn with
# different widths and dash patterns.

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


chart = svg_line_chart(curves, title="Training loss per step, read from TensorBoard event files")
tree = ElementTree.fromstring(chart)  # well-formed, with a title and one polyline per framework
assert tree.find("{http://www.w3.org/2000/svg}title").text.startswith("Training loss")
assert len(tree.findall("{http://www.w3.org/2000/svg}polyline")) == len(curves)
display(SVG(chart))
