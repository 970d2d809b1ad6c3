"""A room of phones voting: what 60 voters cost the server, and whether every vote counts.

`streamlit run app.py` on a free port with its own data folder. The presenter is a session on
Step-Through in guess mode (greedy, the seed walk) that opens a room with its button; like every
session here it speaks Streamlit's websocket protocol (``st_client.Session``, plus the front
end's timer for ``st.fragment(run_every=...)``, which the vote page and the presenter's vote count
poll with), and sends what its browser would: a reveal from the step area, then the next step
from the step reporter. ``--voters`` sessions open ``/vote?room=CODE``. For each of ``--steps``
steps every voter votes once at a random moment of a ``--window`` second window, some change
their vote, then the presenter reveals and steps on, and every page must move on by itself.

Prints: the vote click's latency (p50/p95/max, from the click to the end of the rerun it
started), votes lost (the store's tally against what the voters chose last), how long pages take
to follow the presenter, the presenter's Reveal and next step (each to the end of its rerun)
under load against a presenter alone, the server's CPU (idle polling and voting) and memory per
voter, the first load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import st_client  # noqa: E402
from class_load import percentile  # noqa: E402
from st_client import Session, close_all, start_server  # noqa: E402

from ui.common.text import md_token  # noqa: E402
from ui.room import store as room_store  # noqa: E402  (st_client puts the repository on sys.path)

SEED = ["I", "love", "deep", "learning", "</s>"]
WALK = ["I", "love", "deep", "learning", "</s>"]


def settled(read):
    """``read`` (st_client's /proc readers) again when a thread ended while it walked the
    process's tasks: the voters' polls start and end a script thread every few milliseconds."""
    def again(pid: int) -> float:
        for _ in range(20):
            try:
                return read(pid)
            except FileNotFoundError:
                continue
        return read(pid)
    return again


cpu_seconds, rss_mb = settled(st_client.cpu_seconds), settled(st_client.rss_mb)


class Voter(Session):
    """A voter's page (or the presenter's): a session with the front end's fragment timers,
    which the vote page and the presenter's vote count poll with."""

    def on_step(self) -> int:
        """The step this page shows (0: none)."""
        for text in self.texts("markdown"):
            if text.startswith("**Step ") and ".**" in text:
                return int(text[len("**Step "):text.index(".**")])
        return 0


async def until(check, timeout: float) -> float:
    """Seconds until ``check()`` is true (polled every 20 ms); TimeoutError after ``timeout``."""
    t0 = time.perf_counter()
    while not check():
        if time.perf_counter() - t0 > timeout:
            raise asyncio.TimeoutError
        await asyncio.sleep(0.02)
    return time.perf_counter() - t0


async def one_voter(v: Voter, step: int, window: float, change: float, rng: random.Random, ms: list[float],
                    errors: list[str]) -> int:
    """Vote once at a random moment of the window, maybe change it; returns the last choice."""
    await asyncio.sleep(rng.uniform(0, 0.6 * window))
    choice = rng.randrange(len(SEED))
    for attempt in range(2 if rng.random() < change else 1):
        if attempt:
            await asyncio.sleep(rng.uniform(0, 0.3 * window))
            choice = (choice + 1) % len(SEED)
        try:
            ms.append(1000 * await v.click(md_token(SEED[choice]), timeout=30))
        except Exception as e:  # reported as a lost vote below, with its reason
            errors.append(f"{type(e).__name__}: {e}")
    return choice


class Presenter:
    """Step-Through in guess mode with a room open: its Reveal and next step as its browser sends
    them (the step area's reveal event, the step reporter's state)."""

    def __init__(self, url: str) -> None:
        self.session = Voter(url, timers=True)

    async def open(self, timeout: float) -> str:
        """Open the page and a room; the room's code."""
        await self.session.open("step-through?guess=1&rule=greedy", timeout=timeout)
        await self.session.click("📱 Open a room: the class votes from their phones", timeout=timeout)
        links = [n.proto.code_text for n in self.session.elements.values() if n.kind == "code"]
        return next(link.rsplit("room=", 1)[1] for link in links if "vote?room=" in link)

    async def step(self, step: int, last: bool) -> tuple[float, float | None]:
        """Reveal ``step``, then (unless ``last``) move to the next one: seconds of each."""
        reveal = await self.session.send_event("rnn_lab.walk", "reveal", {"t": step, "guess": None}, timeout=60)
        if last:
            return reveal, None
        return reveal, await self.session.set_component_state("rnn_lab.step_reporter", {"step": step + 1},
                                                              timeout=60)

    async def close(self) -> None:
        await self.session.close()


async def presenter_alone(url: str, steps: int, open_timeout: float) -> list[float]:
    """A presenter's Reveal and next step with nobody else on the server (ms, sorted)."""
    presenter, times = Presenter(url), []
    await presenter.open(open_timeout)
    for step in range(1, steps + 1):
        times += [1000 * t for t in await presenter.step(step, step == steps) if t is not None]
    await presenter.close()
    return sorted(times)


async def run(args) -> None:
    server = start_server()
    pid = server.proc.pid
    try:
        warm = Voter(server.url, timers=True)  # app.py's first visitor builds the seed model once per server
        await warm.open("step-through", timeout=args.open_timeout)
        await warm.close()
        presenter = Presenter(server.url)
        code = await presenter.open(args.open_timeout)
        before = rss_mb(pid)
        voters, loads = await open_voters(server.url, f"vote?room={code}", args)
        opened = rss_mb(pid)
        print(f"{args.voters} voters: first load p50 {percentile(sorted(1000 * t for t in loads), 50):.0f} ms, "
              f"p95 {percentile(sorted(1000 * t for t in loads), 95):.0f} ms; server RSS {before:.0f} MB before, "
              f"{opened:.0f} MB with them open ({(opened - before) / args.voters:.2f} MB per voter)")
        await asyncio.sleep(2)
        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        await asyncio.sleep(args.idle)
        idle_cores = (cpu_seconds(pid) - cpu0) / (time.perf_counter() - t0)
        print(f"idle (every page polling once a second): server {idle_cores:.2f} cores, "
              f"{1000 * idle_cores / args.voters:.1f} ms of CPU per voter per second")
        await voting(code, presenter, voters, args, pid)
        await close_all(voters)
        await presenter.close()
        await asyncio.sleep(2)
        alone = await presenter_alone(server.url, args.steps, args.open_timeout)
    finally:
        server.stop()
    print(f"presenter's Reveal and next step alone: p50 {percentile(alone, 50):.0f} ms, "
          f"p95 {percentile(alone, 95):.0f} ms")


async def open_voters(url: str, path: str, args) -> tuple[list[Voter], list[float]]:
    """``--voters`` sessions opening ``path``, ``--open-concurrency`` at a time; the sessions and
    the seconds each first load took."""
    gate = asyncio.Semaphore(args.open_concurrency)

    async def one() -> tuple[Voter, float]:
        async with gate:
            v = Voter(url, timers=True)
            return v, await v.open(path, timeout=args.open_timeout)

    pairs = await asyncio.gather(*(one() for _ in range(args.voters)))
    return [v for v, _ in pairs], [t for _, t in pairs]


async def voting(code: str, presenter: Presenter, voters: list[Voter], args, pid: int) -> None:
    rng = random.Random(7)
    ms, follow, presenting, errors, lost, votes = [], [], [], [], 0, 0
    cpu0, t0 = cpu_seconds(pid), time.perf_counter()
    for step in range(1, args.steps + 1):
        choices = await asyncio.gather(*(one_voter(v, step, args.window, args.change, random.Random(rng.random()),
                                                   ms, errors) for v in voters))
        counted = sum(room_store.tally(code, step).values())
        mine = [room_store.my_vote(code, voter_of(v), step) for v in voters]
        lost += sum(1 for m, c in zip(mine, choices) if m != c)
        votes += len(voters)
        assert counted <= len(voters)
        presenting += [1000 * t for t in await presenter.step(step, step == args.steps) if t is not None]
        if step < args.steps:
            nxt = step + 1
            follow += [1000 * t for t in await asyncio.gather(
                *(until(lambda v=v: v.on_step() == nxt, args.follow_timeout) for v in voters))]
    wall, cpu = time.perf_counter() - t0, cpu_seconds(pid) - cpu0
    ms.sort()
    follow.sort()
    presenting.sort()
    print(f"votes: {len(ms)} clicks ({votes} votes, some changed once): p50 {percentile(ms, 50):.0f} ms, "
          f"p95 {percentile(ms, 95):.0f} ms, max {ms[-1]:.0f} ms")
    print(f"votes lost (store's vote differs from the voter's last choice): {lost} of {votes}; "
          f"click errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"pages following the presenter to the next step: p50 {percentile(follow, 50):.0f} ms, "
          f"p95 {percentile(follow, 95):.0f} ms, max {follow[-1] if follow else float('nan'):.0f} ms "
          f"(poll every {1:g} s)")
    print(f"presenter's Reveal and next step under load: p50 {percentile(presenting, 50):.0f} ms, "
          f"p95 {percentile(presenting, 95):.0f} ms")
    print(f"voting phase: server {cpu / wall:.2f} cores over {wall:.0f} s; {1000 * cpu / wall / len(voters):.1f} ms "
          f"of CPU per voter per second, {1000 * cpu / len(ms):.1f} ms per vote click (polls included)")


def voter_of(v: Voter) -> str:
    """The voter id the page put in its link (``me=``)."""
    return dict(p.split("=", 1) for p in v.query_string.split("&") if "=" in p).get("me", "")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--voters", type=int, default=60)
    ap.add_argument("--steps", type=int, default=4, help="steps voted on (the seed walk has 4)")
    ap.add_argument("--window", type=float, default=10, help="seconds the class has to vote on each step")
    ap.add_argument("--change", type=float, default=0.3, help="share of voters who change their vote once")
    ap.add_argument("--idle", type=float, default=15, help="seconds of polling with nobody voting")
    ap.add_argument("--follow-timeout", type=float, default=30)
    ap.add_argument("--open-timeout", type=float, default=120)
    ap.add_argument("--open-concurrency", type=int, default=6)
    args = ap.parse_args(argv)
    args.steps = max(1, min(args.steps, len(WALK) - 1))
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("RNN_LAB_DATA", tempfile.mkdtemp(prefix="vote-load-"))  # the server's and ours
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
