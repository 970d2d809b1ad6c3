"""The tree of continuations: N sampled continuations of the prompt merged by prefix
(``rnn_core.sample_tree``), drawn as a Plotly icicle, each box a token with how many samples
passed through it and its probability given the prefix. Clicking a box opens that prefix in
Step-Through (its prompt is the URL query key ``word``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import rnn_core as rc
from ui.common import links
from ui.common.charts import BLUES, figure, frame
from ui.common.checked_input import checked_number
from ui.common.session import cached
from ui.common.text import axis_label
from ui.common.theme import plotly_chart
from ui.generate import keys as generate_keys
from ui.generate import state as generate_state

SHOWN_DEPTH = 6  # generated tokens drawn at first: deeper levels make thin, unreadable boxes
MAX_DEPTH = 12  # generated tokens kept and drawable at most (a whole tree of long samples is large)


@dataclass(frozen=True)
class TreeDrawing:
    """What the view keeps of a ``ContinuationTree``: its nodes down to MAX_DEPTH generated
    tokens as flat lists, and a few counts. (The whole tree of 1,000 samples of 500 tokens holds
    up to 500,000 nodes, each with an id as long as its prefix: over 100 MB.)"""

    flat: rc.decoding.FlatTree  # root first, parents before children
    depths: tuple[int, ...]  # generated tokens up to each node (0 at the root)
    prompt: tuple[str, ...]
    prompt_text: str
    n: int  # samples merged
    leaves: int  # distinct continuations (in the whole tree)
    deepest: int  # generated tokens of the longest sample

    @classmethod
    def of(cls, tree: rc.decoding.ContinuationTree) -> "TreeDrawing":
        flat = tree.flat(MAX_DEPTH)
        where = {node_id: i for i, node_id in enumerate(flat.ids)}
        depths: list[int] = []
        for parent in flat.parents:
            depths.append(depths[where[parent]] + 1 if parent else 0)
        nodes = list(tree.nodes())
        leaves = sum(node.count > sum(c.count for c in node.children) for node in nodes)
        return cls(flat, tuple(depths), tree.prompt, tree.prompt_text, tree.n, leaves,
                   max(node.depth for node in nodes))

    def upto(self, depth: int) -> rc.decoding.FlatTree:
        """The flat lists of the nodes at most ``depth`` generated tokens deep."""
        keep = [i for i, d in enumerate(self.depths) if d <= depth]
        f = self.flat
        return rc.decoding.FlatTree(*([column[i] for i in keep] for column in (f.ids, f.parents, f.labels, f.values,
                                                                               f.p,
                                                                        f.q, f.cum_p, f.cum_q)))

    def prefix(self, node_id: str) -> tuple[str, ...]:
        """The prompt, then every token from the root down to ``node_id``; ConfigError for an id
        the drawing does not hold (a click on an older tree)."""
        where = {i: k for k, i in enumerate(self.flat.ids)}
        if node_id not in where:
            raise rc.ConfigError(f"the tree of continuations has no node {node_id!r}; sample it again.")
        tokens, k = [], where[node_id]
        while self.flat.parents[k]:
            tokens.append(self.flat.labels[k])
            k = where[self.flat.parents[k]]
        return self.prompt + tuple(reversed(tokens))


def tree_figure(drawing: TreeDrawing, max_depth: int) -> go.Figure:
    """An icicle, root (the prompt) on the left: box width = samples through it, colour = p, the
    model's probability of the token given its prefix. Labels escaped for Plotly."""
    flat = drawing.upto(max_depth)
    icicle = {
        "type": "icicle", "ids": flat.ids, "parents": flat.parents, "values": flat.values, "branchvalues": "total",
        "labels": [axis_label(label) for label in flat.labels], "sort": False,
        "customdata": np.column_stack([flat.p, flat.q, flat.cum_p, flat.cum_q]),
        "marker": {"colors": flat.p, "colorscale": BLUES, "cmin": 0, "cmax": 1, "showscale": True,
                   "colorbar": {"title": {"text": "p"}, "thickness": 12}},
        "texttemplate": "%{label}<br>%{value} · p %{customdata[0]:.2f}",
        "hovertemplate": ("<b>%{label}</b>: %{value} of " + f"{drawing.n:,}" + " samples<br>"
                          "p = y(token | prefix) = %{customdata[0]:.4f}<br>q (drawn with) = %{customdata[1]:.4f}<br>"
                          "P(prefix | prompt) = %{customdata[2]:.4g}<extra></extra>"),
        "tiling": {"orientation": "h"}, "pathbar": {"visible": False},
    }
    title = f"{drawing.n:,} sampled continuations of “{axis_label(drawing.prompt_text)}”, merged by prefix"
    return figure({"data": [icicle], "layout": frame(title, height=520)})


def clicked_node(event) -> str | None:
    """The id of the box a click selected in ``st.plotly_chart(..., on_select="rerun")``'s event."""
    points = event.selection.points if event is not None else []
    return points[0].get("id") if points else None


def prefix_query(drawing: TreeDrawing, node_id: str, level: str) -> dict[str, str]:
    """Step-Through's query string for a node's prefix: the prompt and the tokens generated on
    the way to the node as its first words, space-separated at word level, joined at char level."""
    return links.step_through(words=("" if level == "char" else " ").join(drawing.prefix(node_id)))


def show_tree(model: rc.Model, version: int, s: generate_state.Settings, *, key: str) -> dict[str, str] | None:
    """N samples (a number box) merged into a tree, drawn down to a chosen depth; returns
    Step-Through's query for the box a click selected (None without a click)."""
    limits = rc.limits
    c1, c2, c3 = st.columns([1, 2, 3])
    n = checked_number(c1, limits.TREE_SAMPLES, key=f"{key}_n", label="Samples in the tree")
    generate_state.check_work(int(n), "samples in the tree", model, s)
    with st.spinner(f"Sampling {n:,} continuations…"):
        drawing = cached(generate_keys.VIEW_RESULT, ("tree", s.key(version), n), lambda: TreeDrawing.of(
            rc.decoding.sample_tree(model, s.prompt, s.rule, int(n), max_tokens=s.max_tokens, seed=s.seed)))
    deepest = min(drawing.deepest, MAX_DEPTH)
    depth = c2.slider("Depth shown", 1, max(deepest, 2), min(SHOWN_DEPTH, max(deepest, 1)), key=f"{key}_depth",
                      disabled=deepest < 2, help=f"Generated tokens drawn (at most {MAX_DEPTH}); deeper boxes "
                                                 "get thin.")
    c3.caption(f"Samples #1–#{n:,} of the run's rule and seed ({s.rule.describe()}), merged by prefix: "
               f"{drawing.leaves:,} distinct continuations. Width: how many samples passed through a box; colour: "
               "p, the model's probability of its token after the prefix. **Click a box** to open that prefix in "
               "Step-Through.")
    event = plotly_chart(tree_figure(drawing, depth), key=f"{key}_figure", on_select="rerun",
                            selection_mode="points")
    node = clicked_node(event)
    return None if node is None else prefix_query(drawing, node, model.level)
