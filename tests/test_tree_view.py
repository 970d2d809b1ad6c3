"""The tree of continuations on a page: the icicle holds rnn_core's flat tree with escaped
labels, a click's node id becomes Step-Through's prompt, leaves are the distinct endings."""

from types import SimpleNamespace

import numpy as np
import pytest

import rnn_core as rc
from ui import tree_view as tv


@pytest.fixture(scope="module")
def seed():
    model = rc.seed_model()
    return rc.train(model, rc.seed_corpus(), model.config)[0]


@pytest.fixture(scope="module")
def tree(seed):
    return rc.sample_tree(seed, "I", rc.Rule("sample", temperature=2.0), 80, max_tokens=6, seed=1)


def test_icicle_holds_the_flat_tree_with_escaped_labels(tree):
    flat = tree.flat(3)
    icicle = tv.tree_figure(tree, 3).data[0]
    assert list(icicle.ids) == flat.ids and list(icicle.parents) == flat.parents
    assert list(icicle.values) == flat.values and icicle.branchvalues == "total"
    assert np.allclose(np.asarray(icicle.customdata)[:, 0], flat.p) and np.allclose(icicle.marker.colors, flat.p)
    assert "&lt;/s&gt;" in icicle.labels and "</s>" not in icicle.labels
    assert max(i.count("/") for i in icicle.ids) == 3  # down to 3 generated tokens


def test_a_clicked_node_opens_its_prefix(seed, tree):
    node = next(n for n in tree.nodes() if n.depth == 2)
    event = SimpleNamespace(selection=SimpleNamespace(points=[{"id": node.id, "label": node.token}]))
    node_id = tv.clicked_node(event)
    assert node_id == node.id
    query = tv.prefix_query(tree, node_id, "word")
    assert query["word"].split(" ")[0] == "I" and len(query["word"].split(" ")) == 3
    # independent: the prefix fed to the model as a prompt reaches this node's token last
    assert rc.prompt_ids(seed, query["word"])[-1] == node.token_id
    assert tv.clicked_node(SimpleNamespace(selection=SimpleNamespace(points=[]))) is None
    assert tv.clicked_node(None) is None


def test_char_level_prefixes_join_without_spaces():
    corpus = rc.make_corpus("ab ba\n", "char")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=4, embed_dim=4, seed=0))
    tree = rc.sample_tree(model, "a", rc.Rule("sample", temperature=2.0), 30, max_tokens=4)
    deepest = max(tree.nodes(), key=lambda n: n.depth)
    query = tv.prefix_query(tree, deepest.id, "char")
    assert list(query["word"]) == list(tree.prompt_of(deepest.id))


def test_leaves_count_the_distinct_continuations(seed, tree):
    paths = {tuple(rc.path_tokens(rc.generate_summary(seed, "I", rc.Rule("sample", temperature=2.0), max_tokens=6,
                                                       seed=1, sample=s))) for s in range(80)}
    assert tv.leaves(tree) == len(paths)
