"""rnn_core is pure numpy: importing it must not pull in the UI libraries."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_importing_rnn_core_pulls_in_neither_streamlit_nor_plotly():
    code = (
        "import sys, rnn_core, rnn_core.cli\n"
        "ui = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly'))\n"
        "print(ui)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
