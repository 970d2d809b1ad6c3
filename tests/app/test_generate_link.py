"""Generate's link keys: an empty or unknown value falls back with a warning instead of taking
the page down, and however many bad entries a link holds, they make one warning."""

from __future__ import annotations

import pytest

from tests.app.conftest import open_app_page, shown
from ui.generate import keys as generate_keys
from ui.generate.link import SHOWN, checked_values, warning_text

PAGE = "pages/generate.py"
VIEWS = ("Samples", "Inside one sample", "Rules side by side", "Draws vs theory", "Influence", "Tree", "Beam")


def subheaders(at) -> list[str]:
    return [shown(h.value) for h in at.subheader]


@pytest.mark.parametrize("value", ["", "Bogus", " Tree", "tree"])
def test_an_empty_or_unknown_view_shows_the_samples_with_one_warning(value):
    at = open_app_page(PAGE, query={"view": value})
    (warning,) = [shown(w.value) for w in at.warning]
    assert f"view={value!r}" in warning and "Samples, Inside one sample" in warning and "; showing Samples)" in warning
    assert at.segmented_control(key=generate_keys.VIEW).value == "Samples"
    assert any("samples" in h for h in subheaders(at))  # the Samples view was drawn
    assert "view" not in at.query_params


def test_a_good_view_in_the_link_opens_it_without_a_warning():
    at = open_app_page(PAGE, query={"view": "Tree"})
    assert not at.warning and at.segmented_control(key=generate_keys.VIEW).value == "Tree"


def test_481_bad_entries_give_one_warning_listing_the_first_few_and_the_count_and_a_good_one_wins():
    values = [f"{k}:love" for k in range(2, 482)] + ["Beam", ""]
    at = open_app_page(PAGE, query={"view": values})
    (warning,) = [shown(w.value) for w in at.warning]
    assert "481 entries" in warning and "view='2:love', view='3:love', view='4:love' and 478 more" in warning
    assert "; showing Beam)" in warning and len(warning) < 400
    assert at.segmented_control(key=generate_keys.VIEW).value == "Beam"
    assert at.query_params["view"] == "Beam"


def test_the_warning_goes_once_the_link_is_fixed_and_the_chosen_view_goes_into_the_link():
    at = open_app_page(PAGE, query={"view": ""})
    assert len(at.warning) == 1
    at.segmented_control(key=generate_keys.VIEW).set_value("Tree").run()
    assert not at.exception and not at.warning
    assert at.query_params["view"] == "Tree" and at.segmented_control(key=generate_keys.VIEW).value == "Tree"
    at.run()
    assert at.segmented_control(key=generate_keys.VIEW).value == "Tree"


def test_checked_values_keep_the_first_allowed_value_and_drop_the_rest():
    assert checked_values(["x", "Tree", "Beam", "Tree"], VIEWS) == ("Tree", ["x", "Beam"])
    assert checked_values(["", "y"], VIEWS) == (None, ["", "y"])
    assert checked_values(["Tree"], VIEWS) == ("Tree", [])


def test_the_warning_cuts_long_values_and_lists_at_most_a_few():
    dropped = [("view", "x" * 5000)] * (SHOWN + 2)
    text = warning_text(dropped, {"view": VIEWS}, {"view": "Samples"})
    assert text.count("view='" + "x" * 30 + "'…") == SHOWN and "and 2 more" in text and len(text) < 400
