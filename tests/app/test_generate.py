"""The Generate page under AppTest: each rule shows exactly what ``rnn_core.generate`` gives with
the same seed and sample index; bad prompts give st.error; the step slider drives the charts."""

import base64
import html
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import rnn_core as rc
from tests.app.conftest import open_app_page, shown
from rnn_core.corpora import builtin_corpus
from ui.state import seed_model_bytes



def open_page(model: rc.Model | None = None) -> AppTest:
    """The Generate page, for the seed model or for ``model`` put in the session first."""
    return open_app_page("pages/generate.py", model)


def widget(elements, label):
    (found,) = [e for e in elements if e.label == label]
    return found


def shown_texts(at: AppTest, level: str = "word") -> list[str]:
    """The texts of the main sample list, read back from its coloured HTML."""
    block = next(m.value for m in at.markdown if 'class="n">#1<' in m.value)
    texts = []
    for div in block.split('<div class="gen-text">')[2:]:  # [0] is the CSS, [1] the colour key
        tokens = re.findall(r'<span class="(?:pr|p\d)"[^>]*>(.*?)</span>', div)
        texts.append(("" if level == "char" else " ").join(html.unescape(t) for t in tokens))
    return texts


def y_of(spec: dict, trace: int = 0) -> np.ndarray:
    """The y values of a Plotly trace in a chart's JSON (plain list or base64 typed array)."""
    y = spec["data"][trace]["y"]
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
    return np.array(y, dtype=float)


def seed_model() -> rc.Model:
    return rc.from_bytes(seed_model_bytes())


RULES = {
    "greedy": ("greedy", {}),
    "sample T=1.5": ("sample", {"gen_temperature": 1.5}),
    "top-k 2 at T=2": ("sample", {"gen_temperature": 2.0, "gen_top_k": 2}),
    "top-p 0.7": ("sample", {"gen_top_p": 0.7}),
}


@pytest.mark.parametrize("name", list(RULES))
def test_each_rule_shows_what_rnn_core_generates(name):
    strategy, settings = RULES[name]
    at = open_page()
    at.radio(key="gen_rule").set_value(strategy)
    for key, value in settings.items():
        (at.slider if key != "gen_top_k" else at.number_input)(key=key).set_value(value)
    at.number_input(key="gen_seed").set_value(11)
    at.slider(key="gen_n").set_value(6)
    at.run()
    assert not at.exception and not at.error
    rule = rc.GREEDY if strategy == "greedy" else rc.Rule(
        "sample", settings.get("gen_temperature", 1.0), settings.get("gen_top_k", 0), settings.get("gen_top_p", 1.0))
    model = seed_model()
    expected = [rc.text_of(model, rc.generate(model, "I", rule, max_tokens=20, seed=11, sample=i)) for i in range(6)]
    assert shown_texts(at) == expected
    assert at.dataframe[0].value["text"].tolist() == expected
    if name == "sample T=1.5":
        assert len(set(expected)) > 1  # a flattened y_t gives variety even on one sentence


def test_number_of_samples_is_respected():
    at = open_page()
    for n in (1, 13):
        at.slider(key="gen_n").set_value(n).run()
        assert not at.exception
        assert len(shown_texts(at)) == n
        assert len(at.dataframe[0].value) == n


@pytest.mark.parametrize("prompt, hint", [("I lov", "'lov' is not in the vocabulary; closest known: love"),
                                          ("   ", "the prompt is empty")])
def test_bad_prompt_gives_an_error_not_an_exception(prompt, hint):
    at = open_page()
    at.text_input[0].set_value(prompt).run()
    assert not at.exception
    assert len(at.error) == 1 and hint in shown(at.error[0].value)
    assert not at.get("plotly_chart")


def test_multi_word_prompt_continues_after_its_last_word():
    at = open_page()
    at.text_input[0].set_value("I love").run()
    model = seed_model()
    expected = rc.text_of(model, rc.generate(model, "I love", rc.Rule("sample", 1.0), max_tokens=20, seed=0))
    assert shown_texts(at)[0] == expected
    assert expected.startswith("I love ")


def test_step_slider_shows_that_steps_distribution_and_hidden_vector():
    at = open_page()
    at.radio(key="gen_rule").set_value("greedy").run()
    traces = rc.generate(seed_model(), "I", rc.GREEDY, max_tokens=20)
    assert len(traces) == 4  # I -> love deep learning </s>
    for t in (1, 3, 4):
        widget(at.slider, "Step").set_value(t).run()
        assert not at.exception
        dist, hidden = (json.loads(c.proto.spec) for c in at.get("plotly_chart")[:2])
        assert np.allclose(y_of(dist), traces[t - 1].probs, rtol=0, atol=1e-15)
        assert dist["layout"]["title"]["text"].startswith(f"y_{t} ")
        assert np.allclose(y_of(hidden, 1), traces[t - 1].h, rtol=0, atol=1e-15)


def test_temperature_explorer_reshapes_the_selected_step():
    at = open_page()
    widget(at.slider, "Step").set_value(2)
    widget(at.slider, "T").set_value(0.5).run()
    trace = rc.generate(seed_model(), "I", rc.Rule("sample", 1.0), max_tokens=20, seed=0)[1]
    spec = json.loads(at.get("plotly_chart")[2].proto.spec)
    e = np.exp((trace.logits - trace.logits.max()) / 0.5)
    assert np.allclose(y_of(spec, 1), e / e.sum(), rtol=1e-12)
    assert np.allclose(y_of(spec, 0), trace.probs, rtol=0, atol=1e-15)


def test_compare_rules_shows_three_columns_from_the_same_seed():
    at = open_page()
    at.slider(key="gen_n").set_value(3).run()
    labels = [m.value for m in at.markdown if m.value.startswith("**greedy**") or m.value.startswith("**sample, T")]
    assert [lab.split(":")[0] for lab in labels] == ["**greedy**", "**sample, T = 0.5**", "**sample, T = 1.5**"]


def test_long_char_level_generation_and_its_last_step():
    corpus = builtin_corpus("alphabet (char level)")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=16, embed_dim=16, steps=300))
    model = rc.train(model, corpus, model.config)[0]
    at = open_page(model)
    at.text_input[0].set_value("a")
    at.number_input(key="gen_max_tokens").set_value(200)
    at.slider(key="gen_n").set_value(3).run()
    assert not at.exception
    expected = [rc.generate(model, "a", rc.Rule("sample", 1.0), max_tokens=200, seed=0, sample=i) for i in range(3)]
    assert at.dataframe[0].value["text"].tolist() == [rc.text_of(model, tr) for tr in expected]
    assert at.dataframe[0].value["tokens generated"].tolist() == [200, 200, 200]
    widget(at.slider, "Step").set_value(200).run()
    dist = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert np.allclose(y_of(dist), expected[0][199].probs, rtol=0, atol=1e-15)
