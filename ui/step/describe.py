"""A walk described once, as plain data: what Step-Through's step area and the offline replay draw.

``describe_walk`` turns the path's traces into one JSON-ready dict. Every step is described once:
its equations as HTML with the numbers rounded to the chosen decimals (``ui.step.equations``), its two
charts as plain Plotly specs (``ui.common.charts``), its column of the unrolled loop (the token fed in,
the pick and its probability, y_t's top choice when the pick was not it), its title and, at the
end, why the walk stops. The browser (``ui.step.walk``, ``ui/step/renderer/walk.js``) steps through it
without asking the server; nothing in it is computed in the browser.

In guess mode the record holds the walk only as far as the class has seen it: every revealed step
whole and, after the last one, the next step without its pick (no logits, no probabilities, no
token after it). Nothing in the record names a later token or the walk's length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

import rnn_core as rc
from rnn_core import StepTrace
from ui.common import charts
from ui.common.text import show_token
from ui.step import equations
from ui.step.guess import judge, score, verdict_text
from ui.step.path import finished_reason

LOOP_CHARS = 9  # longer tokens are cut with "…" in the loop's boxes
CHOICES = 30  # the what-if list offers this many tokens at most, the most probable first
BIG_SCALE = 1.3  # chart text in presenter mode, as the rest of the page (ui.common.theme.SCALE)
CHART_PX = {"font": 14, "title": 16}  # chart text at normal size: ticks readable from the back of a room


@dataclass(frozen=True)
class WalkView:
    """How the walk is shown: everything its description depends on besides the traces."""

    rule: rc.Rule  # the walk's picking rule (for q_t's formula and the kept tokens)
    max_len: int  # the walk's length limit (for why it ends)
    decimals: int = 3
    title: str = "Step-Through"  # "Trained k steps" when replayed with earlier weights
    guess: bool = False  # guess first: the record holds the walk only as far as revealed
    revealed: int = 0  # guess mode: the steps whose pick the class has seen are 1..revealed
    guesses: Mapping[int, int | None] = field(default_factory=dict)  # guess mode: {step: guessed token id}
    big: bool = False  # presenter mode: larger text
    animate: bool = True  # the pick travels from y_t into x_{t+1} on Next
    speed: float = 1.0  # autoplay: seconds per step
    votes: Mapping[int, dict] = field(default_factory=dict)  # a room's votes at revealed steps (ui.room.panel)

    def shown(self, n: int) -> int:
        """How many steps of an n-step walk the record holds: all of them, or in guess mode the
        revealed ones and the next (unrevealed) one."""
        return n if not self.guess else min(n, self.revealed + 1)

    def is_revealed(self, t: int) -> bool:
        return not self.guess or t <= self.revealed


def short(token: str) -> str:
    """A token for a loop box: whitespace visible, at most ``LOOP_CHARS`` characters."""
    token = show_token(token)
    return token if len(token) <= LOOP_CHARS else token[: LOOP_CHARS - 1] + "…"


def loop_column(tr: StepTrace, vocab: tuple[str, ...], forked: bool, revealed: bool) -> dict:
    """Step t's column of the loop, as text: the token fed in and, once revealed, the pick with
    its y_t, how it was made and y_t's top choice when the pick was not it."""
    column = {"x": short(tr.input)}
    if not revealed:
        return column
    how = "forced" if forked else {"greedy": "argmax"}.get(tr.how, tr.how)
    column |= {"pick": short(tr.token), "p": f"{tr.p_token:.2f}", "how": how}
    top = int(tr.probs.argmax())
    if tr.probs[top] > tr.p_token:
        column |= {"top": short(vocab[top]), "top_p": f"{tr.probs[top]:.2f}"}
    return column


def sized(spec: dict, big: bool) -> dict:
    """A chart spec's text sizes for the theme (Plotly sizes are pixels)."""
    scale = BIG_SCALE if big else 1.0
    spec["layout"]["font"] = {"size": round(CHART_PX["font"] * scale)}
    spec["layout"]["title"]["font"] = {"size": round(CHART_PX["title"] * scale)}
    return spec


def choices(tr: StepTrace, vocab: tuple[str, ...], prec: int) -> list[list]:
    """What the what-if list offers at step t: [token id, token, y_t] for the ``CHOICES`` most
    probable tokens, the most probable first (a fork forces one of them)."""
    order = np.argsort(-tr.probs, kind="stable")[:CHOICES]
    return [[int(v), show_token(vocab[v]), equations.num(tr.probs[v], prec)] for v in order]


def class_votes(summary: dict, tr: StepTrace, vocab: tuple[str, ...], dist: dict) -> dict:
    """A room's votes at step t (``ui.room.panel.reveal_summary``) beside y_t: a marker at each shown
    token's share of the votes, added to the distribution's chart, and one line of text."""
    shares = {row["token"]: row["share"] for row in summary["rows"]}
    ids = tr.top_ids(equations.max_tokens(len(vocab)))
    dist["data"].append({"type": "scatter", "mode": "markers", "name": "class", "x": dist["data"][0]["x"][:len(ids)],
                         "y": [shares.get(show_token(vocab[v]), 0.0) for v in ids], "cliponaxis": False,
                         "marker": {"symbol": "diamond", "size": 13, "color": "#111827", "line": {"width": 1.5,
                                                                                               "color": "#ffffff"}},
                         "hovertemplate": "%{x}: the class's share %{y:.0%}<extra></extra>"})
    dist["layout"]["title"]["text"] += " · ◆ the class"
    n, score = summary["votes"], summary["score"]
    each = ", ".join(f"“{row['token']}” {row['votes']} ({row['share']:.0%})" for row in summary["rows"][:6])
    line = (f"Class: {n} vote{'s' * (n != 1)}: {each} · the pick “{show_token(tr.token)}”: "
            f"{summary['pick_votes']}" if n else "Class: nobody voted on this step")
    if score["steps"]:
        line += (f" · score ({score['steps']} step{'s' * (score['steps'] != 1)}): class "
                 f"{score['class_mean']:.2f} ({math.exp(score['class_mean']):.2f}), model "
                 f"{score['model_mean']:.2f} ({math.exp(score['model_mean']):.2f})")
    return {"text": line, "explained": summary["explained"]}


def describe_step(tr: StepTrace, vocab: tuple[str, ...], view: WalkView, forked: bool, shape: tuple[int, int]) -> dict:
    """Everything step t shows, revealed or (guess mode) waiting for the class's guess."""
    prec, revealed = view.decimals, view.is_revealed(tr.t)
    step = {"t": tr.t, "input": show_token(tr.input), "column": loop_column(tr, vocab, forked, revealed),
            "math": equations.before_pick(tr, prec), "hidden": sized(charts.hidden_spec(tr), view.big)}
    if not revealed:
        return step
    guess = view.guesses.get(tr.t)
    dist = sized(charts.distribution_spec(tr, vocab, max_bars=equations.max_tokens(len(vocab))), view.big)
    votes = view.votes.get(tr.t)
    return step | {
        "math": step["math"] + equations.after_pick(tr, view.rule, vocab, shape, prec),
        "notes": {"q": equations.kept_note(tr, view.rule), "pick": equations.slice_note(tr)},
        "class": class_votes(votes, tr, vocab, dist) if votes else None,
        "dist": dist,
        "forkable": tr.how != "prompt",
        "choices": choices(tr, vocab, prec) if tr.how != "prompt" else [],
        "verdict": verdict_text(judge(tr, guess), vocab, tr.token) if view.guess and guess is not None else None,
    }


def score_text(traces: list[StepTrace], guesses: Mapping[int, int | None]) -> str:
    s = score(traces, guesses)
    return s.text() if s.guessed else "no guesses yet"


def path_tokens(traces: list[StepTrace], picks: int) -> list[str]:
    """The first input and the first ``picks`` picks of a path, for "up to here" lines."""
    return [show_token(traces[0].input)] + [show_token(tr.token) for tr in traces[:picks]]


def forks_record(traces: list[StepTrace], original: list[StepTrace], forks: Mapping[int, int],
                 vocab: tuple[str, ...], picks: int) -> dict | None:
    """What was forced and both paths' tokens (the first ``picks`` picks of each), or None."""
    if not forks:
        return None
    forced = ", ".join(f"step {t} → “{show_token(vocab[v])}”" for t, v in sorted(forks.items()))
    return {"text": f"you forced {forced}; the path forked at step {min(forks)}.",
            "original": path_tokens(original, min(picks, len(original))),
            "forked": path_tokens(traces, min(picks, len(traces)))}


def describe_walk(model: rc.Model, traces: list[StepTrace], view: WalkView, forks: Mapping[int, int] | None = None,
                  original: list[StepTrace] | None = None) -> dict:
    """The walk ``traces`` (made by ``model`` with ``view.rule`` and the forced tokens ``forks``,
    {step: token id}; ``original``: the same walk without them) as one JSON-ready record."""
    forks, vocab, V, _, H = forks or {}, model.vocab.tokens, *model.params.sizes
    n = view.shown(len(traces))
    complete = n == len(traces) and view.is_revealed(n)
    steps = [describe_step(tr, vocab, view, tr.t in forks, (V, H)) for tr in traces[:n]]
    if complete:
        steps[-1]["end"] = f"Generation finished: {finished_reason(traces, view.max_len)}."
    picks = n if complete else n - 1
    return {
        "title": view.title, "steps": steps, "complete": complete, "guess": view.guess,
        "score": score_text(traces[:picks], view.guesses) if view.guess else None,
        "vocab": [show_token(v) for v in vocab] if view.guess else None,
        "forks": forks_record(traces, original or traces, forks, vocab, picks),
        "big": view.big, "animate": view.animate, "speed": view.speed,
    }


def about_text(model: rc.Model, word: str, seed: int, view: WalkView, forks: Mapping[int, int]) -> str:
    """Where the walk came from, in one line: the model and its shapes (W_y is V x H; the seed
    document writes 3 x 3), the first word, the rule, the forced tokens and the decimals. While the
    class guesses, not the corpus's name: it may hold the very sentence being guessed."""
    V, E, H = model.params.sizes
    corpus = "" if view.guess else f"corpus “{model.corpus_name}”, "
    forced = ", ".join(f"step {t} → “{show_token(model.vocab.tokens[v])}”" for t, v in sorted(forks.items()))
    random = "" if view.rule.is_greedy else f" · random seed {seed}"
    return (f"Model: {corpus}{model.level} level, {model.steps_trained:,} steps trained · "
            f"V = {V}, E = {E}, H = {H}: W_y is V × H = {V} × {H} (the source document writes it 3 × 3) · "
            f"first word “{show_token(word)}” · rule: {view.rule.describe()}{random}"
            + (f" · forced: {forced}" if forced else "") + f" · {view.decimals} decimals")
