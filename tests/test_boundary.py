"""The layers stay apart: rnn_core is pure numpy (importing it pulls in no UI library), and ui/
and pages/ use only the names rnn_core exports."""

import ast
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


def rnn_core_uses(path: Path) -> list[str]:
    """Every way a file reaches into rnn_core: 'from rnn_core.x import y' as 'rnn_core.x', and
    'from rnn_core import y' / 'rc.y' as 'rnn_core:y'."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
               for a in n.names if a.name == "rnn_core"}
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            uses += [a.name for a in node.names if a.name.startswith("rnn_core.")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rnn_core"):
            if node.module == "rnn_core":
                uses += [f"rnn_core:{a.name}" for a in node.names]
            else:
                uses.append(node.module)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            uses.append(f"rnn_core:{node.attr}")
    return uses


def test_ui_and_pages_use_only_rnn_cores_public_names():
    import rnn_core

    files = [ROOT / "app.py", *sorted((ROOT / "ui").glob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]
    private = {}
    for path in files:
        for use in rnn_core_uses(path):
            name = use.partition(":")[2]
            if not name or name not in rnn_core.__all__:
                private.setdefault(path.name, []).append(use)
    assert private == {}
