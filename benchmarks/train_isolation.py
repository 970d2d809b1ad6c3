"""Does a long training run in one session slow the other sessions down?

    .venv/bin/python benchmarks/train_isolation.py [--walks N] [--trainers K] [--steps S] [--repo PATH]

Starts `streamlit run app.py`, then in headless chromium (one context = one session):
1. an idle session walks the seed sentence on Step-Through with `Next`, N walks: the baseline;
2. K other sessions start a long char-level run on the Train page (the built-in counting corpus,
   its suggested H, S steps: by default 1,000,000, rnn_core's most; give the page before the
   worker, whose most was 100,000, --steps 100000), still training when the walks end;
3. the idle session walks again while they train.
The training sessions' chromium runs at the lowest CPU priority (nice 19): in a class their
browsers draw the live charts on the students' own machines, not on the server's cores.
Prints, alone and during training, the median and p95 of each Next click's
- server time: from the browser sending the rerun request to it receiving the rerun's last
  message (`script_finished`), both timestamps taken by chromium's network layer (DevTools
  protocol), so neither the drawing of the charts nor Playwright's own delays count;
- browser time: from the click to the end of the rerun as the page saw it (as
  benchmarks/ui_latency.py measures it), which includes chromium drawing three Plotly charts.

--repo runs another checkout of the app, e.g. the commit before training moved into a worker
process, exported with `git archive <commit> | tar -x -C /tmp/before`: the same clicks, before
and after. A benchmark, not a test: nothing here asserts a time, and on a shared machine the
figures swing with the load.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import conftest  # noqa: E402
from conftest import CHROMIUM_ARGS, AppPage, StreamlitServer, new_page  # noqa: E402
from train_gil import summary  # noqa: E402

CORPUS = re.compile(r"^known answer: counting")
LIVE = re.compile(r"^step [1-9][\d,]* / [\d,]+")  # the live progress text, with or without commas
WAITING = re.compile(r"^Waiting for a free training slot")  # more runs than the server trains at once


def start_training(browser, url: str, n_steps: int):
    """A session on the Train page training the counting corpus for n_steps steps; returns its page."""
    from playwright.sync_api import expect

    pg = new_page(browser)
    app = AppPage(pg, url).open("/train")
    app.choose("Built-in corpus", CORPUS,
               until=pg.get_by_text(re.compile(r"^Counting: each word is one letter longer")))
    steps = pg.get_by_label("steps", exact=True)
    steps.fill(str(n_steps))
    steps.press("Enter")
    app.settle(lambda: expect(steps).to_have_value(str(n_steps)))
    app.button("▶ Train").click()
    expect(pg.get_by_text(LIVE).or_(pg.get_by_text(WAITING))).to_be_visible(timeout=120_000)
    return pg


class Frames:
    """Chromium's own timestamps of the websocket messages a page sends and receives."""

    def __init__(self, pg):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.sent, self.finished = [], []
        cdp = pg.context.new_cdp_session(pg)
        cdp.send("Network.enable")

        def kind(event, message) -> str:
            data = event["response"]["payloadData"]
            if event["response"]["opcode"] != 2:
                return ""
            message.ParseFromString(base64.b64decode(data))
            return message.WhichOneof("type") or ""

        cdp.on("Network.webSocketFrameSent", lambda e: kind(e, BackMsg()) == "rerun_script"
               and self.sent.append(e["timestamp"]))
        cdp.on("Network.webSocketFrameReceived", lambda e: kind(e, ForwardMsg()) == "script_finished"
               and self.finished.append(e["timestamp"]))

    def since(self, i: int) -> float | None:
        """ms from the i-th rerun request to the first script_finished after it (None: not yet seen)."""
        if len(self.sent) <= i:
            return None
        done = [f for f in self.finished if f > self.sent[i]]
        return 1000 * (min(done) - self.sent[i]) if done else None


def walks(browser, url: str, n: int) -> tuple[list[float], list[float]]:
    """(server times, browser times) of every Next click of n walks through the seed sentence."""
    pg = new_page(browser)
    try:
        app = AppPage(pg, url).open("/step-through")
        frames, server_ms, browser_ms = Frames(pg), [], []
        for walk in range(n):
            if walk:
                app.click(app.button("Reset"), until=pg.get_by_role("heading", name=re.compile(r"^Step 1: feed")))
            step = 1
            while app.button("Next ▶").is_enabled():
                step += 1
                first = len(frames.sent)
                pg.evaluate("window.__t0 = performance.now()")
                app.click(app.button("Next ▶"),
                          until=pg.get_by_role("heading", name=re.compile(rf"^Step {step}: feed")))
                browser_ms.append(pg.evaluate("window.__stChanged - window.__t0"))
                while frames.since(first) is None:  # the DevTools events may arrive a moment later
                    pg.wait_for_timeout(20)
                server_ms.append(frames.since(first))
        return server_ms, browser_ms
    finally:
        pg.context.close()


def live_text(pg) -> str:
    """The training session's progress line, or what its page says instead."""
    live = pg.get_by_text(LIVE).or_(pg.get_by_text(WAITING))
    if live.count():
        return live.first.inner_text()
    return "not training: " + pg.get_by_test_id("stMain").inner_text()[:300]


def niced_chromium(folder: str) -> str:
    """A launcher that starts Debian's chromium at nice 19."""
    path = os.path.join(folder, "chromium-nice")
    with open(path, "w") as f:
        f.write(f'#!/bin/sh\nexec nice -n 19 {shutil.which("chromium")} "$@"\n')
    os.chmod(path, 0o755)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--walks", type=int, default=5)
    ap.add_argument("--trainers", type=int, default=1)
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--repo", type=Path, default=conftest.REPO)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    conftest.REPO = args.repo.resolve()  # the server runs this checkout's app.py
    server = StreamlitServer().start()
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            students = p.chromium.launch(executable_path=niced_chromium(tmp), args=CHROMIUM_ARGS)
            walks(browser, server.url, 1)  # warm up: the first visitor trains the seed model
            alone = walks(browser, server.url, args.walks)
            trainers = [start_training(students, server.url, args.steps) for _ in range(args.trainers)]
            started = [live_text(pg) for pg in trainers]
            during = walks(browser, server.url, args.walks)
            ended = [live_text(pg) for pg in trainers]
            browser.close()
            students.close()
    finally:
        server.stop()
    print(f"app: {args.repo}")
    for name, (server_ms, browser_ms) in (("idle server", alone), (f"{args.trainers} session(s) training", during)):
        print(f"Step-Through Next, {name}: server {summary(server_ms)}; browser {summary(browser_ms)}")
    for before, after in zip(started, ended):
        print(f"  a training session: {before!r} when the walks began, {after!r} when they ended")


if __name__ == "__main__":
    main()
