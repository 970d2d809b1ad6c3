"""Every page opens in a real browser; deep links work as the first request of a fresh server."""

import re

import pytest

pytestmark = pytest.mark.browser

NAV = ["Home", "Step-Through", "Generate", "Train"]  # the order a class walks them
PAGES = {"/": "RNN Autoregression Lab", "/train": "Train", "/step-through": "Step-Through",
         "/generate": "Generate"}


def on_path(app, path):
    """The page's URL; Step-Through adds its settings as a query string."""
    return re.compile(re.escape(app.base_url + path) + r"(\?.*)?$")


def test_home_explains_the_idea_and_links_every_page(app, expect):
    app.open("/")
    app.assert_healthy()
    expect(app.pg.get_by_role("heading", name="RNN Autoregression Lab")).to_be_visible()
    expect(app.pg.get_by_text("fed back as the input").first).to_be_visible()
    assert app.nav_titles() == NAV
    # the three equations of the seed, rendered by KaTeX
    expect(app.pg.locator(".katex-display")).to_have_count(3)
    for name in ["Step-Through", "Generate", "Train"]:
        expect(app.pg.get_by_test_id("stPageLink").get_by_text(name, exact=True)).to_be_visible()


def test_sidebar_links_navigate_to_stable_urls(app, expect):
    app.open("/")
    for title, path in [("Train", "/train"), ("Step-Through", "/step-through"), ("Generate", "/generate")]:
        app.click(app.pg.get_by_test_id("stSidebarNavLink").filter(has_text=title),
                  until=lambda: (expect(app.pg).to_have_url(on_path(app, path)),
                                 expect(app.pg.locator('[data-testid="stMain"] h1').first)
                                 .to_contain_text(PAGES[path])))
        app.assert_healthy()


def test_every_page_shows_the_model_card(app, expect):
    for path in PAGES:
        app.open(path)
        app.assert_healthy()
        assert app.nav_titles() == NAV
        assert "Current model" in app.sidebar_text()


@pytest.mark.parametrize("path", ["/step-through", "/train", "/generate"])
def test_deep_link_is_a_fresh_servers_first_request(fresh_app, expect, path):
    """streamlit#10276: a pages/ folder puts a fresh server in v1 mode; the first visitor of a deep
    link must still get this page, the app's navigation and the sidebar card."""
    fresh_app.open(path)
    fresh_app.assert_healthy()
    expect(fresh_app.pg).to_have_url(on_path(fresh_app, path))
    assert fresh_app.nav_titles() == NAV
    assert "Current model" in fresh_app.sidebar_text()
    active = fresh_app.pg.locator('[data-testid="stSidebarNavLink"][aria-current="page"]')
    expect(active).to_contain_text(PAGES[path])
