"""The offline replay of a walk in a real browser: the step area saves itself as one file, which
opens from disk with the network cut (offline, every request that is not the file itself aborted)
at the step that was on screen, in presenter mode if that was on, one step within 1280x720; it
steps with PageDown/PageUp, Right/Left, Home/End; the numbers of every step are the page's and
the CLI's --json trace's at the chosen decimals; tokens show as text."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

import rnn_core as rc
from tests.browser.conftest import REPO, TIMEOUT_MS, shoot_failure
from tests.browser.step_helpers import (
    CUT_JS,
    FIRST_SCREEN,
    OUT_OF_VIEW_JS,
    load_model,
    open_walk,
    set_decimals,
    sized_app,
    wait_for_step,
)
from tests.hostile_tokens import hostile_char_model
from ui.common.session import seed_model_bytes
from ui.common.text import show_token
from ui.step.equations import num

pytestmark = pytest.mark.browser

NAMES = ("x", "Wx_x", "Wh_h", "b_h", "a", "h", "o", "y")
NUMBERS_JS = """(names) => Object.fromEntries(names.map(name =>
  [name, [...document.querySelectorAll(`.rw-eq [data-name=${name}]`)].map(e => e.textContent)]))"""


class OfflineFile:
    """A replay file opened from disk in its own context: offline, every request but the file's
    own aborted and noted, page errors noted."""

    def __init__(self, browser, path, name: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 720}, offline=True)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.pg = self.context.new_page()
        self.pg.on("request", lambda r: self.requests.append(r.url))
        self.pg.on("pageerror", lambda e: self.errors.append(str(e)))
        self.pg.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.name = name
        self.pg.goto(path.as_uri())

    @staticmethod
    def _route(route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    def outside(self) -> list[str]:
        """Requests for anything but the file itself (none may be made)."""
        return [url for url in self.requests if not url.startswith("file:")]

    def step(self, expect, k: int) -> None:
        expect(self.pg.locator(".rw")).to_have_attribute("data-drawn", str(k))

    def close(self, failed: bool) -> None:
        if failed:
            shoot_failure(self.pg, self.name)
        self.context.close()


@pytest.fixture
def offline(browser, request):
    opened = []

    def open_file(path) -> OfflineFile:
        opened.append(OfflineFile(browser, path, request.node.name))
        return opened[-1]

    yield open_file
    for f in opened:
        f.close(getattr(request.node, "call_failed", False))


class _Scripts(HTMLParser):
    """Counts <script> elements as a browser parses them (their content is not markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag, attrs):
        self.count += tag == "script"


def script_elements(html: str) -> int:
    parser = _Scripts()
    parser.feed(html)
    return parser.count


def download(app, tmp_path, name: str = "walk.html"):
    with app.pg.expect_download() as info:
        app.pg.get_by_role("button", name="⬇ Download this walk (offline HTML)").click()
    path = tmp_path / name
    info.value.save_as(path)
    return path, info.value.suggested_filename


def cli_steps(tmp_path, word: str, seed: int) -> list[dict]:
    """The CLI's --json trace of the seed model's walk (sampling at T = 1, as the page's default)."""
    model_file = tmp_path / "seed.npz"
    model_file.write_bytes(seed_model_bytes())
    out = subprocess.run([sys.executable, "-m", "rnn_core", "generate", str(model_file), "--prompt", word,
                          "--strategy", "sample", "--seed", str(seed), "--json"],
                         cwd=REPO, capture_output=True, text=True, check=True).stdout
    return json.loads(out)["steps"]


def test_one_steps_numbers_agree_in_the_page_the_file_and_the_cli(browser, server, request, offline, expect,
                                                                  tmp_path):
    """At 5 decimals, every step of the seed walk: the live page's numbers, the saved file's and the
    CLI's --json trace rounded the same way are one and the same."""
    steps = cli_steps(tmp_path, "I", 0)
    keys = {"x": "x", "Wx_x": "Wx_x", "Wh_h": "Wh_h", "b_h": "b_h", "a": "a", "h": "h", "o": "logits", "y": "probs"}
    with sized_app(browser, server.url, 1280, 720, request.node.name) as app:
        open_walk(app, expect, "/step-through")
        set_decimals(app, expect, 6)
        live = []
        for k in range(1, len(steps) + 1):
            if k > 1:
                app.pg.keyboard.press("PageDown")
            wait_for_step(app, expect, k)
            live.append(app.pg.evaluate(NUMBERS_JS, list(NAMES)))
        path, _ = download(app, tmp_path)
    replay = offline(path)
    replay.step(expect, len(steps))  # saved at the last step: it opens there
    replay.pg.keyboard.press("Home")
    for k, (step, shown) in enumerate(zip(steps, live), start=1):
        replay.step(expect, k)
        in_file = replay.pg.evaluate(NUMBERS_JS, list(NAMES))
        for name in NAMES:
            from_cli = [num(v, 6) for v in step[keys[name]]]
            assert shown[name] == in_file[name] == from_cli, f"{name} at step {k}"
        replay.pg.keyboard.press("PageDown")
    assert replay.outside() == [] and replay.errors == []


def test_the_saved_walk_opens_offline_at_the_step_on_screen_and_steps_with_the_keys(browser, server, request,
                                                                                      offline, expect, tmp_path):
    with sized_app(browser, server.url, 1280, 720, request.node.name) as app:
        open_walk(app, expect, "/step-through?big=1&rule=greedy")
        app.pg.keyboard.press("PageDown")
        wait_for_step(app, expect, 2)
        path, name = download(app, tmp_path)
    assert name == "walk-I-love-deep-learning.html"
    replay = offline(path)
    replay.step(expect, 2)
    pg = replay.pg
    expect(pg.locator(".rw-title")).to_have_text("Step-Through · step 2 of 4: feed “love”")
    assert pg.evaluate("document.body.classList.contains('big')")  # presenter mode kept
    screen = {k: v for k, v in FIRST_SCREEN.items() if k != "Settings"}
    assert pg.evaluate(OUT_OF_VIEW_JS, screen) == [] and pg.evaluate(CUT_JS) == []
    for key, k in (("PageDown", 3), ("ArrowRight", 4), ("PageUp", 3), ("ArrowLeft", 2), ("Home", 1), ("End", 4)):
        pg.keyboard.press(key)
        replay.step(expect, k)
    expect(pg.locator(".rw-end")).to_have_text("Generation finished: it picked </s> at step 4.")
    expect(pg.locator(".rw-save, .rw-whatif")).to_have_count(2)
    assert pg.locator(".rw-save").is_hidden() and pg.locator(".rw-whatif").is_hidden()  # no server here
    assert replay.outside() == [] and replay.errors == []
    assert re.search(r"#step=4$", pg.url)


def test_a_walk_of_tokens_that_mean_something_to_html_shows_them_as_text(browser, server, request, offline, expect,
                                                                         tmp_path):
    model = hostile_char_model()
    path = tmp_path / "hostile.npz"
    rc.save(model, str(path))
    with sized_app(browser, server.url, 1400, 900, request.node.name) as app:
        load_model(app, expect, path)
        saved, _ = download(app, tmp_path)
    html = saved.read_text(encoding="utf-8")
    assert script_elements(html) == 3  # the data, plotly.js, the renderer: nothing injected
    replay = offline(saved)
    replay.step(expect, 1)
    pg = replay.pg
    expect(pg.locator(".rw-title")).to_have_text(re.compile(r"feed “<”$"))
    expect(pg.locator(".rw-title b, .rw-eq b:not(:has-text('0'))")).to_have_count(0)
    heads = pg.locator(".rw-eq[data-eq=table] tr:first-child th").all_text_contents()
    assert [h for h in heads if h] == [f"“{show_token(t)}”" for t in model.vocab.tokens]
    assert replay.outside() == [] and replay.errors == []
