"""Generate page in a real browser: samples, the step charts, and the CSV export."""

import io

import pandas as pd
import pytest

pytestmark = pytest.mark.browser


def greedy_heading(app):
    """The samples' heading once the greedy run has been drawn ("10 samples · greedy")."""
    return app.pg.get_by_role("heading", name="10 samples · greedy")


def test_generate_draws_samples_and_every_chart(app, expect):
    app.open("/generate")
    app.assert_healthy()
    expect(app.pg.get_by_role("heading", name="Generate", exact=True)).to_be_visible()
    # y_t, h beside h_{t-1}, the temperature explorer, distributions heatmap, h heatmap
    app.wait_for_charts(5)
    expect(app.charts()).to_have_count(5)
    expect(app.pg.get_by_test_id("stMetric").filter(has_text="Distinct texts")).to_contain_text("of 10")
    assert app.pg.get_by_test_id("stDataFrame").count() >= 1


def test_greedy_samples_are_all_the_seed_sentence(app, expect):
    app.open("/generate")
    app.click(app.pg.get_by_test_id("stRadio").get_by_text("greedy", exact=True), until=greedy_heading(app))
    app.assert_healthy()
    expect(app.pg.get_by_test_id("stMetric").filter(has_text="Distinct texts")).to_contain_text("1 of 10")
    expect(app.pg.get_by_test_id("stMetric").filter(has_text="reproduced")).to_contain_text("10 of 10")


def test_csv_download_has_one_row_per_step(app, expect, tmp_path):
    app.open("/generate")
    app.click(app.pg.get_by_test_id("stRadio").get_by_text("greedy", exact=True), until=greedy_heading(app))
    with app.pg.expect_download() as info:
        app.button("Download trace (CSV)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    table = pd.read_csv(io.StringIO(path.read_text(encoding="utf-8")))
    # greedy from "I": I -> love -> deep -> learning -> </s>, one row per token fed in
    assert len(table) == 4
