"""Where the app keeps what must outlive a session or be shared between sessions and replicas
(stored models, a room's votes): one folder, named once.

``RNN_LAB_DATA`` in the environment names it; by default ``data/`` next to app.py (ignored by
git). Every replica started by deploy/start.sh on one machine uses the same folder.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "RNN_LAB_DATA"
DEFAULT = Path(__file__).resolve().parents[2] / "data"


def data_dir() -> Path:
    """The data folder (created on first use)."""
    path = Path(os.environ.get(ENV) or DEFAULT)
    path.mkdir(parents=True, exist_ok=True)
    return path
