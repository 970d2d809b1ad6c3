"""ui/step_loop.py: the unrolled loop as SVG, read back with an XML parser."""

import xml.etree.ElementTree as ET

import rnn_core as rc
from tests.hostile_tokens import hostile_model
from ui import step_loop

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]


def seed_walk(trained_seed):
    return rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20)  # I -> love deep learning </s>


def test_each_step_so_far_is_a_column_with_x_h_and_y_top_choice(trained_seed):
    traces = seed_walk(trained_seed)
    shown = texts(step_loop.loop_svg(traces, 2, trained_seed.vocab.tokens))
    assert "“I”" in shown and "“love”" in shown  # x_1, x_2
    assert "h1" in shown and "h2" in shown and "h0 = 0" in shown
    top = traces[1].probs.argmax()
    assert f"“{trained_seed.vocab.tokens[top]}” {traces[1].probs[top]:.2f}" in shown  # y_2's top choice and p
    assert "x3" in shown and "“deep”" in shown  # step 2's pick, drawn as the next input (dashed)


def test_no_token_after_the_current_steps_pick_is_drawn(trained_seed):
    """No spoilers: at step 1 the path shows 'I' and its pick 'love', nothing of 'deep learning </s>'."""
    traces = seed_walk(trained_seed)
    shown = " ".join(texts(step_loop.loop_svg(traces, 1, trained_seed.vocab.tokens)))
    assert "“love”" in shown
    for later in ("deep", "learning", "&lt;/s&gt;", "</s>", "h2"):
        assert later not in shown


def test_while_the_class_guesses_the_pick_is_hidden(trained_seed):
    traces = seed_walk(trained_seed)
    svg = step_loop.loop_svg(traces, 2, trained_seed.vocab.tokens, revealed=False)
    shown = texts(svg)
    assert "?" in shown and "“deep”" not in shown and "x3" not in shown
    assert len(ET.fromstring(svg).findall(f"{SVG}path")) == 1  # only step 1's pick arrow, into x_2


def test_the_current_step_is_highlighted_and_forced_picks_marked(trained_seed):
    traces = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20, forced={1: trained_seed.vocab.id("deep")})
    svg = step_loop.loop_svg(traces, 2, trained_seed.vocab.tokens, forks={1: trained_seed.vocab.id("deep")})
    highlighted = [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if r.get("fill") == step_loop.CURRENT]
    assert len(highlighted) == 1
    cx = step_loop.H0_W + 1.5 * step_loop.COL_W  # the centre of step 2's column
    assert abs(float(highlighted[0].get("x")) + float(highlighted[0].get("width")) / 2 - cx) < 1e-9
    assert "✋ forced" in texts(svg)


def test_the_last_step_ends_the_loop(trained_seed):
    traces = seed_walk(trained_seed)
    shown = texts(step_loop.loop_svg(traces, 4, trained_seed.vocab.tokens))
    assert "end" in shown and "“&lt;/s&gt;”" not in shown and "“</s>”" in shown  # XML-decoded


def test_a_long_walk_shows_its_latest_steps():
    corpus = rc.make_corpus("abcdefghij", "char")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=3, embed_dim=2))
    traces = rc.generate(model, "a", rc.Rule("sample"), max_tokens=20, seed=0)
    step = len(traces)
    assert step > step_loop.WINDOW
    shown = texts(step_loop.loop_svg(traces, step, model.vocab.tokens))
    assert f"h{step}" in shown and f"h{step - step_loop.WINDOW + 1}" in shown
    assert f"h{step - step_loop.WINDOW}" not in shown and f"… h{step - step_loop.WINDOW}" in shown


def test_tokens_are_text_in_the_svg():
    model = hostile_model()
    traces = rc.generate(model, ["<b>"], rc.GREEDY, max_tokens=3, forced={1: model.vocab.id("$x$"), 2: model.vocab.id("&")})
    svg = step_loop.loop_svg(traces, 3, model.vocab.tokens)
    shown = texts(svg)  # the parser decodes entities: exactly the tokens
    assert "“<b>”" in shown and "“$x$”" in shown and "“&”" in shown
    assert "<b>" not in svg.replace("&lt;b&gt;", "")  # never as markup
    assert "\n\n" not in svg  # no blank line: Markdown keeps it one raw HTML block
