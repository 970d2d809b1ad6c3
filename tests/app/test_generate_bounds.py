"""What one run of the Generate page may compute and keep: runs past the work bound are refused
with the settings that fit, the inspected sample keeps the full numbers of a bounded number of
steps, downloads past a size are left to the CLI. The bounds are lowered here so a small model
reaches them; benchmarks/generate_session.py measures them at their real values."""

from __future__ import annotations

import pytest

import rnn_core as rc
from tests.app.conftest import open_app_page, shown
from ui.generate import inspect_view
from ui.generate import keys as generate_keys
from ui.generate import state as generate_state

PAGE = "pages/generate.py"


@pytest.fixture(scope="module")
def wide_model() -> rc.Model:
    """V = 100 (99 words and </s>, which is made unlikely: every sample runs to max tokens)."""
    model = rc.new_model(rc.make_corpus(" ".join(f"w{i}" for i in range(99)), "word"),
                         rc.TrainConfig(hidden_size=4, embed_dim=4))
    model.params.b_y[model.vocab.id(rc.EOS)] = -50.0
    return model


def open_page(model, monkeypatch, work: int | None = None, view: str | None = None, **settings):
    if work is not None:
        monkeypatch.setattr(generate_state, "MAX_WORK", work)
    at = open_app_page(PAGE, model)
    at.number_input(key=generate_keys.MAX_TOKENS.format(level="word")).set_value(settings.get("max_tokens", 20))
    at.slider(key=generate_keys.N).set_value(settings.get("n", 10)).run()
    if view is not None:
        at.segmented_control(key=generate_keys.VIEW).set_value(view).run()
    assert not at.exception, at.exception
    return at


def test_a_run_past_the_work_bound_is_refused_naming_what_fits(wide_model, monkeypatch):
    # 30 samples x 50 steps (prompt w0 feeds no extra step) x V 100 = 150,000 > 100,000:
    # 100,000 // (50 x 100) = 20 samples fit, or 100,000 // (30 x 100) = 33 max tokens
    at = open_page(wide_model, monkeypatch, work=100_000, n=30, max_tokens=50)
    (error,) = [shown(e.value) for e in at.error]
    assert "30 samples of up to 50 steps over a vocabulary of 100 tokens would compute 150,000 probabilities" in error
    assert "at most 100,000 per run" in error and "Use at most 20 samples or max tokens of at most 33." in error
    assert not at.dataframe  # no sample list: nothing was generated
    at.slider(key=generate_keys.N).set_value(20).run()
    assert not at.error and len(at.session_state[generate_keys.RUN]["value"]) == 20


def test_the_prompt_counts_toward_the_work(wide_model, monkeypatch):
    # a prompt of 11 words feeds 10 steps before the first pick: 5 x (10 + 20) x 100 = 15,000 > 10,000
    at = open_page(wide_model, monkeypatch, work=10_000, n=5)
    at.text_input[0].set_value(" ".join(f"w{i}" for i in range(11))).run()
    (error,) = [shown(e.value) for e in at.error]
    assert "5 samples of up to 30 steps" in error and "at most 3 samples" in error
    assert "max tokens of at most 10" in error  # 10,000 // (5 x 100) - 10


def test_compare_takes_fewer_samples_when_a_full_comparison_would_pass_the_bound(wide_model, monkeypatch):
    # the run: 10 x 20 x 100 = 20,000 <= 40,000; the comparison may use 40,000 // (20 x 100) // 3 = 6 per rule
    at = open_page(wide_model, monkeypatch, work=40_000)
    runs = at.session_state[generate_keys.COMPARE]["value"]
    assert [len(paths) for paths in runs.values()] == [6, 6, 6]
    assert any("6 samples per rule" in c.value for c in at.caption)


def test_a_tree_past_the_work_bound_is_refused(wide_model, monkeypatch):
    # 200 tree samples x 20 x 100 = 400,000 > 100,000; 50 fit
    at = open_page(wide_model, monkeypatch, work=100_000, view="Tree")
    (error,) = [shown(e.value) for e in at.error]
    assert "200 samples in the tree" in error and "at most 50 samples in the tree" in error
    at.number_input(key=f"{generate_keys.TREE_PREFIX}_n").set_value(50).run()
    assert not at.error and at.get("plotly_chart")


def test_the_inspected_sample_keeps_the_full_numbers_of_a_bounded_number_of_steps(wide_model, monkeypatch):
    # float64 traces over V = 100 (a small word model): 3 x 100 x 8 = 2,400 bytes a step; 24,000 keep 10
    assert wide_model.params.W_y.dtype == "float64"
    monkeypatch.setattr(generate_state, "MAX_INSPECTED_BYTES", 24_000)
    at = open_page(wide_model, monkeypatch, max_tokens=30, view="Inside one sample")
    traces = at.session_state[generate_keys.INSPECTED]["value"]
    expected = rc.generate(wide_model, "w0", rc.Rule("sample"), max_tokens=30, seed=0, sample=0)[:10]
    assert [tr.token for tr in traces] == [tr.token for tr in expected]
    slider = at.slider(key=generate_keys.STEP)
    assert slider.max == 10
    assert any("first 10 of 30 steps" in c.value for c in at.caption)
    slider.set_value(10).run()
    assert not at.exception


def test_a_trace_too_large_to_build_is_not_offered_for_download(wide_model, monkeypatch):
    monkeypatch.setattr(inspect_view, "MAX_DOWNLOAD_CELLS", 1_000)  # 20 steps x V 100 = 2,000
    at = open_page(wide_model, monkeypatch, view="Inside one sample")
    assert not at.get("download_button")
    assert any("No download of this trace here" in c.value and "--json" in c.value for c in at.caption)
    monkeypatch.setattr(inspect_view, "MAX_DOWNLOAD_CELLS", 2_000)
    at.run()
    assert len(at.get("download_button")) == 2
