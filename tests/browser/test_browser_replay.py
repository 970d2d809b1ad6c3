"""The offline replay of a walk in a real browser: the file downloaded from Step-Through, opened
from disk with the network cut (offline, and every request that is not the file itself aborted),
steps with PageDown/PageUp, Right/Left, Home/End; every number shown is the trace's at the
chosen Decimals; tokens show as text."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

import rnn_core as rc
from tests.browser.conftest import ARTIFACTS, REPO, TIMEOUT_MS, shoot_failure
from tests.hostile_tokens import HOSTILE, hostile_model
from tests.replay_file import assert_shown
from ui.state import seed_model_bytes
from ui.step_replay import walk_html
from ui.step_settings import Settings
from ui.token_text import show_token

pytestmark = pytest.mark.browser

NUMBERS_JS = """() => {
  const shown = {};  // data-name -> the numbers under it as the reader sees them (a table in blocks: all)
  for (const e of document.querySelectorAll('#math [data-name]')) {
    const cells = e.matches('.n') ? [e] : [...e.querySelectorAll('.n')];
    shown[e.dataset.name] = (shown[e.dataset.name] || []).concat(cells.map(n => n.textContent.trim()));
  }
  return shown;
}"""


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


def expect_step(expect, pg, title: str, tr: rc.StepTrace, prec: int) -> None:
    """Step ``tr.t`` on screen: its title, h_t's first number, both charts of this step drawn."""
    expect(pg.locator("#title")).to_have_text(title)
    expect(pg.locator('#math [data-name="h"] .n').first).to_have_text(f"{tr.h[0]:.{prec}f}")
    expect(pg.locator("#dist .shown .gtitle")).to_contain_text(f"_{tr.t} ")
    expect(pg.locator("#hidden .shown .gtitle")).to_have_text(re.compile(rf"→\s*■\s*h_{tr.t}\s*$"))


def test_the_downloaded_walk_steps_to_the_end_and_back_with_the_network_cut(app, offline, expect, tmp_path):
    app.open("/step-through")
    with app.pg.expect_download() as info:
        app.pg.locator(".st-key-step_replay [data-testid=stTooltipHoverTarget] button").click()
    download = info.value
    assert download.suggested_filename == "walk-I-love-deep-learning.html"
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    model = rc.from_bytes(seed_model_bytes())  # what the page walks: seed word "I", sampled, seed 0
    traces = rc.generate(model, ["I"], rc.Rule("sample"), max_tokens=20, seed=0)
    n, name = len(traces), "I love deep learning"
    titles = [f"{name} · step {tr.t} of {n}: feed “{tr.input}”" + " · done" * (tr.t == n) for tr in traces]
    f = offline(path)
    pg = f.pg
    expect_step(expect, pg, titles[0], traces[0], 3)
    for tr in traces[1:]:
        pg.keyboard.press("PageDown")
        expect_step(expect, pg, titles[tr.t - 1], tr, 3)
    expect(pg.locator("#end")).to_contain_text("Generation finished")
    pg.keyboard.press("PageDown")  # past the end: stays
    expect_step(expect, pg, titles[-1], traces[-1], 3)
    for tr in reversed(traces[:-1]):
        pg.keyboard.press("PageUp")
        expect_step(expect, pg, titles[tr.t - 1], tr, 3)
    expect(pg.locator("#prev")).to_be_disabled()
    for key, tr in (("ArrowRight", traces[1]), ("ArrowLeft", traces[0]), ("End", traces[-1]), ("Home", traces[0])):
        pg.keyboard.press(key)
        expect_step(expect, pg, titles[tr.t - 1], tr, 3)
    assert f.outside() == [] and f.errors == []


def softmax(o: np.ndarray) -> np.ndarray:
    e = np.exp(o - o.max())
    return e / e.sum()


def test_every_number_shown_is_the_traces_at_the_chosen_decimals_and_tokens_show_as_text(offline, expect,
                                                                                        tmp_path):
    """A hostile vocabulary fed in token by token, written at 5 decimals: at every step the
    numbers a reader sees equal the trace's (recomputed here from its fields and the weights)."""
    model, prec = hostile_model(), 5
    s = Settings(word="<b>", rule="greedy", max_len=9)
    forks = {t: model.vocab.id(tok) for t, tok in enumerate(HOSTILE[1:-1], start=1)}
    traces = rc.generate(model, ["<b>"], rc.GREEDY, max_tokens=9, forced=forks)
    path = tmp_path / "hostile.html"
    path.write_text(walk_html(model, traces, s, forks, prec), encoding="utf-8")
    f = offline(path)
    pg, p = f.pg, model.params
    for tr in traces:
        if tr.t > 1:
            pg.keyboard.press("ArrowRight")
        expect(pg.locator("#title")).to_contain_text(f"step {tr.t} of {len(traces)}: feed “{show_token(tr.input)}”")
        a = tr.Wx_x + tr.Wh_h + tr.b_h
        expect(pg.locator('#math [data-name="a"] .n').first).to_have_text(f"{a[0]:.{prec}f}")
        shown = pg.evaluate(NUMBERS_JS)
        o = p.W_y @ np.tanh(a) + p.b_y
        for key, expected in (("x", p.embedding[tr.input_id]), ("Wx_x", p.W_x @ tr.x), ("Wh_h", p.W_h @ tr.h_prev),
                              ("b_h", p.b_h), ("a", a), ("h", np.tanh(a)), ("o", o), ("y", softmax(o))):
            assert_shown(shown[key], expected, prec, f"{key} at step {tr.t}")
        assert pg.locator("#math b, #title b").count() == 0  # "<b>" is text, never a bold tag
        expect(pg.locator("#math")).to_contain_text(f"emb(“{show_token(tr.input)}”)")
    assert f.outside() == [] and f.errors == []


# what one step needs on screen, and the elements whose content must not be cut at the right
ON_SCREEN = ["#title", "#prev", "#next", "#loop svg", "#math .eq", "#math table.out", "#dist .shown .main-svg",
             "#hidden .shown .main-svg"]
FIT_JS = """(selectors) => {
  const out = [];
  for (const selector of selectors) {
    const all = [...document.querySelectorAll(selector)];
    if (!all.length) out.push(selector + ': missing');
    for (const el of all) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight)
        out.push(`${selector}: ${Math.round(r.left)},${Math.round(r.top)} to ${Math.round(r.right)},${Math.round(r.bottom)}`);
    }
  }
  for (const el of document.querySelectorAll('body *'))
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
      out.push(`cut: ${el.tagName}#${el.id}.${el.className} ${el.scrollWidth} > ${el.clientWidth}`);
  if (document.documentElement.scrollWidth > innerWidth) out.push('the page scrolls sideways');
  return out;
}"""


def assert_every_step_fits(expect, f: OfflineFile, n: int) -> None:
    for k in range(1, n + 1):
        if k > 1:
            f.pg.keyboard.press("PageDown")
        expect(f.pg.locator("#title")).to_contain_text(f"step {k} of {n}")
        expect(f.pg.locator("#hidden .shown .gtitle")).to_have_text(re.compile(rf"h_{k}\s*$"))
        assert f.pg.evaluate(FIT_JS, ON_SCREEN) == [], f"step {k}"


def test_one_whole_step_fits_a_1280x720_screen_for_the_seed_and_a_large_model(offline, expect, tmp_path):
    """Every step of the seed walk (its step 2 is the README's screenshot, docs/screenshots/replay.png
    with SCREENSHOTS=1) and of a char-level walk with V = 28, H = 64 at 6 decimals: the title, both
    buttons, the loop, every equation and table, both charts inside the screen, nothing cut."""
    seed = rc.from_bytes(seed_model_bytes())
    s = Settings(word="I")
    traces = rc.generate(seed, ["I"], s.rule_obj(), max_tokens=20, seed=0)
    path = tmp_path / "seed.html"
    path.write_text(walk_html(seed, traces, s), encoding="utf-8")
    f = offline(path)
    assert_every_step_fits(expect, f, len(traces))
    f.pg.keyboard.press("Home")
    f.pg.keyboard.press("PageDown")
    expect(f.pg.locator("#hidden .shown .gtitle")).to_have_text(re.compile(r"h_2\s*$"))
    out = REPO / "docs" / "screenshots" if os.environ.get("SCREENSHOTS") else ARTIFACTS
    out.mkdir(parents=True, exist_ok=True)
    f.pg.screenshot(path=str(out / "replay.png"))

    char = rc.new_model(rc.make_corpus("the quick brown fox jumps over the lazy dog.", "char"),
                        rc.TrainConfig(hidden_size=64, embed_dim=16, seed=1))
    s = Settings(word="t", max_len=12)
    traces = rc.generate(char, ["t"], s.rule_obj(), max_tokens=12, seed=0)
    path = tmp_path / "char.html"
    path.write_text(walk_html(char, traces, s, prec=6), encoding="utf-8")
    assert_every_step_fits(expect, offline(path), len(traces))
