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
# layer, and in JAX Flax's `nnx.LSTMCell` run over time by `nnx.RNN`
# ([Flax recurrent layers](https://flax.readthedocs.io/en/latest/api_reference/flax.nnx/nn/recurrent.html)).
# From the same weights, the notebook compares the hidden state at every time step, the final cell
# state, the loss and the gradients of every weight.
#
# Not equivalent by default, and therefore mapped by hand here:
#
# - the weight layout: PyTorch stacks the four gates' weights along the rows, `(4·hidden, input)`;
#   Keras along the columns, `(input, 4·hidden)`; Flax's `LSTMCell` keeps one `(in, hidden)` kernel
#   per gate and per input, named `ii`, `if_`, `ig`, `io` (from the input) and `hi`, `hf`, `hg`,
#   `ho` (from the hidden state);
# - the gate order: both use input, forget, cell candidate, output; PyTorch calls the candidate `g`
#   (i, f, g, o), Keras `c` (i, f, c, o). Other formats differ (ONNX uses i, o, f, c), so the
#   weights are kept per gate in NumPy and stacked explicitly for each framework;
# - the biases: PyTorch adds two bias vectors (`bias_ih` and `bias_hh`), Keras one, and Flax one per
#   gate, on the hidden-state half; the sum of PyTorch's two is the others' one;
# - the outputs: `torch.nn.LSTM` returns every step's hidden state and the final `(h, c)`, with a
#   leading layers axis; Keras returns only the last hidden state unless `return_sequences=True`,
#   and the states only with `return_state=True`; `nnx.RNN` returns every step's output, and the
#   final state as well with `return_carry=True`, ordered `(c, h)` where the others give `h` first;
#   PyTorch expects (time, batch, features) unless `batch_first=True`, Keras and `nnx.RNN` take
#   (batch, time, features);
# - the initializers: PyTorch draws every weight from U(−1/√hidden, 1/√hidden); Keras uses
#   Glorot-uniform input kernels, orthogonal recurrent kernels, and forget-gate biases of 1
#   (`unit_forget_bias=True`); Flax LeCun-normal input kernels, orthogonal recurrent kernels and
#   zero biases.

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
rng = np.random.default_rng(3)
BATCH, TIME, INPUT, HIDDEN = 4, 6, 3, 5
GATES = ("input", "forget", "candidate", "output")  # the order PyTorch and Keras both stack them in

sequences = rng.normal(size=(BATCH, TIME, INPUT)).astype(np.float32)  # (batch, time, features)
targets = sequences.sum(axis=(1, 2))[:, None].astype(np.float32) * 0.1


def draw(*shape):
    return (rng.normal(size=shape) * 0.4).astype(np.float32)


# One matrix or vector per gate, in the x @ W orientation (Flax's); two biases, as PyTorch has.
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
rngs = nnx.Rngs(0)
lstm_jax = nnx.RNN(nnx.LSTMCell(INPUT, HIDDEN, rngs=rngs), return_carry=True)  # input (batch, time, features)
head_jax = nnx.Linear(HIDDEN, 1, rngs=rngs)

# one kernel per gate and per input, no stacking; the gate's single bias sits on the hidden-state half
cell_weights = {}
for gate, letter in zip(GATES, "ifgo"):
    cell_weights["if_" if letter == "f" else f"i{letter}"] = {"kernel": jnp.asarray(w_input[gate])}  # `if` is a keyword
    cell_weights[f"h{letter}"] = {"kernel": jnp.asarray(w_hidden[gate]),
                                  "bias": jnp.asarray(b_input[gate] + b_hidden[gate])}
for module, weights in ((lstm_jax, {"cell": cell_weights}),
                        (head_jax, {"kernel": jnp.asarray(w_out), "bias": jnp.asarray(b_out)})):
    state = nnx.state(module, nnx.Param)
    nnx.replace_by_pure_dict(state, weights)
    nnx.update(module, state)
print(jax.tree.map(jnp.shape, nnx.to_pure_dict(nnx.state(lstm_jax, nnx.Param))))

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
def mse_jax(lstm, head, xs, ys):
    (c, h), _ = lstm(xs)  # Flax's carry is (c, h)
    return jnp.mean((head(h) - ys) ** 2)

(c_jax, h_jax), outputs_jax = lstm_jax(sequences)  # h, c: (batch, hidden)
loss_jax, (grads_lstm_jax, grads_head_jax) = nnx.value_and_grad(mse_jax, argnums=(0, 1))(
    lstm_jax, head_jax, sequences, targets)
print(outputs_jax.shape, h_jax.shape, f"loss {float(loss_jax):.6f}")

# %% [markdown]
# ## The check
#
# Gradients are compared in Keras's layout (input, 4·hidden), with Flax's per-gate gradients
# stacked in the same gate order; PyTorch's two bias gradients are each equal to the gradient of
# the single bias, since both biases enter the same sum.

# %%
def stacked_flax(grads, names, leaf):  # per-gate gradients side by side, gates in order i, f, g, o
    return np.concatenate([np.asarray(grads["cell"][name][leaf]) for name in names], axis=-1)


grads_jax = {"w_input": stacked_flax(grads_lstm_jax, ("ii", "if_", "ig", "io"), "kernel"),
             "w_hidden": stacked_flax(grads_lstm_jax, ("hi", "hf", "hg", "ho"), "kernel"),
             "bias": stacked_flax(grads_lstm_jax, ("hi", "hf", "hg", "ho"), "bias"),
             "w_out": grads_head_jax["kernel"]}
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
