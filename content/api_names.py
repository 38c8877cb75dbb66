"""Resolve the Python API names cited in feature cells against the installed versions.

A cell's `api` text may name several APIs (`pkg.func.jvp / pkg.autograd.forward_ad`); every dotted
name that starts with a module root (or an alias from the frameworks' import lines) is imported and
looked up attribute by attribute.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Framework

# NumPy is every framework's common ground: code on the site may always write `np`.
COMMON_ALIASES = {"np": "numpy"}
_DOTTED = re.compile(r"(?<![\w.])([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+)")


@dataclass(frozen=True)
class Resolution:
    name: str
    status: str  # "resolved", "not-installed", "unresolved"
    detail: str = ""
    deprecation_warning: str = ""


def import_aliases(frameworks: Iterable[Framework]) -> dict[str, str]:
    """Short name → the module it stands for, read from the frameworks' import lines
    (`import pkg.numpy as pnp` gives pnp → pkg.numpy; `from pkg import sub` gives sub → pkg.sub)."""
    aliases = dict(COMMON_ALIASES)
    for framework in frameworks:
        for statement in ast.parse("\n".join(framework.imports)).body:
            for alias in statement.names:
                module = alias.name if isinstance(statement, ast.Import) else f"{statement.module}.{alias.name}"
                short = alias.asname or (alias.name if isinstance(statement, ast.ImportFrom) else None)
                if short and short != module:
                    aliases[short] = module
    return aliases


def expand_alias(name: str, aliases: dict[str, str]) -> str:
    """'pnp.sum' → 'pkg.numpy.sum' when pnp stands for pkg.numpy."""
    root, _, rest = name.partition(".")
    return f"{aliases[root]}.{rest}" if root in aliases and rest else name


def cited_names(api_text: str, aliases: dict[str, str]) -> list[str]:
    """Dotted names in an `api` field; the root must look like a module (lower case or an alias)."""
    names = []
    for match in _DOTTED.finditer(api_text):
        name = match.group(1).rstrip(".")
        root = name.split(".")[0]
        if root in aliases or root.islower():
            names.append(name)
    return names


def _installed(distribution: str) -> bool:
    try:
        importlib.metadata.version(distribution)
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


def resolve(name: str, aliases: dict[str, str], package: str | None = None) -> Resolution:
    parts = expand_alias(name, aliases).split(".")
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
        # then a submodule import (a package need not import all of its submodules).
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
    # also surface deprecations of the package's internals (one calls importlib's `read_text`).
    components = {c for c in set(parts) | set(name.split(".")) if len(c) >= 3} | {parts[-1]}
    names_it = re.compile(r"\b(" + "|".join(map(re.escape, sorted(components))) + r")\b")
    deprecations = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)
                    and names_it.search(str(w.message))]
    return Resolution(name, "resolved", deprecation_warning=deprecations[0] if deprecations else "")
