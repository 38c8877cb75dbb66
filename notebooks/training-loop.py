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
# TensorFlow uses Keras 3 layers and optimizers; JAX, whose own package has no layer library or
# optimizers, uses Flax NNX layers and an Optax optimizer, as
# [Flax's MNIST tutorial](https://flax.readthedocs.io/en/latest/mnist_tutorial.html) does. The
# losses of every step and the final weights are compared at the end, and Keras's `fit` is checked
# against the hand-written loop. A second section writes the step as a pure function of the
# weights in all three (`torch.func`, Keras's `stateless_call`, and Optax's functional API on the
# pytree `nnx.split` returns), which is the style JAX itself is built on.
#
# Not equivalent by default, and therefore set by hand here: initial weights (each framework has its
# own initializers), the weight layout (`torch.nn.Linear` stores `(out, in)`, Keras `Dense` and
# Flax `nnx.Linear` store `(in, out)`), and the batch order (`fit` shuffles unless told not to).

# %%
import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp
import optax
from flax import nnx

from helpers.agreement import assert_agree, to_numpy

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
rngs = nnx.Rngs(0)  # Flax's initializers draw from explicit random keys
model_jax = nnx.Sequential(
    nnx.Linear(4, 8, rngs=rngs),
    nnx.tanh,
    nnx.Linear(8, 1, rngs=rngs),
)
print(nnx.tabulate(model_jax, jnp.zeros((1, 4)),
                   console_kwargs={"force_terminal": False, "force_jupyter": False}))  # plain text, no colour codes

# %% [markdown]
# Copy the same starting weights into each model: transposed for PyTorch's layout, as a list for
# Keras, and as a nested dictionary for Flax, whose `nnx.Sequential` names its layers by position.

# %%
with torch.no_grad():
    model_torch[0].weight.copy_(torch.tensor(initial["w1"].T))
    model_torch[0].bias.copy_(torch.tensor(initial["b1"]))
    model_torch[2].weight.copy_(torch.tensor(initial["w2"].T))
    model_torch[2].bias.copy_(torch.tensor(initial["b2"]))
model_keras.set_weights([initial["w1"], initial["b1"], initial["w2"], initial["b2"]])
keras_for_fit = keras.models.clone_model(model_keras)
keras_for_fit.set_weights(model_keras.get_weights())
initial_flax = {"layers": {  # nnx.Sequential's paths: layers/0 and layers/2 (layers/1 is tanh)
    0: {"kernel": jnp.asarray(initial["w1"]), "bias": jnp.asarray(initial["b1"])},
    2: {"kernel": jnp.asarray(initial["w2"]), "bias": jnp.asarray(initial["b2"])},
}}
state = nnx.state(model_jax, nnx.Param)
nnx.replace_by_pure_dict(state, initial_flax)
nnx.update(model_jax, state)

assert_agree("initial predictions", {
    "pytorch": model_torch(torch.tensor(inputs)),
    "tensorflow": model_keras(inputs),
    "jax": model_jax(inputs),
}, rtol=1e-6, atol=1e-6)

# %% [markdown]
# ## One training step
#
# PyTorch accumulates gradients into `.grad`, so they are zeroed each step; Keras optimizers take
# gradients from a tape. Flax's `nnx.Optimizer` pairs the model with an Optax transformation
# (`optax.sgd` here) and keeps its state for the variables `wrt` selects; `nnx.value_and_grad`
# differentiates with respect to the model's `nnx.Param`s, and `optimizer.update(model, grads)`
# writes the new weights into the model. `nnx.jit` compiles the step and carries those in-place
# updates across the compiled boundary
# ([`nnx.Optimizer`](https://flax.readthedocs.io/en/latest/api_reference/flax.nnx/training/optimizer.html)).
# Optax's `squared_error` is the element-wise square, so its mean is PyTorch's `mse_loss`.

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
optimizer_jax = nnx.Optimizer(model_jax, optax.sgd(LEARNING_RATE), wrt=nnx.Param)

@nnx.jit
def train_step_jax(model, optimizer, x, y):
    def loss_fn(model):
        return optax.squared_error(model(x), y).mean()
    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)  # new weights written into the model
    return loss

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
    losses["jax"].append(float(train_step_jax(model_jax, optimizer_jax, inputs, targets)))

for step in (0, 9, 24, STEPS - 1):
    print(f"step {step + 1:>2}: " + "  ".join(f"{name} {values[step]:.6f}" for name, values in losses.items()))

assert_agree(f"loss at each of {STEPS} steps", losses, rtol=1e-4, atol=1e-6)
assert_agree("final first-layer weights", {
    "pytorch": model_torch[0].weight.T,
    "tensorflow": model_keras.layers[0].kernel,
    "jax": model_jax.layers[0].kernel,
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

# %% [markdown]
# ## The same step as a pure function
#
# JAX's transformations are built for pure functions: weights and optimizer state go in, new ones
# come out, and nothing else changes. `nnx.jit` above hides that by splitting the model into a
# pytree and merging it back at the boundary; here the split is written out. `nnx.graphdef` keeps
# the model's structure, the weights are a `State` pytree passed in, and Optax's functional API
# (`tx.init`, `tx.update`, `optax.apply_updates`) returns the new weights and optimizer state
# ([Optax quick start](https://optax.readthedocs.io/en/latest/getting_started.html),
# [Flax functional API](https://flax.readthedocs.io/en/latest/nnx_basics.html#the-flax-functional-api)).
# PyTorch offers the same form on an existing module with `torch.func.functional_call`, which runs
# it with a dictionary of weights passed in, and `torch.func.grad_and_value`
# ([torch.func](https://docs.pytorch.org/docs/stable/func.api.html)). Keras 3's `stateless_call` runs
# a model with weights passed in and returns the non-trainable ones it would have updated; Keras's
# [JAX training-loop guide](https://keras.io/guides/writing_a_custom_training_loop_in_jax/) pairs it
# with the optimizer's `stateless_apply`. That call refuses to run on the TensorFlow backend
# (checked below), so the TensorFlow and PyTorch steps write the SGD update out; that one line is
# what `optax.sgd` does.

# %% tags=["pytorch", "pure-training-step"]
def pure_loss_torch(params, x, y):
    return torch.nn.functional.mse_loss(torch.func.functional_call(model_torch, params, (x,)), y)

def pure_step_torch(params, x, y):  # params: {"0.weight": tensor, ...}, as named_parameters() names them
    grads, loss = torch.func.grad_and_value(pure_loss_torch)(params, x, y)
    return {name: p - LEARNING_RATE * grads[name] for name, p in params.items()}, loss

# %% tags=["tensorflow", "pure-training-step"]
def pure_step_keras(trainable, non_trainable, x, y):  # lists of tensors, in the model's variable order
    with tf.GradientTape() as tape:
        tape.watch(trainable)  # plain tensors, not tf.Variables: the tape has to be told
        predictions, non_trainable = model_keras.stateless_call(trainable, non_trainable, x, training=True)
        loss = mse(y, predictions)
    grads = tape.gradient(loss, trainable)
    return [w - LEARNING_RATE * g for w, g in zip(trainable, grads)], non_trainable, loss

# %% tags=["jax", "pure-training-step"]
graphdef = nnx.graphdef(model_jax)  # the model's structure, without its weights
tx = optax.sgd(LEARNING_RATE)

def pure_loss_jax(params, x, y):
    return optax.squared_error(nnx.merge(graphdef, params)(x), y).mean()

@jax.jit
def pure_step_jax(params, opt_state, x, y):
    loss, grads = jax.value_and_grad(pure_loss_jax)(params, x, y)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss

# %% [markdown]
# Run the pure steps from the same initial weights, held outside the models this time. Each
# framework's losses must match those of its stateful loop above. After the first pure step the
# models must still hold their trained weights (from step 50) while the pure weights are at step 1.

# %%
params_torch = {"0.weight": torch.tensor(initial["w1"].T), "0.bias": torch.tensor(initial["b1"]),
                "2.weight": torch.tensor(initial["w2"].T), "2.bias": torch.tensor(initial["b2"])}
trainable_keras = [tf.constant(initial[name]) for name in ("w1", "b1", "w2", "b2")]
non_trainable_keras = [v.value for v in model_keras.non_trainable_variables]  # none in this model
params_jax = nnx.state(nnx.clone(model_jax), nnx.Param)  # a copy: the trained model keeps its weights
nnx.replace_by_pure_dict(params_jax, initial_flax)
opt_state = tx.init(params_jax)


def first_layer_kernels(torch_weight, keras_kernel, flax_kernel):  # as NumPy, in the (in, out) layout
    return {"pytorch": to_numpy(torch_weight).T, "tensorflow": to_numpy(keras_kernel), "jax": to_numpy(flax_kernel)}


def models_first_layer_kernels():
    return first_layer_kernels(model_torch[0].weight, model_keras.layers[0].kernel, model_jax.layers[0].kernel)


trained = models_first_layer_kernels()

pure_losses = {"pytorch": [], "tensorflow": [], "jax": []}
for step in range(STEPS):
    params_torch, loss = pure_step_torch(params_torch, x_torch, y_torch)
    pure_losses["pytorch"].append(loss.item())
    trainable_keras, non_trainable_keras, loss = pure_step_keras(trainable_keras, non_trainable_keras, inputs, targets)
    pure_losses["tensorflow"].append(float(loss))
    params_jax, opt_state, loss = pure_step_jax(params_jax, opt_state, inputs, targets)
    pure_losses["jax"].append(float(loss))
    if step == 0:
        after_one = first_layer_kernels(params_torch["0.weight"], trainable_keras[0], params_jax["layers"][0]["kernel"])
        for name, kernel in models_first_layer_kernels().items():
            assert not np.allclose(after_one[name], trained[name]), "the check below would be vacuous"
            assert_agree(f"{name} model's own weights, before and after a pure step",
                         {"before": trained[name], "after": kernel}, rtol=0, atol=0)

for name in losses:
    assert_agree(f"{name}: pure step vs stateful step, loss at each of {STEPS} steps",
                 {"stateful": np.array(losses[name]), "pure": np.array(pure_losses[name])}, rtol=1e-5, atol=1e-6)
assert_agree(f"first-layer weights after {STEPS} pure steps",
             first_layer_kernels(params_torch["0.weight"], trainable_keras[0], params_jax["layers"][0]["kernel"]),
             rtol=1e-4, atol=1e-5)

# Keras's stateless optimizer step exists, but not on the TensorFlow backend.
try:
    optimizer_keras.stateless_apply([v.value for v in optimizer_keras.variables], trainable_keras,
                                    [v.value for v in model_keras.trainable_variables])
except ValueError as error:
    print(f"Keras {keras.__version__} on {keras.backend.backend()}: stateless_apply raised ValueError: {error}")
else:
    raise AssertionError("stateless_apply now runs on TensorFlow: use it in the TensorFlow step and update the text")
