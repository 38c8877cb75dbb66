"""Where the offline edition lives: built by `make offline` into OFFLINE_ZIP, published at DOWNLOAD_URL."""

from __future__ import annotations

from .urls import page_url, relative_url

OFFLINE_ZIP = "build/tensor-rosetta-offline.zip"
DOWNLOAD_URL = "downloads/tensor-rosetta-offline.zip"


def download_link(zip_built: bool, page_src: str) -> str:
    """The home page's line about the offline edition; nothing when no zip was built (a local `make build`)."""
    if not zip_built:
        return ""
    href = relative_url(page_url(page_src), DOWNLOAD_URL)
    return (f'<p class="rosetta-offline">Reading without a network? <a href="{href}" download>Download the offline '
            "edition</a> (a zip of this whole site; unpack it and open <code>index.html</code> from the file system; "
            "search works there too).</p>")
