"""Where the browser tests' screenshots go: every shot to tests/browser/artifacts/, and the ones
the README shows also to docs/screenshots/ when ``SCREENSHOTS=1`` is set:

    SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_browser_screenshots.py \
        tests/browser/test_browser_generate_screenshots.py
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
README_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save(page, name: str, *, readme: bool = True, full_page: bool = False) -> Path:
    """Screenshot ``page`` as ``name``.png; returns the artifact's path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if readme and os.environ.get("SCREENSHOTS"):
        (README_SHOTS / path.name).write_bytes(path.read_bytes())
    return path


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's header."""
    return struct.unpack(">II", path.read_bytes()[16:24])
