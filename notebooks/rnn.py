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
# # An LSTM end to end
#
# One single-layer LSTM (3 input features, 5 hidden units) followed by a dense layer that reads
# the last hidden state, run on short synthetic sequences: `torch.nn.LSTM`, the Keras 3 `LSTM`
# layer, and in JAX an LSTM cell written out and run over time with `jax.lax.scan`. From the same
# weights, the notebook compares the hidden state at every time step, the final cell state, the
# loss and the gradients of every weight.
#
# Not equivalent by default, and therefore mapped by hand here:
#
# - the weight layout: PyTorch stacks the four gates' weights along the rows, `(4·hidden, input)`;
#   Keras along the columns, `(input, 4·hidden)`;
# - the gate order: both use input, forget, cell candidate, output; PyTorch calls the candidate `g`
#   (i, f, g, o), Keras `c` (i, f, c, o). Other formats differ (ONNX uses i, o, f, c), so the
#   weights are kept per gate in NumPy and stacked explicitly for each framework;
# - the biases: PyTorch adds two bias vectors (`bias_ih` and `bias_hh`), Keras one; the sum of
#   PyTorch's two is Keras's one;
# - the outputs: `torch.nn.LSTM` returns every step's hidden state and the final `(h, c)`, with a
#   leading layers axis; Keras returns only the last hidden state unless `return_sequences=True`,
#   and the states only with `return_state=True`; PyTorch expects (time, batch, features) unless
#   `batch_first=True`;
# - the initializers: PyTorch draws every weight from U(−1/√hidden, 1/√hidden); Keras uses
#   Glorot-uniform input kernels, orthogonal recurrent kernels, and forget-gate biases of 1
#   (`unit_forget_bias=True`).

# %%
import functools

import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp

from helpers.agreement import assert_agree

jax.config.update("jax_enable_x64", False)
rng = np.random.default_rng(3)
BATCH, TIME, INPUT, HIDDEN = 4, 6, 3, 5
GATES = ("input", "forget", "candidate", "output")  # the order PyTorch and Keras both stack them in

sequences = rng.normal(size=(BATCH, TIME, INPUT)).astype(np.float32)  # (batch, time, features)
targets = sequences.sum(axis=(1, 2))[:, None].astype(np.float32) * 0.1


def draw(*shape):
    return (rng.normal(size=shape) * 0.4).astype(np.float32)


# One matrix or vector per gate, in the x @ W orientation; two biases, as PyTorch has.
w_input = {gate: draw(INPUT, HIDDEN) for gate in GATES}
w_hidden = {gate: draw(HIDDEN, HIDDEN) for gate in GATES}
b_input = {gate: draw(HIDDEN) for gate in GATES}
b_hidden = {gate: draw(HIDDEN) for gate in GATES}
w_out, b_out = draw(HIDDEN, 1), np.zeros(1, np.float32)

# %% [markdown]
# ## The model, with the weights mapped in
#
# Each framework's cell stacks the per-gate NumPy weights in its own layout.

# %% tags=["pytorch", "define-an-lstm"]
lstm_torch = torch.nn.LSTM(INPUT, HIDDEN, batch_first=True)  # batch_first: input is (batch, time, features)
head_torch = torch.nn.Linear(HIDDEN, 1)

with torch.no_grad():  # gates stacked along the rows, order i, f, g, o; each block is (out, in)
    lstm_torch.weight_ih_l0.copy_(torch.tensor(np.concatenate([w_input[g].T for g in GATES], axis=0)))
    lstm_torch.weight_hh_l0.copy_(torch.tensor(np.concatenate([w_hidden[g].T for g in GATES], axis=0)))
    lstm_torch.bias_ih_l0.copy_(torch.tensor(np.concatenate([b_input[g] for g in GATES])))
    lstm_torch.bias_hh_l0.copy_(torch.tensor(np.concatenate([b_hidden[g] for g in GATES])))
    head_torch.weight.copy_(torch.tensor(w_out.T))
    head_torch.bias.copy_(torch.tensor(b_out))
print({name: tuple(p.shape) for name, p in lstm_torch.named_parameters()})

# %% tags=["tensorflow", "define-an-lstm"]
lstm_keras = keras.layers.LSTM(HIDDEN, return_sequences=True, return_state=True)
head_keras = keras.layers.Dense(1)
lstm_keras.build((None, TIME, INPUT))
head_keras.build((None, HIDDEN))

# gates stacked along the columns, order i, f, c, o; one bias = PyTorch's two added
lstm_keras.set_weights([
    np.concatenate([w_input[g] for g in GATES], axis=1),
    np.concatenate([w_hidden[g] for g in GATES], axis=1),
    np.concatenate([b_input[g] + b_hidden[g] for g in GATES]),
])
head_keras.set_weights([w_out, b_out])
print({v.path: tuple(v.shape) for v in lstm_keras.weights})

# %% tags=["jax", "define-an-lstm"]
def lstm_cell_jax(params, carry, x_t):
    h, c = carry
    z = x_t @ params["w_input"] + h @ params["w_hidden"] + params["bias"]  # (batch, 4·hidden)
    i, f, g, o = jnp.split(z, 4, axis=-1)
    c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
    h = jax.nn.sigmoid(o) * jnp.tanh(c)
    return (h, c), h  # (new carry, this step's output)

def lstm_jax(params, xs):  # xs: (batch, time, features)
    zeros = jnp.zeros((xs.shape[0], HIDDEN), xs.dtype)
    (h, c), hs = jax.lax.scan(functools.partial(lstm_cell_jax, params), (zeros, zeros),
                              jnp.swapaxes(xs, 0, 1))  # scan runs over the leading (time) axis
    return jnp.swapaxes(hs, 0, 1), h, c

params_jax = {
    "w_input": jnp.asarray(np.concatenate([w_input[g] for g in GATES], axis=1)),
    "w_hidden": jnp.asarray(np.concatenate([w_hidden[g] for g in GATES], axis=1)),
    "bias": jnp.asarray(np.concatenate([b_input[g] + b_hidden[g] for g in GATES])),
    "w_out": jnp.asarray(w_out), "b_out": jnp.asarray(b_out),
}
print(jax.tree.map(jnp.shape, params_jax))

# %% [markdown]
# ## Forward pass, loss and gradients
#
# The loss is the mean squared error of the dense layer's reading of the last hidden state.

# %% tags=["pytorch", "lstm-forward"]
outputs_torch, (h_torch, c_torch) = lstm_torch(torch.tensor(sequences))  # h, c: (layers, batch, hidden)
loss_torch = torch.nn.functional.mse_loss(head_torch(h_torch[0]), torch.tensor(targets))
loss_torch.backward()
print(tuple(outputs_torch.shape), tuple(h_torch.shape), f"loss {loss_torch.item():.6f}")

# %% tags=["tensorflow", "lstm-forward"]
with tf.GradientTape() as tape:
    outputs_tf, h_tf, c_tf = lstm_keras(sequences)  # h, c: (batch, hidden)
    loss_tf = keras.losses.MeanSquaredError()(targets, head_keras(h_tf))
grads_tf = tape.gradient(loss_tf, lstm_keras.trainable_variables + head_keras.trainable_variables)
print(tuple(outputs_tf.shape), tuple(h_tf.shape), f"loss {float(loss_tf):.6f}")

# %% tags=["jax", "lstm-forward"]
def mse_jax(params, xs, ys):
    _, h, _ = lstm_jax(params, xs)
    return jnp.mean((h @ params["w_out"] + params["b_out"] - ys) ** 2)

outputs_jax, h_jax, c_jax = jax.jit(lstm_jax)(params_jax, sequences)
loss_jax, grads_jax = jax.jit(jax.value_and_grad(mse_jax))(params_jax, sequences, targets)
print(outputs_jax.shape, h_jax.shape, f"loss {float(loss_jax):.6f}")

# %% [markdown]
# ## The check
#
# Gradients are compared in the Keras/JAX layout (input, 4·hidden); PyTorch's two bias gradients
# are each equal to the gradient of Keras's single bias, since both biases enter the same sum.

# %%
assert_agree("hidden state at every step", {"pytorch": outputs_torch, "tensorflow": outputs_tf, "jax": outputs_jax},
             rtol=1e-5, atol=1e-6)
assert_agree("final cell state", {"pytorch": c_torch[0], "tensorflow": c_tf, "jax": c_jax}, rtol=1e-5, atol=1e-6)
assert_agree("loss", {"pytorch": loss_torch, "tensorflow": loss_tf, "jax": loss_jax}, rtol=1e-5, atol=1e-7)

kernel_grad_tf, recurrent_grad_tf, bias_grad_tf, out_grad_tf, _ = grads_tf
assert_agree("gradient of the input weights, (input, 4·hidden)", {
    "pytorch": lstm_torch.weight_ih_l0.grad.T, "tensorflow": kernel_grad_tf, "jax": grads_jax["w_input"],
}, rtol=1e-5, atol=1e-6)
assert_agree("gradient of the recurrent weights, (hidden, 4·hidden)", {
    "pytorch": lstm_torch.weight_hh_l0.grad.T, "tensorflow": recurrent_grad_tf, "jax": grads_jax["w_hidden"],
}, rtol=1e-5, atol=1e-6)
assert_agree("gradient of the bias", {
    "pytorch bias_ih": lstm_torch.bias_ih_l0.grad, "pytorch bias_hh": lstm_torch.bias_hh_l0.grad,
    "tensorflow": bias_grad_tf, "jax": grads_jax["bias"],
}, rtol=1e-5, atol=1e-6)
assert_agree("gradient of the dense layer's weights", {
    "pytorch": head_torch.weight.grad.T, "tensorflow": out_grad_tf, "jax": grads_jax["w_out"],
}, rtol=1e-5, atol=1e-6)
