"""Training settings: one table gives every default, range and choice, TrainConfig validates with
it, and 'auto' precision picks float64 for the seed preset and float32 for larger models."""

import dataclasses
import io
import json
import math

import numpy as np
import pytest

import rnn_core as rc
from rnn_core.config import AUTO_FLOAT32_PARAMS, DTYPES, OPTIMIZERS, SETTING, SETTINGS, model_dtype, n_params
from rnn_core.corpora import builtin_corpus


def test_every_field_of_train_config_is_a_setting_with_its_default():
    fields = dataclasses.fields(rc.TrainConfig)
    assert [f.name for f in fields] == [s.name for s in SETTINGS]
    for f in fields:
        assert f.default == SETTING[f.name].default, f.name
    assert rc.TrainConfig().optimizer == "adam" and rc.TrainConfig().dtype == "auto"
    assert SETTING["optimizer"].choices == OPTIMIZERS and SETTING["dtype"].choices == DTYPES


def out_of_range(setting):
    """Values just outside a numeric setting's range (and a non-number)."""
    below = setting.low if setting.low_open else setting.low - (1 if isinstance(setting.default, int) else 0.5)
    above = [] if setting.high == math.inf else [setting.high + 1]
    return [below, *above, "3", None, float("nan")]


@pytest.mark.parametrize("setting", [s for s in SETTINGS if not s.choices], ids=lambda s: s.name)
def test_numeric_settings_accept_their_bounds_and_refuse_beyond(setting):
    inside = [setting.high] if setting.high != math.inf else [1e9]
    if not setting.low_open:
        inside.append(setting.low)
    for value in inside:
        rc.TrainConfig(**{setting.name: value})
    for value in out_of_range(setting):
        with pytest.raises(rc.ConfigError, match=setting.label):
            rc.TrainConfig(**{setting.name: value})


def test_whole_number_settings_refuse_fractions_and_booleans():
    for name in ("hidden_size", "steps", "batch_size", "seq_len", "seed"):
        for value in (2.5, True):
            with pytest.raises(rc.ConfigError, match=SETTING[name].label):
                rc.TrainConfig(**{name: value})


@pytest.mark.parametrize("name, bad", [("optimizer", "rmsprop"), ("dtype", "float16")])
def test_choice_settings_name_their_choices(name, bad):
    with pytest.raises(rc.ConfigError) as e:
        rc.TrainConfig(**{name: bad})
    assert all(choice in str(e.value) for choice in SETTING[name].choices)


def test_learning_rate_message_gives_the_range():
    with pytest.raises(rc.ConfigError, match=r"learning rate must be in \(0, 10\], not 0"):
        rc.TrainConfig(lr=0)


def test_auto_precision_rule():
    auto = rc.TrainConfig()
    assert model_dtype(auto, 5, "word") == "float64"  # the seed preset: 56 parameters
    assert n_params(5, 3, 3) == 5 * 3 + 3 * 3 + 3 * 3 + 5 * 3 + 3 + 5
    # V = 10, E = 1: H = 94 makes 10 + 94 + 94^2 + 940 + 94 + 10 = 9,984 parameters, H = 95 10,185
    assert AUTO_FLOAT32_PARAMS == 10_000 and n_params(10, 1, 94) == 9_984 and n_params(10, 1, 95) == 10_185
    small = dataclasses.replace(auto, hidden_size=94, embed_dim=1)
    assert model_dtype(small, 10, "word") == "float64"
    assert model_dtype(dataclasses.replace(small, hidden_size=95), 10, "word") == "float32"
    assert model_dtype(auto, 5, "char") == "float32"  # char level, however small
    for dtype in ("float32", "float64"):  # asked for: kept
        assert model_dtype(rc.TrainConfig(dtype=dtype), 5, "char") == dtype
        assert model_dtype(rc.TrainConfig(dtype=dtype, hidden_size=512), 5000, "word") == dtype


@pytest.mark.parametrize("name, dtype", [("I love deep learning", "float64"), ("counting", "float64"),
                                          ("alphabet (char level)", "float32")])
def test_new_models_are_built_in_the_resolved_precision(name, dtype):
    model = rc.new_model(builtin_corpus(name), rc.TrainConfig(hidden_size=8, embed_dim=8))
    assert model.config.dtype == dtype
    assert all(v.dtype == np.dtype(dtype) for v in model.params.as_dict().values())
    assert rc.seed_model().config.dtype == "float64"


def test_a_float32_model_file_round_trips_as_float32():
    model = rc.new_model(builtin_corpus("alphabet (char level)"), rc.TrainConfig())
    loaded = rc.from_bytes(rc.to_bytes(model))
    assert loaded.config.dtype == "float32" and loaded.params.W_h.dtype == np.float32
    assert np.array_equal(loaded.params.W_y, model.params.W_y)


def test_a_model_built_by_hand_is_saved_with_its_weights_precision(tiny_model):
    assert tiny_model.config.dtype == "auto"  # built by hand, not by new_model
    assert rc.from_bytes(rc.to_bytes(tiny_model)).config.dtype == "float64"


def test_a_model_file_whose_config_says_auto_is_refused_cleanly(tiny_model):
    """'auto' is a setting, never a model's precision: a file saying so is refused by name."""
    with np.load(io.BytesIO(rc.to_bytes(tiny_model))) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["config"] = np.array(json.dumps({**tiny_model.config.as_dict(), "dtype": "auto"}))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    with pytest.raises(rc.ModelFileError, match="auto"):
        rc.from_bytes(buf.getvalue())


# ---------------------------------------------------------------- settings suggested for a text

PARAGRAPH = ("Once upon a time there was a small village at the edge of a great forest. Every morning the "
             "baker lit his oven before the sun came up, and the smell of fresh bread drifted down the narrow "
             "streets. The children ran to the square to play, and the old men sat on the bench by the well "
             "and talked about the weather. One day a stranger walked into the village with a large wooden "
             "box on his back, and nobody knew what was inside it.")  # 427 characters


def test_the_random_seed_is_called_so_and_seed_names_nothing_else():
    assert SETTING["seed"].label == "random seed" and "random seed" in SETTING["seed"].help
    assert all("seed" not in s.help for s in SETTINGS if s.name != "seed")
    with pytest.raises(rc.ConfigError, match="random seed must be a whole number"):
        rc.TrainConfig(seed=-1)


@pytest.mark.parametrize("args, expected", [
    # char level, 427 characters: one stream (426 targets // (8 x 64) = 0 -> 1), 64 per update;
    # 100 readings of 426 / 64 = 6.66 updates each = 666 -> 700
    (("char", 427, 40), dict(hidden_size=64, embed_dim=16, steps=700, lr=0.01, seq_len=64, batch_size=1)),
    # 6 characters: 5 targets, pieces of 5, the fewest steps
    (("char", 6, 3), dict(hidden_size=64, embed_dim=16, steps=300, lr=0.01, seq_len=5, batch_size=1)),
    # 20,000 characters: 19,999 // 512 = 39 streams -> 32; 100 x 19,999 / 2,048 = 976.5 -> 1,000
    (("char", 20_000, 80), dict(hidden_size=128, embed_dim=32, steps=1_000, lr=0.005, seq_len=64, batch_size=32)),
    (("char", 2_000_000, 120), dict(hidden_size=128, embed_dim=32, steps=2_000, lr=0.005, seq_len=64,
                                    batch_size=32)),  # the most steps
    # word level: two sentences of 7 tokens, 8 distinct: one batch of both, one piece -> 100 -> 300
    (("word", 14, 8, 2), dict(hidden_size=32, embed_dim=16, steps=300, lr=0.01, seq_len=32, batch_size=2)),
    # 40 sentences of 16.5 tokens, 300 distinct: 3 batches of 16 x 1 piece -> 300
    (("word", 660, 300, 40), dict(hidden_size=64, embed_dim=32, steps=300, lr=0.005, seq_len=32, batch_size=16)),
])
def test_the_suggestion_follows_the_texts_size_and_level(args, expected):
    suggestion = rc.training.suggest_config(*args)
    assert suggestion.values() == expected
    assert suggestion.config == rc.TrainConfig(**expected)  # the others at their defaults
    assert f"{suggestion.config.steps:,} updates" in suggestion.why


def test_a_built_in_corpus_keeps_its_own_suggestion_and_a_pasted_copy_gets_one_from_its_size():
    counting = rc.training.BUILTINS["counting"]
    assert rc.training.suggest_for(builtin_corpus("counting")).config == counting.config()
    pasted = rc.make_corpus(counting.text, "word", "pasted text")
    assert rc.training.suggest_for(pasted) == rc.training.suggest_config("word", pasted.n_tokens, 11, 1)


@pytest.mark.parametrize("level, text", [
    ("char", "".join(chr(0x4E00 + i % 5_000) for i in range(600_000))),  # 1.8 MB, V = 5,000
    ("word", "\n".join(" ".join(f"w{(i * 7 + j) % 19_999}" for j in range(10)) for i in range(20_000))),  # V = 20,000
])
def test_suggestions_for_the_largest_texts_fit_the_memory_budget(level, text):
    corpus = rc.make_corpus(text, level, "large")
    suggestion = rc.training.suggest_for(corpus)
    rc.training.check_training_memory(corpus, suggestion.config)  # raises ConfigError if it did not fit


def test_the_suggested_run_on_a_400_character_paragraph_learns_it_and_the_defaults_do_not():
    """The Train page's default run on pasted text: char level, the suggested settings, text held out
    as the page does it. Its loss over the whole paragraph (teacher forcing) falls below 0.1 nats a
    character, and greedy text from the first letter is the paragraph's start; with the seed preset's
    defaults (H = 3, 60 steps) it stays above 2 and greedy text leaves the paragraph at once."""
    corpus = rc.make_corpus(PARAGRAPH, "char", "pasted text")
    config = rc.training.suggest_for(corpus).config
    trained, report, _ = rc.training.record_training(rc.training.start_model(corpus, config), corpus, config)
    assert report.status == "done" and rc.training.mean_loss(trained, corpus) < 0.1
    greedy = rc.decoding.text_of(trained, rc.generate(trained, ["O"], rc.GREEDY, max_tokens=120))
    assert greedy.startswith(PARAGRAPH[:100]), greedy
    start = rc.training.start_model(corpus, rc.TrainConfig())
    default, _, _ = rc.training.record_training(start, corpus, rc.TrainConfig())
    assert rc.training.mean_loss(default, corpus) > 2
    greedy = rc.generate(default, ["O"], rc.GREEDY, max_tokens=20)
    assert not rc.decoding.text_of(default, greedy).startswith(PARAGRAPH[:20])
