"""UI latency in a real browser (Playwright + Debian's chromium against `streamlit run app.py`).

    .venv/bin/python benchmarks/ui_latency.py [--repeats N]

Prints medians of
- Step-Through `Next`: from the click to the end of the rerun it starts (the app's script state
  back to notRunning), over the steps of the seed sentence, N walks;
- first load of each page in a fresh browser context (a new session): from navigation start to
  the first finished run with its Plotly charts drawn.
A benchmark, not a test: nothing here asserts a time. Reuses the browser tests' server fixture code.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))
from conftest import CHROMIUM_ARGS, AppPage, StreamlitServer, new_page  # noqa: E402

PAGES = {"/": 0, "/train": 5, "/step-through": 3, "/generate": 0}  # path -> Plotly charts it draws


def first_load_ms(browser, url: str, path: str, charts: int) -> float:
    pg = new_page(browser)
    try:
        t0 = time.perf_counter()
        app = AppPage(pg, url).open(path)
        if charts:
            app.wait_for_charts(charts)
        return (time.perf_counter() - t0) * 1000
    finally:
        pg.context.close()


def next_clicks_ms(browser, url: str) -> list[float]:
    """Click Next until the end; time each click to its finished rerun (in the page's own clock)."""
    pg = new_page(browser)
    try:
        app = AppPage(pg, url).open("/step-through")
        times = []
        button = app.button("Next ▶")
        step = 1
        while button.is_enabled():
            step += 1
            heading = pg.get_by_role("heading", name=re.compile(rf"^Step {step}: feed"))
            pg.evaluate("window.__t0 = performance.now()")
            app.click(button, until=heading)
            # __stChanged is when the state last flipped: the end of the rerun, not the settle wait
            times.append(pg.evaluate("window.__stChanged - window.__t0"))
        return times
    finally:
        pg.context.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    server = StreamlitServer().start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            first_load_ms(browser, server.url, "/", 0)  # the server's first visitor trains the seed model
            loads = {path: [first_load_ms(browser, server.url, path, n) for _ in range(args.repeats)]
                     for path, n in PAGES.items()}
            nexts = [t for _ in range(args.repeats) for t in next_clicks_ms(browser, server.url)]
            browser.close()
    finally:
        server.stop()
    print(f"Step-Through Next click -> rerun finished: median {statistics.median(nexts):.0f} ms "
          f"({len(nexts)} clicks)")
    for path, ts in loads.items():
        print(f"first load of {path:<14} median {statistics.median(ts):.0f} ms ({len(ts)} fresh contexts)")


if __name__ == "__main__":
    main()
