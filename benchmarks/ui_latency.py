"""UI latency in a real browser (Playwright + Debian's chromium against `streamlit run`).

    .venv/bin/python benchmarks/ui_latency.py [--walks N] [--loads]

One `Next` on Step-Through (as it opens, and with its 3-D view of h switched on) against a bare
Streamlit page showing the same kinds of charts (two bar charts and one 3-D line; the script is
written to a temporary file and served by a second server), measured the same way in the same
run, walks alternating between them:
from the click to the last change the click makes to the page (a MutationObserver notes each
DOM change; the page counts as done once it has been quiet for QUIET_MS). Prints the medians
and the ratios; with --loads also the first load of each page.

Beside the server's Next: the offline replay of a walk (``ui.step_replay``), the files of a few
walks written to disk and opened with the network cut, stepped with PageDown to the end and
PageUp back; each step's time from the key press (the keydown event's timestamp) to the first
frame after the step and both its charts are on screen, as the file itself records it
(``window.replay.draws``). The file draws a step's neighbours' charts while the reader looks, so
pressing a key right after a step appeared, as here, is its slowest ordinary use.

A benchmark, not a test: nothing here asserts a time. Reuses the browser tests' server code
(tests/browser/conftest.py).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))
sys.path.insert(0, str(REPO))
from conftest import CHROMIUM_ARGS, STATE_WATCH_JS, AppPage, StreamlitServer  # noqa: E402

import rnn_core as rc  # noqa: E402
from ui.state import seed_model_bytes  # noqa: E402
from ui.step_replay import walk_html  # noqa: E402
from ui.step_settings import Settings  # noqa: E402

QUIET_MS = 600  # no DOM change for this long: the click's work is done
NEXT, TITLE = ".st-key-step_next button", ".st-key-step_title h1"  # Step-Through's Next and its step
WIDTH, HEIGHT = 1280, 720
PAGES = {"/": 0, "/train": 5, "/step-through": 3, "/generate": 0}  # path -> Plotly charts its first view draws

# Every DOM change, with its time: the end of a click's work is the last one before the quiet.
MUTATIONS_JS = """
window.__lastChange = performance.now();
new MutationObserver(() => { window.__lastChange = performance.now(); })
  .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""
CLICK_JS = """(selector) => { window.__t0 = performance.now(); document.querySelector(selector).click(); }"""
QUIET_JS = f"() => performance.now() - window.__lastChange > {QUIET_MS}"

# The bare page: a Next button, two bar charts and one 3-D line, nothing else.
BARE_PAGE = textwrap.dedent('''
    import numpy as np
    import plotly.graph_objects as go
    import streamlit as st

    st.set_page_config(layout="wide")
    st.title("Bare page")
    step = st.session_state.setdefault("step", 1)
    st.button("Next", key="next", on_click=lambda: st.session_state.update(step=st.session_state.step + 1))
    st.markdown(f"## Step {step}")
    rng = np.random.default_rng(step)
    left, right = st.columns(2)
    left.plotly_chart(go.Figure(go.Bar(x=list("abcde"), y=rng.random(5))).update_layout(height=245), key="y")
    right.plotly_chart(go.Figure([go.Bar(y=rng.uniform(-1, 1, 3)), go.Bar(y=rng.uniform(-1, 1, 3))])
                       .update_layout(height=200), key="h")
    path = rng.uniform(-1, 1, (step + 1, 3))
    st.plotly_chart(go.Figure(go.Scatter3d(x=path[:, 0], y=path[:, 1], z=path[:, 2], mode="lines+markers+text",
                                           text=[f"h_{i}" for i in range(step + 1)])).update_layout(height=420),
                    key="traj")
''')


def new_page(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.add_init_script(STATE_WATCH_JS)
    context.add_init_script(MUTATIONS_JS)
    return context.new_page()


def click_ms(app: AppPage, selector: str, heading, step: int) -> float:
    """One click: from the click to the last DOM change it causes (its content must appear)."""
    from playwright.sync_api import expect

    app.pg.evaluate(CLICK_JS, selector)
    expect(heading).to_contain_text(f"tep {step}", timeout=60_000)
    app.pg.wait_for_function(QUIET_JS, timeout=60_000, polling=50)
    return app.pg.evaluate("window.__lastChange - window.__t0")


def walk(browser, url: str, path: str, selector: str, heading: str, clicks: int,
         with_3d: bool = False) -> list[float]:
    """Open ``path`` in a new session and click ``clicks`` times; the time of each click. With
    ``with_3d``, Step-Through's 3-D view of h is switched on first."""
    pg = new_page(browser)
    try:
        app = AppPage(pg, url).open(path)
        if with_3d:
            app.click(pg.get_by_text("Show the path of h in 3-D"),
                      until=pg.locator(".st-key-step_traj .main-svg").first)
        app.pg.wait_for_function(QUIET_JS, timeout=60_000, polling=50)
        return [click_ms(app, selector, pg.locator(heading), step) for step in range(2, clicks + 2)]
    finally:
        pg.context.close()


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


def replay_files(folder: Path, walks: int) -> list[Path]:
    """Replay files of ``walks`` seed walks (sampled, RNG seeds 0, 1, ...: 4 steps or so each)
    and of one longer char-level walk (untrained, H = 64: up to 20 steps, 12 bars, the hidden state
    as a colour strip), written into ``folder``."""
    seed = rc.from_bytes(seed_model_bytes())
    char = rc.new_model(rc.make_corpus("the quick brown fox jumps over the lazy dog.", "char"),
                        rc.TrainConfig(hidden_size=64, embed_dim=16, seed=1))
    cases = [(seed, Settings(word="I", seed=k)) for k in range(walks)] + [(char, Settings(word="t", seed=0))]
    paths = []
    for i, (model, s) in enumerate(cases):
        traces = rc.generate(model, [s.word], s.rule_obj(), max_tokens=s.max_len, seed=s.seed)
        paths.append(folder / f"walk{i}.html")
        paths[-1].write_text(walk_html(model, traces, s), encoding="utf-8")
    return paths


def replay_draws_ms(browser, path: Path) -> list[float]:
    """Open a replay file offline and step it to the end and back; each step's draw time."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, offline=True)
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    try:
        pg = context.new_page()
        pg.goto(path.as_uri())
        pg.wait_for_function("window.replay && window.replay.draws.length === 1", timeout=60_000)
        n = pg.evaluate("window.replay.n")
        for key in ["PageDown"] * (n - 1) + ["PageUp"] * (n - 1):
            done = pg.evaluate("window.replay.draws.length") + 1
            pg.keyboard.press(key)
            pg.wait_for_function(f"window.replay.draws.length === {done}", timeout=60_000, polling=10)
        return [d["ms"] for d in pg.evaluate("window.replay.draws")[1:]]  # the first is the file's opening
    finally:
        context.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--walks", type=int, default=5, help="walks of 3 clicks on each page (default 5)")
    ap.add_argument("--loads", action="store_true", help="also time the first load of every page")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_PAGE)
        app_server, bare_server = StreamlitServer().start(), StreamlitServer(str(bare_script)).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
                walk(browser, app_server.url, "/step-through", NEXT, TITLE, 1)  # the first visitor trains the seed
                steps, steps_3d, bare = [], [], []
                for _ in range(args.walks):  # the seed walk has 4 steps: 3 clicks each, on both pages
                    steps += walk(browser, app_server.url, "/step-through", NEXT, TITLE, 3)
                    bare += walk(browser, bare_server.url, "/", ".st-key-next button", "h2", 3)
                    steps_3d += walk(browser, app_server.url, "/step-through", NEXT, TITLE, 3, with_3d=True)
                loads = {path: first_load_ms(browser, app_server.url, path, n) for path, n in PAGES.items()} \
                    if args.loads else {}
                browser.close()
        finally:
            app_server.stop()
            bare_server.stop()
        with sync_playwright() as p:  # the replay needs no server: measured with both stopped
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            replay = [ms for path in replay_files(Path(tmp), args.walks) for ms in replay_draws_ms(browser, path)]
            browser.close()
    report({"Step-Through": steps, "Step-Through, 3-D view on": steps_3d, "bare page (2 bars, 3-D line)": bare},
           loads)
    report_replay(replay, args.walks)


def report_replay(times: list[float], walks: int) -> None:
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    print(f"Offline replay (Download this walk), one step, key press to the first frame after both its charts "
          f"are on screen, {WIDTH}x{HEIGHT}, network cut:")
    print(f"  median {statistics.median(times):5.0f} ms  p95 {p95:.0f} ms  (min {min(times):.0f}, max {max(times):.0f}, "
          f"{len(times)} steps of {walks} seed walks and one char walk, there and back)")


def report(series: dict[str, list[float]], loads: dict[str, float]) -> None:
    print(f"One Next, click to last DOM change, {WIDTH}x{HEIGHT}, headless chromium:")
    for name, times in series.items():
        print(f"  {name:<30} median {statistics.median(times):5.0f} ms  "
              f"(min {min(times):.0f}, max {max(times):.0f}, {len(times)} clicks)")
    bare = statistics.median(series["bare page (2 bars, 3-D line)"])
    for name in ("Step-Through", "Step-Through, 3-D view on"):
        print(f"  ratio {name} / bare page: {statistics.median(series[name]) / bare:.2f}")
    for path, ms in loads.items():
        print(f"first load of {path:<14} {ms:6.0f} ms")


if __name__ == "__main__":
    main()
