"""Shared set-up for every AppTest: each run looks like a running server's; opening a page."""

import re
from pathlib import Path

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.testing.v1 import AppTest

import rnn_core as rc
from ui.common.pages_mode import RunningServerPages
from ui.common.text import WORD_JOINER


@pytest.fixture(autouse=True)
def running_server_pages(monkeypatch):
    """See ``ui.common.pages_mode.RunningServerPages``."""
    monkeypatch.setattr(app_test_module, "PagesManager", RunningServerPages)


def shown(source: str) -> str:
    """Markdown source as a reader sees it: backslash escapes (``ui.common.text.md_literal``) dropped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source).replace(WORD_JOINER, "")


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
