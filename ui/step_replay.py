"""An offline replay of a Step-Through walk: one self-contained HTML file holding every step of
the current path, for a workshop that loses its network.

``walk_html`` (pure, no Streamlit) writes the file: plotly.js inline (plotly's own bundled copy),
then each step precomputed in Python from its ``StepTrace`` with the page's own builders, the
distribution and hidden-state figures (``ui.charts``), the loop diagram (``ui.step_loop``), and
the equations as HTML (KaTeX needs its fonts, so no LaTeX) in the page's notation and Decimals.
The file's script only swaps them: PageDown/PageUp, Right/Left, Home/End step, each step's
charts drawn by plotly.js ahead of the key press. No number is computed in the browser, nothing is fetched: no server, no CDN,
no external font. Every token is escaped (``ui.token_text``).

``replay_section`` is the page's control: a download button whose file is built when it is
clicked (Streamlit's deferred download), from the path on screen at that moment, so stepping
never builds or sends the few megabytes of plotly.js.
"""

from __future__ import annotations

import html
import json
import math
from functools import partial
from typing import Mapping

import numpy as np
import plotly.io as pio
import plotly.offline
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import rnn_core as rc
from rnn_core import StepTrace
from ui import charts, step_path
from ui import step_latex as tex
from ui import step_state as state
from ui.generate_export import slug
from ui.step_loop import loop_svg
from ui.step_settings import Settings
from ui.token_text import html_token

DIST_HEIGHT, HIDDEN_HEIGHT = 245, 200  # px, as on the page
TEMPLATE = "plotly_white"  # the page's charts sit on white (Streamlit's theme); set once, not per step
DEFAULT_DECIMALS = 3  # the page's Decimals before anyone moves the slider
KEY = "step_replay"  # the download button
MIME = "text/html"


# ---------------------------------------------------------------- notation as HTML


def var(name: str, sub: str | int = "") -> str:
    """A variable in the page's notation: 'W', 'x' -> <i>W</i><sub>x</sub>."""
    return f'<span class="v"><i>{name}</i>' + (f"<sub>{sub}</sub>" if sub != "" else "") + "</span>"


def cells(v: np.ndarray, prec: int, limit: int, gap: str) -> list[str]:
    """A vector's entries rounded like the page (``step_latex.num``), each in a number element;
    over ``limit`` entries the first ones, ``gap`` (⋮ or …) and the last, as the page's LaTeX does."""
    out = [f'<span class="n">{tex.num(z, prec)}</span>' for z in v]
    return out[: limit - 2] + [f"<span>{gap}</span>"] + out[-1:] if len(out) > limit else out


def col_vec(v: np.ndarray, prec: int, name: str) -> str:
    """A column vector (n,) between brackets; ``name`` goes on the element (tests read it)."""
    return f'<span class="col" data-name="{name}">{"".join(cells(v, prec, tex.COLUMN_ROWS, "⋮"))}</span>'


def row_vec(v: np.ndarray, prec: int, name: str) -> str:
    """A vector (n,) written as a transposed row, [0.1, 0.3, 0.5]ᵀ as the seed document does."""
    entries = ", ".join(cells(v, prec, tex.ROW_ENTRIES, "…"))
    return f'<span class="row" data-name="{name}">[{entries}]<sup>⊤</sup></span>'


def under(body: str, label: str) -> str:
    """``body`` with ``label`` written under it (the page's \\underbrace)."""
    return f'<span class="under"><span>{body}</span><span class="label">{label}</span></span>'


def quoted(token: str) -> str:
    return f"<span class=\"tok\">“{html_token(token)}”</span>"


def eq(*parts: str) -> str:
    """One equation: its parts joined by spaces, on a line of its own."""
    return '<div class="eq">' + " ".join(parts) + "</div>"


# ---------------------------------------------------------------- one step's equations


def input_eq(tr: StepTrace, prec: int) -> str:
    """x_t = emb(token) with its numbers; at step 1 also h_0 = 0 (the seed's Step 2)."""
    h0 = f",&emsp;{var('h', 0)} = <strong>0</strong>" if tr.t == 1 else ""
    return eq(var("x", tr.t), "=", f"emb({quoted(tr.input)})", "=", row_vec(tr.x, prec, "x") + h0)


def preactivation_eq(tr: StepTrace, prec: int) -> str:
    """a_t = W_x x_t + W_h h_{t-1} + b_h: each term's numbers named under them, and their sum."""
    t = tr.t
    terms = [under(col_vec(tr.Wx_x, prec, "Wx_x"), var("W", "x") + " " + var("x", t)),
             under(col_vec(tr.Wh_h, prec, "Wh_h"), var("W", "h") + " " + var("h", t - 1)),
             under(col_vec(tr.b_h, prec, "b_h"), var("b", "h"))]
    return eq(var("a", t), "=", " + ".join(terms), "=", under(col_vec(tr.a, prec, "a"), var("a", t)))


def hidden_eq(tr: StepTrace, prec: int) -> str:
    return eq(var("h", tr.t), "=", f"tanh({var('a', tr.t)})", "=", row_vec(tr.h, prec, "h"))


def output_eq(tr: StepTrace) -> str:
    t = tr.t
    return eq(var("o", t), "=", var("W", "y"), var("h", t), "+", var("b", "y") + ",&emsp;",
              var("y", t), "=", f"softmax({var('o', t)})")


def q_eq(tr: StepTrace, rule: rc.Rule) -> str:
    """When the pick was drawn from a q_t other than y_t: how q_t came from o_t (and which
    tokens top-k/top-p kept, ``step_latex.kept_note``). Empty when it was drawn from y_t."""
    if not charts.is_reshaped(tr):
        return ""
    t, scaled = tr.t, f"softmax({var('o', tr.t)} / {rule.temperature:g})"
    if len(tr.kept) == len(tr.probs):
        return eq(var("q", t), "=", scaled)
    note = html.escape(tex.kept_note(tr, rule) or "")
    return eq(f"{var('q', t)}[v]", "=", f"{scaled}[v] / (the kept tokens' sum)") + f'<div class="note">{note}</div>'


def output_table(tr: StepTrace, vocab: tuple[str, ...], prec: int) -> str:
    """o_t and y_t (and q_t when sampling reshaped y_t), one column per token: all of a small
    vocabulary, else the most probable ones, the chosen one and "others"; more than
    ``step_latex.BLOCK_COLUMNS`` columns as two or more tables one below another (as on the page)."""
    V = len(tr.probs)
    ids = [int(v) for v in charts.shown_ids(tr, tex.max_tokens(V))]
    rest = np.setdiff1d(np.arange(V), ids)
    rows = [("o", tr.logits), ("y", tr.probs)] + [("q", tr.q)] * charts.is_reshaped(tr)
    columns = [(f"<th>{quoted(vocab[v])}</th>", {name: number_cell(values[v], prec, v, v == tr.token_id)
                                                    for name, values in rows}) for v in ids]
    if len(rest):
        columns.append(("<th>others</th>", {name: f"<td>{tex.others_cell(name, values, rest, prec)}</td>"
                                            for name, values in rows}))
    per = math.ceil(len(columns) / math.ceil(len(columns) / tex.BLOCK_COLUMNS))
    return "".join(table_block(columns[i:i + per], [name for name, _ in rows], tr.t)
                   for i in range(0, len(columns), per))


def number_cell(value: float, prec: int, token_id: int, chosen: bool) -> str:
    kind = "n chosen" if chosen else "n"
    return f'<td class="{kind}" data-id="{token_id}">{tex.num(value, prec)}</td>'


def table_block(columns: list[tuple[str, dict[str, str]]], names: list[str], t: int) -> str:
    """One table of the o/y(/q) numbers: a header of tokens over one row per name."""
    head = "".join(th for th, _ in columns)
    body = "".join(f'<tr data-name="{name}"><th>{var(name, t)}</th>' + "".join(c[name] for _, c in columns) + "</tr>"
                   for name in names)
    return f'<table class="out"><tr><th></th>{head}</tr>{body}</table>'


def pick_eq(tr: StepTrace, prec: int) -> str:
    """How the next token w_t was chosen: argmax of y_t; u_t inside the token's slice of q_t;
    forced by you; or the prompt's next token (the page's ``step_latex.pick_tex``, in HTML)."""
    t, w, p = tr.t, quoted(tr.token), tex.num(tr.p_token, prec)
    name = var("w", t)
    if tr.how == "greedy":
        return eq(name, "=", f"arg max<sub>v</sub> {var('y', t)}[v]", "=", w, f"&emsp;(y = {p}) · greedy")
    if tr.how == "sampled":
        lo, hi = (tex.num(ends[tr.token_id], prec) for ends in rc.slices(tr.q))
        q = "q" if charts.is_reshaped(tr) else "y"
        return eq(var("u", t), "=", f'<span class="n" data-name="u">{tex.num(tr.draw, prec)}</span>',
                  f"∈ [{lo}, {hi})", "⇒", name, "=", w,
                  f"&emsp;({var(q, t)} = {tex.num(tr.q[tr.token_id], prec)}) · sampled")
    why = "forced by you" if tr.how == "forced" else "the next token of the prompt"
    return eq(name, "=", w, f"({why})&emsp;(y = {p})")


def math_html(tr: StepTrace, rule: rc.Rule, vocab: tuple[str, ...], prec: int) -> str:
    """The step's equations with their numbers, top to bottom as on the page."""
    return "".join([input_eq(tr, prec), preactivation_eq(tr, prec), hidden_eq(tr, prec), output_eq(tr),
                    q_eq(tr, rule), output_table(tr, vocab, prec), pick_eq(tr, prec)])


# ---------------------------------------------------------------- one step, the whole walk


def figure_json(fig, height: int) -> dict:
    """A figure as Plotly JSON at the page's height, without its template (set once for all)."""
    spec = json.loads(pio.to_json(fig.update_layout(height=height), validate=False))
    spec["layout"].pop("template", None)
    return spec


def step_record(traces: list[StepTrace], step: int, model: rc.Model, s: Settings, forks: Mapping[int, int],
                prec: int) -> dict:
    """Everything the file shows at ``step`` (1-based): its title, the loop diagram (SVG), the
    equations (HTML), the two figures (Plotly JSON) and, at the last step, why the path ends."""
    tr, vocab, n = traces[step - 1], model.vocab.tokens, len(traces)
    end = f"Generation finished: {step_path.finished_reason(traces, s.max_len)}." if step == n else ""
    return {
        "title": f"step {step} of {n}: feed “{html_token(tr.input)}”" + " · done" * (step == n),
        "loop": loop_svg(traces, step, vocab, True, forks),
        "math": math_html(tr, s.rule_obj(), vocab, prec),
        "dist": figure_json(charts.distribution_figure(tr, vocab, max_bars=tex.max_tokens(len(vocab))), DIST_HEIGHT),
        "hidden": figure_json(charts.hidden_figure(tr), HIDDEN_HEIGHT),
        "end": html.escape(end),
    }


def about_html(model: rc.Model, s: Settings, forks: Mapping[int, int], prec: int) -> str:
    """Where the walk came from: the model and its shapes (W_y is V x H; the seed writes 3x3),
    the seed word, the rule, the forced tokens and the Decimals."""
    V, E, H = model.params.sizes
    forced = ", ".join(f"step {t} → {quoted(model.vocab.tokens[v])}" for t, v in sorted(forks.items()))
    seed = "" if s.rule_obj().is_greedy else f" · RNG seed {s.seed}"
    return (f"Model: corpus “{html.escape(model.corpus_name)}”, {model.level} level, "
            f"{model.steps_trained} steps trained · V = {V}, E = {E}, H = {H}: "
            f"{var('W', 'y')} is V × H = {V} × {H} (the seed document writes it 3 × 3) · "
            f"seed word {quoted(s.word)} · rule: {html.escape(s.rule_obj().describe())}{seed}"
            + (f" · forced: {forced}" if forced else "") + f" · {prec} decimals")


def script_json(value) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' that could end it (a token "</script>")."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def walk_html(model: rc.Model, traces: list[StepTrace], s: Settings, forks: Mapping[int, int] | None = None,
              prec: int = DEFAULT_DECIMALS) -> str:
    """The whole path ``traces`` (generated by ``model`` with settings ``s`` and forced tokens
    ``forks``, {step: token id}) as one self-contained HTML document, numbers at ``prec`` decimals.
    Opens at step 1 (or at the step in the address's #fragment)."""
    forks = forks or {}
    name = html.escape(model.corpus_name)
    data = {"name": name, "template": pio.templates[TEMPLATE].to_plotly_json(),
            "steps": [step_record(traces, k, model, s, forks, prec) for k in range(1, len(traces) + 1)]}
    return PAGE.format(name=name, about=about_html(model, s, forks, prec), css=CSS, data=script_json(data),
                       plotly=plotly.offline.get_plotlyjs(), script=SCRIPT)


CSS = """
* { box-sizing: border-box; }
body { margin: 0; padding: 0.6rem 1.2rem; font: 15px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, Arial,
  sans-serif; color: #111827; background: #fff; }
header { display: flex; align-items: center; gap: 0.6rem; flex-wrap: wrap; }
h1 { font-size: 1.3rem; margin: 0; flex: 1 1 30rem; }
button { font: inherit; padding: 0.25rem 0.8rem; border: 1px solid #c7ccd4; border-radius: 0.45rem; background: #fff;
  cursor: pointer; }
button.primary { background: #1f5fbf; border-color: #1f5fbf; color: #fff; }
button:disabled { opacity: 0.45; cursor: default; }
.keys, .about, .note, footer { color: #6b7280; font-size: 0.8rem; }
.about { margin: 0.2rem 0 0.1rem; }
#loop { margin: 0.1rem 0; }
main { display: grid; grid-template-columns: minmax(0, 1.25fr) minmax(0, 1fr); gap: 1rem; align-items: start; }
#math { font-size: 1.05rem; overflow-wrap: anywhere; }
.eq { margin: 0.35rem 0; }
.v { white-space: nowrap; }
.col { display: inline-flex; vertical-align: middle; flex-direction: column; align-items: flex-end; padding: 0 0.3rem;
  border-left: 1.5px solid #111827; border-right: 1.5px solid #111827; border-radius: 0.25rem; line-height: 1.2; }
.under { display: inline-flex; flex-direction: column; align-items: center; vertical-align: middle; }
.under .label { border-top: 1.5px solid #9aa5b1; border-radius: 0.5rem 0.5rem 0 0; padding: 0 0.4rem;
  font-size: 0.82rem; margin-top: 0.15rem; }
.n { font-variant-numeric: tabular-nums; }
.tok { white-space: pre; }
table.out { border-collapse: collapse; margin: 0.35rem 0; font-size: 0.92rem; }
table.out th, table.out td { padding: 0.1rem 0.45rem; text-align: center; }
table.out tr:first-child th { border-bottom: 1px solid #9aa5b1; font-weight: 600; }
table.out tr th:first-child { border-right: 1px solid #9aa5b1; font-weight: 400; }
td.chosen { background: #fff1e0; font-weight: 600; }
footer { margin-top: 0.6rem; border-top: 1px solid #e5e7eb; padding-top: 0.3rem; }
#end { color: #166534; font-weight: 600; }
#dist, #hidden { position: relative; }
#dist { height: 245px; }
#hidden { height: 200px; }
.plot { position: absolute; inset: 0; visibility: hidden; }
.plot.shown { visibility: visible; }
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Walk · {name}</title>
<style>{css}</style>
</head>
<body>
<header>
<h1 id="title">{name}</h1>
<button id="prev" type="button" title="Also PageUp or ←">◀ Previous</button>
<button id="next" type="button" class="primary" title="Also PageDown or →">Next ▶</button>
<span class="keys">PageDown / → next · PageUp / ← back · Home / End</span>
</header>
<div id="loop"></div>
<main>
<section id="math"></section>
<section id="charts"><div id="dist"></div><div id="hidden"></div><div id="end"></div></section>
</main>
<footer><div class="about">{about}</div>
RNN Autoregression Lab · an offline replay of a Step-Through walk: every number was computed by the app's model
when the file was written; this file computes nothing and fetches nothing.</footer>
<script type="application/json" id="walk-data">{data}</script>
<script>{plotly}</script>
<script>{script}</script>
</body>
</html>
"""

# Stepping: swap the precomputed step in and show its charts (drawn ahead). Each draw's
# time, from the key press (the event's timeStamp) to the first frame after it, goes into
# window.replay.draws (benchmarks/ui_latency.py reads it).
SCRIPT = """
(function () {
  const walk = JSON.parse(document.getElementById('walk-data').textContent);
  const n = walk.steps.length, config = {displayModeBar: false, responsive: true};
  const replay = window.replay = {step: 0, n: n, draws: []};
  const el = id => document.getElementById(id);
  function layout(spec) { return Object.assign({}, spec.layout, {template: walk.template, autosize: true}); }
  // A large vocabulary or many decimals: the equations shrink to end above the screen's bottom
  // (one whole step on one screen), down to 70% of their size.
  function fitMath() {
    const math = el('math');
    math.style.fontSize = '';
    const r = math.getBoundingClientRect(), room = innerHeight - 6 - r.top;
    if (r.height > room) math.style.fontSize = Math.max(0.7, room / r.height) * 1.05 + 'rem';
  }
  // Each step's two charts live in their own pair of divs, stacked: a key press only swaps which
  // pair is visible, and while the reader looks at a step its neighbours' pairs are drawn
  // (hidden). At most the pairs of the steps within AHEAD of the one on screen are kept.
  const AHEAD = 2, pairs = new Map();
  function pair(k) {
    if (!pairs.has(k)) {
      const s = walk.steps[k - 1], made = {};
      for (const name of ['dist', 'hidden']) {
        made[name] = el(name).appendChild(document.createElement('div'));
        made[name].className = 'plot';
      }
      made.ready = Promise.all([Plotly.newPlot(made.dist, s.dist.data, layout(s.dist), config),
                                Plotly.newPlot(made.hidden, s.hidden.data, layout(s.hidden), config)]);
      pairs.set(k, made);
    }
    return pairs.get(k);
  }
  function drawAhead() {
    const k = replay.step;
    for (const [j, p] of pairs) {
      if (Math.abs(j - k) <= AHEAD) continue;
      for (const div of [p.dist, p.hidden]) { Plotly.purge(div); div.remove(); }
      pairs.delete(j);
    }
    for (const j of [k + 1, k - 1]) if (j >= 1 && j <= n) pair(j);
  }
  function draw(k, t0) {
    k = Math.min(Math.max(k, 1), n);
    if (k === replay.step) return;
    const s = walk.steps[k - 1];
    el('title').innerHTML = walk.name + ' · ' + s.title;
    document.title = el('title').textContent;
    el('loop').innerHTML = s.loop;
    el('math').innerHTML = s.math;
    fitMath();
    el('end').textContent = s.end;
    el('prev').disabled = k === 1;
    el('next').disabled = k === n;
    replay.step = k;
    history.replaceState(null, '', '#step=' + k);
    const shown = pair(k);
    for (const [j, p] of pairs) for (const div of [p.dist, p.hidden]) div.classList.toggle('shown', j === k);
    shown.ready.then(() => requestAnimationFrame(() => setTimeout(() => {
      replay.draws.push({step: k, ms: performance.now() - t0});
      document.body.dataset.drawn = k;
      setTimeout(drawAhead, 0);
    }, 0)));
  }
  const moves = {PageDown: 1, ArrowRight: 1, PageUp: -1, ArrowLeft: -1};
  document.addEventListener('keydown', e => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    let k = null;
    if (e.key in moves) k = replay.step + moves[e.key];
    else if (e.key === 'Home') k = 1;
    else if (e.key === 'End') k = n;
    if (k === null) return;
    e.preventDefault();
    draw(k, e.timeStamp);
  });
  el('prev').addEventListener('click', e => draw(replay.step - 1, e.timeStamp));
  el('next').addEventListener('click', e => draw(replay.step + 1, e.timeStamp));
  const asked = /^#step=(\\d+)$/.exec(location.hash);
  draw(asked ? parseInt(asked[1], 10) : 1, performance.now());
})();
"""


# ---------------------------------------------------------------- the page's control


def current_walk(model: rc.Model, version: int, session) -> str:
    """The file of the path on screen when the button is clicked. Streamlit runs this on another
    thread, where ``st.session_state`` is not this visitor's: ``session`` is (captured when the
    button was drawn). Stepping, forcing a token or changing a setting reruns only the page's
    fragment, not this section, so the path and the Decimals are read here, at the click."""
    s, forks = session[state.SETTINGS], session[state.FORKS]
    traces = step_path.get_path(session[state.PATHS], model, version, s, forks)
    prec = session[state.DECIMALS] if state.DECIMALS in session else DEFAULT_DECIMALS
    return walk_html(model, traces, s, forks, prec)


def file_name(model: rc.Model) -> str:
    return f"walk-{slug(model.corpus_name) or 'model'}.html"


def replay_section(model: rc.Model, version: int) -> None:
    """"Download this walk": one click, the file built at the click (not at every Next)."""
    session = get_script_run_ctx().session_state
    st.download_button("⬇ Download this walk (offline HTML)", partial(current_walk, model, version, session),
                       file_name=file_name(model), mime=MIME, on_click="ignore", key=KEY,
                       help="One HTML file with every step of the path on screen: numbers, charts and the loop. "
                            "It opens in any browser with no network and no server; PageDown/PageUp or →/← step.")
