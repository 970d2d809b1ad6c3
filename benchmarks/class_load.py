"""A whole class on one server (a benchmark, not a test): walk changes, memory, errors.

    .venv/bin/python benchmarks/class_load.py [--quick] [--students 30] [--trainers 3] ...

Step-Through steps in the browser (ui/step/renderer/walk.js): a student's Next costs the server nothing.
What reaches the server is a change of the walk: a setting (here the random seed) or a forced
token (a clicked bar), each a rerun that sends the new walk. This drives real sessions through
Streamlit's websocket protocol (benchmarks/st_client.py: no browser, so 30 sessions cost the
client a few percent of a core), starting `streamlit run app.py` (--replicas N: N of them behind
HAProxy, deploy/start.sh; RSS and CPU are then summed over the processes):

1. alone: one session on Step-Through changes its walk every ~2 s (a fork or a new random seed,
   in turn); latency from the request to the end of the rerun it started; server CPU per change.
2. class: TRAINERS sessions train on the Train page (each sets the --train-set widgets, presses
   Train, and presses it again whenever a run ends), while STUDENTS sessions each change their
   walk every ~20 s (--change-interval). Then the trainers press Stop and every session closes.
3. capacity: N sessions changing their walk every ~20 s, nobody training, for each N of --ramp.
4. browser cross-check: --browsers headless Chromium tabs step with PageDown every ~2 s and click
   a bar (a fork) every ~20 s; the websocket frames each tab sends while stepping are counted
   (stepping should send none), and each fork is timed from its own websocket frames as Chromium
   stamped them (the rerun request sent -> its script_finished received).

Prints the change round trip p50/p95/max against the session alone, changes that never produced
a rerun (none within --click-timeout), changes whose rerun sent no new walk, sessions that saw an
exception element, the server's RSS before and after opening and closing the class, and the
largest N at which p95 stays under 1 s and under 2x the session alone.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from st_client import Session, apply_settings, close_all, cpu_seconds, open_all, rss_after, rss_mb, start_server  # noqa: E402

TRAIN_SET = ["Built-in corpus=alphabet (char level)", "steps=100000"]


@dataclass(frozen=True)
class Click:
    label: str
    seconds: float | None  # None: no rerun finished within the timeout (a dropped click)
    changed: bool  # the rerun changed some heading or text on the page


@dataclass
class Phase:
    """What one phase measured."""

    name: str
    clicks: list[Click] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)  # session number -> what it saw
    wall: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    notes: list[str] = field(default_factory=list)

    def next_ms(self, label: str) -> list[float]:
        return sorted(1000 * c.seconds for c in self.clicks if c.label == label and c.seconds is not None)


def percentile(sorted_ms: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of an ascending list."""
    if not sorted_ms:
        return float("nan")
    return sorted_ms[min(len(sorted_ms) - 1, max(0, round(p / 100 * len(sorted_ms)) - 1))]


def client_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def page_text(s: Session) -> tuple:
    return tuple(s.texts("heading") + s.texts("markdown"))


WALK = "rnn_lab.walk"  # Step-Through's step area (ui/step/walk.py)


def walk_of(s: Session) -> str:
    return s.component(WALK).proto.json


async def change_walk(s: Session, args, rng: random.Random, n: int) -> tuple[str, float]:
    """The n-th change of a student's walk: a forced token (as a clicked bar sends it) or a new
    random seed (as the settings popover's box sends it), in turn. (label, seconds)."""
    if n % 2 == 0:
        walk = json.loads(walk_of(s))
        t = rng.randint(1, len(walk["steps"]))
        token = rng.randrange(len(walk["steps"][t - 1]["choices"]) or 1)
        value = {"t": t, "token": walk["steps"][t - 1]["choices"][token][0] if walk["steps"][t - 1]["choices"] else 0}
        return "fork", await s.send_event(WALK, "fork", value, timeout=args.click_timeout)
    return "setting", await s.set(args.seed_label, rng.randint(0, 99), timeout=args.click_timeout)


async def change_loop(s: Session, args, until: float, phase: Phase, rng: random.Random, every: float) -> None:
    """Change the walk every ~``every`` s until ``until``; a student waits for the new walk before
    the next change."""
    await asyncio.sleep(rng.uniform(0, every))  # students do not click in step
    n = 0
    while time.perf_counter() < until:
        due = time.perf_counter() + every * rng.uniform(0.8, 1.2)
        before = walk_of(s)
        try:
            label, seconds = await change_walk(s, args, rng, n)
        except asyncio.TimeoutError:
            phase.clicks.append(Click("change", None, False))
            continue
        n += 1
        phase.clicks.append(Click("change", seconds, walk_of(s) != before))
        await asyncio.sleep(max(0.0, due - time.perf_counter()))


async def train_loop(s: Session, args, until: float, phase: Phase) -> None:
    """Set the --train-set widgets, then keep training until ``until``; then press Stop (or the
    front end's stop) and wait for the rerun. A run trains in a worker process while the page
    follows it (Train is disabled meanwhile): press Train again only when a run has ended."""
    await apply_settings(s, args.train_set, timeout=args.click_timeout)
    runs = 0
    while time.perf_counter() < until:
        if s.has(args.train_label, "button") and not s.widget(args.train_label, "button").proto.disabled:
            await s.click(args.train_label, timeout=args.click_timeout)
            runs += 1
        await asyncio.sleep(min(1.0, max(0.0, until - time.perf_counter())))
    progress = s.texts("progress")
    if s.has(args.stop_label, "button"):
        await s.click(args.stop_label, timeout=args.click_timeout)
    else:
        await s.stop_script()
    phase.notes.append(f"trainer: {runs} run(s) started; last progress: {progress[-1] if progress else '-'}")


async def browser_step_loop(browser, url: str, args, until: float, phase: Phase, rng: random.Random) -> None:
    """One Chromium tab stepping with PageDown every ~interval s (Home at the walk's end) and
    clicking a bar of the step's distribution every ~change-interval s; the frames it sends
    while stepping are counted (``phase.notes``), each fork timed by the browser's own network
    clock (CDP websocket frame events), from the rerun request to its script_finished."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
    pg = await ctx.new_page()
    frames = FrameClock()
    cdp = await ctx.new_cdp_session(pg)
    cdp.on("Network.webSocketFrameSent", frames.sent)
    cdp.on("Network.webSocketFrameReceived", frames.received)
    await cdp.send("Network.enable")
    stepping_frames = 0
    try:
        await pg.goto(f"{url}/{args.step_page}")
        await pg.locator(".rw[data-drawn]").wait_for(state="attached", timeout=120_000)
        await asyncio.sleep(rng.uniform(0, args.interval))
        # the first fork early enough that a short check sees one in every tab
        next_fork = time.perf_counter() + rng.uniform(0.2, 0.6) * min(args.change_interval, until - time.perf_counter())
        while time.perf_counter() < until:
            due = time.perf_counter() + args.interval * rng.uniform(0.8, 1.2)
            if time.perf_counter() >= next_fork:
                frames.arm()
                await pg.locator(".rw-dist .trace.bars").first.locator(".point path").nth(
                    rng.randrange(await pg.locator(".rw-dist .trace.bars").first.locator(".point path").count())
                ).click(force=True)
                try:
                    seconds = await asyncio.wait_for(frames.answer(), args.click_timeout)
                except asyncio.TimeoutError:
                    seconds = None
                phase.clicks.append(Click("change", seconds, True))
                next_fork = time.perf_counter() + rng.uniform(0.8, 1.2) * args.change_interval
            else:
                at_end = await pg.locator(".rw-next").is_disabled()
                sent = frames.count
                await pg.keyboard.press("Home" if at_end else "PageDown")
                await asyncio.sleep(0.3)
                stepping_frames += frames.count - sent
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
    finally:
        phase.notes.append(f"frames sent while stepping: {stepping_frames}")
        await ctx.close()


class FrameClock:
    """Times one click from a tab's websocket frames as Chromium's network stack stamped them:
    the rerun request sent, to the first script_finished after it that is not a run cut short
    for the next one."""

    def __init__(self) -> None:
        self.t0: float | None = None
        self.done = asyncio.Event()
        self.seconds = 0.0
        self.count = 0  # every frame this tab has sent

    def arm(self) -> None:
        self.t0, self.seconds = None, 0.0
        self.done.clear()

    def sent(self, event: dict) -> None:
        self.count += 1
        msg = BackMsg()
        msg.ParseFromString(frame_bytes(event))
        if msg.WhichOneof("type") == "rerun_script" and self.t0 is None:
            self.t0 = event["timestamp"]

    def received(self, event: dict) -> None:
        if self.t0 is None or self.done.is_set():
            return
        msg = ForwardMsg()
        msg.ParseFromString(frame_bytes(event))
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.seconds = event["timestamp"] - self.t0
            self.done.set()

    async def answer(self) -> float:
        await self.done.wait()
        return self.seconds


def frame_bytes(event: dict) -> bytes:
    """The payload of a CDP websocket frame event (binary frames come base64-encoded)."""
    response = event["response"]
    data = response["payloadData"]
    return base64.b64decode(data) if response.get("opcode") == 2 else data.encode()


async def browser_check(server, args) -> tuple[Phase, Phase]:
    """--browsers Chromium tabs and as many protocol sessions stepping side by side."""
    from conftest import CHROMIUM_ARGS, chromium_path
    from playwright.async_api import async_playwright

    tabs, protocol = Phase("browser"), Phase("protocol")
    rng = random.Random("browser-check")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        sessions, _ = await open_all(server.url, [args.step_page] * args.browsers, args.open_concurrency,
                                     args.open_timeout)
        until = time.perf_counter() + args.browser_duration
        await asyncio.gather(
            *(browser_step_loop(browser, server.url, args, until, tabs, random.Random(rng.random()))
              for _ in range(args.browsers)),
            *(change_loop(s, args, until, protocol, random.Random(rng.random()), args.change_interval)
              for s in sessions))
        await close_all(sessions)
        await browser.close()
    return tabs, protocol


async def run_phase(name: str, server, args, students: int, trainers: int, duration: float, every: float,
                    memory: dict | None = None) -> Phase:
    """Open the sessions, let them change their walks every ~``every`` s (and train) for
    ``duration`` s, close them."""
    pid, phase = server.proc.pid, Phase(name)
    print(f"[{name}: {students} stepping, {trainers} training, {duration:g} s]", file=sys.stderr, flush=True)
    rng = random.Random(f"{name}-{students}-{trainers}")
    if memory is not None:
        memory["before"] = rss_mb(pid)
    tutors, _ = await open_all(server.url, [args.train_page] * trainers, args.open_concurrency, args.open_timeout,
                              timers=True)  # the page follows its run by itself
    class_, loads = await open_all(server.url, [args.step_page] * students, args.open_concurrency, args.open_timeout)
    if memory is not None:
        memory["opened"] = rss_mb(pid)
        memory["first_load_ms"] = sorted(1000 * t for t in loads)
    cpu0, ccpu0, t0 = cpu_seconds(pid), client_cpu(), time.perf_counter()
    until = t0 + duration
    jobs = [train_loop(s, args, until, phase) for s in tutors]
    jobs += [change_loop(s, args, until, phase, random.Random(rng.random()), every) for s in class_]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    phase.wall, phase.server_cpu = time.perf_counter() - t0, cpu_seconds(pid) - cpu0
    phase.client_cpu = client_cpu() - ccpu0
    for i, (s, r) in enumerate(zip(tutors + class_, results)):
        seen = s.errors + ([f"{type(r).__name__}: {r}"] if isinstance(r, BaseException) else [])
        if seen:
            phase.errors[i] = seen
    await close_all(tutors + class_)
    if memory is not None:
        memory["closed"] = await rss_after(pid, args.linger)
    return phase


def report_phase(phase: Phase, args, idle_p95: float | None = None) -> None:
    ms = phase.next_ms("change")
    dropped = [c for c in phase.clicks if c.seconds is None]
    unchanged = [c for c in phase.clicks if c.seconds is not None and not c.changed]
    ratio = f" = {percentile(ms, 95) / idle_p95:.1f}x alone" if idle_p95 else ""
    print(f"  walk changes ({len(ms)}): p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms"
          f"{ratio}, max {ms[-1] if ms else float('nan'):.0f} ms")
    print(f"  dropped changes (no rerun within {args.click_timeout:.0f} s): {len(dropped)} of {len(phase.clicks)};"
          f" reruns that sent no new walk: {len(unchanged)}")
    print(f"  server CPU {phase.server_cpu:.1f} s in {phase.wall:.0f} s ({phase.server_cpu / phase.wall:.2f} cores); "
          f"this client {phase.client_cpu:.1f} s ({phase.client_cpu / phase.wall:.2f} cores)")
    for note in phase.notes:
        print(f"  {note}")
    print(f"  sessions that saw an error: {len(phase.errors)}")
    for i, seen in sorted(phase.errors.items()):
        print(f"    session {i}: {seen[0]}" + (f" (+{len(seen) - 1} more)" if len(seen) > 1 else ""))


def report_memory(memory: dict, sessions: int) -> None:
    before, opened = memory["before"], memory["opened"]
    print(f"  server RSS: {before:.0f} MB before, {opened:.0f} MB with the class open "
          f"({(opened - before) / sessions:.1f} MB per session)")
    print("  after closing: " + ", ".join(f"{mb:.0f} MB at +{t:.0f} s" for t, mb in memory["closed"]))
    loads = memory["first_load_ms"]
    print(f"  first load of the stepping page (server side): p50 {percentile(loads, 50):.0f} ms, "
          f"p95 {percentile(loads, 95):.0f} ms")


async def alone_section(server, args) -> tuple[float, float]:
    """Phase 1; returns (Next p95 in ms, server CPU seconds per click) of the session alone."""
    alone = await run_phase("alone", server, args, 1, 0, args.alone, args.interval)
    cpu_per_click = alone.server_cpu / max(1, len(alone.clicks))
    print(f"\n1. One session alone, a walk change every ~{args.interval:g} s for {args.alone:g} s")
    report_phase(alone, args)
    print(f"  server CPU per walk change: {1000 * cpu_per_click:.0f} ms")
    return percentile(alone.next_ms("change"), 95), cpu_per_click


async def class_section(server, args, idle_p95: float) -> None:
    memory: dict = {}
    klass = await run_phase("class", server, args, args.students, args.trainers, args.duration,
                            args.change_interval, memory)
    print(f"\n2. Class: {args.students} sessions stepping in the browser, each changing its walk every "
          f"~{args.change_interval:g} s, "
          f"{args.trainers} training, for {args.duration:g} s")
    report_phase(klass, args, idle_p95)
    report_memory(memory, args.students + args.trainers)


async def capacity_section(server, args, idle_p95: float) -> None:
    print(f"\n3. Capacity: N sessions changing their walk every ~{args.change_interval:g} s, nobody training")
    held = 0
    for n in args.ramp:
        phase = await run_phase(f"ramp-{n}", server, args, n, 0, args.ramp_duration, args.change_interval)
        ms, dropped = phase.next_ms("change"), sum(c.seconds is None for c in phase.clicks)
        p95 = percentile(ms, 95)
        if p95 < 1000 and p95 <= 2 * idle_p95 and not dropped:
            held = max(held, n)
        print(f"  N = {n:3d}: change p50 {percentile(ms, 50):5.0f} ms, p95 {p95:5.0f} ms "
              f"({p95 / idle_p95:.1f}x alone), "
              f"dropped {dropped}, errors {len(phase.errors)}, server {phase.server_cpu / phase.wall:.2f} cores")
    print(f"  largest N with change p95 < 1 s and <= 2x alone ({2 * idle_p95:.0f} ms), no dropped clicks: "
          f"{held or 'none of ' + ','.join(map(str, args.ramp))}")


async def browser_section(server, args) -> None:
    print(f"\n4. Cross-check: {args.browsers} Chromium tab(s) stepping every ~{args.interval:g} s and forking every "
          f"~{args.change_interval:g} s, beside {args.browsers} protocol session(s), for {args.browser_duration:g} s")
    tabs, protocol = await browser_check(server, args)
    for name, phase in (("Chromium (its websocket frames' timestamps)", tabs), ("protocol client", protocol)):
        ms = phase.next_ms("change")
        print(f"  {name}: walk change p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms "
              f"({len(ms)} changes, {sum(c.seconds is None for c in phase.clicks)} dropped)")
    print("  " + "; ".join(tabs.notes))


async def main_async(args) -> None:
    server = start_server(replicas=args.replicas)
    try:
        warm = Session(server.url)  # the server's first visitor trains the seed model once
        await warm.open(args.step_page, timeout=args.open_timeout)
        await warm.close()
        idle_p95, cpu_per_click = await alone_section(server, args)
        await class_section(server, args, idle_p95)
        if args.ramp:
            await capacity_section(server, args, idle_p95)
        if args.browsers:
            await browser_section(server, args)
        print(f"\nServer CPU per walk change alone: {1000 * cpu_per_click:.0f} ms; stepping costs none. Script "
              f"threads share one core (the GIL), so one process serves at most about "
              f"{args.change_interval / cpu_per_click:.0f} sessions changing their walk every "
              f"{args.change_interval:g} s.")
    finally:
        server.stop()


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="short phases (about 2 minutes in all)")
    ap.add_argument("--replicas", type=int, default=1,
                    help="streamlit processes; more than 1: behind HAProxy, started by deploy/start.sh")
    ap.add_argument("--students", type=int, default=30, help="sessions on Step-Through in the class phase")
    ap.add_argument("--trainers", type=int, default=3, help="sessions training in the class phase")
    ap.add_argument("--interval", type=float, default=2.0,
                    help="seconds between the lone session's walk changes, and between a tab's steps (±20%%)")
    ap.add_argument("--change-interval", type=float, default=20.0,
                    help="seconds between a student's walk changes in the class (±20%%)")
    ap.add_argument("--alone", type=float, default=80, help="seconds of the one-session phase")
    ap.add_argument("--duration", type=float, default=90, help="seconds of the class phase")
    ap.add_argument("--ramp", default="10,30,60", help="session counts of the capacity phase ('' skips it)")
    ap.add_argument("--ramp-duration", type=float, default=40, help="seconds per capacity step")
    ap.add_argument("--browsers", type=int, default=2, help="Chromium tabs of the cross-check (0 skips it)")
    ap.add_argument("--browser-duration", type=float, default=40, help="seconds of the cross-check")
    ap.add_argument("--linger", type=float, default=10, help="seconds to watch RSS after the class closes")
    ap.add_argument("--click-timeout", type=float, default=30, help="a click with no rerun by then is dropped")
    ap.add_argument("--open-timeout", type=float, default=120)
    ap.add_argument("--open-concurrency", type=int, default=4, help="sessions loading their first page at once")
    ap.add_argument("--step-page", default="step-through", help="URL path of the stepping page")
    ap.add_argument("--seed-label", default="Random seed", help="the setting a student changes")
    ap.add_argument("--train-page", default="train")
    ap.add_argument("--train-set", action="append", metavar="LABEL=VALUE",
                    help="a widget to set before training, in order (repeatable; VALUE @file reads a file); "
                         f"default: {TRAIN_SET}")
    ap.add_argument("--train-label", default="▶ Train")
    ap.add_argument("--stop-label", default="■ Stop (keep what was learned)")
    args = ap.parse_args(argv)
    args.train_set = args.train_set or TRAIN_SET
    if args.quick:
        args.alone, args.duration, args.ramp_duration, args.browser_duration = 20, 30, 15, 20
        args.ramp = args.ramp if args.ramp != ap.get_default("ramp") else "30"
    args.ramp = [int(n) for n in args.ramp.split(",") if n.strip()]
    return args


def main(argv=None) -> None:
    asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    main()
