"""Real-browser fixtures: `streamlit run app.py` on a free loopback port, driven by Playwright in
Debian's headless chromium.

Skip rule: without chromium or playwright a browser test is skipped with the reason, except in CI
(`CI=true`), where it fails: CI must never pass with the browser tests silently skipped.
Waiting follows Streamlit's own e2e suite: connected, script not running, no skeleton.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WIDTH, HEIGHT = 1400, 900
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Notes when the app's script state last changed, so ``AppPage.wait`` can tell a finished run from
# a pause between two runs (st.rerun chains runs). It does not count runs: the front end may apply
# "running" and "notRunning" in one render, and then no mutation is seen at all. A click waits for
# the content it is expected to produce instead (``AppPage.click``'s ``until``).
STATE_WATCH_JS = """
window.__stChanged = performance.now();
new MutationObserver(() => { window.__stChanged = performance.now(); })
  .observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""
SETTLED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"]')
    && performance.now() - window.__stChanged > %d;
}"""
SETTLE_MS = 250  # no script-state change for this long: the run is over, not between two runs
TIMEOUT_MS = 60_000  # generous: CI has 2 cores and the first visit trains the seed model
EXPECT_MS = 30_000


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip outside CI; fail in CI (never a silently skipped browser test there)."""
    if in_ci():
        pytest.fail(f"browser test cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        unavailable("Debian's chromium is not installed (apt-get install -y chromium)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """One `streamlit run app.py` process (or of another ``script``) on a free loopback port, run
    from the repository's root, so with its .streamlit/config.toml."""

    def __init__(self, script: str = "app.py") -> None:
        self.script = script
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = ARTIFACTS / f"streamlit-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> "StreamlitServer":
        ARTIFACTS.mkdir(exist_ok=True)
        cmd = [
            sys.executable, "-m", "streamlit", "run", self.script,
            "--server.headless", "true",
            "--server.address", "127.0.0.1",
            "--server.port", str(self.port),
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit not healthy after {timeout}s; see {self.log}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium under Playwright, shared by the whole run."""
    path = chromium_path()
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -r requirements-browser.txt)")
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("*"):  # only this run's failures and server logs stay
        old.unlink()
    # expect() waits this long for content (5 s by default): a 2-core CI machine draws slowly
    expect.set_options(timeout=EXPECT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server(browser):
    """One app server for the tests that do not care which session came first."""
    s = StreamlitServer().start()
    yield s
    s.stop()


@pytest.fixture
def fresh_server(browser):
    """A new server process: the first request it gets is the test's own (deep links)."""
    s = StreamlitServer().start()
    yield s
    s.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


def new_page(browser):
    """A page in its own browser context (its own Streamlit session), 1400 px wide."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, accept_downloads=True)
    context.add_init_script(STATE_WATCH_JS)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


@pytest.fixture
def page(browser, request):
    """A fresh page; on failure its screenshot goes to tests/browser/artifacts/."""
    pg = new_page(browser)
    yield pg
    if getattr(request.node, "call_failed", False):
        shoot_failure(pg, request.node.name)
    pg.context.close()


@pytest.fixture
def second_page(browser, request):
    """Another context, for session-isolation tests."""
    pg = new_page(browser)
    yield pg
    if getattr(request.node, "call_failed", False):
        shoot_failure(pg, request.node.name + "-second")
    pg.context.close()


def shoot_failure(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    except Exception as e:  # the page may be what broke; the test's own error is the one to see
        print(f"failure screenshot of {name} not taken: {e}")


class AppPage:
    """A Playwright page on the app, with Streamlit-aware waiting."""

    def __init__(self, pg, base_url: str) -> None:
        self.pg = pg
        self.base_url = base_url

    def open(self, path: str = "/") -> "AppPage":
        """Load ``path`` and wait until its page has drawn its title and the app has settled.
        Every page starts with ``st.title``, and a freshly loaded document holds nothing stale."""
        self.pg.goto(self.base_url + path)
        self.settle(self.pg.locator('[data-testid="stMain"] h1').first)
        return self

    def wait(self, timeout: float = TIMEOUT_MS) -> None:
        """Wait like Streamlit's e2e suite (connected, script not running, no skeleton), and for
        the script state to have stayed put for SETTLE_MS."""
        pg = self.pg
        pg.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]',
                             state="attached", timeout=timeout)
        pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                             state="attached", timeout=timeout)
        pg.wait_for_function(SETTLED_JS % SETTLE_MS, timeout=timeout, polling=50)

    def settle(self, until, timeout: float = TIMEOUT_MS) -> None:
        """Wait for the content a run is expected to produce, then for the app to settle.

        ``until``: a Locator that must become visible, or a callable that blocks until the
        content is there (e.g. ``lambda: expect(heading).to_have_text("Step 2: ...")``). Content
        that only the new run draws is proof the run happened, whatever the script-state
        attribute showed in between."""
        if callable(until):
            until()
        else:
            until.wait_for(state="visible", timeout=timeout)
        self.wait(timeout)

    def click(self, locator, until, timeout: float = TIMEOUT_MS) -> None:
        """Click and wait for ``until`` (see ``settle``): what the click's rerun must draw."""
        locator.click()
        self.settle(until, timeout)

    def button(self, name: str, exact: bool = True):
        return self.pg.get_by_role("button", name=name, exact=exact)

    def choose(self, label: str, option: re.Pattern, until=None, tries: int = 3) -> None:
        """Pick the first option matching ``option`` in the select box labelled ``label``.

        With ``until`` (see ``settle``) wait for what the choice's rerun draws. Without it, only
        the option is clicked; a later ``click(..., until=...)`` then waits for both reruns
        (Streamlit sends the box's value with the click). A redraw elsewhere on the page can close
        a just-opened list: try again."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        box = self.pg.get_by_test_id("stSelectbox").filter(has=self.pg.get_by_text(label, exact=True))
        wanted = self.pg.get_by_role("option").filter(has_text=option)
        for attempt in range(tries):
            box.get_by_role("combobox").click()
            try:
                wanted.wait_for(state="visible", timeout=5_000)
                wanted.first.click()
                break
            except PlaywrightTimeout:
                if attempt == tries - 1:
                    raise
        if until is not None:
            self.settle(until)

    def charts(self):
        return self.pg.get_by_test_id("stPlotlyChart")

    def wait_for_charts(self, n: int, timeout: float = TIMEOUT_MS) -> None:
        """At least ``n`` Plotly charts drawn (an SVG inside each, not just the container)."""
        self.pg.wait_for_function(
            f"document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg').length >= {n}",
            timeout=timeout,
        )

    def assert_healthy(self) -> None:
        """No Python exception box and no "Page not found" dialog."""
        from playwright.sync_api import expect

        expect(self.pg.get_by_test_id("stException")).to_have_count(0)
        expect(self.pg.get_by_text("Page not found")).to_have_count(0)

    def nav_titles(self) -> list[str]:
        links = self.pg.get_by_test_id("stSidebarNavLink").all_inner_texts()
        return [t.strip().splitlines()[-1].strip() for t in links]  # drop the icon line

    def sidebar_text(self) -> str:
        return self.pg.get_by_test_id("stSidebar").inner_text()


@pytest.fixture
def expect(browser):
    """Playwright's ``expect`` (imported here, so a missing playwright skips or fails like the rest)."""
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def app(page, server):
    return AppPage(page, server.url)


@pytest.fixture
def second_app(second_page, server):
    return AppPage(second_page, server.url)


@pytest.fixture
def fresh_app(page, fresh_server):
    """The app on a server process nobody has visited yet."""
    return AppPage(page, fresh_server.url)
