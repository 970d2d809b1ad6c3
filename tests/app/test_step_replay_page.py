"""Step-Through's "Download this walk" under AppTest: one download button, an HTML file named for
the corpus, built when it is clicked from the path and Decimals on screen at that moment.

AppTest has no browser to click the download, so the test records what the button registered
with Streamlit's media file manager (the deferred callable, its file name and MIME type) and
calls the callable itself, as the server does on a click."""

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

import rnn_core as rc
from tests.app.conftest import open_app_page
from tests.replay_file import assert_shown, shown_numbers, walk_data
from ui import step_state as state
from ui.state import seed_model_bytes
from ui.step_replay import KEY

PAGE = "pages/step-through.py"


@pytest.fixture
def registered(monkeypatch) -> list[dict]:
    """Every deferred download the page registers: {"callable", "mimetype", "file_name"}."""
    seen = []
    add = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        seen.append({"callable": data_callable, "mimetype": mimetype, "file_name": file_name})
        return add(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return seen


def test_one_click_downloads_the_walk_as_an_html_file_named_for_the_corpus(registered):
    at = open_app_page(PAGE)
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith(KEY)]
    assert "Download this walk" in button.proto.label and button.proto.deferred_file_id
    last = registered[-1]
    assert last["file_name"] == "walk-I-love-deep-learning.html" and last["mimetype"] == "text/html"
    document = last["callable"]()
    assert document.startswith("<!DOCTYPE html>")
    steps = walk_data(document)["steps"]
    expected = rc.generate(rc.from_bytes(seed_model_bytes()), ["I"], rc.Rule("sample"), max_tokens=20, seed=0)
    assert len(steps) == len(expected)
    for step, tr in zip(steps, expected):
        assert_shown(shown_numbers(step["math"])["h"], tr.h, 3, f"h_{tr.t}")


def test_the_file_is_the_path_and_decimals_on_screen_when_clicked_not_when_drawn(registered):
    """Settings change inside the page's fragment, which does not redraw the button: the file
    registered before the change must still hold the new path (read at the click)."""
    at = open_app_page(PAGE)
    download = registered[-1]["callable"]
    at.radio(key=state.WIDGETS["rule"]).set_value("greedy").run()
    at.select_slider(key=state.DECIMALS).set_value(5).run()
    assert not at.exception, at.exception
    document = download()
    assert "rule: greedy" in document and "5 decimals" in document
    greedy = rc.generate(rc.from_bytes(seed_model_bytes()), ["I"], rc.GREEDY, max_tokens=20)
    steps = walk_data(document)["steps"]
    assert [s["title"].split(":")[0] for s in steps] == [f"step {k} of 4" for k in range(1, 5)]
    for step, tr in zip(steps, greedy):
        assert_shown(shown_numbers(step["math"])["y"], tr.probs, 5, f"y_{tr.t}")
        assert "· greedy" in step["math"]
