"""The Streamlit internals this project relies on, checked by name, so a Streamlit version that
changes one fails here with a sentence saying which and where it is used (requirements.txt admits
only the versions these checks passed with).

- ``PagesManager.uses_pages_directory``: the pages-folder flag ``ui.common.pages_mode`` clears.
- A component's trigger and state widgets (``$$STREAMLIT_INTERNAL_KEY_<id>__events``): how the
  AppTests (``tests/app/walk.py``) and the benchmarks' protocol client (``benchmarks/st_client.py``)
  send what a component sends from the browser; ``AppTest._run`` takes those widget states.
"""

import streamlit
from streamlit.components.v2.bidi_component.constants import EVENT_DELIM
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX
from streamlit.testing.v1 import AppTest

from ui.common import pages_mode


def test_the_pages_folder_flag_is_where_pages_mode_clears_it():
    assert pages_mode.flag_exists(), (
        f"Streamlit {streamlit.__version__} has no PagesManager.{pages_mode.FLAG}: ui/common/pages_mode.py "
        "can no longer switch a fresh server out of its v1 pages mode")
    assert streamlit.__version__.startswith(pages_mode.TESTED_STREAMLIT + "."), (
        f"tested with Streamlit {pages_mode.TESTED_STREAMLIT}.x, installed {streamlit.__version__}: run the "
        "fresh-server browser tests, then update TESTED_STREAMLIT and requirements.txt")


def test_a_components_events_are_the_widget_the_tests_and_benchmarks_send():
    assert (STREAMLIT_INTERNAL_KEY_PREFIX, EVENT_DELIM) == ("$$STREAMLIT_INTERNAL_KEY", "__"), (
        "a component's trigger widget is no longer $$STREAMLIT_INTERNAL_KEY_<id>__events: update "
        "tests/app/walk.py and benchmarks/st_client.py")
    assert callable(getattr(AppTest, "_run", None)), "AppTest._run is gone: tests/app/walk.py sends events with it"
