"""Typed models of the vocabularies in data/: support levels, difference kinds and claim verdicts. Each term has
an id the other data files use, a label and a badge colour (assets/vocabulary.css is generated from them)."""

from __future__ import annotations

from pydantic import Field

from .models import HexColour, Identifier, PlainText, _Strict


class VocabularyTerm(_Strict):
    """One entry of a vocabulary: the id data files use, and how pages show it."""

    id: Identifier
    label: PlainText
    colour: HexColour = Field(description="Badge background behind white text (at least 4.5:1 contrast); for "
                              "difference kinds, the edge of the note.")
    description: PlainText


class SupportLevel(VocabularyTerm):
    symbol: str = Field(description="One short glyph shown in the badge beside the label.")


class DifferenceKind(VocabularyTerm):
    trap: bool = Field(description="True when it changes results or behaviour, not only spelling.")


class SupportLevels(_Strict):
    """data/support_levels.yml — the one vocabulary of support levels."""

    levels: list[SupportLevel] = Field(min_length=1)


class DifferenceKinds(_Strict):
    """data/difference_kinds.yml — the one vocabulary of how frameworks differ (features and Rosetta rows)."""

    kinds: list[DifferenceKind] = Field(min_length=1)


class ClaimVerdicts(_Strict):
    """data/claim_verdicts.yml — the one vocabulary of claims-audit verdicts."""

    verdicts: list[VocabularyTerm] = Field(min_length=1)
