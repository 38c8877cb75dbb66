"""Typed models of everything under data/: the single source of the data's shape.

The JSON Schemas in data/schema/ are generated from these classes (`python -m macros.schema`), so
an editor's completion, the build's validation and the tests all read the same definition.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

# An HTML tag outside inline `code`: data text is plain text, never markup.
_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_INLINE_CODE = re.compile(r"`[^`]*`")


def _plain_text(value: str) -> str:
    if _HTML_TAG.search(_INLINE_CODE.sub("", value)):
        raise ValueError(
            "contains an HTML tag; data text is plain text — remove the tag, or wrap it in `backticks` "
            "if it is code"
        )
    if not value.strip():
        raise ValueError("is empty — write the text or remove the field")
    return value.strip()


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https":
        raise ValueError(f"'{value}' is not an https URL — cite the https address of the official page")
    if "." not in parts.netloc or " " in value or not parts.netloc:
        raise ValueError(f"'{value}' is not a well-formed URL — write it as https://host/path")
    return value


PlainText = Annotated[str, AfterValidator(_plain_text)]
HttpsUrl = Annotated[str, AfterValidator(_https_url)]
Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
    Field(description="Lower-case words joined by hyphens, e.g. `graph-compilation`."),
]
Version = Annotated[
    str,
    StringConstraints(pattern=r"^\d+(\.\d+){0,2}([a-z]+\d*)?$"),
    Field(description='A release number such as "2.0" or "0.4.1"; quote it in YAML.'),
]


class _Strict(BaseModel):
    # strict: YAML's implicit conversions (2.0 → float, yes → bool) are errors, not silent guesses.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Release(_Strict):
    version: Version
    date: dt.date
    source: HttpsUrl = Field(description="Official page that states this release and its date.")


class Framework(_Strict):
    """data/frameworks/<id>.yml — one framework compared by the site."""

    id: Identifier
    name: PlainText
    order: int = Field(description="Column position in tables, from 1.")
    module: str = Field(description="Python module the notebooks import, e.g. `torch`.")
    distribution: str = Field(description="pip distribution installed for it, e.g. `tensorflow-cpu`; its version is shown.")
    maintainer: PlainText
    first_release: Release
    licence: str = Field(description="SPDX licence identifier, e.g. Apache-2.0.")
    licence_source: HttpsUrl
    home: HttpsUrl
    docs: HttpsUrl
    repository: HttpsUrl
    high_level_api: PlainText
    summary: PlainText


class SupportLevel(_Strict):
    id: Identifier
    label: PlainText
    symbol: str = Field(description="One short glyph shown in the badge beside the label.")
    description: PlainText


class SupportLevels(_Strict):
    """data/support_levels.yml — the one vocabulary of support levels."""

    levels: list[SupportLevel] = Field(min_length=1)


class FeatureCell(_Strict):
    """What one framework offers for one feature."""

    level: Identifier = Field(description="A support level id from data/support_levels.yml.")
    api: str | None = Field(default=None, description="API or tool name, e.g. `torch.compile`.")
    since: Version | None = Field(default=None, description="First release that offered it.")
    note: PlainText
    sources: list[HttpsUrl] = Field(min_length=1, description="Official docs or repository pages.")


class Feature(_Strict):
    id: Identifier
    name: PlainText
    description: PlainText
    cells: dict[str, FeatureCell] = Field(description="One cell per framework id.")


class FeatureCategory(_Strict):
    """data/features/<id>.yml — one category of the feature matrix."""

    id: Identifier
    title: PlainText
    order: int
    description: PlainText
    features: list[Feature] = Field(min_length=1)


class SnippetReference(_Strict):
    notebook: Identifier = Field(description="Notebook name: notebooks/<notebook>.py.")
    snippet: Identifier = Field(description="Snippet tag carried by one cell per framework.")
    title: PlainText = Field(description="Short heading above the tabs.")
    caption: PlainText = Field(description="What the code shows, one or two sentences.")


class Source(_Strict):
    title: PlainText
    url: HttpsUrl


class VerdictCondition(_Strict):
    condition: PlainText = Field(description='The situation, e.g. "you deploy to phones".')
    choice: PlainText = Field(description="What to pick in that situation and why.")


class TimelineEntry(_Strict):
    date: dt.date
    framework: Identifier
    version: Version
    event: PlainText
    source: HttpsUrl


class Topic(_Strict):
    """data/topics/<id>.yml — one topic page."""

    id: Identifier
    title: PlainText
    order: int
    summary: PlainText
    positions: dict[str, PlainText] = Field(description="Each framework's position, by framework id.")
    timeline: list[TimelineEntry] = Field(default_factory=list)
    related_features: list[Identifier] = Field(default_factory=list)
    snippets: list[SnippetReference] = Field(default_factory=list)
    verdict: list[VerdictCondition] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    applies_to: dict[str, Version] = Field(description="Framework id → the release the page was checked against.")
    last_reviewed: dt.date
