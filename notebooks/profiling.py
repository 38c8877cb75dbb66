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
# # Profiling a training step
#
# Recording where the time of one training step goes, with each framework's own profiler, and then
# reading the trace file it wrote to find the most expensive operations. The same small network
# (128 → 256 → 10, ReLU, softmax cross-entropy, plain SGD) with the same starting weights takes the
# same steps in each framework: PyTorch eagerly, TensorFlow as a Keras 3 model inside a
# `tf.function`, JAX as one `jax.jit`-compiled function.
#
# - **PyTorch**: `torch.profiler.profile` is a context manager; its results stay in memory
#   (`prof.key_averages()` prints a table) until `prof.export_chrome_trace(path)` writes them as a
#   Chrome trace JSON file, which the PyTorch recipe says can be opened at `chrome://tracing`
#   ([profiler recipe](https://docs.pytorch.org/tutorials/recipes/recipes/profiler_recipe.html),
#   [`torch.profiler` API](https://docs.pytorch.org/docs/stable/profiler.html)).
# - **TensorFlow**: `tf.profiler.experimental.start(logdir)` / `stop()`, or the
#   `tf.profiler.experimental.Profile(logdir)` context manager, write the trace into a log
#   directory for TensorBoard's profile page
#   ([TensorFlow profiler guide](https://www.tensorflow.org/guide/profiler),
#   [`tf.profiler.experimental.start`](https://www.tensorflow.org/api_docs/python/tf/profiler/experimental/start)).
# - **JAX**: `jax.profiler.trace(log_dir)`, or `start_trace` / `stop_trace`, writes the same kind of
#   log directory; with `create_perfetto_trace=True` it also writes `perfetto_trace.json.gz`, a
#   file the Perfetto UI opens
#   ([JAX profiling guide](https://docs.jax.dev/en/latest/profiling.html),
#   [`jax.profiler.trace`](https://docs.jax.dev/en/latest/_autosummary/jax.profiler.trace.html)).
#
# The viewers are separate programs, and none is installed here. PyTorch's tutorials point to
# `chrome://tracing` and the Perfetto UI for its JSON file, its TensorBoard integration being
# deprecated ([PyTorch Profiler With TensorBoard](https://docs.pytorch.org/tutorials/intermediate/tensorboard_profiler_tutorial.html));
# Perfetto treats JSON as a legacy format it supports on a best-effort basis
# ([Perfetto FAQ](https://perfetto.dev/docs/faq)). The `*.xplane.pb` files that TensorFlow and JAX
# write under `<log_dir>/plugins/profile/<session>/` are read by XProf, which runs on its own
# (`xprof --logdir ...`) or as TensorBoard's profile plugin, installs with `pip install xprof`, and
# needs internet access to load the Google Charts library it draws with
# ([XProf README](https://github.com/openxla/xprof)). The JAX guide says XProf supplants the
# `tensorboard_plugin_profile` package, which the TensorFlow guide still tells you to install
# ([JAX profiling guide](https://docs.jax.dev/en/latest/profiling.html)). So the cells below read
# the files themselves: JSON with the standard library, and the XPlane protocol buffer with the
# `xplane_pb2` module that the `tensorflow` wheel ships.
#
# Not equivalent by default: what is recorded (PyTorch records operators as they are dispatched from
# Python; TensorFlow records the kernels of the `tf.function` graph on its executor threads; JAX
# records the instructions of the compiled XLA program, where one `*_fusion` can stand for several
# source operations), the file written (one JSON file at a path you choose; a protocol
# buffer in a dated session folder under the log directory; the same plus a gzipped JSON trace),
# and when the work happens (JAX dispatches asynchronously, so the traced block must wait for the
# result with `block_until_ready()`, as the JAX guide does). The first call of a `tf.function` or a
# jitted function traces and compiles it, so every framework takes one warm-up step outside the
# profile. Each trace covers `STEPS` steps, each marked with the framework's step annotation.

# %%
import gzip
import json
import os
import pathlib
import re
import tempfile
from collections import Counter, defaultdict
from itertools import groupby

# PyTorch's tracing library, Kineto, writes two "USDT" log lines to stderr for every trace; with torch
# 2.13 they sit at its log level 5, so a level of 6, read when torch is imported, keeps the outputs clean.
os.environ.setdefault("KINETO_LOG_LEVEL", "6")

import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp
from tensorflow.tsl.profiler.protobuf import xplane_pb2  # the XPlane schema, shipped in the tensorflow wheel

from helpers.agreement import assert_agree

tf.get_logger().setLevel("WARNING")
jax.config.update("jax_enable_x64", False)
STEPS, LEARNING_RATE = 5, 0.1
rng = np.random.default_rng(7)
inputs = rng.normal(size=(256, 128)).astype(np.float32)
labels = rng.integers(0, 10, size=256).astype(np.int32)
initial = {
    "w1": (rng.normal(size=(128, 256)) / np.sqrt(128)).astype(np.float32), "b1": np.zeros(256, np.float32),
    "w2": (rng.normal(size=(256, 10)) / np.sqrt(256)).astype(np.float32), "b2": np.zeros(10, np.float32),
}
temporary = tempfile.TemporaryDirectory(prefix="rosetta-profiles-")  # deleted when the kernel exits
logdir = temporary.name

# PyTorch: eager modules and an optimizer.
model_torch = torch.nn.Sequential(torch.nn.Linear(128, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
with torch.no_grad():
    for layer, w, b in ((model_torch[0], "w1", "b1"), (model_torch[2], "w2", "b2")):
        layer.weight.copy_(torch.tensor(initial[w].T))
        layer.bias.copy_(torch.tensor(initial[b]))
optimizer_torch = torch.optim.SGD(model_torch.parameters(), lr=LEARNING_RATE)
x_torch, y_torch = torch.tensor(inputs), torch.tensor(labels, dtype=torch.long)


def train_step_torch():
    optimizer_torch.zero_grad()
    loss = torch.nn.functional.cross_entropy(model_torch(x_torch), y_torch)
    loss.backward()
    optimizer_torch.step()
    return loss


# TensorFlow: a Keras 3 model, updated inside a tf.function.
model_keras = keras.Sequential([
    keras.Input(shape=(128,)), keras.layers.Dense(256, activation="relu"), keras.layers.Dense(10),
])
model_keras.set_weights([initial["w1"], initial["b1"], initial["w2"], initial["b2"]])
optimizer_keras = keras.optimizers.SGD(learning_rate=LEARNING_RATE)
loss_keras = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
x_tf, y_tf = tf.constant(inputs), tf.constant(labels)


@tf.function
def train_step_tf(x, y):
    with tf.GradientTape() as tape:
        loss = loss_keras(y, model_keras(x, training=True))
    grads = tape.gradient(loss, model_keras.trainable_variables)
    optimizer_keras.apply_gradients(zip(grads, model_keras.trainable_variables))
    return loss


# JAX: a pure function of the parameters, compiled as a whole.
def forward_jax(params, x):
    return jax.nn.relu(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]


def loss_jax(params, x, y):
    log_probabilities = jax.nn.log_softmax(forward_jax(params, x))
    return -jnp.mean(jnp.take_along_axis(log_probabilities, y[:, None], axis=1))


@jax.jit
def train_step_jax(params, x, y):
    loss, grads = jax.value_and_grad(loss_jax)(params, x, y)
    return jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, grads), loss


params_jax = {name: jnp.asarray(value) for name, value in initial.items()}
x_jax, y_jax = jnp.asarray(inputs), jnp.asarray(labels)

with torch.no_grad():
    logits_torch = model_torch(x_torch)
assert_agree("logits before training (same weights in)", {
    "pytorch": logits_torch, "tensorflow": model_keras(x_tf), "jax": forward_jax(params_jax, x_jax),
}, rtol=1e-5, atol=1e-5)

# %% [markdown]
# ## Profile the training steps
#
# One warm-up step, then `STEPS` steps inside the profiler, each labelled as a step: PyTorch with
# `torch.profiler.record_function`, TensorFlow with `tf.profiler.experimental.Trace(..., step_num=...)`
# ([API page](https://www.tensorflow.org/api_docs/python/tf/profiler/experimental/Trace)), JAX with
# `jax.profiler.StepTraceAnnotation`
# ([API page](https://docs.jax.dev/en/latest/_autosummary/jax.profiler.StepTraceAnnotation.html)).
# PyTorch is asked for CPU activity only (`activities` defaults to the CPU plus CUDA or XPU when
# one is available); JAX's trace captures CPU, GPU and TPU activity without being asked.

# %% tags=["pytorch", "profile-a-training-step"]
from torch.profiler import ProfilerActivity, profile, record_function

train_step_torch()  # warm-up, outside the profile
with profile(activities=[ProfilerActivity.CPU]) as prof:
    for step in range(STEPS):
        with record_function("train_step"):  # a labelled range in the trace
            loss_torch = train_step_torch()
torch_trace = os.path.join(logdir, "pytorch", "trace.json")
os.makedirs(os.path.dirname(torch_trace), exist_ok=True)
prof.export_chrome_trace(torch_trace)  # the in-memory results, written as Chrome trace JSON

# %% tags=["tensorflow", "profile-a-training-step"]
train_step_tf(x_tf, y_tf)  # warm-up: traces the tf.function, outside the profile
tf_logdir = os.path.join(logdir, "tensorflow")
with tf.profiler.experimental.Profile(tf_logdir):  # start(tf_logdir) ... stop()
    for step in range(STEPS):
        with tf.profiler.experimental.Trace("train", step_num=step, _r=1):  # as in the API example
            loss_tf = train_step_tf(x_tf, y_tf)

# %% tags=["jax", "profile-a-training-step"]
params_jax, _ = jax.block_until_ready(train_step_jax(params_jax, x_jax, y_jax))  # warm-up: compile and finish
jax_logdir = os.path.join(logdir, "jax")
with jax.profiler.trace(jax_logdir, create_perfetto_trace=True):  # start_trace ... stop_trace
    for step in range(STEPS):
        with jax.profiler.StepTraceAnnotation("train", step_num=step):
            params_jax, loss_jax = train_step_jax(params_jax, x_jax, y_jax)
    loss_jax.block_until_ready()  # wait for the asynchronous work before the trace stops

# %% [markdown]
# The three runs took the same steps: after the warm-up and the `STEPS` profiled steps, the losses
# and the weights agree. Then the files each profiler wrote, listed from disk. Besides the
# `<host>.xplane.pb`, JAX's log directory holds `<host>.trace.json.gz`, which `create_perfetto_trace=True`
# copies without its `metadata` field to `perfetto_trace.json.gz`
# ([`jax/_src/profiler.py`](https://github.com/jax-ml/jax/blob/main/jax/_src/profiler.py)).

# %% tags=["measured"]
assert_agree(f"loss at the last profiled step (step {STEPS + 1})",
             {"pytorch": loss_torch, "tensorflow": loss_tf, "jax": loss_jax}, rtol=1e-5, atol=1e-6)
assert_agree(f"first-layer weights after {STEPS + 1} steps", {
    "pytorch": model_torch[0].weight.T, "tensorflow": model_keras.layers[0].kernel, "jax": params_jax["w1"],
}, rtol=1e-4, atol=1e-6)

trace_files = sorted(path for path in pathlib.Path(logdir).rglob("*") if path.is_file())
for path in trace_files:
    print(f"{path.stat().st_size:>9,} bytes  {path.relative_to(logdir)}")
assert {path.relative_to(logdir).parts[0] for path in trace_files} == {"pytorch", "tensorflow", "jax"}

# %% [markdown]
# ## Read the top operations back from each file
#
# One function ranks operations for all three: it takes `(thread, start, duration, name)` events in
# microseconds and adds up each name's *self* time, the time not spent in an event nested inside it
# on the same thread (PyTorch's `aten::linear` encloses `aten::addmm`, for instance). What counts as
# an operation is chosen per format:
#
# - PyTorch's JSON: complete events (`"ph": "X"`) in the `cpu_op` category, the ATen operators.
# - TensorFlow's XPlane: on the `/host:CPU` plane, events whose metadata has a display name; for a
#   kernel named `matmul:MatMul` that is the op type, `MatMul`, so the ranking is by op type.
# - JAX's Perfetto JSON: events carrying an `hlo_op` argument, the compiled XLA operations.

# %%
def top_operations(events, n=6):
    """(name, calls, self µs, share of all self time) of the n names with the most self time.

    events: (thread, start µs, duration µs, name) tuples; an event's self time is its duration minus
    the durations of the events directly nested in it on the same thread.
    """
    self_time, calls = Counter(), Counter()
    ordered = sorted(events, key=lambda event: (event[0], event[1], -event[2]))  # parents before children
    for _, thread_events in groupby(ordered, key=lambda event: event[0]):
        open_events = []  # (end, name) of the events enclosing the current one
        for _, start, duration, name in thread_events:
            while open_events and open_events[-1][0] <= start:
                open_events.pop()
            if open_events:
                self_time[open_events[-1][1]] -= duration  # the parent's own time excludes its children
            self_time[name] += duration
            calls[name] += 1
            open_events.append((start + duration, name))
    total = sum(self_time.values())
    return [(name, calls[name], us, us / total) for name, us in self_time.most_common(n)]


def print_operations(rows):
    for name, count, microseconds, share in rows:
        print(f"{name:<36} {count:>4} calls {microseconds:>9.0f} µs self {share:>6.1%}")


tops = {}

# %% tags=["pytorch", "top-operations-from-the-trace", "measured"]
with open(torch_trace) as file:
    trace = json.load(file)  # {"traceEvents": [...], ...}
operator_events = [(e["tid"], e["ts"], e["dur"], e["name"]) for e in trace["traceEvents"]
                   if e.get("ph") == "X" and e.get("cat") == "cpu_op"]  # ts and dur in µs
tops["pytorch"] = top_operations(operator_events)
print_operations(tops["pytorch"])

# %% tags=["tensorflow", "top-operations-from-the-trace", "measured"]
(xplane_path,) = pathlib.Path(tf_logdir).glob("plugins/profile/*/*.xplane.pb")
space = xplane_pb2.XSpace.FromString(xplane_path.read_bytes())
host = next(plane for plane in space.planes if plane.name == "/host:CPU")
op_events = []
for line in host.lines:  # one line per thread
    for event in line.events:
        op_type = host.event_metadata[event.metadata_id].display_name  # "MatMul" for "matmul:MatMul"
        if op_type:
            start = line.timestamp_ns / 1e3 + event.offset_ps / 1e6  # µs
            op_events.append((line.id, start, event.duration_ps / 1e6, op_type))
tops["tensorflow"] = top_operations(op_events)
print_operations(tops["tensorflow"])

# %% tags=["jax", "top-operations-from-the-trace", "measured"]
(perfetto_path,) = pathlib.Path(jax_logdir).glob("plugins/profile/*/perfetto_trace.json.gz")
with gzip.open(perfetto_path) as file:
    trace = json.load(file)
xla_events = [(e["tid"], e["ts"], e["dur"], e["name"]) for e in trace["traceEvents"]
              if "hlo_op" in e.get("args", {})]  # operations of the compiled XLA program
tops["jax"] = top_operations(xla_events)
print_operations(tops["jax"])

# %% [markdown]
# ## Side by side
#
# The table gives each operation's share of its own framework's operation time rather than
# microseconds: this notebook runs on a shared two-core build machine where absolute times swing
# widely from run to run, so the numbers are a profile of one run, not a benchmark (the site's
# measurements are made separately). The names and call counts are what to compare. Every top
# operation ran a whole multiple of `STEPS` times, once or more per step, and each trace holds
# exactly `STEPS` step markers. Had the JAX warm-up not waited for its result, its execution would
# have landed inside the trace, since JAX dispatches work asynchronously
# ([asynchronous dispatch](https://docs.jax.dev/en/latest/async_dispatch.html)), and the counts
# would be off by one. The PyTorch file also agrees with the profiler's in-memory table
# (`prof.key_averages()`) on how often each top operator ran.

# %% tags=["measured"]
column = 44
print("share of each framework's operation self time, over", STEPS, "steps")
print("".join(f"{name:<{column}}" for name in tops))
for rank in range(max(len(rows) for rows in tops.values())):
    cells = []
    for rows in tops.values():
        if rank < len(rows):
            name, count, _, share = rows[rank]
            cells.append(f"{name[:30]:<30} {count:>3}× {share:>6.1%}".ljust(column))
        else:
            cells.append(" " * column)
    print("".join(cells).rstrip())

assert all(count % STEPS == 0 for rows in tops.values() for _, count, _, _ in rows), tops
with open(torch_trace) as file:
    torch_events = json.load(file)["traceEvents"]
step_markers = {
    "pytorch": sum(e.get("name") == "train_step" and e.get("cat") == "user_annotation" for e in torch_events),
    "tensorflow": sum(host.event_metadata[event.metadata_id].name == "train"
                      for line in host.lines for event in line.events),
    "jax": sum(e.get("name") == "train" for e in trace["traceEvents"]),
}
print("\nstep markers in each file:", step_markers)
assert step_markers == {"pytorch": STEPS, "tensorflow": STEPS, "jax": STEPS}

in_memory = {average.key: average.count for average in prof.key_averages()}
assert all(in_memory[name] == count for name, count, _, _ in tops["pytorch"]), "file and key_averages() disagree"
print("pytorch: call counts in the JSON file equal prof.key_averages() for all", len(tops["pytorch"]), "top operators")

# %% [markdown]
# ## What the names stand for
#
# PyTorch's names are its ATen operators. TensorFlow's op types come from graph nodes, whose names
# are in the same XPlane metadata (`node:OpType`); `_FusedMatMul` nodes are made by Grappler, the
# graph optimizer that runs on `tf.function` graphs, whose remapper replaces common subgraphs with one
# fused kernel (here a `MatMul` with the bias add after it, and in the first layer the ReLU too)
# ([Grappler guide](https://www.tensorflow.org/guide/graph_optimization)). XLA's instruction names
# lead back to the JAX code through the compiled program, which `jax.jit(f).lower(...).compile().as_text()`
# prints: each instruction keeps, as `op_name` metadata, the JAX operation it came from, under the
# names of the transformations that produced it (`jvp` and `transpose`, both from
# `jax.value_and_grad` here).

# %% tags=["measured"]
nodes_by_type = defaultdict(set)
for line in host.lines:
    for event in line.events:
        metadata = host.event_metadata[event.metadata_id]
        if metadata.display_name:
            nodes_by_type[metadata.display_name].add(metadata.name.rsplit(":", 1)[0])
print("tensorflow: op type <- graph nodes")
for op_type, *_ in tops["tensorflow"]:
    print(f"  {op_type:<36} {', '.join(sorted(nodes_by_type[op_type]))}")

hlo_text = train_step_jax.lower(params_jax, x_jax, y_jax).compile().as_text()
source_op = dict(re.findall(r'%([\w.\-]+) = [^\n]*?metadata=\{op_name="([^"]+)"', hlo_text))
print("jax: XLA instruction <- JAX operation (op_name metadata of the compiled program)")
for name, *_ in tops["jax"]:
    print(f"  {name:<36} {source_op[name].removeprefix('jit(train_step_jax)/')}")
