"""Every address on the site, built in one place.

Pages are named by their source file (`topics/autodiff.md`, `notebooks/tensors.ipynb`), with an optional
`#fragment`. Markdown links use the source name, so MkDocs resolves them and the strict build rejects
any that dangle (`doc_link`); links inside raw HTML need the built URL (`html_link`), which tests/test_build.py
checks on the built site.
"""

from __future__ import annotations

import posixpath

# --- Where each kind of page lives -----------------------------------------------------------------

HOME = "index.md"
MATRIX = "matrix.md"
CLAIMS = "claims.md"
VERSIONS = "versions.md"
TOPIC_INDEX = "topics/index.md"
FRAMEWORK_INDEX = "frameworks/index.md"
MIGRATION_INDEX = "migration/index.md"
ROSETTA_INDEX = "rosetta/index.md"
NOTEBOOK_INDEX = "notebooks/index.md"
PERFORMANCE_TOPIC = "performance"  # the topic whose page holds the measured charts


def topic(topic_id: str) -> str:
    return f"topics/{topic_id}.md"


def framework(framework_id: str) -> str:
    return f"frameworks/{framework_id}.md"


def rosetta_category(category_id: str) -> str:
    return f"rosetta/{category_id}.md"


def migration(guide_id: str) -> str:
    return f"migration/{guide_id}.md"


def notebook(name: str) -> str:
    return f"notebooks/{name}.ipynb"


# --- Anchors within pages ----------------------------------------------------------------------------


def feature_anchor(feature_id: str) -> str:
    return f"feature-{feature_id}"


def legend_anchor(level_id: str) -> str:
    return f"legend-{level_id}"


def row_anchor(row_id: str) -> str:
    return f"op-{row_id}"


def claim_anchor(claim_id: str) -> str:
    return f"claim-{claim_id}"


def feature(feature_id: str) -> str:
    return f"{MATRIX}#{feature_anchor(feature_id)}"


def legend(level_id: str) -> str:
    return f"{MATRIX}#{legend_anchor(level_id)}"


def rosetta_row(category_id: str, row_id: str) -> str:
    return f"{rosetta_category(category_id)}#{row_anchor(row_id)}"


def measurement(measurement_id: str) -> str:
    return f"{topic(PERFORMANCE_TOPIC)}#{measurement_id}"


# --- Links between pages -----------------------------------------------------------------------------


def page_url(src_uri: str) -> str:
    """The directory URL MkDocs gives a doc: 'topics/a.md' → 'topics/a/', 'topics/index.md' → 'topics/'."""
    stem = src_uri.rsplit(".", 1)[0]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def relative_url(from_page_url: str, to_url: str) -> str:
    """Link between two site URLs ('topics/autodiff/' → 'matrix/#x') that works under any base path."""
    target, _, fragment = to_url.partition("#")
    base = posixpath.dirname(from_page_url.rstrip("/") + "/x") if from_page_url else "."
    path = posixpath.relpath(target or ".", base or ".")
    if target.endswith("/") and not path.endswith("/"):
        path += "/"
    if path == "./":
        path = ""
    return path + (f"#{fragment}" if fragment else "")


def doc_link(from_src_uri: str, to_src_uri: str) -> str:
    """Markdown link between two docs ('topics/a.md' → 'matrix.md#x' gives '../matrix.md#x')."""
    target, _, fragment = to_src_uri.partition("#")
    if not target:
        return f"#{fragment}"
    path = posixpath.relpath(target, posixpath.dirname(from_src_uri) or ".")
    return path + (f"#{fragment}" if fragment else "")


def html_link(from_src_uri: str, to_src_uri: str) -> str:
    """Link for raw HTML between two docs ('topics/a.md' → 'matrix.md#x' gives '../../matrix/#x'); a link to
    the same page is the bare fragment."""
    target, _, fragment = to_src_uri.partition("#")
    if target == from_src_uri and fragment:
        return f"#{fragment}"
    return relative_url(page_url(from_src_uri), page_url(target) + (f"#{fragment}" if fragment else ""))
