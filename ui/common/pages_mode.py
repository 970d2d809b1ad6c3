"""Streamlit's old (v1) multipage mode, switched off: the one module that touches its private flag.

The user asked for a top-level ``pages/`` folder. Streamlit turns its v1 multipage mode on for the
first session of a server process whenever such a folder sits next to the entry script
(streamlit#10276): a deep link opened as a fresh server's first request would then run the page
file without ``app.py`` (legacy menu, no sidebar card). ``st.navigation`` clears the flag only once
``app.py`` has run. ``leave_legacy_pages_mode`` clears it first and reruns, so the rerun goes
through ``app.py`` and lands on the same page (the page files are named like their URL paths).

The flag is ``PagesManager.uses_pages_directory``, an internal of Streamlit: requirements.txt
allows only the Streamlit versions the fresh-server browser tests passed with, and on a version
without the flag the app stops with a message instead of misbehaving.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

TESTED_STREAMLIT = "1.67"  # keep equal to requirements.txt's range
FLAG = "uses_pages_directory"


def flag_exists() -> bool:
    """Does this Streamlit still have the internal flag the guard relies on?"""
    return hasattr(PagesManager, FLAG)


def leave_legacy_pages_mode() -> None:
    """Switch a fresh server out of v1 multipage mode, then rerun through ``app.py``.

    Called first thing by ``app.py`` and, through ``ui.common.session.start_page``, by every page: in v1
    mode a deep link runs the page file alone. A no-op once the server has left v1 mode.
    """
    if not flag_exists():
        st.error(f"This app is tested with Streamlit {TESTED_STREAMLIT}.x, and the installed "
                 f"Streamlit {st.__version__} has changed an internal it relies on for its pages. "
                 "Install the versions in requirements.txt (pip install -r requirements.txt).")
        st.stop()
    if getattr(PagesManager, FLAG):
        setattr(PagesManager, FLAG, False)
        st.rerun()


class RunningServerPages(PagesManager):
    """For AppTest only: AppTest resets the flag before every run, which makes each run look like
    a fresh server's first session, so the guard's rerun would swallow a button click. A running
    server clears the flag once for good; this pages manager makes every AppTest run look like
    that. The first-session switch itself is covered by the fresh-server browser tests."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        setattr(PagesManager, FLAG, False)
