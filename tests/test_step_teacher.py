"""ui/step/teacher.py: the generated path beside the training text (teacher forcing)."""

import math

import rnn_core as rc
from tests.conftest import hand_model
from ui.step import teacher


def test_reference_is_the_training_text_from_the_first_word_on(trained_seed):
    assert teacher.reference(trained_seed, "I") == ("I", "love", "deep", "learning", rc.EOS)
    assert teacher.reference(trained_seed, "deep") == ("deep", "learning", rc.EOS)
    assert teacher.reference(hand_model(), "a") is None


def test_rows_read_y_t_of_the_true_next_token(trained_seed):
    love = trained_seed.vocab.id("love")
    # I love deep love ...
    traces = rc.generate(trained_seed, "I", rc.Rule("sample"), max_tokens=20, seed=0, forced={3: love})
    rows = teacher.teacher_rows(trained_seed, traces, teacher.reference(trained_seed, "I"))
    n = len(traces)
    assert n >= 5  # past the reference sentence
    assert [r["true next"] for r in rows] == ["love", "deep", "learning", rc.EOS] + [None] * (n - 4)
    learning = trained_seed.vocab.id("learning")
    assert rows[2]["p(true next)"] == traces[2].probs[learning]
    assert all(math.isnan(r["p(true next)"]) for r in rows[4:])


def test_on_the_training_path_is_a_prefix_property():
    """Char level, 'abab' trained; forcing 'b' at step 2 feeds 'a b b': off the text from step 3 on,
    even where a later input happens to equal the text's character at that position again."""
    corpus = rc.make_corpus("abab", "char")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=3, embed_dim=2))
    b, a = model.vocab.id("b"), model.vocab.id("a")
    traces = rc.generate(model, "a", rc.GREEDY, max_tokens=3, forced={1: b, 2: b, 3: b})  # fed: a b b b
    ref = teacher.reference(model, "a")  # a b a b
    rows = teacher.teacher_rows(model, traces, ref)
    assert [r["fed in (x_t)"] for r in rows] == ["a", "b", "b"]
    assert [r["on the training path"] for r in rows] == [True, True, False]
    # a b b b: step 4 feeds 'b'
    back = rc.generate(model, "a", rc.GREEDY, max_tokens=4, forced={1: b, 2: b, 3: b, 4: b})
    assert ref[3] == "b" and back[3].input == "b"  # position 4 matches the text again...
    assert teacher.teacher_rows(model, back, ref)[3]["on the training path"] is False  # ...but the path left it
    assert a != b


def test_display_rows_are_markdown_that_shows_the_tokens():
    corpus = rc.make_corpus("__ * __", "word")  # st.table reads its cells as Markdown
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=3, embed_dim=2))
    traces = rc.generate(model, "__", rc.GREEDY, max_tokens=1, forced={1: model.vocab.id("*")})
    (row,) = teacher.display_rows(teacher.teacher_rows(model, traces, teacher.reference(model, "__")), 3)
    assert row["fed in (x_t)"] == "\\_\\_" and row["model picked"] == "\\*" and row["true next"] == "\\*"


def test_display_rows_show_spaces_and_rounded_probabilities():
    corpus = rc.make_corpus("a b", "char")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=3, embed_dim=2))
    space = model.vocab.id(" ")
    traces = rc.generate(model, "a", rc.GREEDY, max_tokens=1, forced={1: space})
    (row,) = teacher.display_rows(teacher.teacher_rows(model, traces, teacher.reference(model, "a")), 2)
    assert row["model picked"] == "␣" and row["true next"] == "␣"
    assert row["p(picked)"] == f"{traces[0].p_token:.2f}" and row["on the training path"] == "✓"
