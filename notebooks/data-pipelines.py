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
# # Data pipelines
#
# Feeding a small in-memory dataset to a model in batches: PyTorch's `torch.utils.data`
# (`Dataset` and `DataLoader`), TensorFlow's `tf.data`, and, since the `jax` package has no data
# loader, Grain's `MapDataset`, the data-loading library Google publishes for JAX
# ([Grain dataset tutorial](https://google-grain.readthedocs.io/en/latest/tutorials/dataset_basic_tutorial.html)).
# Grain yields NumPy arrays, which `jax.device_put` hands to JAX. Without shuffling the three
# produce the same batches in the same order, and the notebook checks that. With shuffling each
# framework draws its own order, so the shuffled epochs are compared by content, sorted back into
# example order, after a per-example transform (standardize the features, one-hot encode the label).
#
# Not equivalent by default: the random orders (each framework has its own generator and seeding
# rules, so the same seed gives different orders), when a reshuffle happens (`DataLoader` with
# `shuffle=True` and `Dataset.shuffle` both reshuffle every time they are iterated; a Grain
# `MapDataset` is an indexable sequence that gives the same order every time it is read, and
# reshuffles per epoch only when `shuffle` comes before `repeat`), and how much is shuffled
# (`tf.data` shuffles within a buffer of the size you give, which is a full shuffle only when the
# buffer holds the whole dataset). All three keep a last, smaller batch unless told to drop it.

# %%
import numpy as np
import torch
import tensorflow as tf
import jax
import grain

from helpers.agreement import assert_agree, to_numpy

NUM_EXAMPLES, BATCH_SIZE, NUM_CLASSES = 10, 4, 3
rng = np.random.default_rng(0)
ids = np.arange(NUM_EXAMPLES, dtype=np.int32)
features = rng.normal(size=(NUM_EXAMPLES, 3)).astype(np.float32)
labels = rng.integers(0, NUM_CLASSES, size=NUM_EXAMPLES).astype(np.int32)
mean, std = features.mean(axis=0), features.std(axis=0)  # statistics for the transform below
print("labels:", labels)

# %% [markdown]
# ## Batch a dataset
#
# Four examples a batch, in storage order, the last batch holding the remaining two.

# %% tags=["pytorch", "batch-a-dataset"]
dataset_torch = torch.utils.data.TensorDataset(torch.from_numpy(features), torch.from_numpy(labels))
loader_torch = torch.utils.data.DataLoader(dataset_torch, batch_size=BATCH_SIZE, shuffle=False)
batches_torch = list(loader_torch)
for x, y in batches_torch:
    print(tuple(x.shape), y)

# %% tags=["tensorflow", "batch-a-dataset"]
dataset_tf = tf.data.Dataset.from_tensor_slices((features, labels)).batch(BATCH_SIZE)
batches_tf = list(dataset_tf)
for x, y in batches_tf:
    print(tuple(x.shape), y)

# %% tags=["jax", "batch-a-dataset"]
dataset_grain = grain.MapDataset.source(list(zip(features, labels))).batch(BATCH_SIZE)  # stacks each tuple position
batches_jax_list = [jax.device_put(batch) for batch in dataset_grain]  # NumPy batches → JAX arrays
for x, y in batches_jax_list:
    print(x.shape, y)

# %%
all_batches = {"pytorch": batches_torch, "tensorflow": batches_tf, "jax": batches_jax_list}
assert_agree("batch sizes", {"expected": [4, 4, 2]} | {
    name: [len(x) for x, _ in batches] for name, batches in all_batches.items()}, rtol=0, atol=0)
assert_agree("features, batches concatenated in the order served", {"numpy": features} | {
    name: np.concatenate([to_numpy(x) for x, _ in batches]) for name, batches in all_batches.items()},
    rtol=0, atol=0)
assert_agree("labels, batches concatenated in the order served", {"numpy": labels} | {
    name: np.concatenate([to_numpy(y) for _, y in batches]) for name, batches in all_batches.items()},
    rtol=0, atol=0)

# %% [markdown]
# ## Shuffle and map
#
# Two shuffled epochs from a seeded pipeline, with a transform applied to every example. In
# PyTorch the transform usually lives in a `Dataset`'s `__getitem__` and the shuffle is the
# `DataLoader`'s, seeded through a `torch.Generator`. In `tf.data` both are pipeline stages;
# `map` with parallel calls still returns elements in order unless `deterministic=False`. Grain's
# `map` runs a plain Python function on each example; its `shuffle` combines the seed with the
# epoch number once the dataset is repeated, so `shuffle(...).repeat(2)` holds two differently
# ordered epochs back to back, and slicing it by epoch keeps batches from straddling the two. Each
# example carries its id, so the checks can sort the shuffled examples back.

# %% tags=["pytorch", "shuffle-and-map"]
class StandardizedDataset(torch.utils.data.Dataset):
    def __len__(self):
        return NUM_EXAMPLES

    def __getitem__(self, i):  # the transform runs once per example
        x = (torch.from_numpy(features[i]) - torch.from_numpy(mean)) / torch.from_numpy(std)
        y = torch.nn.functional.one_hot(torch.tensor(int(labels[i])), NUM_CLASSES)
        return i, x, y

loader = torch.utils.data.DataLoader(StandardizedDataset(), batch_size=BATCH_SIZE, shuffle=True,
                                     generator=torch.Generator().manual_seed(0))
epochs_torch = [list(loader) for epoch in range(2)]  # a new order each epoch
for epoch, batches in enumerate(epochs_torch):
    print(f"epoch {epoch}: ids", [b[0].tolist() for b in batches])

# %% tags=["tensorflow", "shuffle-and-map"]
def standardize(i, x, y):
    return i, (x - mean) / std, tf.one_hot(y, NUM_CLASSES)

pipeline = (tf.data.Dataset.from_tensor_slices((ids, features, labels))
            .shuffle(buffer_size=NUM_EXAMPLES, seed=0)  # buffer = whole dataset: a full shuffle
            .map(standardize, num_parallel_calls=tf.data.AUTOTUNE)
            .batch(BATCH_SIZE))
epochs_tf = [list(pipeline) for epoch in range(2)]  # reshuffled each epoch by default
for epoch, batches in enumerate(epochs_tf):
    print(f"epoch {epoch}: ids", [b[0].numpy().tolist() for b in batches])

# %% tags=["jax", "shuffle-and-map"]
def standardize_grain(example):  # runs once per example, in Python
    i, x, y = example
    return i, (x - mean) / std, np.eye(NUM_CLASSES, dtype=np.float32)[y]

def grain_epochs(seed, num_epochs):
    repeated = (grain.MapDataset.source(list(zip(ids, features, labels)))
                .shuffle(seed=seed)  # before repeat: each epoch gets its own order
                .map(standardize_grain)
                .repeat(num_epochs))
    return [list(repeated[epoch * NUM_EXAMPLES:(epoch + 1) * NUM_EXAMPLES].batch(BATCH_SIZE))
            for epoch in range(num_epochs)]

epochs_jax = grain_epochs(seed=0, num_epochs=2)
for epoch, batches in enumerate(epochs_jax):
    print(f"epoch {epoch}: ids", [b[0].tolist() for b in batches])

# %% [markdown]
# The checks: every epoch serves each example exactly once, the two epochs come in different
# orders, and after sorting by id every framework's transformed examples equal the transform
# computed once with NumPy. Building each pipeline again with the same seed repeats its orders.

# %%
def sorted_by_id(batches):
    order_ids = np.concatenate([to_numpy(b[0]) for b in batches])
    rank = np.argsort(order_ids)
    return order_ids, [np.concatenate([to_numpy(b[k]) for b in batches])[rank] for k in (1, 2)]

all_epochs = {"pytorch": epochs_torch, "tensorflow": epochs_tf, "jax": epochs_jax}
expected_x, expected_y = (features - mean) / std, np.eye(NUM_CLASSES, dtype=np.float32)[labels]
for name, epochs in all_epochs.items():
    orders = []
    for epoch, batches in enumerate(epochs):
        order_ids, (x, y) = sorted_by_id(batches)
        assert sorted(order_ids.tolist()) == ids.tolist(), (name, epoch, order_ids)
        assert [len(b[0]) for b in batches] == [4, 4, 2], (name, epoch)
        orders.append(order_ids.tolist())
        assert_agree(f"{name} epoch {epoch}: transformed examples sorted by id",
                     {"numpy": expected_x, name: x}, rtol=1e-6, atol=1e-6)
        assert_agree(f"{name} epoch {epoch}: one-hot labels sorted by id",
                     {"numpy": expected_y, name: y}, rtol=0, atol=0)
    assert orders[0] != orders[1], f"{name} served both epochs in the same order"

loader_again = torch.utils.data.DataLoader(StandardizedDataset(), batch_size=BATCH_SIZE, shuffle=True,
                                           generator=torch.Generator().manual_seed(0))
pipeline_again = (tf.data.Dataset.from_tensor_slices((ids, features, labels))
                  .shuffle(buffer_size=NUM_EXAMPLES, seed=0).map(standardize).batch(BATCH_SIZE))
again = {
    "pytorch": [list(loader_again) for epoch in range(2)],
    "tensorflow": [list(pipeline_again) for epoch in range(2)],
    "jax": grain_epochs(seed=0, num_epochs=2),
}
for name, epochs in again.items():
    repeated = [sorted_by_id(batches)[0] for batches in epochs]
    original = [sorted_by_id(batches)[0] for batches in all_epochs[name]]
    assert_agree(f"{name}: order of both epochs, pipeline rebuilt with the same seed",
                 {"first build": np.stack(original), "second build": np.stack(repeated)}, rtol=0, atol=0)
