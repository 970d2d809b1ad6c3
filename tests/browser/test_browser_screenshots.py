"""The README's screenshots: Home and Generate full height, 1400 px wide; Train's first screen and
Step-Through as a projector shows them, on a 1280x720 screen (Step-Through in presenter mode and
guessing too).

Where they go: tests/browser/shots.py (docs/screenshots/ with SCREENSHOTS=1).
"""

import re
from pathlib import Path

import pytest

from tests.browser.shots import png_size, save
from tests.browser.step_helpers import sized_app, wait_for_step
from tests.browser.test_browser_train import PARAGRAPH, paste

pytestmark = pytest.mark.browser

WIDTH = 1400


def shoot(app, name: str) -> Path:
    """Grow the viewport to the app's scroll height (Streamlit scrolls inside its own container,
    so a plain full-page screenshot would stop at the viewport), then save a PNG."""
    height = app.pg.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer]')]"
        ".map(e => e.scrollHeight), document.body.scrollHeight)")
    app.pg.set_viewport_size({"width": WIDTH, "height": min(int(height), 12_000)})
    app.pg.wait_for_timeout(1_000)  # Plotly redraws at the new size
    app.wait()
    return save(app.pg, name, full_page=True)


def test_screenshot_every_page(app, expect):
    shots = []
    app.open("/")
    shots.append(shoot(app, "home"))
    app.open("/generate")  # its first view, Samples: coloured texts, the table, rules compared (no chart)
    app.settle(app.pg.get_by_role("heading", name="Compare rules"))
    shots.append(shoot(app, "generate"))
    for path in shots:
        width, height = png_size(path)
        assert width == WIDTH and height > 900, (path, width, height)


def test_screenshot_of_trains_first_screen_at_1280x720(browser, server, request, expect):
    """A pasted paragraph at char level, trained with the settings suggested for it: the first
    screen holds the text, the settings in one line and the Train button."""
    with sized_app(browser, server.url, 1280, 720, request.node.name) as app:
        paste(app, PARAGRAPH)
        app.click(app.button("▶ Train"), until=app.pg.get_by_text(re.compile(r"^Trained \d+ steps")), timeout=120_000)
        app.pg.evaluate("document.activeElement && document.activeElement.blur()")
        app.pg.wait_for_timeout(500)
        app.wait()
        path = save(app.pg, "train")
    assert png_size(path) == (1280, 720)


@pytest.mark.parametrize("big, name", [("0", "step-through"), ("1", "step-through-presenter")])
def test_screenshot_of_a_step_at_1280x720(browser, server, request, expect, big, name):
    """Step 2 of the seed walk, sampling with T = 1.5 and top-k = 3 (so q_t is on screen too), as a
    projector shows it; in presenter mode too."""
    with sized_app(browser, server.url, 1280, 720, request.node.name) as app:
        app.open(f"/step-through?step=2&T=1.5&k=3&seed=2&big={big}")
        wait_for_step(app, expect, 2)
        app.pg.wait_for_timeout(1_000)  # Plotly's transitions
        app.wait()
        path = save(app.pg, name)
    assert png_size(path) == (1280, 720)


def test_screenshot_of_guess_mode_in_presenter_mode(browser, server, request, expect):
    with sized_app(browser, server.url, 1280, 720, request.node.name) as app:
        app.open("/step-through?step=2&guess=1&big=1")
        wait_for_step(app, expect, 2)
        app.pg.wait_for_timeout(500)
        app.wait()
        path = save(app.pg, "step-through-guess")
    assert png_size(path) == (1280, 720)
