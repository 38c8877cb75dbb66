"""The TensorFlow worker: Keras 3 models on the TensorFlow backend, eager, `tf.function` and `tf.function` with XLA."""

from __future__ import annotations

import functools
import os
from typing import Callable, Iterator


from .harness import (CLASSES, LAYER_NORM_EPSILON, LEARNING_RATE, REPEATS, SIZES, Case, Sizes, make_data,
                      run_cases, startup_ms)

# (variant, compiled) in the order they run.
VARIANTS = (("eager", False), ("tf.function", True), ("tf.function + XLA", True))


def keras_mlp(s: Sizes):
    import keras
    from keras import layers

    return keras.Sequential([keras.Input((s.mlp_input,)), layers.Dense(s.mlp_hidden, activation="relu"),
                             layers.Dense(s.mlp_hidden, activation="relu"), layers.Dense(CLASSES)])


def keras_cnn(s: Sizes):
    import keras
    from keras import layers

    return keras.Sequential([keras.Input((s.image, s.image, 3)),
                             layers.Conv2D(s.conv1, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
                             layers.Conv2D(s.conv2, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
                             layers.Flatten(), layers.Dense(CLASSES)])


def keras_lstm(s: Sizes):
    import keras
    from keras import layers

    return keras.Sequential([keras.Input((s.lstm_sequence, s.lstm_input)), layers.LSTM(s.lstm_hidden),
                             layers.Dense(CLASSES)])


def keras_transformer_block(s: Sizes):
    import keras
    from keras import layers

    inputs = keras.Input((s.block_sequence, s.d_model))
    normed = layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON)(inputs)
    x = inputs + layers.MultiHeadAttention(num_heads=s.heads, key_dim=s.d_model // s.heads)(normed, normed)
    normed = layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON)(x)
    x = x + layers.Dense(s.d_model)(layers.Dense(s.ffn, activation="relu")(normed))
    outputs = layers.Dense(CLASSES)(layers.GlobalAveragePooling1D()(x))
    return keras.Model(inputs, outputs)


def tf_variant(function: Callable, variant: str) -> Callable:
    import tensorflow as tf

    if variant == "eager":
        return function
    return tf.function(function, jit_compile=variant == "tf.function + XLA")


def tf_training_step(build: Callable, s: Sizes, x, y, variant: str) -> Callable:
    import keras
    import tensorflow as tf

    model = build(s)
    optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE)
    optimizer.build(model.trainable_variables)  # its variables exist before any tf.function traces
    loss_function = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_function(y, model(x, training=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    step = tf_variant(step, variant)
    return lambda: step(x, y)


def tf_inference(build: Callable, s: Sizes, x, variant: str) -> Callable:
    model = build(s)
    forward = tf_variant(lambda x: model(x, training=False), variant)
    return lambda: forward(x)


def tensorflow_cases(s: Sizes) -> Iterator[Case]:
    import tensorflow as tf

    builders = {"mlp": keras_mlp, "cnn": keras_cnn, "lstm": keras_lstm, "transformer-block": keras_transformer_block}
    for model, (x, y) in make_data(s).items():
        x, y = tf.constant(x), tf.constant(y)
        for variant, compiled in VARIANTS:
            build = builders[model]
            # .numpy() copies the result to the host, so the call has finished (the loss; the logits).
            yield Case(model, "training-step", variant, compiled,
                       functools.partial(tf_training_step, build, s, x, y, variant), block=lambda loss: loss.numpy())
            yield Case(model, "inference", variant, compiled,
                       functools.partial(tf_inference, build, s, x, variant), block=lambda logits: logits.numpy())


def run(mode: str) -> dict:
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import keras
    import tensorflow as tf

    assert keras.backend.backend() == "tensorflow", keras.backend.backend()
    startup = startup_ms(lambda: tf.function(lambda t: t * 2 + 1, jit_compile=True)(tf.ones(8)).numpy())
    timings, failures = run_cases("tensorflow", tensorflow_cases(SIZES[mode]), REPEATS[mode])
    return {"environment": {"tf_intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
                            "tf_inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
                            "tensorflow_compiler_startup_ms": startup},
            "timings": timings, "failures": failures}
