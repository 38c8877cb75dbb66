"""The JAX column is written as JAX users write it today (issue 9): Flax NNX layers (dropout included),
Optax optimizers and losses, Grain pipelines. Plain `jax.numpy` stays only in untagged cells whose preceding
text labels it as plain JAX, so no topic tab shows a hand-rolled layer or optimizer as "the JAX way".
"""

from __future__ import annotations

import jupytext
import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))

# Code that a JAX tab would only contain if it rebuilt, by hand, what Flax, Optax or Orbax provide.
HAND_ROLLED = {
    "jax.example_libraries": "stax/optimizers are example libraries; use Flax NNX and Optax",
    "lambda p, g:": "an SGD update written by hand; use an Optax optimizer",
}

# Snippets whose JAX tab must show the library route, and the names that show it. (`lax.conv_general_dilated`
# itself is fine in a tab about layouts, as in dtypes-and-layout; a model's layers come from Flax.)
LIBRARY_ROUTE = {
    ("modules-and-layers", "subclass-a-module"): ["nnx.Module", "nnx.Conv", "nnx.Linear"],
    ("modules-and-layers", "compose-layers"): ["nnx.Sequential"],
    ("modules-and-layers", "count-parameters"): ["nnx.Param"],
    ("training-loop", "define-the-model"): ["nnx.Sequential", "nnx.Linear"],
    ("training-loop", "training-step"): ["nnx.Optimizer", "optax.sgd", "nnx.value_and_grad", "nnx.jit"],
    ("training-loop", "pure-training-step"): ["nnx.merge", "tx.update", "optax.apply_updates"],
    ("cnn", "define-a-cnn"): ["nnx.Conv", "nnx.max_pool", "nnx.Linear"],
    ("cnn", "cnn-training-step"): ["nnx.Optimizer", "optax.softmax_cross_entropy_with_integer_labels"],
    ("rnn", "define-an-lstm"): ["nnx.LSTMCell", "nnx.RNN"],
    ("rnn", "lstm-forward"): ["nnx.value_and_grad"],
    ("data-pipelines", "batch-a-dataset"): ["grain.MapDataset"],
    ("data-pipelines", "shuffle-and-map"): ["grain.MapDataset", ".shuffle(", ".repeat("],
    ("randomness", "reproducible-dropout"): ["nnx.Dropout", "nnx.Rngs"],
}


def cells(path):
    return jupytext.read(path).cells


def jax_snippets(path) -> dict[str, str]:
    """Snippet tag → source of the cell tagged ["jax", tag]."""
    found = {}
    for cell in cells(path):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and "jax" in tags:
            found[next(tag for tag in tags if tag != "jax")] = cell.source
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_jax_tab_hand_rolls_what_a_library_provides(path):
    for snippet, source in jax_snippets(path).items():
        for pattern, why in HAND_ROLLED.items():
            assert pattern not in source, f"{path.name}: jax tab {snippet!r} contains {pattern!r}: {why}"


@pytest.mark.parametrize(("notebook", "snippet"), sorted(LIBRARY_ROUTE))
def test_jax_tab_uses_flax_and_optax(notebook, snippet):
    source = jax_snippets(ROOT / "notebooks" / f"{notebook}.py")[snippet]
    missing = [name for name in LIBRARY_ROUTE[notebook, snippet] if name not in source]
    assert not missing, f"{notebook}.py: jax tab {snippet!r} no longer uses {missing}"


@pytest.mark.parametrize("notebook", sorted({notebook for notebook, _ in LIBRARY_ROUTE}))
def test_plain_jax_cells_are_labelled(notebook):
    """An untagged cell that writes a layer or loss in plain JAX follows text that says it is plain JAX."""
    text_so_far = ""
    for cell in cells(ROOT / "notebooks" / f"{notebook}.py"):
        if cell.cell_type == "markdown":
            text_so_far = cell.source
        elif not cell.metadata.get("tags") and any(
                name in cell.source for name in ("conv_general_dilated", "log_softmax", "jnp.tanh(x @")):
            assert "plain JAX" in text_so_far, f"{notebook}.py: plain-JAX cell not labelled:\n{cell.source[:200]}"
