"""UI latency in a real browser (Playwright + Debian's chromium against `streamlit run`).

    .venv/bin/python benchmarks/ui_latency.py [--walks N] [--loads]

Step-Through steps in the browser: a key press draws the next step of the walk the page already
holds. Its time is what the page records itself (``window.rnnlabWalk.draws``, ui/step/renderer/walk.js):
from the key press (the keydown event's timestamp) to the first frame after the step's loop,
equations and both charts are drawn. Measured on seed walks (sampled, random seeds 0, 1, ...) and
on a 100-step walk of an untrained char model (V = 46, H = 64: 12 columns and "others", the hidden
state as a colour strip), stepped with PageDown to the end and PageUp back, counting the websocket
frames the browser sends meanwhile (stepping should send none). The same walks saved as the
offline file ("Download this walk") and opened with the network cut, stepped the same way.

Beside them, in the same run: a bare Streamlit page with two bar charts and a 3-D line, whose
Next is a server rerun, from the click to the last change it makes to the page (a
MutationObserver notes each DOM change; done once quiet for QUIET_MS). Prints medians and p95s.

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

QUIET_MS = 600  # no DOM change for this long: the click's work is done
WIDTH, HEIGHT = 1280, 720
PAGES = {"/": 0, "/train": 5, "/step-through": 0, "/generate": 0}  # path -> Streamlit charts its first view draws

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


def bare_walk(browser, url: str, clicks: int) -> list[float]:
    """The bare page in a new session, Next clicked ``clicks`` times; the time of each click."""
    pg = new_page(browser)
    try:
        app = AppPage(pg, url).open("/")
        app.pg.wait_for_function(QUIET_JS, timeout=60_000, polling=50)
        return [click_ms(app, ".st-key-next button", pg.locator("h2"), step) for step in range(2, clicks + 2)]
    finally:
        pg.context.close()


def step_there_and_back(pg, state: str) -> list[float]:
    """PageDown to the walk's end and PageUp back; each step's draw time, as the page records it."""
    n = pg.evaluate(f"{state}.walk.steps.length")
    pg.wait_for_function(f"{state}.step === 1 && document.querySelector('.rw').dataset.drawn === '1'",
                         timeout=60_000)
    start = pg.evaluate(f"{state}.draws.length")
    for key in ["PageDown"] * (n - 1) + ["PageUp"] * (n - 1):
        done = pg.evaluate(f"{state}.draws.length") + 1
        pg.keyboard.press(key)
        pg.wait_for_function(f"{state}.draws.length === {done}", timeout=60_000, polling=10)
    return [d["ms"] for d in pg.evaluate(f"{state}.draws")[start:]]


def live_walk(browser, url: str, path: str, model_file: Path | None, folder: Path) -> tuple[list[float], int, Path]:
    """A walk on Step-Through (the model file loaded first, if any): the draw times, the websocket
    frames sent while stepping, and the walk saved as its offline file."""
    pg = new_page(browser)
    pg.context.set_default_timeout(120_000)
    sent = []
    pg.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    try:
        app = AppPage(pg, url)
        if model_file is None:
            app.open(path)
            pg.locator(".rw[data-drawn]").wait_for(state="attached")
        else:
            long_walk(app, model_file)
        app.wait()
        before = len(sent)
        times = step_there_and_back(pg, "window.rnnlabWalk")
        frames = len(sent) - before
        with pg.expect_download() as info:
            pg.get_by_role("button", name="⬇ Download this walk (offline HTML)").click()
        saved = folder / f"walk-{len(list(folder.glob('walk-*.html')))}.html"
        info.value.save_as(saved)
        return times, frames, saved
    finally:
        pg.context.close()


def long_walk(app: AppPage, model_file: Path, steps: int = 100) -> None:
    """Load ``model_file`` on the Train page, go to Step-Through in the same session and set the
    walk's length to ``steps``."""
    pg = app.pg
    app.open("/train")
    uploader = pg.get_by_test_id("stFileUploader").filter(has_text="Load a model file")
    uploader.locator('input[type="file"]').set_input_files(str(model_file))
    pg.get_by_text("Loaded ").first.wait_for()
    pg.get_by_test_id("stSidebarNavLink").filter(has_text="Step-Through").click()
    pg.locator(".rw[data-drawn]").wait_for(state="attached")
    pg.get_by_role("button", name="⚙ Settings").click()
    box = pg.get_by_test_id("stPopoverBody").get_by_role("spinbutton", name="Max length")
    box.fill(str(steps))
    box.press("Enter")
    pg.wait_for_function(f"window.rnnlabWalk.walk.steps.length === {steps}", timeout=120_000)
    pg.keyboard.press("Escape")


def char_model(folder: Path, steps: int = 100) -> Path:
    """An untrained char model (V = 46, H = 64) whose sampled walk (random seed 0, the page's
    default rule) runs ``steps`` steps without picking </s>: the first weights' seed that does."""
    corpus = rc.make_corpus("the quick brown fox jumps over the lazy dog. THE QUICK 0123456789", "char")
    for seed in range(1, 200):
        model = rc.new_model(corpus, rc.TrainConfig(hidden_size=64, embed_dim=16, seed=seed))
        if len(rc.generate(model, model.first_word(), rc.Rule("sample"), max_tokens=steps, seed=0)) == steps:
            break
    path = folder / "char.npz"
    rc.save(model, str(path))
    return path


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


def replay_draws_ms(browser, path: Path) -> list[float]:
    """Open a saved walk offline and step it to the end and back; each step's draw time."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, offline=True)
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    try:
        pg = context.new_page()
        pg.goto(path.as_uri())
        pg.wait_for_function("window.replay && document.querySelector('.rw').dataset.drawn", timeout=60_000)
        pg.keyboard.press("Home")
        return step_there_and_back(pg, "window.replay")
    finally:
        context.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--walks", type=int, default=5, help="seed walks stepped there and back (default 5)")
    ap.add_argument("--loads", action="store_true", help="also time the first load of every page")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare_script = folder / "bare.py"
        bare_script.write_text(BARE_PAGE)
        app_server, bare_server = StreamlitServer().start(), StreamlitServer(str(bare_script)).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
                seed, bare, frames, files = [], [], 0, []
                for k in range(args.walks):
                    times, sent, saved = live_walk(browser, app_server.url, f"/step-through?seed={k}", None, folder)
                    seed, frames, files = seed + times, frames + sent, files + [saved]
                    bare += bare_walk(browser, bare_server.url, 3)
                char, sent, char_file = live_walk(browser, app_server.url, "/step-through", char_model(folder), folder)
                frames += sent
                loads = {path: first_load_ms(browser, app_server.url, path, n) for path, n in PAGES.items()} \
                    if args.loads else {}
                browser.close()
        finally:
            app_server.stop()
            bare_server.stop()
        with sync_playwright() as p:  # the offline file needs no server: measured with both stopped
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            offline_seed = [ms for path in files for ms in replay_draws_ms(browser, path)]
            offline_char = replay_draws_ms(browser, char_file)
            browser.close()
    print(f"One step, key press to the step fully drawn (loop, equations, both charts), {WIDTH}x{HEIGHT}, "
          "headless chromium:")
    line("Step-Through, seed walks", seed)
    line("Step-Through, 100-step char walk", char)
    line("offline file, seed walks", offline_seed)
    line("offline file, 100-step char walk", offline_char)
    print(f"  websocket frames sent by the browser while stepping: {frames}")
    print("Beside it, a bare Streamlit page's Next (a server rerun), click to last DOM change:")
    line("bare page (2 bars, 3-D line)", bare)
    for path, ms in loads.items():
        print(f"first load of {path:<14} {ms:6.0f} ms")


def line(name: str, times: list[float]) -> None:
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    print(f"  {name:<34} median {statistics.median(times):5.0f} ms  p95 {p95:5.0f} ms  "
          f"(min {min(times):.0f}, max {max(times):.0f}, {len(times)} steps)")


if __name__ == "__main__":
    main()
