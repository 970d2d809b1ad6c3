"""Shared set-up for every AppTest: each run looks like a running server's; opening a page."""

from pathlib import Path

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

import rnn_core as rc


class RunningServerPages(PagesManager):
    """AppTest resets Streamlit's v1 'pages/ folder' flag before every run, so
    ui.state.leave_legacy_pages_mode() would rerun every time and a button click would be lost in
    that rerun. A real server clears the flag once for good (the first session); this makes each
    AppTest run look like that server. The first-session switch itself is tested in the browser
    (tests/browser: deep links on a fresh server)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def running_server_pages(monkeypatch):
    monkeypatch.setattr(app_test_module, "PagesManager", RunningServerPages)


APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_app_page(page: str, model: rc.Model | None = None, query: dict | None = None) -> AppTest:
    """``page`` under AppTest, after app.py's first run; with ``model`` put in the session first
    (as set_model would) and ``query`` in the URL's query string."""
    at = AppTest.from_file(APP, default_timeout=30)
    if model is not None:
        at.session_state["model"] = model
        at.session_state["model_check"] = (False, "")
        at.session_state["model_version"] = 1
    at.run()
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at
