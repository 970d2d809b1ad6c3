"""Files the app serves itself (``/app/static/...``, Streamlit's static serving): plotly.js from the
installed plotly package, and the walk's renderer (``ui/step/renderer/``) for the in-browser download of a
walk. Written into ``static/`` next to app.py on first use, atomically, under names that change
with their content, so a browser may cache them for good and a new version is fetched anew.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

import plotly
from streamlit import config

STATIC = Path(__file__).resolve().parents[2] / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _publish(name: str, data: bytes) -> str:
    """``data`` as ``static/name`` (unless it is there already); returns its URL."""
    path = STATIC / name
    if not path.exists() or path.stat().st_size != len(data):
        STATIC.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=STATIC, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)  # several server processes may publish at once: each writes whole files
    return url(name)


def url(name: str) -> str:
    """The address of ``static/name`` from any page: under the server's base URL path (a page's
    own address is no base: the browser is told a <base> per page)."""
    base = config.get_option("server.baseUrlPath").strip("/")
    return "/" + (base + "/" if base else "") + "app/static/" + name


@cache
def plotly_js_url() -> str:
    """The URL of plotly.js, the installed package's own copy (named for its version)."""
    return _publish(f"plotly-{plotly.__version__}.min.js", PLOTLY_JS.read_bytes())


def asset_url(stem: str, suffix: str, text: str) -> str:
    """The URL of ``text`` published as ``stem-<content hash>.suffix``."""
    data = text.encode()
    return _publish(f"{stem}-{hashlib.sha256(data).hexdigest()[:12]}.{suffix}", data)
