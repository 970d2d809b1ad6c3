"""RNN Autoregression Lab: entry point. `streamlit run app.py`

Sets up the page, the navigation (stable URLs /step-through, /generate, /train, in the order a
class walks them; /vote, a room's page for phones, out of the menu), this visitor's model
(``?model=<id>`` opens a stored one) and the sidebar card, then runs the chosen page. The
navigation comes before anything that reads the model, so nothing a model file carries can take
it down. A phone voting in a room needs none of it: no model, no card, no theme.
"""

import streamlit as st

from ui.common import trim
from ui.common.pages_mode import leave_legacy_pages_mode
from ui.common.session import current_model, rerun_after_reconnect, show_link_notice, sidebar_card
from ui.common.theme import presenter_theme
from ui.train.state import finish_interrupted

leave_legacy_pages_mode()  # a fresh server starts in Streamlit's v1 pages mode: see ui/common/pages_mode.py
trim.start()  # from the first visit on, memory that ended sessions freed goes back every minute
st.set_page_config(page_title="RNN Autoregression Lab", page_icon="🔁", layout="wide")

page = st.navigation(
    [
        st.Page("pages/home.py", title="Home", icon="🏠", default=True),
        st.Page("pages/step-through.py", title="Step-Through", icon="👣", url_path="step-through"),
        st.Page("pages/generate.py", title="Generate", icon="✨", url_path="generate"),
        st.Page("pages/train.py", title="Train", icon="🏋️", url_path="train"),
        st.Page("pages/vote.py", title="Vote", icon="🗳️", url_path="vote", visibility="hidden"),
    ]
)
if page.url_path == "vote":
    page.run()
    st.stop()
current_model()  # also puts the model's id back into the link, which a page switch drops
if page.url_path != "train":
    finish_interrupted()  # a training run left behind by leaving the Train page is stopped and kept
card = st.sidebar.empty()
sidebar_card(card, complete=False)  # shown even when the page stops early (st.stop on bad input)
presenter_theme()  # large text on every page, for projectors (sidebar toggle, ?big=1)
with st.sidebar:
    rerun_after_reconnect()  # a tab whose replica died reopens its link's model on another one
show_link_notice(page.url_path)
page.run()
sidebar_card(card)  # the page may have changed the model (Train)
