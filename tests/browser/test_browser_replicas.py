"""Serving a class from several processes: deploy/start.sh starts two `streamlit run` replicas
behind HAProxy; each browser sticks to one replica, so its uploads and its websocket reach the
process that holds its session, and its model follows it from page to page. Every replica opens
the models of the shared model store by their link, so a visitor whose replica dies keeps their
model on another one, and the dead replica is started again. A room's votes reach the presenter
from phones on either replica. Each deployment has its own data folder."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import ARTIFACTS, REPO, AppPage, free_port, new_page, unavailable
from step_helpers import sized_app
from test_browser_train import card, upload_model
from test_browser_vote import PHONE, open_room, vote, wait_for_step

import rnn_core as rc

pytestmark = pytest.mark.browser

START_TIMEOUT = 90  # two replicas and the proxy on a busy 2-core machine
LINKED = re.compile(r"[?&]model=[0-9a-f]{32}(&|$)")


def haproxy_path() -> str:
    path = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.access(path, os.X_OK):
        unavailable("HAProxy is not installed (apt-get install -y haproxy)")
    return path


def free_port_run(n: int) -> int:
    """A port P such that P .. P + n - 1 are all free (the replicas' ports)."""
    for _ in range(50):
        port = free_port()
        if all(bindable(port + i) for i in range(1, n)):
            return port
    raise RuntimeError(f"no {n} consecutive free ports")


def bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Deployment:
    """deploy/start.sh with ``replicas`` replicas on free loopback ports; its generated config
    and logs in ``run_dir``. (benchmarks/class_load.py --replicas starts it too.)"""

    def __init__(self, haproxy: str, run_dir, replicas: int = 2) -> None:
        self.port, self.first_port, self.replicas = free_port(), free_port_run(replicas), replicas
        self.url = f"http://127.0.0.1:{self.port}"
        self.run_dir = run_dir
        self.data = run_dir / "data"  # the replicas' shared data folder (RNN_LAB_DATA)
        self.haproxy = haproxy
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Deployment":
        self.run_dir.mkdir(parents=True, exist_ok=True)
        cmd = ["bash", "deploy/start.sh", "--replicas", str(self.replicas), "--port", str(self.port),
               "--address", "127.0.0.1", "--first-port", str(self.first_port), "--run-dir", str(self.run_dir)]
        env = {**os.environ, "PYTHON": sys.executable, "HAPROXY": self.haproxy, "RNN_LAB_DATA": str(self.data)}
        with open(self.run_dir / "start.log", "wb") as log:
            # its own process group: stop() ends the script and every process it started
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while b"ready: " not in (self.run_dir / "start.log").read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"deploy/start.sh did not get ready:\n{self.logs()}")
            time.sleep(0.3)
        return self

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}"
                         for p in sorted(self.run_dir.glob("*.log")))

    def keep_logs(self) -> None:
        """Copy the logs to tests/browser/artifacts/ (flat files: the browser fixture empties it)."""
        for p in self.run_dir.glob("*.log"):
            shutil.copy(p, ARTIFACTS / f"deploy-{self.port}-{p.name}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def deployment(browser, request, tmp_path_factory):
    d = Deployment(haproxy_path(), tmp_path_factory.mktemp("deploy")).start()
    yield d
    d.stop()
    if getattr(request.node, "call_failed", False):
        d.keep_logs()


def replica(app: AppPage) -> str:
    """The replica HAProxy pinned this browser context to (its SERVERID cookie)."""
    cookies = {c["name"]: c["value"] for c in app.pg.context.cookies(app.base_url)}
    return cookies.get("SERVERID", "")


def model_file(tmp_path, name: str):
    path = tmp_path / f"{name}.npz"
    corpus = rc.make_corpus("one two three", "word", name=name)
    rc.save(rc.new_model(corpus, rc.TrainConfig(hidden_size=2, embed_dim=2, steps=0)), str(path))
    return path


def test_each_browser_keeps_its_replica_and_its_model(deployment, page, second_page, tmp_path):
    apps = {"replica-a": AppPage(page, deployment.url), "replica-b": AppPage(second_page, deployment.url)}
    for name, app in apps.items():  # one after the other: the second finds one websocket on the first's replica
        path = model_file(tmp_path, name)
        upload_model(app, path, until=app.pg.get_by_text(f"Loaded {path.name}"))
    served = {name: replica(app) for name, app in apps.items()}
    assert sorted(served.values()) == ["r1", "r2"], served

    for name, app in apps.items():
        app.click(app.pg.get_by_test_id("stSidebarNavLink").filter(has_text="Home"),
                  until=app.pg.get_by_role("heading", name="RNN Autoregression Lab"))
        app.assert_healthy()
        text = card(app)
        other = next(n for n in apps if n != name)
        assert name in text and other not in text, text
        assert replica(app) == served[name]


def test_both_replicas_serve_the_same_stored_model(deployment, page, browser, tmp_path, expect):
    """A model uploaded through the proxy (so stored by one replica) opens by its link on each
    replica, each asked directly on its own port."""
    app = AppPage(page, deployment.url)
    path = model_file(tmp_path, "shared")
    upload_model(app, path, until=app.pg.get_by_text(f"Loaded {path.name}"))
    expect(app.pg).to_have_url(LINKED)
    key = linked_id(app)
    for i in range(deployment.replicas):
        direct = AppPage(new_page(browser), f"http://127.0.0.1:{deployment.first_port + i}")
        try:
            direct.open(f"/generate?model={key}")
            direct.assert_healthy()
            assert "shared" in card(direct), (i, card(direct))
        finally:
            direct.pg.context.close()


def test_a_killed_replica_comes_back_and_its_visitor_keeps_the_model(deployment, page, browser, tmp_path, expect):
    """kill -9 of the replica holding a session: the tab reconnects through the proxy to a live
    replica and reruns there by itself, and the new session opens the model the tab's link names;
    the supervisor in deploy/start.sh starts the killed replica again, and it serves the model too."""
    app = AppPage(page, deployment.url)
    path = model_file(tmp_path, "survivor")
    loaded = app.pg.get_by_text(f"Loaded {path.name}")
    upload_model(app, path, until=loaded)
    expect(app.pg).to_have_url(LINKED)
    key, name = linked_id(app), replica(app)
    killed = replica_pid(deployment, name)
    os.kill(killed, signal.SIGKILL)

    # the upload's notice lived in the dead process's session only: once it is gone, a new
    # session has drawn the page, with no click from the visitor
    expect(loaded).to_have_count(0, timeout=90_000)
    app.wait()
    app.assert_healthy()
    for _ in range(2):  # as drawn by the new session, and after a sidebar link (which sends no query)
        text = card(app)
        assert "survivor" in text and "I love deep learning" not in text, text
        assert linked_id(app) == key
        nav_home(app)

    port = deployment.first_port + int(name[1:]) - 1
    deadline = time.monotonic() + START_TIMEOUT
    while replica_pid(deployment, name) == killed or not healthy(port):  # a guard against hanging, not a timing
        assert time.monotonic() < deadline, f"replica {name} did not come back:\n{deployment.logs()}"
        time.sleep(0.5)
    back = AppPage(new_page(browser), f"http://127.0.0.1:{port}")
    try:
        back.open(f"/?model={key}")
        back.assert_healthy()
        assert "survivor" in card(back), card(back)
    finally:
        back.pg.context.close()

    # TERM to the script alone (as a service manager sends it) stops all it started, restarts included
    replicas = [replica_pid(deployment, f"r{i + 1}") for i in range(deployment.replicas)]
    deployment.proc.send_signal(signal.SIGTERM)
    assert deployment.proc.wait(timeout=60) == 143
    assert not [pid for pid in replicas if running(pid)]
    assert not [p for p in range(deployment.first_port, deployment.first_port + deployment.replicas) if healthy(p)]
    assert not healthy(deployment.port)


def test_phones_on_either_replica_vote_in_the_presenters_room(deployment, browser, expect):
    """The presenter's Step-Through (guess mode) opens a room through the proxy; phones arriving
    through the proxy are spread over both replicas, and every vote counts on the presenter's."""
    with ExitStack() as stack:
        desk = stack.enter_context(sized_app(browser, deployment.url, 1280, 720, "presenter"))
        code = open_room(desk, "/step-through?guess=1&rule=greedy")
        phones = []
        for i, token in enumerate(("love", "deep", "love", "learning")):
            app = stack.enter_context(sized_app(browser, deployment.url, *PHONE, f"student-{i}"))
            app.open(f"/vote?room={code}")
            wait_for_step(expect, app, "I")
            vote(app, expect, token)
            phones.append(app)
        assert {replica(app) for app in (desk, *phones)} == {"r1", "r2"}
        expect(desk.pg.locator(".st-key-step_votes")).to_contain_text("4 votes for step 1")
        desk.pg.locator(".rw-guess-button", has_text=re.compile("^love$")).click()
        desk.pg.keyboard.press("PageDown")  # the reveal
        expect(desk.pg.locator(".rw-class")).to_contain_text("the pick “love”: 2")
        for app in phones:
            expect(app.pg.get_by_text("Revealed: the pick was “love”")).to_be_visible()


def running(pid: int) -> bool:
    """Is the process still there (an exited child that nobody reaped yet does not count)?"""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


def nav_home(app: AppPage) -> None:
    app.click(app.pg.get_by_test_id("stSidebarNavLink").filter(has_text="Home"),
              until=app.pg.get_by_role("heading", name="RNN Autoregression Lab"))
    app.assert_healthy()


def linked_id(app: AppPage) -> str:
    return parse_qs(urlparse(app.pg.url).query)["model"][0]


def replica_pid(deployment: Deployment, name: str) -> int:
    """The PID of replica ``name`` as its supervisor wrote it (it changes with every restart)."""
    return int((deployment.run_dir / f"replica-{name}.pid").read_text())


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False
