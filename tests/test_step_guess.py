"""ui/step/guess.py: judging the class's guesses against each step's trace."""

import rnn_core as rc
from tests.conftest import hand_model
from ui.step import guess


def test_a_guess_is_the_pick_in_the_top_three_or_neither():
    # o_1 = [3, 2.5, 2] + ... : y ranks 'a' 1st, 'b' 2nd, '</s>' 3rd; greedy picks 'a'
    tr = rc.generate(hand_model((0.0, 6.5, 2.0)), "a", rc.GREEDY, max_tokens=1)[0]
    assert guess.judge(tr, 0) == guess.Verdict(guess=0, picked=True, rank=1)
    assert guess.judge(tr, 2) == guess.Verdict(guess=2, picked=False, rank=3) and guess.judge(tr, 2).in_top


def test_the_score_counts_committed_guesses_only(trained_seed):
    traces = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20)  # love deep learning </s>
    vocab = trained_seed.vocab
    guesses = {1: vocab.id("love"), 2: None, 3: vocab.id("I"), 4: vocab.id(rc.EOS)}
    s = guess.score(traces, guesses)
    ranks = guess.rank(traces[2], vocab.id("I"))
    assert (s.guessed, s.picked) == (3, 2)
    assert s.in_top == 2 + (ranks <= 3)
    assert s.text().startswith("2 of 3 guesses were the pick")


def test_the_verdict_names_the_guess_and_the_pick_as_text(trained_seed):
    traces = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20)
    vocab = trained_seed.vocab.tokens
    right = guess.verdict_text(guess.judge(traces[0], 1), vocab, traces[0].token)
    assert right == "✅ Your guess “love” was the pick."
    wrong = guess.verdict_text(guess.judge(traces[3], 0), vocab, traces[3].token)
    assert "was not the pick (“</s>”)" in wrong  # text: drawn with textContent, shown as is
