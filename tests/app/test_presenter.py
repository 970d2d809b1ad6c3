"""The presenter theme (ui/common/theme.py) under AppTest: one sidebar toggle in app.py, large text on
every page, kept in the URL. What it looks like (nothing clipped) is checked in
tests/browser/test_browser_presenter.py."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.common import theme
from ui.generate import keys as generate_keys

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["pages/home.py", "pages/train.py", "pages/step-through.py", "pages/generate.py"]


def large_text_css(at: AppTest) -> bool:
    return any(theme.CSS in h.proto.body for h in at.get("html"))


def test_a_link_with_big_1_opens_every_page_in_presenter_mode():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["big"] = "1"
    at.run()
    assert at.session_state[theme.KEY] and large_text_css(at)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
        assert large_text_css(at), page
        assert at.query_params["big"] == "1", page  # kept in the URL on every page


def test_the_sidebar_toggle_switches_it_and_the_url_follows():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not large_text_css(at) and "big" not in at.query_params
    (toggle,) = [t for t in at.sidebar.toggle if t.key == theme.KEY]
    toggle.set_value(True).run()
    assert large_text_css(at) and at.query_params["big"] == "1"
    at.switch_page("pages/step-through.py").run()
    assert large_text_css(at) and at.query_params["big"] == "1" and at.query_params["word"] == "I"
    [t for t in at.sidebar.toggle if t.key == theme.KEY][0].set_value(False).run()
    assert not large_text_css(at) and "big" not in at.query_params and at.query_params["word"] == "I"


@pytest.mark.parametrize("presenter", [False, True])
def test_step_through_charts_grow_with_the_text(presenter):
    at = AppTest.from_file(APP, default_timeout=60)
    if presenter:
        at.query_params["big"] = "1"
    at.run()
    at.switch_page("pages/step-through.py").run()
    (walk,) = [json.loads(c.proto.json) for c in at.get("bidi_component") if c.proto.component_name == "rnn_lab.walk"]
    layout = walk["steps"][0]["dist"]["layout"]
    assert walk["big"] == presenter
    assert layout["font"]["size"] == (round(14 * theme.SCALE) if presenter else 14)  # ticks >= 14 px either way


def test_generate_charts_in_presenter_mode_carry_a_template_that_sets_no_colours():
    """Presenter mode draws Plotly charts without Streamlit's chart theme, in plotly.js's plain look
    (white, dark grey text): the template reaches plotly.js as an object that sets no colours, neither
    a template's name (which plotly.js ignores) nor plotly.py's default (a blue-grey plot area)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["big"] = "1"
    at.run()
    at.switch_page("pages/generate.py").run()
    at.segmented_control(key=generate_keys.VIEW).set_value("Inside one sample").run()
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert specs and not at.exception
    for spec in specs:
        template = spec["layout"]["template"]
        assert isinstance(template, dict) and not template.get("layout")
        assert spec["layout"]["font"]["size"] == round(12 * theme.SCALE)
