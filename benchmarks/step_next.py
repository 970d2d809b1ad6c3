"""Server-side time of one `Next` rerun on the Step-Through page (a benchmark, not a test).

Drives the page with Streamlit's AppTest: each sample clicks Next (Start again when the path has
ended) and times the whole rerun of the script, which is what the server does for a click.
The path is computed once per settings, so a Next only re-renders: LaTeX, the loop's SVG, three
Plotly figures and a small table. AppTest reruns the whole script (the page's fragment would rerun only the
step view in a browser), so this is an upper bound. Prints the median. With ``--view``, one of the
closer looks below the step stays open while stepping (each Next then redraws it for the new step).

    .venv/bin/python benchmarks/step_next.py [--runs 40] [--view "What it remembers"]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from ui.step.looks import VIEW, VIEWS  # noqa: E402

APP = str(REPO / "app.py")


def button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--view", choices=VIEWS, help="a closer look kept open while stepping")
    args = parser.parse_args()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/step-through.py").run()
    if args.view:
        at.segmented_control(key=VIEW).set_value(args.view).run()
    assert not at.exception, at.exception
    times = []
    for _ in range(args.runs):
        nxt = button(at, "step_next")
        if nxt.disabled:
            button(at, "step_reset").click().run()
            nxt = button(at, "step_next")
        t0 = time.perf_counter()
        nxt.click().run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    ms = sorted(1000 * t for t in times)
    print(f"Step-Through Next rerun (AppTest, server side{', ' + args.view + ' open' if args.view else ''}): median {statistics.median(ms):.0f} ms, "
          f"min {ms[0]:.0f} ms, max {ms[-1]:.0f} ms over {len(ms)} clicks")


if __name__ == "__main__":
    main()
