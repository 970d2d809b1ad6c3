"""Downloads of one sample: the CSV reads back equal to the traces with the run's settings in
every row, the JSON is the CLI's document plus the settings, and file names carry the model and
the settings (sanitised), so different runs never share a name."""

import io
import json

import numpy as np
import pandas as pd
import pytest

import rnn_core as rc
from rnn_core.corpora import builtin_corpus
from ui.common.text import MAX_SLUG, slug
from ui.generate import export
from ui.generate.state import Settings


@pytest.fixture(scope="module")
def seed():
    model = rc.seed_model()
    return rc.train(model, rc.seed_corpus(), model.config)[0]


@pytest.fixture(scope="module")
def char_model():
    """An untrained char-level model: its vocabulary holds the newline, which CSV must quote."""
    corpus = builtin_corpus("alphabet (char level)")
    return rc.new_model(corpus, rc.TrainConfig(hidden_size=8, embed_dim=4))


RULE = rc.Rule("sample", temperature=2.0, top_k=4, min_p=0.05)


def settings_for(model, prompt, rule=RULE, seed=3, sample=2):
    s = Settings(prompt, rule, max_tokens=40, n=5, seed=seed, weights=model.steps_trained)
    return export.settings_dict(model, s, sample)


@pytest.mark.parametrize("which", ["seed", "char_model"])
def test_csv_reads_back_equal_to_the_trace_with_the_runs_settings(which, request):
    model = request.getfixturevalue(which)
    prompt = model.vocab.tokens[0]
    traces = rc.generate(model, prompt, RULE, max_tokens=40, seed=3, sample=2)
    vocab, H = model.vocab.tokens, model.params.sizes[2]
    back = pd.read_csv(io.StringIO(export.trace_csv(traces, vocab, settings_for(model, prompt))), keep_default_na=False)
    run = ["model", "weights after step", "rule", "T", "top-k", "top-p", "min-p", "typical-p", "repetition penalty",
           "seed", "sample"]
    step = ["t", "input", "chosen", "how", "p", "q", "rank", "u"]
    assert list(back.columns) == run + step + [f"h[{i}]" for i in range(H)] + [f"y({v})" for v in vocab] + [
        f"q({v})" for v in vocab]
    assert len(back) == len(traces)
    assert set(back["model"]) == {model.corpus_name} and set(back["rule"]) == {"sample"}
    assert set(back["T"]) == {2.0} and set(back["top-k"]) == {4} and set(back["min-p"]) == {0.05}
    assert set(back["seed"]) == {3} and set(back["sample"]) == {2}
    assert back["chosen"].tolist() == [tr.token for tr in traces]
    assert back["p"].tolist() == [float(tr.probs[tr.token_id]) for tr in traces]
    assert back["q"].tolist() == [float(tr.q[tr.token_id]) for tr in traces]
    assert back["u"].tolist() == [tr.draw if tr.draw is not None else "" for tr in traces]
    assert back["rank"].tolist() == [1 + sorted(tr.probs, reverse=True).index(tr.probs[tr.token_id]) for tr in traces]
    for name, field in [("h", "h"), ("y", "probs"), ("q", "q")]:
        cols = [c for c in back.columns if c.startswith(f"{name}(") or c.startswith(f"{name}[")]
        assert np.array_equal(back[cols].to_numpy(dtype=float), np.array([getattr(tr, field) for tr in traces]))


def test_char_csv_keeps_the_newline_token(char_model):
    traces = rc.generate(char_model, "z", rc.Rule("sample", 1.0), max_tokens=60, seed=0)
    csv = export.trace_csv(traces, char_model.vocab.tokens, settings_for(char_model, "z"))
    back = pd.read_csv(io.StringIO(csv), keep_default_na=False)
    assert "y(\n)" in back.columns and "q(\n)" in back.columns
    assert "".join(back["chosen"]) == "".join(tr.token for tr in traces)


def test_json_is_the_cli_document_with_the_settings(seed):
    traces = rc.generate(seed, "I love", RULE, max_tokens=10, seed=1)
    settings = settings_for(seed, "I love", seed=1, sample=0)
    doc = json.loads(export.trace_json(seed, traces, settings))
    assert set(doc) == {"vocab", "text", "steps", "settings"}
    assert doc["vocab"] == ["I", "love", "deep", "learning", "</s>"]
    assert doc["steps"] == [tr.to_json(seed.vocab.tokens) for tr in traces]
    assert doc["settings"]["rule"] == {"strategy": "sample", "temperature": 2.0, "top_k": 4, "top_p": 1.0,
                                       "min_p": 0.05, "typical_p": 1.0, "repetition_penalty": 1.0,
                                       "describe": "sample T=2, top-k=4, min-p=0.05"}
    assert doc["settings"]["model"] == {"corpus": "I love deep learning", "level": "word", "V": 5, "E": 3,
                                        "H": 3, "steps_trained": 60, "weights_after_step": 60}
    assert (doc["settings"]["prompt"], doc["settings"]["seed"], doc["settings"]["sample"]) == ("I love", 1, 0)


def test_file_names_carry_model_weights_rule_seed_and_sample(seed):
    name = export.file_name(settings_for(seed, "I"), "csv")
    assert name == "I-love-deep-learning_step60_sample-T=2-top-k=4-min-p=0.05_seed3_sample2.csv"
    others = [settings_for(seed, "I", seed=4), settings_for(seed, "I", sample=3),
              settings_for(seed, "I", rule=rc.Rule("sample", temperature=2.0, top_k=3, min_p=0.05)),
              settings_for(seed, "I", rule=rc.GREEDY)]
    assert len({name} | {export.file_name(s, "csv") for s in others}) == 5


@pytest.mark.parametrize("corpus_name", ["../../etc/passwd", "a/b\\c:d*e?f\"g<h>i|j", ".hidden", "x\x00y\nz",
                                         "ünïcødé 名前", "", "  ", "-" * 100])
def test_names_from_model_files_are_sanitised(seed, corpus_name):
    settings = settings_for(seed, "I")
    settings["model"]["corpus"] = corpus_name
    name = export.file_name(settings, "json")
    stem = name.removesuffix(".json")
    assert all(c.isascii() and (c.isalnum() or c in "._=-") for c in stem), name
    assert not name.startswith((".", "-")) and ".." not in stem.split("_")[0]
    assert len(name) < 200 and stem.endswith("_seed3_sample2")


def test_a_thousand_character_corpus_name_and_a_long_rule_give_a_short_file_name(seed):
    """File systems refuse names past 255 bytes (ENAMETOOLONG): every part is cut."""
    settings = settings_for(seed, "I")
    settings["model"]["corpus"] = "a long corpus name " * 53  # 1,007 characters
    settings["rule"]["describe"] = "sample T=1, " + ", ".join(f"knob{i}={i}" for i in range(40))
    name = export.file_name(settings, "csv")
    corpus, _, rule, *_ = name.split("_")
    assert corpus == slug("a long corpus name " * 3)[: export.MAX_CORPUS].rstrip("-")
    assert len(corpus) <= export.MAX_CORPUS and len(rule) <= MAX_SLUG and len(name) < 150
    assert not rule.endswith(("-", "."))


def test_slug_cuts_to_its_limit_without_a_trailing_dash():
    assert slug("abc def ghi", 4) == "abc"
    assert slug("x" * 500) == "x" * MAX_SLUG
