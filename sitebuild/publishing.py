"""The last good site survives every failure, and `mkdocs serve` keeps answering.

Builds write into a staging folder beside the site; the site is replaced only when the build has
finished without an error and, in strict mode, without a warning. Under `mkdocs serve`, a failed
build leaves the last good pages in place with a banner carrying the error (or an error page when
there never was a good build), so every request is answered and the server never stops.
"""

from __future__ import annotations

import html
import logging
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

BANNER_ID = "rosetta-build-error"
_BANNER = re.compile(rf'<div id="{BANNER_ID}".*?</div>\n?', re.DOTALL)
_BODY_OPEN = re.compile(r"<body[^>]*>")


class WarningCounter(logging.Handler):
    """Counts warnings and errors logged by MkDocs and its plugins during one build (strict mode's rule)."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class StagedSite:
    """A staging folder beside `site_dir`; `publish` swaps it in, `discard` throws it away."""

    def __init__(self, site_dir: str | Path):
        self.site_dir = Path(site_dir).resolve()
        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        # Beside the site, so the swap is a rename on one file system.
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.site_dir.name}.building-", dir=self.site_dir.parent))
        # Work that may follow the swap (`mkdocs serve` only: nothing a published build relies on), given the site.
        self.after_publish: list[Callable[[Path], None]] = []

    def publish(self) -> None:
        old = self.site_dir.with_name(f".{self.site_dir.name}.replaced-{self.staging.name.rsplit('-', 1)[-1]}")
        if self.site_dir.exists():
            self.site_dir.rename(old)
        self.staging.rename(self.site_dir)
        shutil.rmtree(old, ignore_errors=True)
        for step in self.after_publish:
            step(self.site_dir)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _banner(lines: list[str]) -> str:
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    return (f'<div id="{BANNER_ID}" role="alert" style="position:sticky;top:0;z-index:1000;background:#b00020;'
            f'color:#fff;padding:.8rem 1.2rem;font:14px/1.5 sans-serif;max-height:50vh;overflow:auto">'
            f"<strong>The last build failed</strong> — these pages are from the last good build. "
            f"Fix the error and save; the page reloads.<ul>{items}</ul></div>\n")


def show_build_error(site_dir: str | Path, lines: list[str]) -> None:
    """Put the error on every page of the served site, or write an error page when there is none."""
    site = Path(site_dir)
    banner = _banner(lines or ["(no message)"])
    pages = sorted(site.rglob("*.html")) if site.is_dir() else []
    if not (site / "index.html").is_file():
        site.mkdir(parents=True, exist_ok=True)
        page = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head>"
                f"<body>{banner}</body></html>")
        for name in ("index.html", "404.html"):
            (site / name).write_text(page, encoding="utf-8")
        return
    for path in pages:
        text = _BANNER.sub("", path.read_text(encoding="utf-8"))
        text, count = _BODY_OPEN.subn(lambda match: match.group(0) + banner, text, count=1)
        if count:
            path.write_text(text, encoding="utf-8")


def error_lines(error: BaseException, logged: list[str]) -> list[str]:
    """What the banner says. The input errors when the build stopped on them (read from the exception
    chain: MkDocs logs a repeated BuildError message only once per server); otherwise the errors and
    warnings logged during the build, then the exceptions from the first cause to the last."""
    chain: list[BaseException] = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    for link in chain:
        if hasattr(link, "lines"):  # SiteInputErrors: every input error, one line each
            return link.lines()
    lines = [line for message in logged for line in message.splitlines() if line.strip()]
    for link in reversed(chain):
        message = (f"a plugin stopped the build (exit status {link.code})" if isinstance(link, SystemExit)
                   else str(link).strip() or type(link).__name__)
        if message not in lines:
            lines.append(message)
    return lines


_MACRO_FILE = re.compile(r"_File_: `([^`]+)`")
_MACRO_ERROR = re.compile(r"^_(\w+)_: (.+)$", re.MULTILINE)


class OneLineMacroErrors(logging.Filter):
    """mkdocs-macros reports a template error as a Markdown block with a traceback; make it one line
    naming the page, the error and the fix (the traceback adds nothing an editor can act on)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Macro Rendering Error" in message:
            page = _MACRO_FILE.search(message)
            error = next((m for m in _MACRO_ERROR.finditer(message) if m.group(1) != "File"), None)
            problem = f"{error.group(1)}: {error.group(2)}" if error else "a macro failed"
            record.msg = (f"docs/{page.group(1) if page else '?'}: (template): {problem} — fix: correct the "
                          "macro call, or the macro in macros/ it names")
            record.args = ()
        return True
