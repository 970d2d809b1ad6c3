"""Helpers of the Step-Through browser tests: the step area (``.rw``, drawn by ui/step/renderer/walk.js) and
waiting for a step to be drawn, pages of a given screen size, a model loaded into the session, the
settings popover, and the measures of a step that fits ("in view without scrolling", "not cut at
the right edge", text large enough), read with getBoundingClientRect, scrollWidth/clientWidth and
computed styles."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import rnn_core as rc
from tests.browser.conftest import STATE_WATCH_JS, TIMEOUT_MS, AppPage, shoot_failure

# what one step needs on screen: the controls, the step number, the loop, the equations, both charts
FIRST_SCREEN = {
    "Previous": ".rw-prev",
    "Next": ".rw-next",
    "Play": ".rw-play",
    "Settings": ".st-key-step_gear button",
    "step number": ".rw-title",
    "loop": ".rw-loop-svg",
    "x_t": ".rw-eq[data-eq=x]",
    "a_t": ".rw-eq[data-eq=a]",
    "h_t": ".rw-eq[data-eq=h]",
    "o_t, y_t": ".rw-eq[data-eq=oy]",
    "o_t / y_t numbers": ".rw-eq[data-eq=table]",
    "the pick": ".rw-eq[data-eq=pick]",
    "distribution chart": ".rw-dist .main-svg",
    "hidden-state chart": ".rw-hidden .main-svg",
}

OUT_OF_VIEW_JS = """(selectors) => {
  const out = [];
  for (const [name, selector] of Object.entries(selectors)) {
    const el = document.querySelector(selector);
    if (!el) { out.push(name + ': missing'); continue; }
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.left < 0 || r.top < 0 || r.right > window.innerWidth + 0.5
        || r.bottom > window.innerHeight + 0.5)
      out.push(`${name}: ${Math.round(r.left)},${Math.round(r.top)} to ${Math.round(r.right)},${Math.round(r.bottom)}`);
  }
  return out;
}"""

# An equation wider than its box, a table wider than its block, a title or button cut
CUT_JS = """() => [...document.querySelectorAll('.rw-eq, .rw-title, .rw button, .rw-loop')]
  .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.scrollWidth} > ${e.clientWidth}: ${e.textContent.slice(0, 40)}`)"""

SCROLLED_JS = """() => Math.max(window.scrollY, ...[...document.querySelectorAll(
  '[data-testid=stMain], [data-testid=stAppViewContainer], [data-testid=stMainBlockContainer]')]
  .map(e => e.scrollTop))"""

# Text sizes in px: the page's body text, the smallest of the loop's tokens and labels (its second
# lines, "sampled" or "top ...", are smaller on purpose), the smallest chart tick label.
SIZES_JS = """() => {
  const px = e => parseFloat(getComputedStyle(e).fontSize);
  const body = px(document.querySelector('.rw'));
  const loop = Math.min(...[...document.querySelectorAll('.rw-loop-svg text:not(.rw-t2)')].map(px));
  const ticks = Math.min(...[...document.querySelectorAll('.rw-chart .xtick text, .rw-chart .ytick text')].map(px));
  return {body, loop, ticks};
}"""


def walk(app: AppPage):
    return app.pg.locator(".rw")


def step_title(app: AppPage):
    return app.pg.locator(".rw-title")


def loop_text(app: AppPage) -> str:
    return " ".join(app.pg.locator(".rw-loop-svg text").all_text_contents())


def wait_for_step(app: AppPage, expect, step: int) -> None:
    """Step ``step`` is on screen with its charts drawn (``data-drawn`` is set once Plotly is done)."""
    expect(walk(app)).to_have_attribute("data-drawn", str(step), timeout=TIMEOUT_MS)


def open_walk(app: AppPage, expect, path: str, step: int = 1) -> None:
    """Open ``path`` (a Step-Through link) and wait until ``step`` is drawn and the app settled."""
    app.open(path)
    wait_for_step(app, expect, step)
    app.wait()


def numbers(app: AppPage, name: str) -> list[str]:
    """The numbers the step on screen shows under ``name`` (x, Wx_x, Wh_h, b_h, a, h, o, y, q, u)."""
    return app.pg.locator(f".rw-eq [data-name={name}]").all_text_contents()


@contextmanager
def sized_app(browser, base_url: str, width: int, height: int, name: str, **context):
    """An ``AppPage`` in a fresh context (its own session) with a ``width`` x ``height`` window;
    if the test fails inside, a screenshot named ``name`` goes to tests/browser/artifacts/."""
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True, **context)
    context.add_init_script(STATE_WATCH_JS)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield AppPage(pg, base_url)
    except BaseException:
        shoot_failure(pg, re.sub(r"[^\w.-]+", "_", f"{name}-{width}x{height}"))
        raise
    finally:
        context.close()


def ten_token_model(path: Path) -> Path:
    """A word model of 10 tokens (9 words and </s>), H = 3, trained a little, saved at ``path``."""
    corpus = rc.make_corpus("the cat sat on the mat\nthe dog ran to the park", "word", name="ten tokens")
    config = rc.TrainConfig(steps=200)
    model, _ = rc.train(rc.new_model(corpus, config), corpus, config)
    assert len(model.vocab) == 10
    rc.save(model, str(path))
    return path


def load_model(app: AppPage, expect, path: Path) -> None:
    """Load a model file on the Train page, then go to Step-Through by the sidebar (same session)."""
    app.open("/train")
    uploader = app.pg.get_by_test_id("stFileUploader").filter(has_text="Load a model file")
    uploader.locator('input[type="file"]').set_input_files(str(path))
    app.settle(app.pg.get_by_text(re.compile(f"^Loaded {re.escape(path.name)}")))
    app.click(app.pg.get_by_test_id("stSidebarNavLink").filter(has_text="Step-Through"), until=step_title(app))
    wait_for_step(app, expect, 1)


def open_settings(app: AppPage):
    """Open the settings popover and wait until its widgets are drawn; returns its content."""
    app.pg.get_by_role("button", name="⚙ Settings").click()
    content = app.pg.get_by_test_id("stPopoverBody")
    content.get_by_role("button", name="↺ Start again").wait_for(state="visible")  # the last widget
    return content


def close_settings(app: AppPage) -> None:
    app.pg.keyboard.press("Escape")
    app.pg.get_by_test_id("stPopoverBody").wait_for(state="hidden")


def set_decimals(app: AppPage, expect, decimals: int) -> None:
    """Decimals 1 or 6 (the ends of its slider: one key, one rerun), waiting for x_t's numbers."""
    open_settings(app)
    app.pg.get_by_role("slider", name="Decimals").press({1: "Home", 6: "End"}[decimals])
    app.settle(lambda: expect(app.pg.locator(".rw-eq [data-name=x]").first).to_have_text(
        re.compile(rf"^-?\d\.\d{{{decimals}}}$")))
    close_settings(app)


def set_top_k(app: AppPage, expect, k: int) -> None:
    """top-k from the settings, waiting for the q_t equation that sampling from a cut q_t adds."""
    box = open_settings(app).get_by_role("spinbutton", name="Top-k (0 = off)")
    box.fill(str(k))
    box.press("Enter")
    app.settle(app.pg.locator(".rw-eq[data-eq=q]"))
    close_settings(app)
