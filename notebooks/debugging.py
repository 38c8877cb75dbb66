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
# # Debugging inside compiled code
#
# What the usual debugging moves do once a function is compiled with `torch.compile`,
# `tf.function` or `jax.jit`: printing intermediate values, switching compilation off to step
# through the Python code, and finding where a NaN first appears. The computed results are compared
# across frameworks as in the other notebooks; where the frameworks behave differently, the
# notebook asserts the behaviour itself, for example how many times a `print` ran.
#
# Not equivalent by default: Python's `print` inside a compiled function (TorchDynamo cannot put it
# in a graph, so it splits the function and runs `print` on every call; `tf.function` and
# `jax.jit` run Python only while tracing, so `print` runs once and shows a symbolic placeholder),
# the printing operation that runs on every call (`tf.print`, `jax.debug.print`; PyTorch needs
# none because of the split), and the NaN checks, which look at different places: PyTorch's anomaly
# mode checks the backward pass, TensorFlow's check-numerics mode and JAX's `jax_debug_nans` check
# forward operations too. TensorFlow's gradient of `where` over a square root also differs from the
# other two, shown at the end.

# %%
import contextlib
import io
import os
import sys
import tempfile
import warnings

import numpy as np
import torch
import tensorflow as tf
import jax
import jax.numpy as jnp

from helpers.agreement import assert_agree

jax.config.update("jax_enable_x64", False)
tf.get_logger().setLevel("WARNING")  # a script's default; in Jupyter TensorFlow's logger starts at INFO
first = np.array([0.5, -1.0, 2.0], np.float32)
second = np.array([1.5, 0.25, -3.0], np.float32)


def lines_printed(run):
    """Call run() and return the lines it printed: from Python's print, and from C++ (tf.print) alike."""
    python_output = io.StringIO()
    with tempfile.TemporaryFile(mode="w+") as native_output:
        saved = os.dup(1)
        os.dup2(native_output.fileno(), 1)  # file descriptor 1 is where C++ code writes stdout
        try:
            with contextlib.redirect_stdout(python_output):
                run()
                jax.effects_barrier()  # wait for jax.debug.print callbacks
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        native_output.seek(0)
        return python_output.getvalue().splitlines() + native_output.read().splitlines()


# %% [markdown]
# ## Print inside compiled code
#
# The function squares `2·tanh(x)` and sums; it prints the intermediate `y`. It is called twice,
# with two inputs of the same shape. TorchDynamo, meeting `print`, ends the graph before it, runs
# the `print` in Python and starts a new graph after it (a graph break): a counting backend sees two
# graphs, and `torch._dynamo.explain` reports the break and its reason. TensorFlow and JAX trace the
# function once and reuse the graph, so Python's `print` runs only during that trace; `tf.print`
# and `jax.debug.print` are operations in the graph and print the values on every call.

# %% tags=["pytorch", "print-inside-compiled-code"]
graphs_torch = 0

def counting_backend(graph_module, example_inputs):  # a torch.compile backend that counts graphs
    global graphs_torch
    graphs_torch += 1
    return graph_module.forward

def step_torch(x):
    y = torch.tanh(x) * 2
    print("print sees", y)  # Dynamo cannot trace print: the graph breaks here
    return (y**2).sum()

compiled_torch = torch.compile(step_torch, backend=counting_backend)
out_torch = [compiled_torch(torch.from_numpy(v)) for v in (first, second)]
print("graphs compiled:", graphs_torch)

explanation = torch._dynamo.explain(step_torch)(torch.from_numpy(first))
print("graphs:", explanation.graph_count, "graph breaks:", explanation.graph_break_count)
print("reason:", explanation.break_reasons[0].reason.splitlines()[0])

# %% tags=["tensorflow", "print-inside-compiled-code"]
@tf.function
def step_tf(x):
    y = tf.tanh(x) * 2
    print("print sees", y)  # Python: runs while tracing, sees a symbolic tensor
    tf.print("tf.print sees", y, output_stream=sys.stdout)  # a graph op: runs on every call
    return tf.reduce_sum(y**2)

out_tf = [step_tf(tf.constant(v)) for v in (first, second)]

# %% tags=["jax", "print-inside-compiled-code"]
@jax.jit
def step_jax(x):
    y = jnp.tanh(x) * 2
    print("print sees", y)  # Python: runs while tracing, sees a tracer
    jax.debug.print("jax.debug.print sees {}", y)  # staged into the computation: runs on every call
    return jnp.sum(y**2)

out_jax = [step_jax(v) for v in (first, second)]
jax.effects_barrier()  # debug prints run asynchronously; wait for them

# %% [markdown]
# The checks call each compiled function twice more, TensorFlow's as a new `tf.function` of the
# same Python function and JAX's after clearing its cache, so that both trace again, and count the
# lines each kind of print produced.

# %%
assert_agree("Σ (2·tanh x)² from the compiled functions", {
    "numpy": [np.sum((2 * np.tanh(v)) ** 2) for v in (first, second)],
    "pytorch": out_torch, "tensorflow": out_tf, "jax": out_jax,
}, rtol=1e-6, atol=1e-6)
assert (graphs_torch, explanation.graph_count, explanation.graph_break_count) == (2, 2, 1)

fresh = {
    "pytorch": compiled_torch,  # print runs in Python between the two graphs anyway
    "tensorflow": tf.function(step_tf.python_function),
    "jax": step_jax,
}
step_jax.clear_cache()  # forget the trace, so the next call traces again
inputs = {"pytorch": [torch.from_numpy(first), torch.from_numpy(second)],
          "tensorflow": [tf.constant(first), tf.constant(second)], "jax": [first, second]}
expected = {"pytorch": {"print sees": 2},
            "tensorflow": {"print sees": 1, "tf.print sees": 2},
            "jax": {"print sees": 1, "jax.debug.print sees": 2}}
for name, function in fresh.items():
    lines = lines_printed(lambda: [function(v) for v in inputs[name]])
    counts = {label: sum(line.startswith(label + " ") for line in lines) for label in expected[name]}
    assert counts == expected[name], (name, counts, lines)
    print(f"{name:<11} two calls: " + ", ".join(f"{label!r} ran {n}×" for label, n in counts.items()))
    if name != "pytorch":  # what the Python print saw while tracing
        traced = next(line for line in lines if line.startswith("print sees "))
        assert ("Tensor(" if name == "tensorflow" else "Tracer") in traced, traced
        print(f"{'':<11} Python print saw: {traced.removeprefix('print sees ')}")

# %% [markdown]
# Dynamo can also leave `print` in place without breaking the graph: listed in
# `torch._dynamo.config.reorderable_logging_functions`, it is moved after the graph and runs with
# the values the graph computed. `fullgraph=True` turns any graph break into an error, so the
# compilation below succeeding shows there was none.

# %%
graphs_before = graphs_torch
with torch._dynamo.config.patch(reorderable_logging_functions={print}):
    def step_torch_reordered(x):  # a new function: Dynamo caches compiled code per function
        y = torch.tanh(x) * 2
        print("print sees", y)
        return (y**2).sum()
    whole_graph = torch.compile(step_torch_reordered, backend=counting_backend, fullgraph=True)
    assert_agree("print moved after the graph: same result", {
        "with graph break": out_torch[0], "one graph": whole_graph(torch.from_numpy(first))}, rtol=0, atol=0)
assert graphs_torch - graphs_before == 1, graphs_torch - graphs_before

# %% [markdown]
# ## Run compiled code eagerly
#
# To step through a compiled function with a debugger, or to look at a concrete value, switch
# compilation off without editing the function. `torch.compiler.set_stance("force_eager")` makes
# every `torch.compile`d function run as plain Python (`torch.compiler.disable` does the same for
# one function, and `TORCHDYNAMO_DISABLE=1` for the whole process);
# `tf.config.run_functions_eagerly(True)` does it for every `tf.function`; inside
# `jax.disable_jit()` a jitted function runs operation by operation on concrete arrays. The
# function below records the largest intermediate value in a Python list, which needs a concrete
# number: under `tf.function` there is no `.numpy()` on a symbolic tensor, and under `jax.jit`
# `float()` of a tracer raises `ConcretizationTypeError`; under `torch.compile` the conversion
# would break the graph rather than fail.

# %% tags=["pytorch", "run-compiled-code-eagerly"]
largest_torch = []

@torch.compile
def scaled_torch(x):
    y = torch.tanh(x) * 2
    largest_torch.append(y.max().item())  # a concrete number, on every call
    return (y**2).sum()

with torch.compiler.set_stance("force_eager"):  # run as written: no Dynamo, no compilation
    eager_out_torch = [scaled_torch(torch.from_numpy(v)) for v in (first, second)]
print("recorded:", largest_torch)

# %% tags=["tensorflow", "run-compiled-code-eagerly"]
largest_tf = []

@tf.function
def scaled_tf(x):
    y = tf.tanh(x) * 2
    largest_tf.append(float(y.numpy().max()))  # .numpy() exists only when running eagerly
    return tf.reduce_sum(y**2)

tf.config.run_functions_eagerly(True)  # global switch: every tf.function runs as Python
try:
    eager_out_tf = [scaled_tf(tf.constant(v)) for v in (first, second)]
finally:
    tf.config.run_functions_eagerly(False)
print("recorded:", largest_tf)

# %% tags=["jax", "run-compiled-code-eagerly"]
largest_jax = []

@jax.jit
def scaled_jax(x):
    y = jnp.tanh(x) * 2
    largest_jax.append(float(y.max()))  # float() of a tracer fails under jit
    return jnp.sum(y**2)

with jax.disable_jit():  # jitted functions run op by op, on concrete arrays
    eager_out_jax = [scaled_jax(v) for v in (first, second)]
print("recorded:", largest_jax)

# %%
assert_agree("largest intermediate, recorded on each eager call", {
    "numpy": [np.max(2 * np.tanh(v)) for v in (first, second)],
    "pytorch": largest_torch, "tensorflow": largest_tf, "jax": largest_jax,
}, rtol=1e-6, atol=1e-6)
assert_agree("results of the eager calls", {
    "pytorch": eager_out_torch, "tensorflow": eager_out_tf, "jax": eager_out_jax,
}, rtol=1e-6, atol=1e-6)

# The same functions compiled, as they run without the switches:
try:
    scaled_tf(tf.constant(first))
    raise AssertionError("tf.function ran .numpy() on a symbolic tensor")
except AttributeError as error:
    print("tf.function:", str(error).strip().splitlines()[-1].strip())
try:
    scaled_jax(first)
    raise AssertionError("jax.jit converted a tracer to float")
except jax.errors.ConcretizationTypeError as error:
    print("jax.jit:", str(error).splitlines()[0])

# %% [markdown]
# ## Catch NaNs
#
# A classic trap: `where(x > 0, sqrt(x), 0)` has no NaN in its value, but the square root is
# computed for every element, including x = −1, where it is NaN. PyTorch's
# `torch.autograd.detect_anomaly()` checks every backward operation and raises at the first one
# returning a NaN; it also warns with the traceback of the forward operation that produced it.
# `tf.debugging.enable_check_numerics()` checks the output of every operation, eager or inside a
# `tf.function` (`tf.debugging.check_numerics(t, message)` checks one tensor). With
# `jax_debug_nans` JAX checks the output of every operation run eagerly and of every jitted
# function, and when a jitted function's output has a NaN it runs the function again without `jit`
# to find the operation. The three catch the NaN at different places: PyTorch in the backward pass,
# TensorFlow and JAX at the forward square root.

# %%
points = np.array([-1.0, 0.5, 4.0], np.float32)

# %% tags=["pytorch", "catch-nans"]
x = torch.tensor(points, requires_grad=True)
error_torch = None
with warnings.catch_warnings(record=True) as caught, torch.autograd.detect_anomaly():
    warnings.simplefilter("always")
    loss = torch.where(x > 0, torch.sqrt(x), 0.0).sum()
    try:
        loss.backward()
    except RuntimeError as error:
        error_torch = error
print("RuntimeError:", error_torch)
print("warning:", str(caught[-1].message).splitlines()[0])

# %% tags=["tensorflow", "catch-nans"]
error_tf = None
tf.debugging.enable_check_numerics()  # from here on, every op's output is checked
try:
    x = tf.constant(points)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.where(x > 0, tf.sqrt(x), 0.0))
    tape.gradient(loss, x)
except tf.errors.InvalidArgumentError as error:
    error_tf = error
finally:
    tf.debugging.disable_check_numerics()
print("InvalidArgumentError:", next(line for line in error_tf.message.splitlines() if "Detected" in line))

# %% tags=["jax", "catch-nans"]
def loss_jax(x):
    return jnp.sum(jnp.where(x > 0, jnp.sqrt(x), 0.0))

error_jax = None
with jax.debug_nans(True):  # or jax.config.update("jax_debug_nans", True)
    try:
        jax.grad(loss_jax)(points)
    except FloatingPointError as error:
        error_jax = error
print("FloatingPointError:", error_jax)

# %% [markdown]
# The checks: each tool raised, at the place described. Without the checks the gradients are
# computed without complaint, and there the frameworks differ at x = −1: PyTorch and JAX multiply
# the zero gradient from `where` by the square root's NaN derivative and get NaN, while
# TensorFlow's square-root gradient returns 0 where the incoming gradient is 0.

# %%
assert "SqrtBackward0" in str(error_torch), error_torch
assert "Error detected in SqrtBackward0" in str(caught[-1].message)
assert 'op "Sqrt"' in error_tf.message, error_tf.message
assert "nan" in str(error_jax) and "sqrt" in str(error_jax), error_jax

x = torch.tensor(points, requires_grad=True)
torch.where(x > 0, torch.sqrt(x), 0.0).sum().backward()
unchecked_torch = x.grad
x = tf.constant(points)
with tf.GradientTape() as tape:
    tape.watch(x)
    loss = tf.reduce_sum(tf.where(x > 0, tf.sqrt(x), 0.0))
unchecked_tf = tape.gradient(loss, x)
unchecked_jax = jax.grad(loss_jax)(points)
print("unchecked gradients:", {"pytorch": unchecked_torch.tolist(), "tensorflow": unchecked_tf.numpy().tolist(),
                               "jax": unchecked_jax.tolist()})
assert np.isnan(unchecked_torch[0].item()) and np.isnan(float(unchecked_jax[0])) and float(unchecked_tf[0]) == 0.0
assert_agree("unchecked gradients where x > 0", {
    "by hand": 0.5 / np.sqrt(points[1:]), "pytorch": unchecked_torch[1:], "tensorflow": unchecked_tf[1:],
    "jax": unchecked_jax[1:],
}, rtol=1e-6, atol=1e-6)

# %% [markdown]
# ## A NaN-safe where
#
# The fix is the same in all three: give the square root a harmless input where its result will be
# discarded, so that neither its value nor its derivative is NaN. The gradients then pass every
# check above and agree.

# %% tags=["pytorch", "nan-safe-where"]
x = torch.tensor(points, requires_grad=True)
positive = x > 0
safe_x = torch.where(positive, x, 1.0)  # sqrt never sees a negative number
torch.where(positive, torch.sqrt(safe_x), 0.0).sum().backward()
safe_grad_torch = x.grad
print(safe_grad_torch)

# %% tags=["tensorflow", "nan-safe-where"]
x = tf.constant(points)
with tf.GradientTape() as tape:
    tape.watch(x)
    positive = x > 0
    safe_x = tf.where(positive, x, 1.0)  # sqrt never sees a negative number
    loss = tf.reduce_sum(tf.where(positive, tf.sqrt(safe_x), 0.0))
safe_grad_tf = tape.gradient(loss, x)
print(safe_grad_tf)

# %% tags=["jax", "nan-safe-where"]
def safe_loss_jax(x):
    positive = x > 0
    safe_x = jnp.where(positive, x, 1.0)  # sqrt never sees a negative number
    return jnp.sum(jnp.where(positive, jnp.sqrt(safe_x), 0.0))

safe_grad_jax = jax.grad(safe_loss_jax)(points)
print(safe_grad_jax)

# %%
assert_agree("gradient of the NaN-safe where", {
    "by hand": np.where(points > 0, 0.5 / np.sqrt(np.abs(points)), 0.0),
    "pytorch": safe_grad_torch, "tensorflow": safe_grad_tf, "jax": safe_grad_jax,
}, rtol=1e-6, atol=1e-6)
with jax.debug_nans(True):
    assert_agree("the same, with jax_debug_nans on", {
        "jax": safe_grad_jax, "jax checked": jax.grad(safe_loss_jax)(points)}, rtol=0, atol=0)
