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
# # Distributed training on the CPU
#
# Data parallelism on one machine without accelerators: the batch is split into two halves, each
# half's gradient is computed on its own device or process, the gradients are combined, and every
# copy of the weights takes the same SGD step. TensorFlow runs `tf.distribute.MirroredStrategy`
# over two logical CPU devices; PyTorch runs `DistributedDataParallel` in two processes that talk
# through the gloo backend; JAX splits the batch over two host devices with a `NamedSharding`
# and lets `jax.jit` insert the reduction. Each data-parallel step is checked against the same step
# taken in a single process on the whole batch.
#
# Not equivalent by default: the unit of parallelism (TensorFlow's replicas are devices in one
# process, PyTorch's are processes, one per device; JAX's are devices that one program is compiled
# for), how the loss is scaled (DDP averages the gradients over processes, so each process takes the
# mean loss of its own shard; under `MirroredStrategy` the replicas' gradients are summed, so each
# replica divides its loss by the global batch size, which `tf.nn.compute_average_loss` does; in JAX
# the loss is an ordinary mean over the sharded batch), and the setup, which must happen before
# anything else: the logical CPU devices before TensorFlow's first operation, the host device count
# before JAX starts its CPU backend, and for PyTorch a process group and an importable function for
# each spawned process. Two devices on one CPU show the programming model, not a speed-up.

# %%
import os

# Read when JAX starts its CPU backend: set before jax is imported.
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"

import inspect
import tempfile

import numpy as np
import tensorflow as tf

# Split the CPU into two logical devices; allowed only before TensorFlow runs any operation.
tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0],
    [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

import keras
import torch
import torch.multiprocessing as mp
import jax
import jax.numpy as jnp
from jax.sharding import NamedSharding, PartitionSpec

from helpers import ddp_worker
from helpers.agreement import assert_agree

jax.config.update("jax_enable_x64", False)
tf.get_logger().setLevel("WARNING")  # in Jupyter TensorFlow's logger starts at INFO; a script's default
assert jax.device_count() == 2, jax.devices()
assert len(tf.config.list_logical_devices("CPU")) == 2
print("JAX devices:", jax.devices())
print("TensorFlow CPU devices:", [d.name for d in tf.config.list_logical_devices("CPU")])

WORLD_SIZE, GLOBAL_BATCH, LEARNING_RATE = 2, 8, 0.1
rng = np.random.default_rng(1)
inputs = rng.normal(size=(GLOBAL_BATCH, 4)).astype(np.float32)
targets = np.sin(inputs.sum(axis=1, keepdims=True)).astype(np.float32)
initial = {
    "w1": (rng.normal(size=(4, 8)) * 0.5).astype(np.float32), "b1": (rng.normal(size=8) * 0.1).astype(np.float32),
    "w2": (rng.normal(size=(8, 1)) * 0.5).astype(np.float32), "b2": np.zeros(1, np.float32),
}


def build_keras_model():
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
    model.set_weights([initial["w1"], initial["b1"], initial["w2"], initial["b2"]])
    return model


def mse_jax(params, x, y):
    hidden = jnp.tanh(x @ params["w1"] + params["b1"])
    return jnp.mean((hidden @ params["w2"] + params["b2"] - y) ** 2)


@jax.jit
def sgd_step_jax(params, x, y):
    loss, grads = jax.value_and_grad(mse_jax)(params, x, y)
    return jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, grads), loss

# %% [markdown]
# ## One data-parallel SGD step
#
# PyTorch's processes run `data_parallel_step` from `notebooks/helpers/ddp_worker.py`
# (`torch.multiprocessing.spawn` starts new interpreters, which import the function they run), and
# rendezvous through a file. Each saves its weights after the step.

# %% tags=["pytorch", "data-parallel-step"]
print(inspect.getsource(ddp_worker.data_parallel_step))  # what each process runs

with tempfile.TemporaryDirectory() as workdir:
    mp.spawn(ddp_worker.data_parallel_step, nprocs=WORLD_SIZE, join=True,
             args=(WORLD_SIZE, f"{workdir}/rendezvous", workdir, initial, inputs, targets, LEARNING_RATE))
    ranks_torch = [dict(np.load(f"{workdir}/rank{rank}.npz")) for rank in range(WORLD_SIZE)]
params_torch, loss_torch = ranks_torch[0], float(ranks_torch[0]["loss"])
print(f"loss {loss_torch:.6f}")

# %% tags=["tensorflow", "data-parallel-step"]
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():  # variables created here are mirrored on both devices
    model_tf = build_keras_model()
    optimizer_tf = keras.optimizers.SGD(learning_rate=LEARNING_RATE)

dataset = tf.data.Dataset.from_tensor_slices((inputs, targets)).batch(GLOBAL_BATCH)
batch = next(iter(strategy.experimental_distribute_dataset(dataset)))  # 4 examples per replica

@tf.function
def data_parallel_step_tf(batch):
    def replica_step(x, y):
        with tf.GradientTape() as tape:
            per_example = tf.reduce_mean((model_tf(x, training=True) - y) ** 2, axis=1)
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)
        grads = tape.gradient(loss, model_tf.trainable_variables)
        optimizer_tf.apply_gradients(zip(grads, model_tf.trainable_variables))  # sums over replicas
        return loss
    per_replica_loss = strategy.run(replica_step, args=batch)
    return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_loss, axis=None)

loss_tf = float(data_parallel_step_tf(batch))
print(f"replicas: {strategy.num_replicas_in_sync}, loss {loss_tf:.6f}")

# %% tags=["jax", "data-parallel-step"]
mesh = jax.make_mesh((WORLD_SIZE,), ("data",))
split_batch = NamedSharding(mesh, PartitionSpec("data"))  # first axis split over the "data" devices
replicated = NamedSharding(mesh, PartitionSpec())  # a full copy on every device

x_jax = jax.device_put(inputs, split_batch)
y_jax = jax.device_put(targets, split_batch)
params_jax = jax.device_put({name: jnp.asarray(v) for name, v in initial.items()}, replicated)
params_jax, loss_jax = sgd_step_jax(params_jax, x_jax, y_jax)  # jit adds the cross-device sum
print([(str(shard.device), shard.data.shape) for shard in x_jax.addressable_shards])
print("weights replicated:", params_jax["w1"].sharding.is_fully_replicated, f"| loss {float(loss_jax):.6f}")

# %% [markdown]
# ## The check
#
# The single-process reference: the same SGD step on the whole batch, in one process and on one
# device, in each framework. Every data-parallel result, on every rank or device, should match it.

# %%
reference_torch = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
with torch.no_grad():
    for layer, w, b in ((reference_torch[0], "w1", "b1"), (reference_torch[2], "w2", "b2")):
        layer.weight.copy_(torch.tensor(initial[w].T))
        layer.bias.copy_(torch.tensor(initial[b]))
reference_optimizer = torch.optim.SGD(reference_torch.parameters(), lr=LEARNING_RATE)
single_loss_torch = torch.nn.functional.mse_loss(reference_torch(torch.tensor(inputs)), torch.tensor(targets))
single_loss_torch.backward()
reference_optimizer.step()

reference_keras = build_keras_model()
with tf.GradientTape() as tape:
    single_loss_tf = tf.reduce_mean((reference_keras(inputs) - targets) ** 2)
grads = tape.gradient(single_loss_tf, reference_keras.trainable_variables)
keras.optimizers.SGD(learning_rate=LEARNING_RATE).apply_gradients(zip(grads, reference_keras.trainable_variables))

single_params_jax = {name: jnp.asarray(v) for name, v in initial.items()}  # on one device
single_params_jax, single_loss_jax = sgd_step_jax(single_params_jax, inputs, targets)
assert len(single_params_jax["w1"].devices()) == 1 and len(params_jax["w1"].devices()) == WORLD_SIZE

# %%
assert_agree("loss before the step", {
    "single process (pytorch)": single_loss_torch, "single process (tensorflow)": single_loss_tf,
    "single process (jax)": single_loss_jax, "pytorch DDP": loss_torch, "tensorflow MirroredStrategy": loss_tf,
    "jax sharded": loss_jax,
}, rtol=1e-5, atol=1e-6)

kernel_tf = model_tf.layers[0].kernel.value  # a MirroredVariable: one copy per device
assert_agree("first-layer weights after one step", {
    "single process (pytorch)": reference_torch[0].weight.T,
    "single process (tensorflow)": reference_keras.layers[0].kernel,
    "single process (jax)": single_params_jax["w1"],
    "pytorch DDP, rank 0": ranks_torch[0]["w1"], "pytorch DDP, rank 1": ranks_torch[1]["w1"],
    "tensorflow, /cpu:0": kernel_tf.values[0], "tensorflow, /cpu:1": kernel_tf.values[1],
    **{f"jax, {shard.device}": shard.data for shard in params_jax["w1"].addressable_shards},
}, rtol=1e-5, atol=1e-6)
assert_agree("second-layer weights after one step", {
    "single process (pytorch)": reference_torch[2].weight.T,
    "pytorch DDP": params_torch["w2"], "tensorflow MirroredStrategy": model_tf.layers[1].kernel,
    "jax sharded": params_jax["w2"],
}, rtol=1e-5, atol=1e-6)

# %% [markdown]
# The reduction is visible in the program JAX compiled for the sharded inputs: an all-reduce that
# the single-device program does not have.

# %%
sharded_hlo = sgd_step_jax.lower(params_jax, x_jax, y_jax).compile().as_text()
single_hlo = sgd_step_jax.lower(single_params_jax, inputs, targets).compile().as_text()
print("all-reduce in the sharded program:", "all-reduce" in sharded_hlo)
print("all-reduce in the single-device program:", "all-reduce" in single_hlo)
assert "all-reduce" in sharded_hlo and "all-reduce" not in single_hlo
