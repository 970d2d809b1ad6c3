"""The layers stay apart, in every folder: rnn_core is pure numpy (importing it pulls in no UI
library) and has no import cycle; ui/ and pages/ use only the names rnn_core exports, at its
top or in its namespaces (``rc.decoding.beam_search``, ``rc.limits.TOP_K``: never a name a
namespace does not export); no package of ui/ imports pages/, and no page's package (ui.step,
ui.generate, ui.train) imports another page's."""

import ast
import subprocess
import sys
from pathlib import Path

import rnn_core

ROOT = Path(__file__).resolve().parents[1]
PAGE_PACKAGES = ("step", "generate", "train")
NAMESPACES = {name: getattr(rnn_core, name) for name in ("decoding", "analysis", "training", "limits")}


def test_importing_rnn_core_pulls_in_neither_streamlit_nor_plotly():
    code = (
        "import sys, rnn_core, rnn_core.cli\n"
        "ui = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly'))\n"
        "print(ui)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_every_namespace_says_what_it_exports():
    for name, module in NAMESPACES.items():
        assert module.__all__, name
        assert all(hasattr(module, n) for n in module.__all__), name


def rnn_core_uses(path: Path) -> list[str]:
    """Every way a file reaches into rnn_core, as 'module:name' ('rnn_core:Model',
    'rnn_core.decoding:beam_search'): from-imports, and attribute chains on its alias
    (``rc.decoding.beam_search``, ``rc.limits.TOP_K``); a bare submodule import as itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
               for a in n.names if a.name == "rnn_core"}
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            uses += [f"{a.name}:" for a in node.names if a.name.startswith("rnn_core.")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rnn_core"):
            uses += [f"{node.module}:{a.name}" for a in node.names]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            uses.append(f"rnn_core:{node.attr}")
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
              and isinstance(node.value.value, ast.Name) and node.value.value.id in aliases):
            uses.append(f"rnn_core.{node.value.attr}:{node.attr}")
    return uses


def is_public(use: str) -> bool:
    module, _, name = use.partition(":")
    if module == "rnn_core":
        return name in rnn_core.__all__
    namespace = module.removeprefix("rnn_core.")
    return namespace in NAMESPACES and name in NAMESPACES[namespace].__all__


def ui_and_pages() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "ui").rglob("*.py")), *sorted((ROOT / "pages").rglob("*.py"))]


def test_ui_and_pages_use_only_rnn_cores_public_names():
    private = {}
    for path in ui_and_pages():
        for use in rnn_core_uses(path):
            if not is_public(use):
                private.setdefault(str(path.relative_to(ROOT)), []).append(use)
    assert private == {}


def ui_imports(path: Path) -> set[str]:
    """The ui modules a file imports: 'ui.step.state', 'ui.common' ..."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("ui", "pages"):
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] in ("ui", "pages")}
    return found


def test_no_pages_package_imports_another_pages_package_and_nothing_in_ui_imports_pages():
    crossing = {}
    for path in sorted((ROOT / "ui").rglob("*.py")):
        package = path.relative_to(ROOT / "ui").parts[0]
        for module in ui_imports(path):
            parts = module.split(".")
            other = parts[1] if parts[0] == "ui" and len(parts) > 1 else None
            if parts[0] == "pages" or (package in PAGE_PACKAGES and other in PAGE_PACKAGES and other != package):
                crossing.setdefault(str(path.relative_to(ROOT)), []).append(module)
    assert crossing == {}


def test_rnn_core_has_no_import_cycle():
    """Each module's relative imports, followed from every module, never come back to it."""
    graph = {}
    for path in sorted((ROOT / "rnn_core").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[path.stem] = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 1
                            and n.module} | {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                                             and n.level == 1 and not n.module for a in n.names}
    graph.pop("__init__")

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == target or (nxt not in seen and (seen.add(nxt) or reaches(nxt, target, seen))):
                return True
        return False

    assert [m for m in graph if reaches(m, m, set())] == []
