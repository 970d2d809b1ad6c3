"""The step area under AppTest: the record it was sent, and the events the browser would send
(a fork, "back to the original path", a reveal, the step a view below needs).

AppTest cannot run the component's JavaScript, so an event is sent the way the browser sends it:
as the component's widget state in the next run (Streamlit's own trigger and state widgets,
``$$STREAMLIT_INTERNAL_KEY_<id>__events`` and the component's id). ``AppTest._run`` takes those
states; a Streamlit version that changes them fails these tests at once.
"""

from __future__ import annotations

import json

from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest

WALK, REPORTER = "rnn_lab.walk", "rnn_lab.step_reporter"


def component(at: AppTest, name: str):
    found = [c for c in at.get("bidi_component") if c.proto.component_name == name]
    assert len(found) <= 1
    return found[0] if found else None


def record(at: AppTest) -> dict:
    """The walk the step area was last sent."""
    return json.loads(component(at, WALK).proto.json)


def _run_with(at: AppTest, state) -> AppTest:
    states = at._tree.get_widget_states()
    states.widgets.append(state)
    at._run(states)
    assert not at.exception, at.exception
    return at


def send(at: AppTest, event: str, value) -> AppTest:
    """The step area's ``event`` (fork, unfork, reveal) with ``value``, as the browser sends it."""
    walk = component(at, WALK).proto
    state = WidgetStates().widgets.add()
    state.id = f"$$STREAMLIT_INTERNAL_KEY_{walk.id}__events"
    state.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return _run_with(at, state)


def show_step(at: AppTest, step: int) -> AppTest:
    """The browser moved to ``step`` while a view below needs it (the step reporter sends it)."""
    reporter = component(at, REPORTER)
    assert reporter is not None, "no view is open: the browser sends no step"
    state = WidgetStates().widgets.add()
    state.id = reporter.proto.id
    state.json_value = json.dumps({"step": step})
    return _run_with(at, state)
