"""Batching: char level cuts the text into parallel streams carrying h, word level pads shuffled
sentences, and both cut anything longer than seq_len into pieces carrying h (truncated BPTT)."""

import numpy as np

import rnn_core as rc
from rnn_core.batches import Batch, batches, char_batches, largest_batch, time_chunks, word_batches


def test_char_batches_are_parallel_streams_carrying_h():
    ids = list(range(26)) + [0]
    got = list(zip(range(4), char_batches(ids, 2, 4)))
    first, second = got[0][1], got[1][1]
    assert first.X.shape == (4, 2) and first.reset and not second.reset
    assert first.X[:, 0].tolist() == [0, 1, 2, 3] and first.X[:, 1].tolist() == [13, 14, 15, 16]
    assert first.Y[:, 0].tolist() == [1, 2, 3, 4]
    assert second.X[:, 0].tolist() == [4, 5, 6, 7]
    assert got[3][1].X.shape == (1, 2)  # 13 targets per stream: 4 + 4 + 4 + 1
    assert next(char_batches(ids, 2, 4)).reset


def test_word_batches_cover_every_sentence_each_pass():
    sentences = [[i, 10 + i, 20 + i][: 2 + i % 2] for i in range(7)]  # 7 sentences, lengths 2-3
    stream = word_batches(sentences, 3, 4, np.random.default_rng(0))
    for _ in range(3):  # three passes: 3 + 3 + 1 sentences each
        seen = []
        for _ in range(3):
            batch = next(stream)
            assert batch.reset and batch.X.shape[1] <= 3
            for col in range(batch.X.shape[1]):
                n = int(batch.mask[:, col].sum())
                assert batch.mask[:n, col].all() and not batch.mask[n:, col].any()
                seen.append(batch.X[:n, col].tolist() + [int(batch.Y[n - 1, col])])
                assert batch.Y[: n - 1, col].tolist() == batch.X[1:n, col].tolist()
        assert sorted(seen) == sorted(sentences)


def test_a_long_sentence_is_cut_into_seq_len_pieces_carrying_h():
    """Two sentences of 12 and 4 tokens (11 and 3 targets), seq_len 5: pieces of 5, 5 and 1 steps;
    only the first starts from h_0 = 0, and together they are the padded batch."""
    long, short = list(range(12)), [20, 21, 22, 23]
    stream = word_batches([long, short], 2, 5, np.random.default_rng(0))
    pieces = [next(stream) for _ in range(4)]
    assert [p.X.shape for p in pieces] == [(5, 2), (5, 2), (1, 2), (5, 2)]  # then it starts over
    assert [p.reset for p in pieces] == [True, False, False, True]
    assert [p.n_targets for p in pieces] == [5 + 3, 5, 1, 8]
    X = np.concatenate([p.X for p in pieces[:3]])
    Y = np.concatenate([p.Y for p in pieces[:3]])
    mask = np.concatenate([p.mask for p in pieces[:3]])
    assert X[:, 0].tolist() == long[:-1] and Y[:, 0].tolist() == long[1:] and mask[:, 0].all()
    assert mask[:, 1].tolist() == [1, 1, 1] + [0] * 8
    assert X[:3, 1].tolist() == short[:-1] and Y[:3, 1].tolist() == short[1:]


def test_time_chunks_leave_a_short_batch_whole_and_carry_the_reset_of_the_first():
    X = np.arange(14).reshape(7, 2)
    batch = Batch(X, X + 1, np.ones((7, 2)), False, 14)
    assert time_chunks(batch, 7) == [batch]
    pieces = time_chunks(batch, 3)
    assert [p.X[:, 0].tolist() for p in pieces] == [[0, 2, 4], [6, 8, 10], [12]]
    assert not any(p.reset for p in pieces)  # a batch that carries h: so do all its pieces
    assert all(np.shares_memory(p.X, X) for p in pieces)  # views, not copies


def every_shape(corpus, config, n=200) -> set:
    stream = batches(rc.new_model(corpus, config), corpus, config)
    return {next(stream).X.shape for _ in range(n)}


def test_largest_batch_is_the_largest_shape_batches_makes():
    words = rc.make_corpus("a b c d e f g h i j k l m n o p\na b\nc d e\nf g h i j", "word")
    chars = rc.make_corpus("abcdefghij" * 30, "char")
    for corpus, config in [
        (words, rc.TrainConfig(batch_size=3, seq_len=4)),
        (words, rc.TrainConfig(batch_size=16, seq_len=32)),
        (chars, rc.TrainConfig(batch_size=8, seq_len=16)),
        (chars, rc.TrainConfig(batch_size=64, seq_len=100)),  # a short text is not cut into bits
    ]:
        shapes = every_shape(corpus, config)
        shape = largest_batch(corpus, config)
        assert (shape.T, shape.B) == (max(T for T, _ in shapes), max(B for _, B in shapes))
        assert (shape.T, shape.B) in shapes
