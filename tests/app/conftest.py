"""Shared set-up for every AppTest: make each run look like a running server's."""

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager


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
