"""The tree of continuations: hand-built paths merged by prefix, counts and probabilities read from
the traces, the flat lists for an icicle, and a node turned back into its prompt."""

from __future__ import annotations

import numpy as np
import pytest

import rnn_core as rc
from rnn_core.limits import TREE_SAMPLES
from rnn_core.tree import ContinuationTree, merge_paths, sample_tree

VOCAB = ("I", "love", "deep", "learning", "</s>")
I, LOVE, DEEP, LEARNING, EOS = range(5)


def dist(token: int, p: float) -> np.ndarray:
    """A distribution over VOCAB giving ``token`` probability p, the rest shared equally."""
    y = np.full(5, (1 - p) / 4)
    y[token] = p
    return y


def step(t: int, input_id: int, token_id: int, probs, how: str = "sampled", q=None) -> rc.StepTrace:
    """A hand-made trace: only the fields the tree reads carry meaning."""
    z = np.zeros(2)
    return rc.StepTrace(t=t, input=VOCAB[input_id], input_id=input_id, x=z, h_prev=z, Wx_x=z, Wh_h=z, b_h=z,
                        a=z, h=z, logits=np.log(probs), probs=probs, token=VOCAB[token_id], token_id=token_id,
                        how=how, q=probs if q is None else q)


def path(*picks: tuple[int, float], prompt=(I,)) -> list[rc.StepTrace]:
    """Traces from ``prompt`` then each (token, p) picked in turn."""
    steps, ids = [], list(prompt)
    for i in range(1, len(prompt)):
        steps.append(step(i, prompt[i - 1], prompt[i], dist(prompt[i], 0.5), how="prompt"))
    for token, p in picks:
        steps.append(step(len(steps) + 1, ids[-1], token, dist(token, p)))
        ids.append(token)
    return steps


PATHS = [
    path((LOVE, 0.5), (DEEP, 0.6), (EOS, 0.9)),
    path((LOVE, 0.5), (DEEP, 0.6), (LEARNING, 0.3)),
    path((LOVE, 0.5), (LEARNING, 0.2), (EOS, 0.8)),
    path((DEEP, 0.25), (EOS, 0.4)),
]


def shape(node) -> tuple:
    """(token, count, p, cum_p, children...) of a subtree, probabilities rounded for comparison."""
    return (node.token, node.count, round(node.p, 12), round(node.cum_p, 12), *(shape(c) for c in node.children))


def test_paths_merge_by_prefix_with_counts_and_probabilities_from_the_traces():
    tree = merge_paths(PATHS)
    assert tree.n == 4 and tree.prompt == ("I",)
    assert shape(tree.root) == (
        "", 4, 1.0, 1.0,
        ("love", 3, 0.5, 0.5,
            ("deep", 2, 0.6, 0.3,
                ("learning", 1, 0.3, 0.09),  # a tie in count: vocabulary order
                ("</s>", 1, 0.9, 0.27)),
            ("learning", 1, 0.2, 0.1,
                ("</s>", 1, 0.8, 0.08))),
        ("deep", 1, 0.25, 0.25,
            ("</s>", 1, 0.4, 0.1)),
    )
    love = tree.root.children[0]
    assert (love.id, love.token_id, love.depth) == ("root/1", LOVE, 1)
    assert love.children[0].children[1].id == "root/1/2/4"


def test_q_and_cum_q_come_from_the_rules_q_not_from_y():
    q1, q2 = dist(LOVE, 0.8), dist(DEEP, 0.5)
    paths = [[step(1, I, LOVE, dist(LOVE, 0.5), q=q1), step(2, LOVE, DEEP, dist(DEEP, 0.4), q=q2)]] * 2
    node = merge_paths(paths).node("root/1/2")
    assert (node.p, node.q) == (0.4, 0.5)
    assert node.cum_p == pytest.approx(0.2) and node.cum_q == pytest.approx(0.4) and node.count == 2


def test_flat_lists_for_an_icicle_root_first_parents_before_children():
    flat = merge_paths(PATHS).flat()
    assert flat.ids == ["root", "root/1", "root/1/2", "root/1/2/3", "root/1/2/4", "root/1/3", "root/1/3/4",
                        "root/2", "root/2/4"]
    assert flat.parents == ["", "root", "root/1", "root/1/2", "root/1/2", "root/1", "root/1/3", "root", "root/2"]
    assert flat.labels == ["I", "love", "deep", "learning", "</s>", "learning", "</s>", "deep", "</s>"]
    assert flat.values == [4, 3, 2, 1, 1, 1, 1, 1, 1]
    assert flat.p == pytest.approx([1, 0.5, 0.6, 0.3, 0.9, 0.2, 0.8, 0.25, 0.4])
    assert flat.cum_p == pytest.approx([1, 0.5, 0.3, 0.09, 0.27, 0.1, 0.08, 0.25, 0.1])
    shallow = merge_paths(PATHS).flat(max_depth=1)
    assert shallow.ids == ["root", "root/1", "root/2"] and shallow.values == [4, 3, 1]


def test_a_node_turns_back_into_the_prompt_of_its_prefix():
    paths = [path((DEEP, 0.5), (EOS, 0.9), prompt=(I, LOVE)), path((LEARNING, 0.5), prompt=(I, LOVE))]
    tree = merge_paths(paths)
    assert tree.prompt == ("I", "love")
    assert tree.prompt_of("root") == ("I", "love")
    assert tree.prompt_of("root/2/4") == ("I", "love", "deep", "</s>")
    assert tree.node("root/3").token == "learning"
    assert tree.flat().labels[0] == "I love"
    assert merge_paths(paths, level="char").flat().labels[0] == "Ilove"  # tokens joined as the level writes them
    for bad in ("root/4", "root/2/2", "nonsense", "root/x"):
        with pytest.raises(rc.ConfigError, match="no node"):
            tree.node(bad)


def test_paths_that_cannot_be_merged_are_refused():
    with pytest.raises(rc.ConfigError, match="at least one"):
        merge_paths([])
    with pytest.raises(rc.ConfigError, match="different prompts"):
        merge_paths([PATHS[0], path((DEEP, 0.5), prompt=(LOVE,))])
    with pytest.raises(rc.ConfigError, match="different probabilities"):
        merge_paths([PATHS[0], path((LOVE, 0.7))])


def test_sampled_tree_counts_every_path_and_its_p_is_what_the_model_gives_the_prefix(random_model):
    tree = sample_tree(random_model, "one", rc.Rule("sample", temperature=1.5), 60, max_tokens=4, seed=2)
    assert isinstance(tree, ContinuationTree) and tree.root.count == 60
    ends = 0
    for node in tree.nodes():
        ends += node.count - sum(c.count for c in node.children)  # paths that stop here
        if node.children:
            # independent: generate from the node's prefix and read y of the next step
            y = rc.generate(random_model, list(tree.prompt_of(node.id)), rc.GREEDY, max_tokens=1)[-1].probs
            for child in node.children:
                assert child.p == pytest.approx(y[child.token_id], rel=1e-12)
                assert child.cum_p == pytest.approx(node.cum_p * y[child.token_id], rel=1e-12)
    assert ends == 60


def test_a_greedy_tree_is_a_single_chain(random_model):
    tree = sample_tree(random_model, "one", rc.GREEDY, 5, max_tokens=3)
    counts = [node.count for node in tree.nodes()]
    assert counts == [5, 5, 5, 5] and all(len(n.children) <= 1 for n in tree.nodes())


@pytest.mark.parametrize("n, max_tokens", [(0, 5), (TREE_SAMPLES.high + 1, 5), (2.0, 5), (1000, 201)])
def test_bad_sample_numbers_are_refused(random_model, n, max_tokens):
    with pytest.raises(rc.ConfigError):
        sample_tree(random_model, "one", rc.GREEDY, n, max_tokens=max_tokens)


def nodes_of(tree) -> list[tuple]:
    return [(n.id, n.token, n.count, n.p, n.q, n.cum_p, n.cum_q) for n in tree.nodes()]


def test_sampled_tree_is_the_merge_of_the_full_traces(random_model):
    rule = rc.Rule("sample", temperature=1.3, top_k=5)
    tree = sample_tree(random_model, "one two", rule, 40, max_tokens=5, seed=4)
    full = [rc.generate(random_model, "one two", rule, max_tokens=5, seed=4, sample=s) for s in range(40)]
    assert nodes_of(tree) == nodes_of(merge_paths(full))
    assert any(n.q != n.p for n in tree.nodes())  # top-k and T reshaped y: q is not p


def test_sampled_tree_holds_no_v_long_array_per_step():
    """Summaries, not full traces: with V = 5,000 the 1,000 steps of 100 paths would keep
    about 80 MB of y_t and o_t; merging summaries peaks near a few V-long arrays."""
    import tracemalloc

    corpus = rc.make_corpus(" ".join(f"w{i}" for i in range(4999)), "word")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=4, embed_dim=4, seed=0, dtype="float64"))
    V = len(model.vocab)
    tracemalloc.start()
    try:
        sample_tree(model, "w0", rc.Rule("sample", temperature=2.0), 100, max_tokens=10)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * V * 8, f"{peak:,} bytes at peak"
