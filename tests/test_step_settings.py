"""ui/step/settings.py: Step-Through's settings and the URL that reproduces them."""

from dataclasses import replace

import pytest

import rnn_core as rc
from tests.conftest import hand_model
from tests.hostile_tokens import hostile_model
from ui.step import settings as step_settings
from ui.step.settings import Settings


def test_query_round_trip_with_forced_tokens(trained_seed):
    s = Settings(word="love", rule=rc.Rule("sample", temperature=1.5, top_k=2, top_p=0.9), seed=7, max_len=12,
                 step=3, guess=True)
    forks = {2: trained_seed.vocab.id("learning"), 4: trained_seed.vocab.id(rc.EOS)}
    q = step_settings.to_query(s, forks, trained_seed.vocab.tokens)
    assert q == {"step": "3", "word": "love", "rule": "sample", "T": "1.5", "k": "2", "p": "0.9", "seed": "7",
                 "max": "12", "guess": "1", "force": "2:learning,4:%3C%2Fs%3E"}
    back, warnings = step_settings.from_query(q, Settings(word="I"), trained_seed)
    assert back == s and warnings == []
    assert step_settings.forks_from_query(q["force"], trained_seed) == (forks, [])
    assert "force" not in step_settings.to_query(s, {}, trained_seed.vocab.tokens)  # nothing forced, no key


@pytest.mark.parametrize("key, raw, hint", [
    ("step", "abc", "not a number"), ("step", "0", "step must be"), ("rule", "beam", "must be 'greedy' or 'sample'"),
    ("T", "-1", "temperature"), ("k", "-2", "top-k"), ("p", "1.5", "top-p"), ("seed", "-1", "seed"),
    ("max", "100000", "max tokens must be a whole number from 1 to 500"), ("word", "lov", "closest known: love"),
    ("guess", "maybe", "not 0 or 1"),
])
def test_bad_query_values_fall_back_to_defaults_with_a_warning(trained_seed, key, raw, hint):
    defaults = Settings(word="I")
    s, warnings = step_settings.from_query({key: raw, "seed": "5"} if key != "seed" else {key: raw}, defaults,
                                           trained_seed)
    (w,) = warnings
    assert f"{key}={raw}" in w and hint in w
    assert s == (replace(defaults, seed=5) if key != "seed" else defaults)


@pytest.mark.parametrize("key, raw", [("T", "7"), ("T", "-1"), ("k", "99"), ("p", "0.001")])
def test_query_values_outside_the_widgets_ranges_are_refused(trained_seed, key, raw):
    s, (w,) = step_settings.from_query({key: raw}, Settings(word="I"), trained_seed)
    assert s == Settings(word="I") and f"{key}={raw}" in w


def test_a_refused_rule_key_leaves_the_links_other_rule_keys_in_the_rule(trained_seed):
    s, (w,) = step_settings.from_query({"rule": "greedy", "T": "7", "k": "2", "p": "0.9"}, Settings(word="I"),
                                       trained_seed)
    assert s.rule == rc.Rule("greedy", top_k=2, top_p=0.9) and "T=7" in w and "using 1.0" in w


def test_temperature_zero_in_a_link_means_greedy_as_on_every_page(trained_seed):
    s, warnings = step_settings.from_query({"T": "0"}, Settings(word="I"), trained_seed)
    assert s.rule.temperature == 0 and warnings == [] and s.rule.is_greedy


@pytest.mark.parametrize("raw, hint", [
    ("2", "write step:token"), ("x:love", "write step:token"), ("0:love", "write step:token"),
    ("2:lov", "closest known: love"),
])
def test_bad_forced_tokens_get_a_warning_each_and_the_good_ones_stay(trained_seed, raw, hint):
    forks, (w,) = step_settings.forks_from_query(f"3:deep,{raw}", trained_seed)
    assert forks == {3: trained_seed.vocab.id("deep")}
    assert f"force={raw}" in w and hint in w


def test_default_word_is_the_first_training_word_else_the_first_non_eos_token(trained_seed):
    assert trained_seed.first_word() == "I"
    assert hand_model().first_word() == "a"  # no training text stored


def test_a_token_the_tokenizer_would_split_is_fed_as_one_token():
    model = hostile_model()
    assert step_settings.prompt("<b>", model) == ["<b>"]  # text "<b>" would be the three tokens '<', 'b', '>'
    step_settings.check(Settings(word="<b>"), model)
    assert step_settings.prompt("I love", rc.seed_model()) == "I love"  # not a token: text, tokenized


def test_check_refuses_unknown_words_with_suggestions(trained_seed):
    with pytest.raises(rc.VocabularyError, match="closest known: love"):
        step_settings.check(Settings(word="lov"), trained_seed)
    step_settings.check(Settings(word="I love"), trained_seed)  # a prompt of known words is fine


def test_clamp_step_keeps_the_step_on_the_path():
    assert [step_settings.clamp_step(s, 4) for s in (0, 1, 4, 9)] == [1, 1, 4, 4]


# ---------------------------------------------------------------- training time-travel


@pytest.fixture(scope="module")
def with_history() -> rc.Model:
    """The seed preset trained with a recorded history: snapshots after steps 0, 3, ..., 60."""
    model = rc.seed_model()
    trained, _, _ = rc.training.record_training(model, rc.seed_corpus(), model.config)
    return trained


def test_earlier_weights_go_into_the_link_and_the_models_own_stay_out(with_history):
    s = Settings(word="I", weights=3)
    q = step_settings.to_query(s, {}, with_history.vocab.tokens)
    assert q["weights"] == "3"
    assert step_settings.from_query(q, Settings(word="I"), with_history) == (s, [])
    assert "weights" not in step_settings.to_query(Settings(word="I"), {}, with_history.vocab.tokens)
    # the model's own step in a link is its own weights, not a snapshot with a cache entry of its own
    assert step_settings.from_query({"weights": "60"}, Settings(word="I"), with_history) == (Settings(word="I"), [])


@pytest.mark.parametrize("raw, hint", [("7", "after training steps 0, 3, 6, …, 60, not 7"),
                                       ("-1", "not -1"), ("x", "not a number")])
def test_weights_the_model_did_not_keep_are_refused_with_the_steps_it_kept(with_history, raw, hint):
    s, (w,) = step_settings.from_query({"weights": raw}, Settings(word="I"), with_history)
    assert s == Settings(word="I") and f"weights={raw}" in w and hint in w and "the model's own weights" in w


def test_a_model_without_history_refuses_earlier_weights(trained_seed):
    with pytest.raises(rc.ConfigError, match="keeps no earlier weights, only its own after step 60"):
        step_settings.check(Settings(word="I", weights=0), trained_seed)


def test_only_the_weights_changing_keeps_the_walk():
    s = Settings(word="I", seed=3)
    assert replace(s, weights=0).walk_key() == s.walk_key()
    assert replace(s, weights=0).path_key() != s.path_key()
    assert replace(s, seed=4).walk_key() != s.walk_key()
    assert replace(s, rule=rc.Rule("sample", top_k=2)).walk_key() != s.walk_key()
    assert replace(s, rule=rc.Rule("sample")).path_key() in {s.path_key()}  # an equal Rule finds the cached path
