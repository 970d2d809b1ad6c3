"""The Train page's views of the current model, each folded in its own expander and drawn only
when open (the page opens short, and a rerun costs only the views on screen), and each guarded:
an error inside one view is shown in that view, and the rest of the page, the model file's
uploader included, is drawn as usual."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Callable, Iterator

import streamlit as st

from ui.common.text import md_literal

MESSAGE_SHOWN = 200  # characters of an error's message shown in the view
log = logging.getLogger(__name__)


@contextmanager
def guarded(what: str) -> Iterator[None]:
    """Run one view: an exception inside it is logged and shown in its place as one error line
    (no stack trace), and the page goes on. Streamlit's own reruns and stops are not exceptions
    of this kind (BaseException) and pass through."""
    try:
        yield
    except Exception as e:  # any failure of one view, whatever a model file holds, stays in that view
        log.exception("Train page: the view %r failed", what)
        message = str(e).encode("utf-8", "replace").decode("utf-8")[:MESSAGE_SHOWN]
        st.error(f"**{md_literal(what)}** could not be drawn for this model ({type(e).__name__}: "
                 f"{md_literal(message)}). The rest of the page works: train a new model or load another file.")


def folded(label: str, key: str, tag: str, draw: Callable[[], None]) -> None:
    """An expander titled ``label`` that draws ``draw()`` only while open, under a line saying
    which model it shows (``tag``), guarded."""
    box = st.expander(label, key=key, on_change="rerun")
    if box.open:
        with box, guarded(label):
            st.caption(f"Your current model: {tag}")
            draw()
