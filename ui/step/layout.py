"""Step-Through's page layout: one whole step on one screen.

A projector is often 1280 x 720. The page trims Streamlit's generous padding, and places the
⚙ Settings popover at the top right of the step area, in the row of its own buttons (the step
area keeps room for it: ``--rw-gear``). The step area sizes itself to the window
(``ui/step/renderer/walk.js``: ``fit``).
"""

from __future__ import annotations

import streamlit as st

from ui.step.keys import AREA, GEAR, VOTES

GEAR_WIDTH = "9.5rem"
PAGE_CSS = f"""<style>
[data-testid="stMainBlockContainer"] {{ padding: 3.2rem 1.5rem 3rem 1.5rem; max-width: none; }}
.st-key-{AREA} {{ position: relative; }}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {{ gap: 0.5rem; }}
.st-key-{GEAR} {{ position: absolute; top: 0.2rem; right: 0; width: {GEAR_WIDTH}; z-index: 3; }}
.st-key-{GEAR} button {{ min-height: 0; padding-top: 0.3rem; padding-bottom: 0.3rem; }}
.st-key-{VOTES} {{ position: absolute; top: 0.45rem; right: calc({GEAR_WIDTH} + 0.8rem); width: 10rem; z-index: 3;
  text-align: right; }}
.st-key-{VOTES} p {{ font-size: 0.85rem; line-height: 1.2; }}
.st-key-{AREA}:has(.st-key-{VOTES}) .rw {{ --rw-gear: calc({GEAR_WIDTH} + 11rem); }}
.rw {{ --rw-gear: calc({GEAR_WIDTH} + 0.6rem); }}
[data-testid="stPopoverBody"] {{ width: 27rem; max-width: 95vw; }}
[data-testid="stPopoverBody"] [data-testid="stVerticalBlock"] {{ gap: 0.3rem; }}
</style>"""
# Presenter mode: the header that Streamlit sizes in rem (so 1.3 times taller) takes less of the
# projector's 720 px.
PRESENTER_CSS = """<style>
[data-testid="stHeader"] { height: 2.4rem; min-height: 0; }
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
</style>"""


def page_css(presenter: bool) -> None:
    """The page's layout rules (a style-only st.html takes no space)."""
    st.html(PAGE_CSS + (PRESENTER_CSS if presenter else ""))
