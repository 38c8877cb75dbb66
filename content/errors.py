"""Errors that stop the build with one line: which file, which key, what to do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

# A value quoted in a message is cut here: an error line must stay readable, whatever the input
# (an expanded YAML alias or a 50 MB cell output must never become a 351 MB log line).
SHOWN_VALUE_LIMIT = 80
PROBLEM_LIMIT = 400
# The loader reports at most this many errors in one run: enough to fix a batch, never a flood.
ERROR_BATCH_LIMIT = 50


def shown(value: object) -> str:
    """repr() of a value for an error message, cut to SHOWN_VALUE_LIMIT characters."""
    text = repr(value)
    return text if len(text) <= SHOWN_VALUE_LIMIT else f"{text[:SHOWN_VALUE_LIMIT]}… ({len(text)} characters)"


def _one_line(text: str, limit: int) -> str:
    text = " ".join(str(text).replace("\r", " ").split("\n"))
    return text if len(text) <= limit else text[:limit] + "…"


class SiteInputError(Exception):
    """Bad input (data file, notebook source, executed notebook). str() is the one-line message."""

    def __init__(self, file: str, key_path: str, problem: str, fix: str):
        problem, fix = _one_line(problem, PROBLEM_LIMIT), _one_line(fix, PROBLEM_LIMIT)
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


class SiteInputErrors(SiteInputError):
    """Several input errors found in one run. Its own fields are the first error's; `errors` holds all,
    one line each, and `omitted` counts those left out beyond ERROR_BATCH_LIMIT."""

    def __init__(self, errors: list[SiteInputError], omitted: int = 0):
        first = errors[0]
        super().__init__(first.file, first.key_path, first.problem, first.fix)
        self.errors, self.omitted = list(errors), omitted

    def lines(self) -> list[str]:
        tail = [f"… and {self.omitted} more errors not shown — fix these first"] if self.omitted else []
        return [str(error) for error in self.errors] + tail

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __reduce__(self):
        return (type(self), (self.errors, self.omitted))


class ErrorBatch:
    """Collects input errors so that an editor sees all of them in one run (capped at `limit`)."""

    def __init__(self, limit: int = ERROR_BATCH_LIMIT):
        self.limit = limit
        self.errors: list[SiteInputError] = []
        self.omitted = 0

    def add(self, error: SiteInputError) -> None:
        for one in error.errors if isinstance(error, SiteInputErrors) else [error]:
            if len(self.errors) < self.limit:
                self.errors.append(one)
            else:
                self.omitted += 1
        if isinstance(error, SiteInputErrors):
            self.omitted += error.omitted

    @contextmanager
    def collecting(self, file: str = "") -> Iterator[None]:
        """Run a step; its input error joins the batch instead of stopping the run. With `file`, any
        other exception (a case no check foresaw) is reported on the one-line path too, naming the file."""
        try:
            yield
        except SiteInputError as error:
            self.add(error)
        except (ValueError, TypeError, KeyError, AttributeError, OSError, RecursionError) as error:
            if not file:
                raise
            self.add(DataError(file, "(whole file)", f"could not be read: {type(error).__name__}: {error}",
                               "check the file against data/README.md; if it looks right, report this as a bug"))

    def raise_if_any(self) -> None:
        if self.errors:
            raise SiteInputErrors(self.errors, self.omitted)


def key_path(location: tuple) -> str:
    """('features', 3, 'cells', 'some-framework', 'level') → 'features[3].cells.some-framework.level'."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"
