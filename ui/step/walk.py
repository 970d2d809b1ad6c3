"""Step-Through's step area as one component that steps in the browser.

The renderer is ``ui/step/renderer/walk.js`` with ``walk.css``: it receives the walk described once
(``ui.step.describe``) and steps through it on keys and buttons with no server round trip. The
server hears from it only when the walk must change: a fork (a clicked bar or the what-if list),
"back to the original path", and in guess mode a reveal. A view below the step that needs the
step on screen mounts ``report_step``: a second, invisible component that sends each step while it
is mounted (its own fragment reruns; the step area is not redrawn). The same renderer saves the
walk as one offline HTML file (in the browser: plotly.js, the renderer and the record inlined).

Components v2 (Streamlit 1.67) mount in the app's own DOM (``isolate_styles=False``: plotly.js
styles its charts from the document's head, which a shadow root would not see); ``walk.css``
scopes every rule under ``.rw``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Callable

import streamlit as st

from ui.common.static_files import asset_url, plotly_js_url

HERE = Path(__file__).resolve().parent / "renderer"
WALK_JS = (HERE / "walk.js").read_text(encoding="utf-8")
WALK_CSS = (HERE / "walk.css").read_text(encoding="utf-8")

# The page's entry: the hooks ask the server (trigger values, one per event) and keep the
# address's step= up to date, so a reload or a copied link opens at the step on screen.
ENTRY_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  mountWalk(parentElement, data, {
    fork: (t, token) => setTriggerValue('fork', {t, token}),
    unfork: t => setTriggerValue('unfork', {t}),
    reveal: (t, guess) => setTriggerValue('reveal', {t, guess}),
    stepped: k => {
      const url = new URL(window.location.href);
      if (url.searchParams.get('step') !== String(k)) {
        url.searchParams.set('step', String(k));
        history.replaceState(history.state, '', url);
      }
      window.__rnnlabStep = k;
      window.dispatchEvent(new CustomEvent('rnnlab:step', {detail: k}));
    },
  });
}
"""

# While mounted, sends each step the walk moves to (as its state "step"), and at once the step on
# screen when it differs from the one the server knows (``data.step``). Each reporter keeps its
# own listener (on its own element): two views may follow the step at once.
REPORTER_JS = """
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const send = k => { if (k && k !== data.step) setStateValue('step', k); };
  if (parentElement.__rnnlabListener) window.removeEventListener('rnnlab:step', parentElement.__rnnlabListener);
  parentElement.__rnnlabListener = e => send(e.detail);
  window.addEventListener('rnnlab:step', parentElement.__rnnlabListener);
  send(window.__rnnlabStep);
  return () => window.removeEventListener('rnnlab:step', parentElement.__rnnlabListener);
}
"""

_walk = st.components.v2.component("rnn_lab.walk", css=WALK_CSS, js=WALK_JS + ENTRY_JS, isolate_styles=False)
_reporter = st.components.v2.component("rnn_lab.step_reporter", js=REPORTER_JS, isolate_styles=False)


@cache
def assets() -> dict[str, str]:
    """Where the browser finds plotly.js and the renderer (for the offline file it saves)."""
    return {"plotly": plotly_js_url(), "js": asset_url("walk", "js", WALK_JS),
            "css": asset_url("walk", "css", WALK_CSS)}


def show_walk(record: dict, *, key: str, on_fork: Callable, on_unfork: Callable, on_reveal: Callable):
    """The step area for ``record`` (``ui.step.describe.describe_walk`` with the page's ``walk``,
    ``goto``, ``name`` and ``file``). Returns the component's result: its trigger values ``fork``
    ({t, token}), ``unfork`` ({t}) and ``reveal`` ({t, guess}) on the run they were sent."""
    return _walk(data={**record, "assets": assets()}, key=key, on_fork_change=on_fork,
                 on_unfork_change=on_unfork, on_reveal_change=on_reveal)


def report_step(known: int, *, key: str, on_step: Callable) -> int:
    """While a view below the step needs it: the step on screen (``known`` until the browser
    sends another; each step it sends reruns the caller's fragment)."""
    result = _reporter(data={"step": known}, key=key, default={"step": known}, on_step_change=on_step)
    return int(result.step or known)
