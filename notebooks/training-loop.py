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
# # Training a small model
#
# One multilayer perceptron (4 → 8 → 1, tanh), trained with plain SGD on the same synthetic data
# in each framework, starting from the same weights. PyTorch uses `torch.nn` and `torch.optim`;
# TensorFlow uses Keras 3 layers and optimizers; JAX has no layer library of its own, so the model
# is a function of an explicit parameter dictionary. The losses of every step and the final weights
# are compared at the end, and Keras's `fit` is checked against the hand-written loop.
#
# Not equivalent by default, and therefore set by hand here: initial weights (each framework has its
# own initializers), the weight layout (`torch.nn.Linear` stores `(out, in)`, Keras `Dense` stores
# `(in, out)`), and the batch order (`fit` shuffles unless told not to).

# %%
import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp

from helpers.agreement import assert_agree

rng = np.random.default_rng(42)
inputs = rng.normal(size=(32, 4)).astype(np.float32)
targets = (np.sin(inputs.sum(axis=1, keepdims=True)) + 0.1 * rng.normal(size=(32, 1))).astype(np.float32)
initial = {
    "w1": (rng.normal(size=(4, 8)) * 0.5).astype(np.float32), "b1": np.zeros(8, np.float32),
    "w2": (rng.normal(size=(8, 1)) * 0.5).astype(np.float32), "b2": np.zeros(1, np.float32),
}
LEARNING_RATE, STEPS = 0.1, 50
print("Keras backend:", keras.backend.backend())

# %% [markdown]
# ## The model

# %% tags=["pytorch", "define-the-model"]
model_torch = torch.nn.Sequential(
    torch.nn.Linear(4, 8),
    torch.nn.Tanh(),
    torch.nn.Linear(8, 1),
)
print(model_torch)

# %% tags=["tensorflow", "define-the-model"]
model_keras = keras.Sequential([
    keras.Input(shape=(4,)),
    keras.layers.Dense(8, activation="tanh"),
    keras.layers.Dense(1),
])
model_keras.summary(print_fn=print)

# %% tags=["jax", "define-the-model"]
def model_jax(params, x):
    hidden = jnp.tanh(x @ params["w1"] + params["b1"])
    return hidden @ params["w2"] + params["b2"]

params_jax = {name: jnp.asarray(value) for name, value in initial.items()}
print(jax.tree.map(jnp.shape, params_jax))

# %% [markdown]
# Copy the same starting weights into PyTorch and Keras (transposed for PyTorch's layout).

# %%
with torch.no_grad():
    model_torch[0].weight.copy_(torch.tensor(initial["w1"].T))
    model_torch[0].bias.copy_(torch.tensor(initial["b1"]))
    model_torch[2].weight.copy_(torch.tensor(initial["w2"].T))
    model_torch[2].bias.copy_(torch.tensor(initial["b2"]))
model_keras.set_weights([initial["w1"], initial["b1"], initial["w2"], initial["b2"]])
keras_for_fit = keras.models.clone_model(model_keras)
keras_for_fit.set_weights(model_keras.get_weights())

assert_agree("initial predictions", {
    "pytorch": model_torch(torch.tensor(inputs)),
    "tensorflow": model_keras(inputs),
    "jax": model_jax(params_jax, inputs),
}, rtol=1e-6, atol=1e-6)

# %% [markdown]
# ## One training step
#
# PyTorch accumulates gradients into `.grad`, so they are zeroed each step; Keras optimizers take
# gradients from a tape; in JAX the step is a pure function that returns new parameters.

# %% tags=["pytorch", "training-step"]
optimizer = torch.optim.SGD(model_torch.parameters(), lr=LEARNING_RATE)

def train_step_torch(x, y):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model_torch(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()

# %% tags=["tensorflow", "training-step"]
optimizer_keras = keras.optimizers.SGD(learning_rate=LEARNING_RATE)
mse = keras.losses.MeanSquaredError()

def train_step_tf(x, y):
    with tf.GradientTape() as tape:
        loss = mse(y, model_keras(x, training=True))
    grads = tape.gradient(loss, model_keras.trainable_variables)
    optimizer_keras.apply_gradients(zip(grads, model_keras.trainable_variables))
    return float(loss)

# %% tags=["jax", "training-step"]
def loss_jax(params, x, y):
    return jnp.mean((model_jax(params, x) - y) ** 2)

@jax.jit
def train_step_jax(params, x, y):
    loss, grads = jax.value_and_grad(loss_jax)(params, x, y)
    params = jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, grads)
    return params, loss

# %% [markdown]
# ## The loop, and the check
#
# Full-batch steps, so every framework sees the same data in the same order.

# %%
x_torch, y_torch = torch.tensor(inputs), torch.tensor(targets)
losses = {"pytorch": [], "tensorflow": [], "jax": []}
for step in range(STEPS):
    losses["pytorch"].append(train_step_torch(x_torch, y_torch))
    losses["tensorflow"].append(train_step_tf(inputs, targets))
    params_jax, loss = train_step_jax(params_jax, inputs, targets)
    losses["jax"].append(float(loss))

for step in (0, 9, 24, STEPS - 1):
    print(f"step {step + 1:>2}: " + "  ".join(f"{name} {values[step]:.6f}" for name, values in losses.items()))

assert_agree(f"loss at each of {STEPS} steps", losses, rtol=1e-4, atol=1e-6)
assert_agree("final first-layer weights", {
    "pytorch": model_torch[0].weight.T,
    "tensorflow": model_keras.layers[0].kernel,
    "jax": params_jax["w1"],
}, rtol=1e-4, atol=1e-5)

# %% [markdown]
# ## Keras fit does the same thing
#
# `fit` runs the same step in a compiled loop. With one batch per epoch and no shuffling, each of
# its epochs is one step of the loop above.

# %%
keras_for_fit.compile(optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE), loss="mse")
history = keras_for_fit.fit(inputs, targets, batch_size=len(inputs), epochs=STEPS, shuffle=False, verbose=0)
assert_agree("Keras fit vs the hand-written loop", {
    "hand-written": np.array(losses["tensorflow"]), "fit": np.array(history.history["loss"]),
}, rtol=1e-4, atol=1e-6)
