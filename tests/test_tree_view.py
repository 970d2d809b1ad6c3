"""The tree of continuations on a page: what the view keeps of rnn_core's tree, the icicle with
escaped labels, a click's node id turned into Step-Through's prompt, the distinct endings."""

from types import SimpleNamespace

import numpy as np
import pytest

import rnn_core as rc
from ui.generate import tree_view

RULE = rc.Rule("sample", temperature=3.0)


@pytest.fixture(scope="module")
def seed():
    model = rc.seed_model()
    return rc.train(model, rc.seed_corpus(), model.config)[0]


@pytest.fixture(scope="module")
def tree(seed):
    return rc.decoding.sample_tree(seed, "I", RULE, 80, max_tokens=20, seed=1)


def test_the_drawing_keeps_the_nodes_down_to_max_depth(tree):
    drawing = tree_view.TreeDrawing.of(tree)
    assert drawing.deepest > tree_view.MAX_DEPTH  # T = 3 wanders: a sample runs past MAX_DEPTH tokens
    kept = [n for n in tree.nodes() if n.depth <= tree_view.MAX_DEPTH]
    assert drawing.flat.ids == [n.id for n in kept] and list(drawing.depths) == [n.depth for n in kept]
    shallow = drawing.upto(3)
    assert shallow.ids == tree.flat(3).ids and shallow.values == tree.flat(3).values and shallow.p == tree.flat(3).p


def test_icicle_holds_the_flat_tree_with_escaped_labels(tree):
    flat = tree.flat(3)
    icicle = tree_view.tree_figure(tree_view.TreeDrawing.of(tree), 3).data[0]
    assert list(icicle.ids) == flat.ids and list(icicle.parents) == flat.parents
    assert list(icicle.values) == flat.values and icicle.branchvalues == "total"
    assert np.allclose(np.asarray(icicle.customdata)[:, 0], flat.p) and np.allclose(icicle.marker.colors, flat.p)
    assert "&lt;/s&gt;" in icicle.labels and "</s>" not in icicle.labels


def test_a_clicked_node_opens_its_prefix(seed, tree):
    drawing = tree_view.TreeDrawing.of(tree)
    for node in [n for n in tree.nodes() if n.depth <= tree_view.MAX_DEPTH][::7]:
        event = SimpleNamespace(selection=SimpleNamespace(points=[{"id": node.id, "label": node.token}]))
        node_id = tree_view.clicked_node(event)
        assert node_id == node.id
        assert drawing.prefix(node_id) == tree.prompt_of(node.id)
    node = next(n for n in tree.nodes() if n.depth == 2)
    query = tree_view.prefix_query(drawing, node.id, "word")
    assert query["word"].split(" ")[0] == "I" and len(query["word"].split(" ")) == 3
    # independent: the prefix fed to the model as a prompt reaches this node's token last
    assert rc.decoding.prompt_ids(seed, query["word"])[-1] == node.token_id
    assert tree_view.clicked_node(SimpleNamespace(selection=SimpleNamespace(points=[]))) is None
    with pytest.raises(rc.ConfigError, match="sample it again"):
        drawing.prefix("root/99/98")


def test_char_level_prefixes_join_without_spaces():
    corpus = rc.make_corpus("ab ba\n", "char")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=4, embed_dim=4, seed=0))
    tree = rc.decoding.sample_tree(model, "a", RULE, 30, max_tokens=4)
    deepest = max(tree.nodes(), key=lambda n: n.depth)
    query = tree_view.prefix_query(tree_view.TreeDrawing.of(tree), deepest.id, "char")
    assert list(query["word"]) == list(tree.prompt_of(deepest.id))


def test_leaves_count_the_distinct_continuations(seed, tree):
    samples = [rc.decoding.generate_summary(seed, "I", RULE, max_tokens=20, seed=1, sample=s) for s in range(80)]
    paths = {tuple(rc.analysis.path_tokens(steps)) for steps in samples}
    assert tree_view.TreeDrawing.of(tree).leaves == len(paths)
