"""Serving a class from several processes: deploy/start.sh starts two `streamlit run` replicas
behind HAProxy; each browser sticks to one replica, so its uploads and its websocket reach the
process that holds its session, and its model follows it from page to page."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

import rnn_core as rc
from conftest import ARTIFACTS, REPO, AppPage, free_port, unavailable
from test_browser_train import card, upload_model

pytestmark = pytest.mark.browser

START_TIMEOUT = 90  # two replicas and the proxy on a busy 2-core machine


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
        self.haproxy = haproxy
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Deployment":
        self.run_dir.mkdir(parents=True, exist_ok=True)
        cmd = ["bash", "deploy/start.sh", "--replicas", str(self.replicas), "--port", str(self.port),
               "--address", "127.0.0.1", "--first-port", str(self.first_port), "--run-dir", str(self.run_dir)]
        env = {**os.environ, "PYTHON": sys.executable, "HAPROXY": self.haproxy}
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
