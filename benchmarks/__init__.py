"""Measure a training step and inference in each framework on this machine's CPU (`make measure`).

    python -m benchmarks --mode full --output data/benchmarks/cpu-2026-11-21.yml
    python -m benchmarks --mode smoke --output /tmp/smoke.yml

What is measured: four small models with the same architecture in every framework (an MLP, a CNN, a
one-layer LSTM and a pre-LayerNorm transformer block, each ending in a 10-class head), two tasks each:

- training-step: forward, cross-entropy loss, gradients and a plain SGD update of every parameter;
- inference: the forward pass alone, without gradients (`torch.no_grad`, `training=False`).

Each task runs in each execution variant of a framework: PyTorch eager and `torch.compile` (inductor);
TensorFlow eager, `tf.function` and `tf.function(jit_compile=True)` (XLA); JAX op-by-op dispatch and
`jax.jit`. Every (model, task, variant) gets a freshly built model; its first call is recorded on its
own (it includes tracing and compilation), then 2 warm-up calls, then the repeats are timed one by one
with `time.perf_counter`, waiting for the result (TensorFlow: `.numpy()`; JAX: `block_until_ready`;
PyTorch on CPU returns finished tensors). The medians and quartiles are in milliseconds.

Each framework runs in its own subprocess, so no framework's thread pools or allocator share the
process with another's. In full mode PyTorch's inductor compiles into a fresh cache directory, so the
first call of `torch.compile` is a cold compile, as JAX's and XLA's are without a persistent cache;
smoke mode keeps inductor's default on-disk cache so that repeated checks stay quick. Before its
measurements each worker compiles one trivial function, so that a model's first call measures that
model's tracing and compilation rather than the compiler's one-time start-up in the process (imports,
toolchain checks), which is recorded apart as `<framework>_compiler_startup_ms`. Thread counts
are each framework's defaults and are recorded, with the load average around each framework's run.

Two behaviours of the frameworks' defaults show in the numbers and are stated with the sizes:
`torch.compile` does not trace `nn.LSTM` (a graph break; the LSTM runs eagerly between compiled
parts), and JAX without `jit` compiles `lax.scan` as one XLA loop on every call (its body is traced
anew each time), so the eager JAX LSTM measures that recompilation.

What the numbers say: how much per-step overhead each framework and execution mode has for SMALL models
on a small, shared CPU — dispatch cost, graph/compilation benefit, first-call compilation latency.
What they do not say: anything about GPUs or TPUs (different kernels, asynchronous execution, memory
transfers), clusters or multi-device training (communication dominates), large models (where the
same matrix-multiply libraries dominate and frameworks converge), or input pipelines. Two shared
cores make the numbers noisy; compare the quartiles, not the third digit.

Layout: `harness.py` holds the sizes, the data and the timing loop every framework shares; a framework of
data/frameworks/ is measured by the module `<framework id>_worker.py` here (its VARIANTS and `run(mode)`),
and one without such a module is reported as not measured; `run.py` runs each worker in its own process
and writes the run's YAML file.
"""
