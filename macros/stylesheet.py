"""The stylesheet of colours that data/ defines: frameworks, support levels, claim verdicts, difference kinds.

Written into the site at every build as VOCABULARY_CSS; docs/assets/rosetta.css only reads its custom
properties, so a colour is stated once, in data, next to the label it belongs to.
"""

from __future__ import annotations

from content.loading import Site
from .rendering import render

VOCABULARY_CSS = "assets/vocabulary.css"


def vocabulary_css(site: Site) -> str:
    return render("vocabulary.css", frameworks=site.frameworks, levels=site.levels.levels,
                  verdicts=site.verdicts.verdicts, difference_kinds=site.difference_kinds.kinds)
