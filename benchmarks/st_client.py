"""A browserless Streamlit client that speaks the front end's websocket protocol, for benchmarks.

One ``Session`` is one browser tab without the browser: it connects to ``/_stcore/stream``, asks
for a page the way the front end does (a ``BackMsg`` with ``rerun_script``), keeps the elements
that the server's deltas draw, and clicks a button or sets a widget found by its label (a rerun
request carrying the widget's trigger or value and the fragment the widget lives in). A request
is answered when the server sends ``script_finished`` for a run that started after it (a run cut
short by the next rerun does not count). Nothing is drawn, so dozens of sessions share one
asyncio loop for a few percent of a core. With ``timers=True`` a session also runs the front
end's timers for ``st.fragment(run_every=...)`` (a page that follows something by itself: a
training run's progress, a room's votes); their reruns may then answer a request, so a session
whose requests are timed keeps them off.

Streamlit's protocol is internal: this was written against streamlit 1.67 (requirements.txt pins
the minor version). Also here: the server process's RSS and CPU time, read from /proc (Linux).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "browser")]  # the browser tests' server helpers

EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN  # a run stopped for the next one: not an answer
VALUE_WIDGETS = ("selectbox", "radio", "number_input", "text_area", "text_input", "checkbox", "slider")


class ClientError(RuntimeError):
    """The page does not have what the benchmark asked for (a label, an option)."""


@dataclass
class Node:
    """One element the server drew: its kind (``button``, ``heading``, ...), its proto, the
    fragment it belongs to ("" outside fragments) and the run that drew it."""

    kind: str
    proto: object
    fragment_id: str
    run: int


@dataclass
class Session:
    """One Streamlit session over one websocket. ``errors`` collects what a user would see as
    a failure: exception elements, "page not found", a lost connection."""

    base_url: str  # http://host:port
    timers: bool = False  # run the fragments' run_every timers, as a browser does
    errors: list[str] = field(default_factory=list)
    elements: dict[tuple, Node] = field(default_factory=dict)
    runs_started: int = 0  # new_session messages: one per run, fragment runs included
    runs_finished: int = 0  # script_finished for the run in progress, unless cut short
    page_hash: str = ""  # the page the next rerun asks for
    pages: dict[str, str] = field(default_factory=dict)  # URL path -> page script hash (st.navigation)
    query_string: str = ""
    values: dict[str, WidgetState] = field(default_factory=dict)  # widget values this client set
    _ws: object = None
    _reader: asyncio.Task | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _run_fragments: tuple = ()
    _timers: dict[str, asyncio.Task] = field(default_factory=dict)  # fragment id -> its timer
    polls: int = 0  # reruns the timers asked for

    async def open(self, path: str = "", timeout: float = 120) -> float:
        """Connect and load ``path`` ("" is the default page, "step-through" a page's URL path)
        like a browser's first request; seconds until that run finished."""
        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self._ws = await connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout)
        self._reader = asyncio.create_task(self._read())
        page, _, query = path.lstrip("/").partition("?")
        self.query_string = query
        t0 = time.perf_counter()
        await self.wait(await self._send(page_name=page), timeout)
        return time.perf_counter() - t0

    async def goto(self, path: str, timeout: float = 60) -> float:
        """Go to the page at URL path ``path`` ("" is the default page), as a sidebar link does;
        seconds until its run finished."""
        if path not in self.pages:
            raise ClientError(f"no page at /{path}; the app has {sorted(self.pages)}")
        self.page_hash, self.values, self.query_string = self.pages[path], {}, ""
        t0 = time.perf_counter()
        await self.wait(await self._send(), timeout)
        return time.perf_counter() - t0

    async def click(self, label: str, timeout: float = 60) -> float:
        """Click the button labelled ``label``; seconds until the run it started finished."""
        t0 = time.perf_counter()
        await self.wait(await self.press(label), timeout)
        return time.perf_counter() - t0

    async def press(self, label: str) -> int:
        """Click the button labelled ``label`` without waiting; returns the mark to ``wait`` on."""
        node = self.widget(label, "button")
        if node.proto.disabled:
            raise ClientError(f"button {label!r} is disabled")
        trigger = WidgetState(id=node.proto.id, trigger_value=True)
        return await self._send(trigger=trigger, fragment_id=node.fragment_id)

    async def wait(self, mark: int, timeout: float) -> None:
        """Until a run that started after the request ``mark`` stands for has finished;
        asyncio.TimeoutError after ``timeout`` seconds."""
        await asyncio.wait_for(self._answered(mark), timeout)

    async def set(self, label: str, value, timeout: float = 60) -> float:
        """Set the widget labelled ``label`` to ``value`` (an option's text, a number, text, a
        bool) and wait for the rerun it starts, as a browser does on a change."""
        node = self.widget(label)
        self.values[node.proto.id] = widget_state(node, value)
        t0 = time.perf_counter()
        await self.wait(await self._send(fragment_id=node.fragment_id), timeout)
        return time.perf_counter() - t0

    def component(self, name: str) -> Node:
        """The ``st.components.v2`` component named ``name`` on the page; ClientError if none."""
        for node in self.elements.values():
            if node.kind == "bidi_component" and node.proto.component_name == name:
                return node
        raise ClientError(f"no component {name!r} on the page")

    async def send_event(self, component: str, event: str, value, timeout: float = 60) -> float:
        """What the component ``component`` sends from the browser: its ``event`` with ``value``
        (a trigger value, as ``setTriggerValue`` sends it); seconds until the rerun finished."""
        node = self.component(component)
        trigger = WidgetState(id=f"$$STREAMLIT_INTERNAL_KEY_{node.proto.id}__events",
                              json_trigger_value=json.dumps([{"event": event, "value": value}]))
        t0 = time.perf_counter()
        await self.wait(await self._send(trigger=trigger, fragment_id=node.fragment_id), timeout)
        return time.perf_counter() - t0

    async def set_component_state(self, component: str, value: dict, timeout: float = 60) -> float:
        """What the component ``component`` sets from the browser as its state (``setStateValue``);
        kept for later reruns, as the front end keeps it; seconds until the rerun finished."""
        node = self.component(component)
        self.values[node.proto.id] = WidgetState(id=node.proto.id, json_value=json.dumps(value))
        t0 = time.perf_counter()
        await self.wait(await self._send(fragment_id=node.fragment_id), timeout)
        return time.perf_counter() - t0

    def widget(self, label: str, kind: str | None = None) -> Node:
        """The first widget (in page order) labelled ``label``; ClientError if there is none."""
        kinds = (kind,) if kind else ("button", *VALUE_WIDGETS)
        for path in sorted(self.elements):
            node = self.elements[path]
            if node.kind in kinds and node.proto.label == label:
                return node
        shown = sorted({n.proto.label for n in self.elements.values() if n.kind in kinds})
        raise ClientError(f"no {kind or 'widget'} labelled {label!r} on the page; there are: {shown}")

    def has(self, label: str, kind: str | None = None) -> bool:
        try:
            self.widget(label, kind)
        except ClientError:
            return False
        return True

    def texts(self, kind: str) -> list[str]:
        """The text of every element of ``kind`` ("heading", "markdown", "alert"), in page order."""
        return [text_of(n) for _, n in sorted(self.elements.items()) if n.kind == kind]

    async def stop_script(self) -> None:
        """What the front end's Stop does: ask the server to stop the running script."""
        await self._ws.send(BackMsg(stop_script=True).SerializeToString())

    async def close(self) -> None:
        """Close the websocket, as closing the tab does; the server keeps the session for
        reconnection until ``server.disconnectedSessionTTL`` has passed."""
        self._stop_timers(list(self._timers))
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _send(self, *, page_name: str = "", trigger: WidgetState | None = None,
                    fragment_id: str = "") -> int:
        """Ask for a rerun carrying the values this client set (and ``trigger``), as the front
        end does; returns the number of runs started before it (the mark ``wait`` takes)."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_hash
        state.page_name = page_name
        state.fragment_id = fragment_id
        state.widget_states.widgets.extend([*self.values.values(), *([trigger] if trigger else [])])
        mark = self.runs_started
        await self._ws.send(msg.SerializeToString())
        return mark

    async def _answered(self, mark: int) -> None:
        while not (self.runs_started > mark and self.runs_finished == self.runs_started):
            if self._reader.done():
                raise ClientError(f"connection lost: {self.errors[-1] if self.errors else 'closed'}")
            self._changed.clear()
            await self._changed.wait()

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self._apply(msg)
        except Exception as e:  # the benchmark reports a lost connection as the session's error
            self.errors.append(f"connection: {type(e).__name__}: {e}")
        finally:
            self._changed.set()

    def _apply(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.runs_started += 1
            self._run_fragments = tuple(msg.metadata.run.fragment_ids)
            if not self._run_fragments:  # a whole-page run clears the timers; it sends them again
                self._stop_timers(list(self._timers))
        elif kind in ("auto_rerun", "stop_auto_rerun") and self.timers:
            self._follow_timer(msg)
        elif kind == "delta":
            self._apply_delta(msg)
        elif kind == "navigation":  # st.navigation names the page this session is on
            self.page_hash = msg.navigation.page_script_hash
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            self.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "script_finished":
            self._finish(msg.script_finished)
        self._changed.set()

    def _follow_timer(self, msg: ForwardMsg) -> None:
        """``auto_rerun`` starts a fragment's timer (a rerun of it every interval),
        ``stop_auto_rerun`` ends some."""
        if msg.WhichOneof("type") == "stop_auto_rerun":
            self._stop_timers(list(msg.stop_auto_rerun.fragment_ids))
            return
        fid, every = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
        if fid not in self._timers:
            self._timers[fid] = asyncio.get_running_loop().create_task(self._tick(fid, every))

    def _stop_timers(self, ids) -> None:
        for fid in ids:
            task = self._timers.pop(fid, None)
            if task is not None:
                task.cancel()

    async def _tick(self, fragment_id: str, every: float) -> None:
        try:
            while True:
                await asyncio.sleep(every)
                self.polls += 1
                await self._send(fragment_id=fragment_id)
        except ConnectionClosed:  # the tab closed while a timer was due
            pass

    def _apply_delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        node = Node(kind, getattr(element, kind), delta.fragment_id, self.runs_started)
        self.elements[tuple(msg.metadata.delta_path)] = node
        if kind == "exception":
            self.errors.append(f"exception: {node.proto.type}: {node.proto.message}")

    def _finish(self, status: int) -> None:
        """A finished run drops what it did not draw again (a fragment run: only inside its
        fragments), as the front end clears stale elements."""
        if status == EARLY:
            return
        if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            self.errors.append("the script did not compile")
        run, fragments = self.runs_started, self._run_fragments
        self.elements = {p: n for p, n in self.elements.items()
                         if n.run == run or (fragments and n.fragment_id not in fragments)}
        self.runs_finished = run


def widget_state(node: Node, value) -> WidgetState:
    """The WidgetState a browser sends for ``value`` in this widget (checked against its options)."""
    state = WidgetState(id=node.proto.id)
    if node.kind in ("selectbox", "radio"):
        if str(value) not in node.proto.options:
            raise ClientError(f"{node.proto.label!r} has no option {value!r}; it has {list(node.proto.options)}")
        state.string_value = str(value)
    elif node.kind == "number_input":
        if node.proto.data_type == node.proto.INT:
            state.int_value = int(value)
        else:
            state.double_value = float(value)
    elif node.kind in ("text_area", "text_input"):
        state.string_value = str(value)
    elif node.kind == "checkbox":
        state.bool_value = value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
    elif node.kind == "slider":
        state.double_array_value.data.append(float(value))
    else:
        raise ClientError(f"cannot set a {node.kind} ({node.proto.label!r})")
    return state


def text_of(node: Node) -> str:
    proto = node.proto
    return getattr(proto, "body", None) or getattr(proto, "text", "")


async def apply_settings(session: Session, items: list[str], timeout: float = 60) -> None:
    """Set widgets in order from ``LABEL=VALUE`` items (VALUE ``@path``: the text of that file),
    one rerun each, as a user changing them one after the other."""
    for item in items:
        label, _, value = item.partition("=")
        if value.startswith("@"):
            value = Path(value[1:]).read_text(encoding="utf-8")
        await session.set(label, value, timeout=timeout)


async def open_all(url: str, paths: list[str], concurrency: int, timeout: float,
                   timers: bool = False) -> tuple[list[Session], list[float]]:
    """Open one session per path, ``concurrency`` at a time (students arriving); returns the
    sessions and the seconds each first load took."""
    gate = asyncio.Semaphore(concurrency)

    async def one(path: str) -> tuple[Session, float]:
        async with gate:
            s = Session(url, timers=timers)
            return s, await s.open(path, timeout=timeout)

    pairs = await asyncio.gather(*(one(p) for p in paths))
    return [s for s, _ in pairs], [t for _, t in pairs]


async def close_all(sessions: list[Session]) -> None:
    await asyncio.gather(*(s.close() for s in sessions))


# ---------------------------------------------------------------- the server process


def start_server(ttl: int | None = None, replicas: int = 1):
    """`streamlit run app.py` on a free port (the browser tests' StreamlitServer, log in
    tests/browser/artifacts/), or with ``replicas`` > 1 that many behind HAProxy started by
    deploy/start.sh (the replica test's Deployment). ``ttl``: server.disconnectedSessionTTL
    (Streamlit reads STREAMLIT_* environment variables), None for Streamlit's default. The
    result has ``url``, ``proc`` (the root of the processes serving) and ``stop()``."""
    from conftest import StreamlitServer

    if ttl is not None:
        os.environ["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(ttl)
    try:
        if replicas == 1:
            return StreamlitServer().start()
        import shutil
        import tempfile

        from test_browser_replicas import Deployment

        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        return Deployment(haproxy, Path(tempfile.mkdtemp(prefix="class-load-")), replicas=replicas).start()
    finally:
        os.environ.pop("STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL", None)


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (deploy/start.sh's replicas and HAProxy)."""
    pids, i = [pid], 0
    while i < len(pids):
        for task in Path(f"/proc/{pids[i]}/task").iterdir():
            pids += [int(c) for c in (task / "children").read_text().split()]
        i += 1
    return pids


def rss_mb(pid: int) -> float:
    """Resident set size of process ``pid`` and its descendants in MB (VmRSS from /proc)."""
    return sum(_rss_kb(p) for p in process_tree(pid)) / 1024


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time that process ``pid`` and its descendants have used so far."""
    ticks = 0
    for p in process_tree(pid):
        fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def rss_after(pid: int, seconds: float, every: float = 5.0) -> list[tuple[float, float]]:
    """(seconds since the call, RSS MB of ``pid``) every ``every`` s for ``seconds`` s."""
    samples, t0 = [], time.perf_counter()
    while True:
        samples.append((time.perf_counter() - t0, rss_mb(pid)))
        if samples[-1][0] >= seconds:
            return samples
        await asyncio.sleep(min(every, seconds))
