"""Every detail true and readable, on the page as AppTest sees it: the beam's table prints no
missing value, its tree's labels sit above its lines, and the charts of the beam, the rule
panels, the influence matrix and the intervention title every axis and colour bar and typeset
their titles."""

import json

import pytest

import rnn_core as rc
from rnn_core.corpora import BUILTINS, builtin_corpus
from tests.app.conftest import open_app_page
from ui.generate import beam_view
from ui.generate import keys as generate_keys
from ui.step import looks


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def axis_title(layout: dict, axis: str) -> str:
    title = layout.get(axis, {}).get("title", {})
    return title.get("text", "") if isinstance(title, dict) else str(title)


def generate_view(view: str, model: rc.Model | None = None):
    at = open_app_page("pages/generate.py", model)
    at.segmented_control(key=generate_keys.VIEW).set_value(view).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def like_love() -> rc.Model:
    corpus = builtin_corpus(beam_view.BEAM_EXAMPLE)
    model = rc.new_model(corpus, BUILTINS[beam_view.BEAM_EXAMPLE].config())
    return rc.train(model, corpus, model.config)[0]


def test_the_beam_table_prints_no_none_and_marks_greedy_as_not_ranked(like_love):
    at = generate_view("Beam", like_love)
    at.number_input(key="gen_beam_width").set_value(2).run()
    table = at.dataframe[0].value
    assert not table.isna().any().any()
    assert "None" not in table.astype(str).to_string()
    scores = table["score"].tolist()
    assert scores[-1] == "—" and table["found by"].tolist()[-1] == "greedy"
    assert scores[:-1] == [f"{log_p:.4f}" for log_p in table["log p"][:-1]]  # not length-normalised: score = log p


def test_the_beam_tree_titles_its_axes_and_draws_its_labels_on_boxes_over_its_lines(like_love):
    at = generate_view("Beam", like_love)
    (fig,) = charts(at)
    layout = fig["layout"]
    assert axis_title(layout, "xaxis").startswith("generated token")
    assert axis_title(layout, "yaxis").startswith("hypotheses")
    nodes, notes = fig["data"][-1], layout["annotations"]
    assert [d["mode"] for d in fig["data"]] == ["lines"] * (len(fig["data"]) - 1) + ["markers"]
    assert len(notes) == len(nodes["x"]) and all(a["bgcolor"] == beam_view.LABEL_BACKGROUND for a in notes)


def test_the_rule_panels_title_both_axes():
    at = generate_view("Rules side by side")
    (fig,) = charts(at)
    layout = fig["layout"]
    xs = [k for k in layout if k.startswith("xaxis")]
    assert len(xs) == 6 and all(axis_title(layout, k) == "next token" for k in xs)
    assert axis_title(layout, "yaxis") == "q (renormalised)" and axis_title(layout, "yaxis4") == "q (renormalised)"


def test_the_influence_matrix_is_typeset_and_its_colour_bar_titled():
    at = generate_view("Influence")
    heat = next(spec for spec in charts(at) if spec["data"][0]["type"] == "heatmap")
    title = heat["layout"]["title"]["text"]
    assert title.startswith("‖∂ log y<sub>t</sub>[w<sub>t</sub>] / ∂x<sub>s</sub>‖") and "y_t" not in title
    assert heat["data"][0]["colorbar"]["title"]["text"] == "log<sub>10</sub> norm"
    assert axis_title(heat["layout"], "xaxis") and axis_title(heat["layout"], "yaxis")


def test_the_intervention_charts_title_both_axes():
    at = open_app_page("pages/step-through.py", query={"step": "2"})
    at.segmented_control(key=looks.LOOK).set_value("Intervene").run()
    assert not at.exception, at.exception
    edited = [spec for spec in charts(at) if spec["layout"]["title"]["text"].startswith(("as walked", "with "))]
    assert len(edited) == 2
    for spec in edited:
        assert axis_title(spec["layout"], "xaxis") == "next token"
        assert axis_title(spec["layout"], "yaxis") == "probability"
