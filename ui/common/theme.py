"""The presenter theme: large text on every page, for a projector, switched on in the sidebar.

``presenter_theme()`` is called once per run by ``app.py`` (so Home, Train, Step-Through and
Generate all get it). It draws the sidebar toggle, keeps the choice in the URL (``big=1``, so a
link on a slide opens in presenter mode) and, when on, enlarges the root font: Streamlit sizes
text, widgets, LaTeX and tables in rem, so they all grow together and keep their proportions.
Plotly draws in pixels: ``style_figure`` enlarges a figure's fonts and height to match.

Nothing may be cut in presenter mode: the page's side padding shrinks to leave room for wider
widgets, and labels that Streamlit would cut with an ellipsis wrap instead.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

KEY = "presenter"  # session key of the sidebar toggle
QUERY_KEY = "big"  # ?big=1 in the URL
SCALE = 1.3  # text size in presenter mode, relative to the normal theme
BASE_FONT_PX = 17  # .streamlit/config.toml's baseFontSize
CSS = f"""<style>
html {{ font-size: {round(BASE_FONT_PX * SCALE)}px; }}
[data-testid="stMainBlockContainer"] {{ padding-left: 2rem; padding-right: 2rem; }}
.stMarkdownEllipsis, .stMarkdownEllipsis p {{ white-space: normal !important; text-overflow: clip !important;
  overflow: visible !important; }}
</style>"""
# Always: a LaTeX block spans its column (Streamlit sizes it to its content, so a glyph that
# overhangs by a pixel makes the block scroll sideways)
BASE_CSS = """<style>
[data-testid="stMarkdown"] > div { width: 100%; }
</style>"""


def presenter_theme() -> None:
    """The sidebar toggle, the URL's ``big`` key and, when on, the large-text CSS (and, always,
    ``BASE_CSS``)."""
    ss = st.session_state
    if KEY not in ss:  # a first run: the link decides
        ss[KEY] = st.query_params.get(QUERY_KEY) == "1"
    st.sidebar.toggle("Presenter mode (large text)", key=KEY,
                      help="For a projector: every page's text, numbers and charts larger. Kept in the link.")
    st.html(BASE_CSS)
    if ss[KEY]:
        st.query_params[QUERY_KEY] = "1"
        st.set_page_config(initial_sidebar_state="collapsed")  # the projector's width for the page
        st.html(CSS)
    elif QUERY_KEY in st.query_params:
        del st.query_params[QUERY_KEY]


def is_presenter() -> bool:
    return bool(st.session_state.get(KEY, False))


def columns(n: int, per_row: int = 3) -> list:
    """n columns for a row of widgets: one row, or in presenter mode rows of at most ``per_row``
    (the enlarged labels would otherwise wrap inside a word)."""
    if not is_presenter() or n <= per_row:
        return list(st.columns(n))
    return [col for start in range(0, n, per_row) for col in st.columns(per_row)][:n]


def scaled(px: float) -> int:
    """A pixel size in the current theme."""
    return round(px * SCALE) if is_presenter() else round(px)


def plotly_chart(fig: go.Figure, height: int | None = None, where=None, **kwargs):
    """``where.plotly_chart`` (``where``: a container or column, default the page) at the theme's
    size: ``height`` in normal-theme pixels (None: the figure's own, or 450 as Plotly's default).
    In presenter mode without Streamlit's chart theme, which would put its own (small) font sizes
    back."""
    height = height or fig.layout.height or 450
    return (where or st).plotly_chart(style_figure(fig, height), width="stretch",
                                      theme=None if is_presenter() else "streamlit", **kwargs)


def style_figure(fig: go.Figure, height: int) -> go.Figure:
    """A figure's height and fonts for the current theme (Plotly sizes are pixels, not rem):
    ``height`` and Plotly's default 12 px text, 16 px titles, scaled up in presenter mode."""
    m = fig.layout.margin  # a figure's own margins are kept, scaled like its text
    margin = {side: scaled(getattr(m, side) if getattr(m, side) is not None else default)
              for side, default in (("l", 10), ("r", 10), ("t", 46), ("b", 10))}
    fig.update_layout(height=scaled(height), font_size=scaled(12), title_font_size=scaled(15), margin=margin)
    fig.update_traces(textfont_size=scaled(12), selector=dict(type="bar"))
    if is_presenter():  # drawn without Streamlit's chart theme: plotly.js's plain look, margins grown to fit
        # the ticks. The empty template itself, not its name: figures are built unvalidated
        # (charts.figure), so a name would reach plotly.js as a string, which it ignores.
        fig.update_layout(template=pio.templates["none"])
        fig.update_xaxes(automargin=True)
        fig.update_yaxes(automargin=True)
    return fig
