"""Screenshots of every Generate view at 1280 x 720 (a projector's first screen), settings folded.

The README shows rule-panels.png and generate-beam.png (tests/browser/shots.py says where they go).
"""

import re
import urllib.parse

import pytest

from tests.browser.shots import png_size, save

pytestmark = pytest.mark.browser

SIZE = {"width": 1280, "height": 720}
VIEWS = {  # view -> (file name, what the view must have drawn)
    "Samples": ("generate-samples", "Compare rules"),
    "Inside one sample": ("generate-inside", "Temperature explorer"),
    "Rules side by side": ("rule-panels", "temperature · T = 2"),
    "Draws vs theory": ("generate-draws", "degrees of freedom"),
    "Influence": ("generate-influence", "for every step t and input s"),
    "Tree": ("generate-tree", "sampled continuations of"),
    "Beam": ("generate-beam", "beam of width 3"),
}


def settings_folded(app, expect) -> None:
    """The settings box starts folded to one line: the view starts near the top of the screen."""
    expect(app.pg.get_by_test_id("stExpander").get_by_text(re.compile("^⚙ Settings · prompt"))).to_be_visible()
    expect(app.pg.get_by_text("Weights after training step")).to_be_hidden()


def set_panel_temperature_to_2(app) -> None:
    """The rule panels' own temperature knob (the last "Temperature" slider), 1 -> 2 in 20 steps."""
    slider = app.pg.get_by_test_id("stSlider").filter(has_text="Temperature").last.get_by_role("slider")
    slider.focus()
    for _ in range(20):
        slider.press("ArrowRight")


def shoot(app, name: str, anchor):
    """Scroll ``anchor`` to the top and save the 1280 x 720 screen (no focus ring, no hover)."""
    app.pg.evaluate("document.activeElement && document.activeElement.blur()")
    app.pg.mouse.move(1270, 715)
    anchor.evaluate("el => el.scrollIntoView({block: 'start'})")
    app.pg.wait_for_timeout(800)  # Plotly redraws after the scroll
    app.wait()
    return save(app.pg, name, readme=name in ("rule-panels", "generate-beam"))


@pytest.mark.parametrize("view", list(VIEWS))
def test_screenshot_of_each_view_at_1280x720(app, expect, view):
    name, drawn = VIEWS[view]
    app.pg.set_viewport_size(SIZE)
    app.pg.goto(f"{app.base_url}/generate?view={urllib.parse.quote(view)}")
    app.settle(app.pg.get_by_text(drawn, exact=False).first if view != "Rules side by side"
               else app.pg.get_by_text("temperature · T = 1", exact=False).first)
    settings_folded(app, expect)
    if view == "Rules side by side":
        set_panel_temperature_to_2(app)
        app.settle(app.pg.get_by_text(drawn, exact=False).first)
    app.assert_healthy()
    # the rule panels from the inspected step's line down, so all six fit; the others from the chooser
    anchor = (app.pg.get_by_text("Sample #1, step 1:", exact=False).first if view == "Rules side by side"
              else app.pg.get_by_role("radiogroup", name="View"))
    path = shoot(app, name, anchor)
    assert png_size(path) == (1280, 720)
    expect(app.pg.get_by_role("radio", name=re.compile(f"^{re.escape(view)}$"))).to_be_checked()
