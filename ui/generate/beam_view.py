"""Beam search, drawn: the beam at each step as a tree of kept and pruned hypotheses with their
cumulative log p, beside greedy's path (``rnn_core.beam_search``).

The built-in corpus ``BEAM_EXAMPLE`` is the case to show: greedy takes 'like' after 'I' and
must share what follows among four endings, while beam search keeps 'love' alive and finds
'I love music', a more probable sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import rnn_core as rc
from ui.common.charts import GREY, H_COLOR, axis, figure, frame
from ui.common.checked_input import checked_number
from ui.common.session import cached
from ui.common.text import axis_label, plotly_text
from ui.common.theme import plotly_chart
from ui.generate import keys as generate_keys
from ui.generate import state as generate_state

BEAM_EXAMPLE = "beam beats greedy: like / love"  # a key of the built-in corpora (tests check it)
PRUNED_DRAWN = 3  # pruned candidates drawn per step (the best ones); the rest are counted
DRAWN_STEPS = 15  # steps drawn at most: past that the columns get too narrow to read
BEST_COLOR, DONE_COLOR, GREEDY_COLOR = "#e4572e", "#2a9d55", "#7c3aed"
LABEL_BACKGROUND = "rgba(255, 255, 255, 0.9)"  # labels are annotations on a box: the tree's lines pass behind them
NOT_RANKED = "—"  # greedy's row in the score column: the beam's score ranks the beam's own sentences


@dataclass(frozen=True)
class BeamDrawing:
    """What the view needs of a ``BeamResult`` (kept in session): the first DRAWN_STEPS steps and
    the sentences, without the paths' V-long arrays (a beam 500 tokens long holds hypotheses with
    up to 500 ids at every step: megabytes nobody draws)."""

    steps: tuple[rc.decoding.BeamStep, ...]  # the first DRAWN_STEPS steps
    n_steps: int  # steps the search took
    best: rc.decoding.Hypothesis
    complete: tuple[rc.decoding.Hypothesis, ...]
    greedy_ids: tuple[int, ...]  # greedy's generated tokens
    greedy_log_p: float
    width: int
    length_norm: bool

    @classmethod
    def of(cls, result: rc.decoding.BeamResult) -> "BeamDrawing":
        greedy = tuple(tr.token_id for tr in result.greedy if tr.how != "prompt")
        return cls(result.steps[:DRAWN_STEPS], len(result.steps), result.best, result.complete, greedy,
                   result.greedy_log_p, result.width, result.length_norm)


def search(model: rc.Model, s: generate_state.Settings, width: int, length_norm: bool) -> BeamDrawing:
    """Beam search from the run's prompt up to its max tokens, recording the best few pruned."""
    return BeamDrawing.of(rc.decoding.beam_search(model, s.prompt, int(width), max_tokens=s.max_tokens,
                                         length_norm=length_norm, max_pruned=PRUNED_DRAWN))


def positions(steps) -> dict[tuple[int, ...], tuple[int, int]]:
    """(column, row) of every drawn hypothesis, by its token ids: column k for the k-th generated
    token, rows kept first (best score first), then the best PRUNED_DRAWN pruned."""
    return {h.ids: (k, row) for k, step in enumerate(steps, start=1)
            for row, h in enumerate(step.kept + step.pruned[:PRUNED_DRAWN])}


def _edges(hypotheses, where, line: dict) -> dict:
    """A line from each hypothesis's parent (its ids but the last) to it, None-separated, as one
    scatter trace drawn ``line``."""
    xs, ys = [], []
    for h in hypotheses:
        (x0, y0), (x1, y1) = where[h.ids[:-1]], where[h.ids]
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    return {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "line": line, "hoverinfo": "skip",
            "showlegend": False}


def _nodes(drawn, where, greedy: set) -> dict:
    """The drawn hypotheses and the prompt as one scatter trace of markers: kept ones blue dots
    (green squares when finished), pruned ones grey rings, greedy's ringed in purple, the prompt
    a black diamond."""
    marker = lambda h, kept: (("square" if h.finished else "circle") if kept else "circle-open",  # noqa: E731
                              (DONE_COLOR if h.finished else H_COLOR) if kept else GREY)
    return {
        "type": "scatter", "mode": "markers", "showlegend": False,
        "x": [where[h.ids][0] for h, _ in drawn] + [0], "y": [where[h.ids][1] for h, _ in drawn] + [0],
        "marker": {"size": [16 if h.ids in greedy else 11 for h, _ in drawn] + [12],
                   "symbol": [marker(h, k)[0] for h, k in drawn] + ["diamond"],
                   "color": [marker(h, k)[1] for h, k in drawn] + ["#111827"],
                   "line": {"width": [3 if h.ids in greedy else 0 for h, _ in drawn] + [0], "color": GREEDY_COLOR}},
        "hovertext": [f"{'kept' if k else 'pruned'}: log p = {h.log_p:.4f}, score = {h.score:.4f}" for h, k in drawn]
        + ["the prompt"], "hovertemplate": "%{hovertext}<extra></extra>"}


def beam_figure(d: BeamDrawing, vocab: tuple[str, ...], prompt_text: str) -> go.Figure:
    """The beam as a tree: the prompt at column 0, kept hypotheses as blue dots (green squares
    when they end with </s>), pruned ones as grey rings, the best sentence's edges in red and
    greedy's tokens ringed in purple where the beam holds them. Labels (``labels``): token and
    log p."""
    steps = d.steps
    where = {(): (0, 0), **positions(steps)}
    drawn = [(h, h in step.kept) for step in steps for h in step.kept + step.pruned[:PRUNED_DRAWN]]
    best = {d.best.ids[:i] for i in range(len(d.best.ids) + 1)}
    greedy = {d.greedy_ids[:i] for i in range(1, len(d.greedy_ids) + 1)}
    edges = [_edges([h for h, kept in drawn if not kept], where, dict(color=GREY, dash="dot")),
             _edges([h for h, kept in drawn if kept], where, dict(color=H_COLOR)),
             _edges([h for h, _ in drawn if h.ids in best], where, dict(color=BEST_COLOR, width=4))]
    rows = max(row for _, row in where.values()) + 1
    layout = {"annotations": labels(drawn, where, vocab, prompt_text),
              "xaxis": axis("generated token (one column per step of the search)", tickmode="array",
                            tickvals=list(range(len(steps) + 1)),
                            ticktext=["prompt"] + [f"token {k}" for k in range(1, len(steps) + 1)],
                            range=[-0.5, len(steps) + 0.6]),
              "yaxis": axis("hypotheses: kept ones first, best score on top", range=[rows - 0.4, -0.6],
                            showticklabels=False, showgrid=False, zeroline=False),  # high first: row 0 on top
              **frame(f"beam of width {d.width}, step by step · each label: token, cumulative log p",
                      height=140 + 70 * rows)}
    return figure({"data": [*edges, _nodes(drawn, where, greedy)], "layout": layout})


def labels(drawn, where, vocab: tuple[str, ...], prompt_text: str) -> list[dict]:
    """Each drawn hypothesis's label (its last token and cumulative log p) and the prompt's, just
    above its marker, as annotations on a white box: drawn over the tree's lines (Plotly draws
    annotations above the traces), so no line runs through a label. The box hides a line; a
    text halo did not (it leaves the gaps inside and between the glyphs)."""
    texts = [(where[h.ids], f"{axis_label(vocab[h.ids[-1]])}<br>{h.log_p:.2f}") for h, _ in drawn]
    return [dict(x=x, y=y, text=text, showarrow=False, yanchor="bottom", yshift=8, bgcolor=LABEL_BACKGROUND,
                 borderpad=1, font=dict(size=11))
            for (x, y), text in texts + [((0, 0), plotly_text(prompt_text))]]


def complete_table(d: BeamDrawing, model: rc.Model) -> pd.DataFrame:
    """Every complete hypothesis, best score first, and greedy's sentence: text, log p, P, and the
    beam's score as text (greedy's sentence is not one the beam ranked: NOT_RANKED, never a
    missing value a table would print as None)."""
    vocab = model.vocab.tokens
    text = lambda ids: rc.decode([vocab[i] for i in ids], model.level)  # noqa: E731
    rows = [{"found by": f"beam #{i}", "continuation": text(h.ids), "log p": h.log_p, "P": math.exp(h.log_p),
             "score": f"{h.score:.4f}"} for i, h in enumerate(d.complete, start=1)]
    rows.append({"found by": "greedy", "continuation": text(d.greedy_ids), "log p": d.greedy_log_p,
                 "P": math.exp(d.greedy_log_p), "score": NOT_RANKED})
    return pd.DataFrame(rows)


def verdict(d: BeamDrawing) -> str:
    """Beam's best sentence against greedy's, in log p and as a ratio of probabilities."""
    gain = d.best.log_p - d.greedy_log_p
    if gain > 1e-9:
        return (f"Beam search found a continuation {math.exp(gain):.2f} times as probable as greedy's "
                f"(log p {d.best.log_p:.3f} against {d.greedy_log_p:.3f}): greedy committed to the most probable "
                "token at every step and walked past it.")
    if gain < -1e-9:
        return (f"Greedy's continuation is the more probable here (log p {d.greedy_log_p:.3f} against "
                f"{d.best.log_p:.3f}): with length normalisation the beam ranks by log p per token, not by P.")
    return ("Beam search and greedy agree here: the most probable token at every step also makes the most "
            "probable sentence.")


def show_beam(model: rc.Model, version: int, s: generate_state.Settings, *, key: str) -> BeamDrawing:
    """Width and length normalisation, the drawn beam, the verdict and the table of sentences."""
    c1, c2, c3 = st.columns([2, 3, 6])
    width = checked_number(c1, rc.limits.BEAM_WIDTH, key=f"{key}_width", label="Beam width")
    norm = c2.toggle("Length-normalised", key=f"{key}_norm", persist_state="session",
                     help="Rank complete sentences by log p / tokens instead of log p.")
    c3.caption(f"From the run's prompt, at most {s.max_tokens} tokens: every step extends each of the kept "
               f"hypotheses by every token of the vocabulary and keeps the {width} with the highest cumulative "
               "log p; a hypothesis that picks </s> leaves the beam as a finished sentence.")
    if model.corpus_name == BEAM_EXAMPLE:
        st.info("This model was trained on the built-in corpus “beam beats greedy: like / love”: after “I”, "
                "greedy takes “like” (4 lines of 7) and must share what follows among four endings, while a beam "
                "of width 2 keeps “love” alive and finds “I love music”.")
    else:
        st.caption("To see beam search beat greedy, train the built-in corpus “beam beats greedy: like / love” "
                   "on the Train page and come back with the prompt “I”.")
    d = cached(generate_keys.VIEW_RESULT, ("beam", s.key(version), width, norm), lambda: search(model, s, width, norm))
    plotly_chart(beam_figure(d, model.vocab.tokens, s.prompt), key=f"{key}_figure")
    st.caption("Blue dots: hypotheses kept at that step (green squares: finished with </s>); grey rings: the best "
               "pruned ones; red: the path of the best sentence; purple rings: greedy's tokens where the beam "
               "holds them.")
    if d.n_steps > len(d.steps):
        st.caption(f"The first {len(d.steps)} of {d.n_steps} steps are drawn; the table has every sentence.")
    st.markdown(verdict(d))
    st.dataframe(complete_table(d, model), hide_index=True, width="stretch", column_config={
        "log p": st.column_config.NumberColumn(format="%.4f"), "P": st.column_config.NumberColumn(format="%.4f"),
        "score": st.column_config.TextColumn(help="What the beam ranks its sentences by: log p, or log p per token "
                                                  "when length-normalised. Greedy's sentence is not ranked (—).")})
    return d
