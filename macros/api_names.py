"""Resolve the Python API names cited in feature cells against the installed versions.

A cell's `api` text may name several APIs (`torch.func.jvp / torch.autograd.forward_ad`); every
dotted name that starts with a module root is imported and looked up attribute by attribute.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
import warnings
from dataclasses import dataclass

# Short names used in docs → the module they stand for.
ALIASES = {"tf": "tensorflow", "jnp": "jax.numpy", "np": "numpy", "F": "torch.nn.functional", "lax": "jax.lax",
           "nnx": "flax.nnx", "ocp": "orbax.checkpoint"}
_DOTTED = re.compile(r"(?<![\w.])([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+)")


@dataclass(frozen=True)
class Resolution:
    name: str
    status: str  # "resolved", "not-installed", "unresolved"
    detail: str = ""
    deprecation_warning: str = ""


def cited_names(api_text: str) -> list[str]:
    """Dotted names in an `api` field; the root must look like a module (lower case or an alias)."""
    names = []
    for match in _DOTTED.finditer(api_text):
        name = match.group(1).rstrip(".")
        root = name.split(".")[0]
        if root in ALIASES or root.islower():
            names.append(name)
    return names


def _installed(distribution: str) -> bool:
    try:
        importlib.metadata.version(distribution)
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


def resolve(name: str, package: str | None = None) -> Resolution:
    parts = ALIASES.get(name.split(".")[0], name.split(".")[0]).split(".") + name.split(".")[1:]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            obj = importlib.import_module(parts[0])
        except ImportError as error:
            if package and not _installed(package):
                return Resolution(name, "not-installed", f"package {package} is not installed")
            return Resolution(name, "unresolved", f"cannot import {parts[0]}: {error}")
        path = parts[0]
        # Attribute first (TensorFlow's public API is attributes of lazily loaded modules),
        # then a submodule import (e.g. torch.utils.tensorboard is not imported by torch).
        for attribute in parts[1:]:
            path = f"{path}.{attribute}"
            try:
                obj = getattr(obj, attribute)
                continue
            except AttributeError:
                pass
            try:
                obj = importlib.import_module(path)
            except Exception as error:
                if package and not _installed(package):
                    return Resolution(name, "not-installed", f"package {package} is not installed")
                return Resolution(name, "unresolved", f"no attribute or module {path} ({error})")
    # Only a warning that names the cited API counts as its own deprecation: importing a package can
    # also surface deprecations of the package's internals (executorch calls importlib's `read_text`).
    components = {c for c in set(parts) | set(name.split(".")) if len(c) >= 3} | {parts[-1]}
    names_it = re.compile(r"\b(" + "|".join(map(re.escape, sorted(components))) + r")\b")
    deprecations = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)
                    and names_it.search(str(w.message))]
    return Resolution(name, "resolved", deprecation_warning=deprecations[0] if deprecations else "")
