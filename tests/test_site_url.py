"""SITE_URL (environment) decides where the site says it lives: canonical links and the sitemap follow it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import BUILD_ENVIRONMENT, ROOT

PUBLISHED = "https://example.org/tensor-rosetta/"


def test_site_url_from_the_environment_drives_canonical_links_and_the_sitemap(tmp_path):
    env = {**os.environ, **BUILD_ENVIRONMENT, "ROSETTA_CACHE_DIR": str(ROOT / ".cache"), "SITE_URL": PUBLISHED}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    site = tmp_path / "site"
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)"', (site / "matrix/index.html").read_text())
    assert canonical == [PUBLISHED + "matrix/"]
    locations = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text())
    assert locations and all(url.startswith(PUBLISHED) for url in locations), locations[:3]
    assert "127.0.0.1" not in (site / "index.html").read_text()
