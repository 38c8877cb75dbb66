"""Errors that stop the build with one line: which file, which key, what to do."""

from __future__ import annotations


class SiteInputError(Exception):
    """Bad input (data file, notebook source, executed notebook). str() is the one-line message."""

    def __init__(self, file: str, key_path: str, problem: str, fix: str):
        self.file, self.key_path, self.problem, self.fix = file, key_path, problem, fix
        location = f"{file}: {key_path}" if key_path else file
        super().__init__(f"{location}: {problem} — fix: {fix}")

    def __reduce__(self):
        # Errors cross process boundaries when notebooks execute in parallel workers.
        return (type(self), (self.file, self.key_path, self.problem, self.fix))


class DataError(SiteInputError):
    """A data/ file is malformed or refers to something that does not exist."""


class NotebookError(SiteInputError):
    """A notebook's source is malformed, or a cell failed when it was executed."""


def key_path(location: tuple) -> str:
    """('features', 3, 'cells', 'some-framework', 'level') → 'features[3].cells.some-framework.level'."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"
