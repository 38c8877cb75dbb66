"""The one text policy: what each kind of data field may contain. The models call these validators.

- Plain text (every PlainText field): words and `code spans`, nothing else. Outside code spans the
  build refuses what Markdown or HTML would turn into live markup: tags and autolinks, links and
  images, attribute lists (which add attributes such as event handlers), and block structure
  (headings, quotes, lists, tables, admonitions, rules) that would break out of the sentence.
- Every string anywhere in data/ (and notebook sources): no control characters other than tab and
  newline, no bidirectional overrides or invisible formatting characters.
- Versions: ASCII digits only (the regex in models.Version says [0-9], never \\d).
- Source URLs: https, no user name or port, no characters that could end a Markdown link or an
  HTML attribute, and a host (or host/path prefix) on the allow-list in data/source_hosts.yml.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

SOURCE_HOSTS_FILE = "data/source_hosts.yml"

_INLINE_CODE = re.compile(r"`[^`]*`")
# Characters that render as nothing or reorder text: a reader cannot see them, a reviewer cannot either.
_INVISIBLE = {0x061C, 0x200B, 0x200C, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_ALLOWED_CONTROLS = {"\t", "\n"}
# One search per string (every scalar of every data file passes here): the control characters (Unicode
# category Cc: U+0000-U+001F and U+007F-U+009F) but tab and newline, and the invisible ones above.
_FORBIDDEN_CHARACTER = re.compile("[" + "".join(
    re.escape(chr(code)) for code in sorted({*range(0x00, 0x20), *range(0x7F, 0xA0), *_INVISIBLE})
    if chr(code) not in _ALLOWED_CONTROLS) + "]")
# (pattern outside code spans, what it is, fix)
_MARKUP = [
    (re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|<[a-z][a-z0-9+.-]*:[^>\s]*>", re.I), "an HTML tag or autolink",
     "remove it, or wrap it in `backticks` if it is code"),
    (re.compile(r"!?\[[^\]]*\]\s*[(\[]|^\s*\[[^\]]+\]:", re.M), "a Markdown link or image",
     "write the words only; sources go in the `sources`/`source` fields"),
    (re.compile(r"\{\s*[:#.][^}]*\}|\{\s*[A-Za-z_-]+\s*=", re.M), "a Markdown attribute list ({: …})",
     "remove the braces, or wrap the text in `backticks` if it is code"),
    (re.compile(r"^\s{0,3}(#{1,6}\s|>|[-*+]\s|\d+[.)]\s|(={3,}|-{3,}|\*{3,}|_{3,})\s*$|[|]|!!!|\?\?\?|===)", re.M),
     "Markdown block structure (a heading, quote, list, table, rule or admonition)",
     "write one paragraph of plain sentences; reword the start of the line"),
]


def invisible_character_problem(text: str) -> str | None:
    """A problem statement if `text` holds a control, bidi or invisible character, else None."""
    match = _FORBIDDEN_CHARACTER.search(text)
    if match is None:
        return None
    character = match.group(0)
    name = unicodedata.name(character, "control character")
    return f"contains the invisible character U+{ord(character):04X} ({name}) at position {match.start() + 1}"


def plain_text(value: str) -> str:
    """Validator for PlainText fields: raises ValueError('problem — fix')."""
    if not value.strip():
        raise ValueError("is empty — write the text or remove the field")
    outside_code = _INLINE_CODE.sub("``", value)
    for pattern, what, fix in _MARKUP:
        match = pattern.search(outside_code)
        if match:
            found = match.group(0).strip()[:40]
            raise ValueError(f"contains {what} ({found!r}); data text is plain text — {fix}")
    problem = invisible_character_problem(value)
    if problem:
        raise ValueError(f"{problem} — delete the character")
    return value.strip()


_URL_FORBIDDEN = re.compile(r"[\s<>\"`\\(){}|^\[\]]")


def https_url(value: str) -> str:
    """Shape of a source URL (the host allow-list is checked by `allowed_source`)."""
    parts = urlsplit(value)
    if parts.scheme != "https":
        raise ValueError(f"'{value[:80]}' is not an https URL — cite the https address of the official page")
    if not parts.netloc or "." not in parts.netloc or _URL_FORBIDDEN.search(value):
        raise ValueError(f"'{value[:80]}' is not a well-formed URL — write it as https://host/path, with spaces, "
                         "quotes, brackets and parentheses percent-encoded")
    if "@" in parts.netloc or parts.port is not None:
        raise ValueError(f"'{value[:80]}' names a user or port before the host — write it as https://host/path")
    return value


def allowed_source(url: str, prefixes: list[str]) -> bool:
    """True when the URL's host (and path) starts with an allow-list entry: 'pytorch.org' allows that host,
    'github.com/pytorch' only that organisation's repositories."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/")
    for prefix in prefixes:
        prefix_host, _, prefix_path = prefix.partition("/")
        if host == prefix_host and (not prefix_path or path == f"/{prefix_path}" or path.startswith(f"/{prefix_path}/")):
            return True
    return False


# Notebook markdown cells are rendered by nbconvert, which passes raw HTML through: the policy there is
# Markdown without HTML, links to anything but scripts, and images only from inside the notebook.
_FENCED_CODE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_SCRIPT_LINK = re.compile(r"\]\(\s*<?\s*(javascript|vbscript|data):|^\s*\[[^\]]+\]:\s*<?\s*(javascript|vbscript|data):",
                          re.I | re.M)
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]*)")


def notebook_markdown_problem(source: str) -> tuple[str, str] | None:
    """(problem, fix) for a notebook markdown cell that breaks the policy, else None."""
    problem = invisible_character_problem(source)
    if problem:
        return problem, "delete the character"
    prose = _INLINE_CODE.sub("``", _FENCED_CODE.sub("", source))
    tag = _MARKUP[0][0].search(prose)
    if tag:
        return (f"contains HTML ({tag.group(0)[:40]!r}); notebook pages show no HTML from notebooks",
                "write Markdown (wrap code in `backticks`)")
    for target in _MARKDOWN_IMAGE.findall(prose):
        return (f"shows an image from {target[:60]!r}; the site loads nothing from elsewhere",
                "produce the figure in a code cell (its PNG or SVG output is embedded)")
    script = _SCRIPT_LINK.search(prose)
    if script:
        return f"contains a script URL ({script.group(0)!r})", "link to a page, not a script"
    return None
