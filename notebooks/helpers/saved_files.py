"""The small model's inputs and weights, and the size measurements of the files written from it, shared by
notebooks/saving-and-export.py and notebooks/onnx-and-device-formats.py.

Both notebooks write the same model (4 → 8 → 2, tanh) to files and read each file back. Drawing the
inputs and the weights here, from one seeded generator, gives both notebooks the same numbers; each
notebook defines the model itself, in each framework, where the reader sees it.
"""

from __future__ import annotations

import os

import numpy as np

_rng = np.random.default_rng(0)
inputs = _rng.normal(size=(3, 4)).astype(np.float32)
other_inputs = _rng.normal(size=(5, 4)).astype(np.float32)  # another batch size, for the exported graphs
initial = {  # (in, out), as Keras and the JAX dictionary store them
    "w1": (_rng.normal(size=(4, 8)) * 0.5).astype(np.float32), "b1": (_rng.normal(size=8) * 0.1).astype(np.float32),
    "w2": (_rng.normal(size=(8, 2)) * 0.5).astype(np.float32), "b2": (_rng.normal(size=2) * 0.1).astype(np.float32),
}


def size_on_disk(path: str) -> int:
    """Bytes in a file, or in all the files under a directory."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(folder, name)) for folder, _, names in os.walk(path) for name in names)


def file_count(path: str) -> int:
    return 1 if os.path.isfile(path) else sum(len(names) for _, _, names in os.walk(path))


def print_sizes(artefacts: dict[str, str], workdir: str) -> None:
    """One line per artefact: what it is and its size; `artefacts` maps a description to a name in workdir."""
    for what, name in artefacts.items():
        print(f"{what:<30} {size_on_disk(os.path.join(workdir, name)):>7,} bytes")


def print_size_table(tables: dict[str, dict[str, str]], workdir: str, parameter_bytes: int) -> None:
    """Every artefact of every framework (framework → description → name in workdir) in one table, with the
    number of files each takes; fails unless the tables name every file and directory in workdir."""
    rows = [(framework, what, name, size_on_disk(os.path.join(workdir, name)), file_count(os.path.join(workdir, name)))
            for framework, table in tables.items() for what, name in table.items()]
    listed = {name for *_, name, _, _ in rows}
    assert set(os.listdir(workdir)) == listed, sorted(set(os.listdir(workdir)) ^ listed)

    width = max(len(name) for *_, name, _, _ in rows)
    print(f"{'framework':<11} {'artefact':<30} {'path':<{width}} {'bytes':>8} {'files':>5}")
    for framework, what, name, size, count in rows:
        print(f"{framework:<11} {what:<30} {name:<{width}} {size:>8,} {count:>5}")
    print(f"{'':<11} {'the weights alone (float32)':<30} {'':<{width}} {parameter_bytes:>8,}")
