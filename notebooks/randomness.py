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
# # Seeds, generators and PRNG keys in code
#
# How each framework makes random numbers repeatable. PyTorch has a global generator seeded with
# `torch.manual_seed` and explicit `torch.Generator` objects. TensorFlow has three mechanisms: a
# global seed (`tf.random.set_seed`) from which each random operation derives its own seed,
# `tf.random.Generator` objects that carry their state in a variable, and stateless operations
# (`tf.random.stateless_normal`) that take the whole seed as an argument. JAX has no hidden state at
# all: every random function takes a key, and new keys come from `jax.random.split`. The notebook
# checks that the same seed reproduces the same numbers within each framework, bit for bit.
#
# Not equivalent by design: the numbers themselves. The same seed gives different samples in each
# framework, because the bit generators differ (PyTorch's CPU generator is a Mersenne Twister,
# TensorFlow's random operations use Philox by default, JAX's default is Threefry-2x32) and so do the
# transforms from random bits to normal samples. The notebook asserts that they differ. Dropout masks
# differ for the same reason; what the three do agree on is the scaling of the kept values by
# 1/(1 − p) ("inverted" dropout), which is checked. To get identical random numbers in several
# frameworks, draw them once with NumPy and copy them in, as the other notebooks do for weights.

# %%
import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp
from flax import nnx

from helpers.agreement import assert_agree

jax.config.update("jax_enable_x64", False)
SEED = 0


def assert_differ(quantity, results, atol=1e-3):
    """The opposite of assert_agree: every pair of results differs by more than atol somewhere."""
    names = list(results)
    print(f"{quantity}: expected to differ, by more than atol={atol:g}")
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            a = np.asarray(results[first], np.float64)
            b = np.asarray(results[second], np.float64)
            worst = float(np.abs(a - b).max())
            assert worst > atol, f"{first} and {second} unexpectedly agree (max |difference| = {worst:.3g})"
            print(f"  {first} vs {second}: max |difference| = {worst:.3g}  differ, as expected")


# %% [markdown]
# ## Seed, then sample
#
# Re-seeding repeats the sequence. In PyTorch and with TensorFlow's global seed, the seed is state
# that every later random call advances; `tf.random.set_seed` also resets the counter from which
# each operation's own seed is derived, which is why the second draw after re-seeding repeats the
# first. A stateless TensorFlow operation and a JAX key give the same numbers every time they are
# used, without re-seeding.

# %% tags=["pytorch", "seed-and-sample"]
torch.manual_seed(SEED)  # seeds the global generator
first_torch = torch.randn(4)
second_torch = torch.randn(4)  # the generator has moved on: different numbers
torch.manual_seed(SEED)
again_torch = torch.randn(4)  # same as first_torch
print(first_torch, second_torch, again_torch, sep="\n")

# %% tags=["tensorflow", "seed-and-sample"]
tf.random.set_seed(SEED)  # global seed; each op derives its own seed from it
first_tf = tf.random.normal([4])
second_tf = tf.random.normal([4])
tf.random.set_seed(SEED)
again_tf = tf.random.normal([4])

stateless_tf = tf.random.stateless_normal([4], seed=[SEED, 0])  # no state: same result on every call
print(first_tf, second_tf, again_tf, stateless_tf, sep="\n")

# %% tags=["jax", "seed-and-sample"]
key = jax.random.key(SEED)  # an explicit key; nothing global
first_jax = jax.random.normal(key, (4,))
second_jax = jax.random.normal(key, (4,))  # the same key gives the same numbers again
again_jax = jax.random.normal(jax.random.key(SEED), (4,))
print(jax.random.key_impl(key))
print(first_jax, second_jax, again_jax, sep="\n")

# %%
assert_agree("PyTorch: draw after re-seeding", {"first": first_torch, "again": again_torch}, rtol=0, atol=0)
assert_differ("PyTorch: two draws in a row", {"first": first_torch, "second": second_torch})
assert_agree("TensorFlow: draw after re-seeding", {"first": first_tf, "again": again_tf}, rtol=0, atol=0)
assert_differ("TensorFlow: two draws in a row", {"first": first_tf, "second": second_tf})
assert_agree("TensorFlow: a stateless op called twice",
             {"first": stateless_tf, "again": tf.random.stateless_normal([4], seed=[SEED, 0])}, rtol=0, atol=0)
assert_agree("JAX: the same key used three times",
             {"first": first_jax, "second": second_jax, "again": again_jax}, rtol=0, atol=0)

# %% [markdown]
# Across frameworks the same seed does not give the same numbers, and is not meant to:

# %%
assert_differ(f"normal samples from seed {SEED}", {
    "pytorch": first_torch.numpy(), "tensorflow (global seed)": first_tf.numpy(),
    "tensorflow (stateless)": stateless_tf.numpy(), "jax": np.asarray(first_jax),
})

# %% [markdown]
# ## Independent streams: split keys or separate generators
#
# A program usually needs several independent streams, for example one for data shuffling and one
# for dropout, so that drawing more numbers for one does not shift the other. PyTorch gives each
# consumer its own `torch.Generator`, seeded separately; a `tf.random.Generator` splits into
# children; a JAX key splits into new keys (a key should be used once, then split). Each function
# is run twice to show that the streams replay exactly, and that the two streams differ.

# %% tags=["pytorch", "split-keys-or-generators"]
def two_streams_torch(seed):
    data_generator = torch.Generator().manual_seed(seed)
    dropout_generator = torch.Generator().manual_seed(seed + 1)  # one generator per consumer
    data = torch.randn(3, generator=data_generator)  # the global generator is not touched
    dropout = torch.randn(3, generator=dropout_generator)
    return torch.stack([data, dropout])

streams_torch = two_streams_torch(SEED)
replay_torch = two_streams_torch(SEED)
print(streams_torch)

# %% tags=["tensorflow", "split-keys-or-generators"]
def two_streams_tf(seed):
    parent = tf.random.Generator.from_seed(seed)  # state lives in a tf.Variable
    data_generator, dropout_generator = parent.split(2)
    return tf.stack([data_generator.normal([3]), dropout_generator.normal([3])])

streams_tf = two_streams_tf(SEED)
replay_tf = two_streams_tf(SEED)
print(streams_tf)

# %% tags=["jax", "split-keys-or-generators"]
def two_streams_jax(seed):
    data_key, dropout_key = jax.random.split(jax.random.key(seed))
    return jnp.stack([jax.random.normal(data_key, (3,)), jax.random.normal(dropout_key, (3,))])

streams_jax = two_streams_jax(SEED)
replay_jax = two_streams_jax(SEED)
print(streams_jax)

# %%
for name, streams, replay in [("PyTorch", streams_torch, replay_torch), ("TensorFlow", streams_tf, replay_tf),
                              ("JAX", streams_jax, replay_jax)]:
    streams, replay = np.asarray(streams), np.asarray(replay)
    assert_agree(f"{name}: both streams, replayed from seed {SEED}", {"first run": streams, "replay": replay},
                 rtol=0, atol=0)
    assert_differ(f"{name}: data stream vs dropout stream", {"data": streams[0], "dropout": streams[1]})

# %% [markdown]
# ## Reproducible dropout masks
#
# `torch.nn.functional.dropout` draws from the global generator, so re-seeding repeats the mask.
# A Keras `Dropout` layer built with `seed=` owns a seed generator that advances on every call, so
# a new layer with the same seed repeats the mask. Flax's `nnx.Dropout` draws from the `dropout`
# stream of the `nnx.Rngs` it is given: a JAX key and a counter that advances on every call, each
# call's key derived from the two, so a new layer built from the same seed repeats the mask
# ([Flax randomness guide](https://flax.readthedocs.io/en/latest/guides/randomness.html)). All
# three scale the kept values by 1/(1 − p) during training.

# %%
RATE = 0.5
ones = np.ones((2, 8), np.float32)

# %% tags=["pytorch", "reproducible-dropout"]
def dropout_torch(x):
    return torch.nn.functional.dropout(torch.tensor(x), p=RATE, training=True)

torch.manual_seed(SEED)
mask_torch = dropout_torch(ones)
torch.manual_seed(SEED)
mask_again_torch = dropout_torch(ones)
print(mask_torch)

# %% tags=["tensorflow", "reproducible-dropout"]
def dropout_tf(x):
    layer = keras.layers.Dropout(RATE, seed=SEED)  # the layer's seed generator advances per call
    return layer(x, training=True)

mask_tf = dropout_tf(ones)
mask_again_tf = dropout_tf(ones)
print(mask_tf)

# %% tags=["jax", "reproducible-dropout"]
def dropout_jax(x):
    layer = nnx.Dropout(RATE, rngs=nnx.Rngs(dropout=SEED))  # the layer's RNG stream advances per call
    return layer(x)  # deterministic=False by default: the training behaviour

mask_jax = dropout_jax(ones)
mask_again_jax = dropout_jax(ones)
print(mask_jax)

# %%
assert_agree("PyTorch: dropout mask after re-seeding", {"first": mask_torch, "again": mask_again_torch},
             rtol=0, atol=0)
assert_agree("Keras: dropout mask of a new layer with the same seed", {"first": mask_tf, "again": mask_again_tf},
             rtol=0, atol=0)
assert_agree("Flax: dropout mask of a new layer with the same seed", {"first": mask_jax, "again": mask_again_jax},
             rtol=0, atol=0)
flax_layer = nnx.Dropout(RATE, rngs=nnx.Rngs(dropout=SEED))
assert_differ("Flax: two calls of one layer (its stream advanced)",
              {"first": flax_layer(ones), "second": flax_layer(ones)})
masks = {"pytorch": mask_torch.numpy(), "tensorflow": mask_tf.numpy(), "jax": np.asarray(mask_jax)}
assert_differ(f"dropout masks from seed {SEED}", masks)
for name, mask in masks.items():
    kept = mask[mask != 0]
    print(f"{name}: kept {kept.size} of {mask.size}")
kept_values = {name: np.unique(mask[mask != 0]) for name, mask in masks.items()}
expected = {"1/(1 − p)": np.array([1 / (1 - RATE)], np.float32)}
assert_agree("kept values, scaled by 1/(1 − p)", expected | kept_values, rtol=0, atol=0)
