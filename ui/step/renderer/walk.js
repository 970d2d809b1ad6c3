// The walk's renderer: one autoregressive step on one screen, stepped in the browser.
//
// The same code draws Step-Through's step area (mounted by ui/step/walk.py as a Streamlit
// component) and the offline replay file. It receives a walk described once in Python
// (ui/step/describe.py): every number already formatted, every chart a plain Plotly spec, every
// token as text. It computes nothing about the model: it shows step k of the record, moves
// between steps on keys and buttons, plays, animates the pick into the next input, and tells
// the server (through `hooks`) only what the server must act on: a fork, a reveal, a step a view
// below needs. Everything from a corpus or a model file is inserted as text (textContent) or was
// escaped once in Python (the equations' HTML).

const SVG_NS = 'http://www.w3.org/2000/svg';
const KEYS = {PageDown: 1, ArrowRight: 1, PageUp: -1, ArrowLeft: -1};
const TYPING = 'input, select, textarea, [contenteditable=""], [contenteditable="true"], [role=slider], ' +
  '[role=spinbutton], [role=combobox], [role=listbox], [role=textbox], [role=dialog] *';
const SUB = '₀₁₂₃₄₅₆₇₈₉';
const ANIMATION_MS = 380;
const CHART_CONFIG = {displayModeBar: false, responsive: false};
const BASE_LAYOUT = {
  paper_bgcolor: '#ffffff', plot_bgcolor: '#ffffff',
  font: {family: '"Source Sans Pro", "Source Sans", system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
         color: '#111827'},
  hoverlabel: {font: {size: 14}},
};
const AXIS = {gridcolor: '#e5e7eb', linecolor: '#9aa5b1', zerolinecolor: '#9aa5b1', ticks: ''};

function sub(n) { return String(n).replace(/\d/g, d => SUB[+d]); }

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const SKELETON = `
<header class="rw-top">
  <div class="rw-buttons">
    <button type="button" class="rw-prev" title="Also PageUp or ←">◀ Previous</button>
    <button type="button" class="rw-next rw-primary" title="Also PageDown or →">Next ▶</button>
    <button type="button" class="rw-play" title="Step on to the end, at the speed set in ⚙ Settings">▶▶ Play</button>
  </div>
  <h1 class="rw-title"></h1>
</header>
<div class="rw-loop"></div>
<div class="rw-main">
  <section class="rw-math"></section>
  <section class="rw-charts">
    <div class="rw-guess" hidden></div>
    <div class="rw-chart rw-dist"></div>
    <p class="rw-class" hidden></p>
    <div class="rw-chart rw-hidden"></div>
  </section>
</div>
<div class="rw-below">
  <div class="rw-whatif" hidden>
    <label><span class="rw-whatif-label"></span> <select class="rw-choice"></select></label>
    <button type="button" class="rw-force">Force it</button>
  </div>
  <div class="rw-forks" hidden>
    <p class="rw-forks-text"></p>
    <p class="rw-forks-paths"><span class="rw-forks-original"></span><br><span class="rw-forks-forked"></span></p>
    <button type="button" class="rw-unfork">↩ Back to the original path</button>
  </div>
</div>
<footer class="rw-about"></footer>
<p class="rw-save-row"><button type="button" class="rw-save" title="One HTML file with every step of this walk: it opens in any browser with no network and no server">⬇ Download this walk (offline HTML)</button></p>`;

// ------------------------------------------------------------------ the loop

// The unrolled network, steps first..k: a column per step (y box on top: the pick and its y,
// under it how it was made or y's top choice; h box; x box: the token fed in), arrows x -> h -> y
// and h_{s-1} -> h_s, the pick of step s curving down into step s+1's x box, and after the
// current step the next input, dashed (or "end"). Sizes in px from the body font, so the tokens
// and labels are never smaller than the page's text.
function loopGeometry(root, walk, k) {
  const B = parseFloat(getComputedStyle(root).fontSize);
  const steps = walk.steps;
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `600 ${B}px ${getComputedStyle(root).fontFamily}`;
  const text = s => ctx.measureText(s).width;
  const width = root.querySelector('.rw-loop').clientWidth || root.clientWidth || 1200;
  const gutter = Math.max(text('h₀ = 0'), text('… h₉₉')) + 0.9 * B;
  let colW = 0;
  for (let s = Math.max(1, k - 12); s <= k; s++) {
    const c = steps[s - 1].column;
    colW = Math.max(colW, text(`“${c.x}”`), c.pick ? text(`“${c.pick}” ${c.p}`) : 0,
                    c.top ? 0.82 * text(`top “${c.top}” ${c.top_p}`) : 0);
  }
  colW = Math.min(Math.max(colW + 1.6 * B, 6 * B), 12 * B);
  const fit = Math.max(1, Math.floor((width - gutter - colW) / colW));  // the next input takes a column
  return {B, gutter, colW, first: Math.max(1, k - fit + 1), boxW: colW - 1.2 * B,
          rows: {y: [0.2 * B, 2.6 * B], h: [3.4 * B, 4.85 * B], x: [5.65 * B, 7.1 * B]}, height: 7.3 * B};
}

function loopBox(g, cx, row, lines, opts) {
  const [top, bottom] = g.rows[row];
  const grp = svg('g', {class: `rw-box rw-box-${row}` + (opts.cls ? ' ' + opts.cls : '')});
  grp.appendChild(svg('rect', {x: cx - g.boxW / 2, y: top, width: g.boxW, height: bottom - top, rx: 0.35 * g.B}));
  const mid = (top + bottom) / 2;
  if (lines.length === 1) {
    grp.appendChild(svg('text', {x: cx, y: mid, class: 'rw-t1'}, lines[0]));
  } else {
    grp.appendChild(svg('text', {x: cx, y: top + 0.8 * g.B, class: 'rw-t1'}, lines[0]));
    grp.appendChild(svg('text', {x: cx, y: top + 1.75 * g.B, class: 'rw-t2'}, lines[1]));
  }
  return grp;
}

function arrow(x1, y1, x2, y2, cls) {
  return svg('line', {x1, y1, x2, y2, class: cls || 'rw-link', 'marker-end': 'url(#rw-head)'});
}

function pickCurve(g, x1, x2, how) {
  const y1 = g.rows.y[1] - 0.2 * g.B, y2 = g.rows.x[0];
  const d = `M${x1},${y1} C${x1 + 0.45 * g.colW},${y1 + 2 * g.B} ${x2 - 0.45 * g.colW},${y2 - 2.4 * g.B} ${x2},${y2}`;
  return svg('path', {d, class: `rw-pick rw-pick-${how}`, 'marker-end': 'url(#rw-pick-head)'});
}

function drawLoop(root, walk, k, revealed) {
  const g = loopGeometry(root, walk, k);
  const last = k === walk.steps.length && walk.complete;
  const cols = k - g.first + 1 + (revealed ? 1 : 0);
  const width = g.gutter + cols * g.colW;
  const out = svg('svg', {class: 'rw-loop-svg', width, height: g.height, viewBox: `0 0 ${width} ${g.height}`,
                          role: 'img', 'aria-label': `The network unrolled over steps ${g.first} to ${k}`});
  const defs = svg('defs');
  defs.innerHTML = '<marker id="rw-head" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">' +
    '<path d="M0,0 L8,4 L0,8 z" class="rw-head"/></marker>' +
    '<marker id="rw-pick-head" markerWidth="9" markerHeight="9" refX="8" refY="4.5" orient="auto">' +
    '<path d="M0,0 L9,4.5 L0,9 z" class="rw-pick-head"/></marker>';
  out.appendChild(defs);
  const hy = (g.rows.h[0] + g.rows.h[1]) / 2;
  out.appendChild(svg('text', {x: 0.2 * g.B, y: (g.rows.y[0] + g.rows.y[1]) / 2, class: 'rw-row'}, 'yₜ'));
  out.appendChild(svg('text', {x: 0.2 * g.B, y: (g.rows.x[0] + g.rows.x[1]) / 2, class: 'rw-row'}, 'xₜ'));
  out.appendChild(svg('text', {x: 0.2 * g.B, y: hy, class: 'rw-row'}, g.first === 1 ? 'h₀ = 0' : `… h${sub(g.first - 1)}`));
  for (let s = g.first; s <= k; s++) {
    const c = walk.steps[s - 1].column, cx = g.gutter + (s - g.first + 0.5) * g.colW;
    const shown = s < k || revealed;
    if (s === k) out.appendChild(svg('rect', {x: cx - g.colW / 2 + 2, y: 1, width: g.colW - 4, height: g.height - 2,
                                               rx: 0.6 * g.B, class: 'rw-current'}));
    out.appendChild(loopBox(g, cx, 'x', [`“${c.x}”`], {cls: `rw-x-${s}`}));
    out.appendChild(loopBox(g, cx, 'h', [`h${sub(s)}`], {}));
    if (shown) {
      const how = {forced: 'forced', argmax: 'argmax', sampled: 'sampled', prompt: 'prompt'}[c.how];
      const second = c.top ? `${c.how === 'forced' ? 'forced · ' : ''}top “${c.top}” ${c.top_p}` : how;
      out.appendChild(loopBox(g, cx, 'y', [`“${c.pick}” ${c.p}`, second], {cls: `rw-y-${s}`}));
    } else {
      out.appendChild(loopBox(g, cx, 'y', ['?'], {cls: 'rw-dashed'}));
    }
    out.appendChild(arrow(cx, g.rows.x[0], cx, g.rows.h[1] + 3));
    out.appendChild(arrow(cx, g.rows.h[0], cx, g.rows.y[1] + 3));
    const from = s === g.first ? g.gutter - 0.3 * g.B : cx - g.colW + g.boxW / 2;
    out.appendChild(arrow(from, hy, cx - g.boxW / 2 - 2, hy));
    if (shown) {
      const nx = cx + g.colW;
      out.appendChild(pickCurve(g, cx + g.boxW / 2 - 0.9 * g.B, nx - g.boxW / 2 + 0.8 * g.B, c.how));
      if (s === k) {
        out.appendChild(loopBox(g, nx, 'x', [last ? `end: “${c.pick}”` : `“${c.pick}”`],
                                {cls: `rw-dashed rw-x-${s + 1}`}));
      }
    }
  }
  const box = root.querySelector('.rw-loop');
  box.replaceChildren(out);
  return g;
}

// The pick travels from y_t's box into x_{t+1}'s: a chip with the token, along the pick's
// curve, while x_{t+1}'s own text waits. None when the OS asks for reduced motion or the
// settings switch it off.
function animatePick(root, walk, t) {
  const box = root.querySelector('.rw-loop');
  const from = box.querySelector(`.rw-y-${t} rect`), to = box.querySelector(`.rw-x-${t + 1} rect`);
  const target = box.querySelector(`.rw-x-${t + 1} text`);
  if (!from || !to || !target) return;
  const reduce = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  if (!walk.animate || reduce || !Element.prototype.animate) return;
  const base = box.getBoundingClientRect(), a = from.getBoundingClientRect(), b = to.getBoundingClientRect();
  const chip = el('div', 'rw-chip', `“${walk.steps[t - 1].column.pick}”`);
  box.appendChild(chip);
  const cw = chip.offsetWidth, ch = chip.offsetHeight;
  const at = r => [r.left - base.left + r.width / 2 - cw / 2, r.top - base.top + r.height / 2 - ch / 2];
  const [x1, y1] = at(a), [x2, y2] = at(b);
  target.style.visibility = 'hidden';
  root.dataset.animating = '1';
  const move = chip.animate([
    {transform: `translate(${x1}px, ${y1}px)`},
    {transform: `translate(${x1 + 0.55 * (x2 - x1)}px, ${y1 + 0.3 * (y2 - y1)}px)`, offset: 0.45},
    {transform: `translate(${x2}px, ${y2}px)`},
  ], {duration: ANIMATION_MS, easing: 'ease-in-out', fill: 'forwards'});
  const done = () => { chip.remove(); target.style.visibility = ''; root.dataset.animating = '0'; };
  move.onfinish = done;
  move.oncancel = done;
  root._animation = move;
}

// ------------------------------------------------------------------ equations, charts, the rest

function drawMath(root, step, walk, revealed) {
  const math = root.querySelector('.rw-math');
  const parts = [];
  for (const [key, html] of step.math) {
    const eq = el('div', 'rw-eq');
    eq.dataset.eq = key;
    eq.innerHTML = html;  // built and escaped once in Python (ui/step/equations.py)
    parts.push(eq);
    if (key === 'q' && step.notes && step.notes.q) parts.push(el('p', 'rw-note', step.notes.q));
  }
  if (!revealed) {
    parts.push(el('p', 'rw-info', 'Guess first: which token comes next? Choose it on the right, then Reveal ' +
                                  '(PageDown).'));
  } else if (step.notes && step.notes.pick) {
    parts.push(el('p', 'rw-note rw-slice', step.notes.pick));
  }
  if (step.verdict) parts.push(el('p', 'rw-verdict', step.verdict));

  if (walk.guess && walk.score) parts.push(el('p', 'rw-note rw-score', 'Score: ' + walk.score));
  if (step.end) parts.push(el('p', 'rw-end', step.end));
  math.replaceChildren(...parts);
}

function layoutOf(spec, height, width) {
  const layout = Object.assign({}, BASE_LAYOUT, spec.layout, {height, width, autosize: false});
  layout.font = Object.assign({}, BASE_LAYOUT.font, spec.layout.font || {});
  for (const axis of ['xaxis', 'yaxis']) layout[axis] = Object.assign({}, AXIS, spec.layout[axis] || {});
  return layout;
}

function drawChart(div, spec, height) {
  div.style.height = height + 'px';
  return window.Plotly.react(div, spec.data, layoutOf(spec, height, div.clientWidth), CHART_CONFIG);
}

function drawGuess(root, walk, step, state, hooks) {
  const box = root.querySelector('.rw-guess');
  const chosen = state.guesses[step.t];
  const head = el('p', 'rw-guess-head', `Your guess: the token after “${step.input}”`);
  const parts = [head];
  if (walk.vocab.length <= 20) {
    const row = el('div', 'rw-guess-buttons');
    walk.vocab.forEach((token, v) => {
      const b = el('button', 'rw-guess-button' + (chosen === v ? ' rw-chosen' : ''), token);
      b.type = 'button';
      b.setAttribute('aria-pressed', chosen === v ? 'true' : 'false');
      b.addEventListener('click', () => { state.guesses[step.t] = v; drawGuess(root, walk, step, state, hooks); });
      row.appendChild(b);
    });
    parts.push(row);
  } else {
    const list = el('select', 'rw-guess-select');
    list.appendChild(el('option', '', 'choose a token'));
    walk.vocab.forEach((token, v) => {
      const o = el('option', '', token);
      o.value = String(v);
      if (chosen === v) o.selected = true;
      list.appendChild(o);
    });
    list.addEventListener('change', () => { state.guesses[step.t] = list.value === '' ? null : +list.value; });
    parts.push(list);
  }
  box.replaceChildren(...parts);
}

function drawWhatIf(root, walk, step, k, revealed) {
  const box = root.querySelector('.rw-whatif');
  box.hidden = !revealed || !step.forkable;
  if (!box.hidden) {
    box.querySelector('.rw-whatif-label').textContent = `What if step ${k} picked another token?`;
    const list = box.querySelector('.rw-choice');
    list.replaceChildren(...step.choices.map(([v, token, p]) => {
      const o = el('option', '', `${token}  (y = ${p})`);
      o.value = String(v);
      return o;
    }));
  }
  const forks = root.querySelector('.rw-forks');
  forks.hidden = !walk.forks;
  if (walk.forks) {
    const upTo = tokens => tokens.slice(0, Math.min(k, tokens.length - 1) + (revealed ? 1 : 0)).join(' ');
    forks.querySelector('.rw-forks-text').textContent = 'What if: ' + walk.forks.text;
    forks.querySelector('.rw-forks-original').textContent = 'original, up to here: ' + upTo(walk.forks.original);
    forks.querySelector('.rw-forks-forked').textContent = 'forked, up to here: ' + upTo(walk.forks.forked);
  }
}

// ------------------------------------------------------------------ fitting one step on one screen

// The step area ends at the window's bottom: the charts take the height the equations leave,
// and equations too wide for their column, or too tall for the screen, shrink (down to 70%).
function fit(root) {
  const main = root.querySelector('.rw-main'), math = root.querySelector('.rw-math');
  const top = main.getBoundingClientRect().top + window.scrollY;
  const room = Math.max(320, window.innerHeight - top - 8);
  const stacked = root.clientWidth < 860;
  root.classList.toggle('rw-stacked', stacked);
  math.style.fontSize = '';
  for (const eq of math.querySelectorAll('.rw-eq')) {
    eq.style.fontSize = '';
    const over = eq.scrollWidth / Math.max(1, eq.clientWidth);
    if (over > 1) eq.style.fontSize = Math.max(0.55, 0.98 / over) + 'em';
  }
  if (!stacked) fitMath(math, room);
  const guess = root.querySelector('.rw-guess');
  const guessH = guess.hidden ? 0 : guess.offsetHeight + 8;
  const votes = root.querySelector('.rw-class');
  const votesH = votes.hidden ? 0 : votes.offsetHeight + 8;
  const charts = stacked ? 520 : room - guessH - votesH;
  const dist = guess.hidden ? Math.min(440, Math.max(190, Math.round(charts * 0.52))) : 0;
  const hidden = Math.min(320, Math.max(170, charts - dist - 6));
  return {dist, hidden};
}

// Everything under the equations on screen (the verdict, the score, the end of the walk), shrunk
// down to 70% if need be. The note on u's slice gives way first: it becomes the pick line's tooltip.
function fitMath(math, room) {
  const height = () => math.getBoundingClientRect().height;
  const slice = math.querySelector('.rw-slice');
  if (slice && height() > room) {
    math.querySelector('.rw-eq[data-eq=pick]').title = slice.textContent;
    slice.remove();
  }
  if (height() > room) math.style.fontSize = Math.max(0.7, room / height()) + 'em';
}

// ------------------------------------------------------------------ the walk on screen

function stepOf(walk, k) { return walk.steps[Math.min(Math.max(k, 1), walk.steps.length) - 1]; }

function isRevealed(walk, k) { return Boolean(stepOf(walk, k).dist); }

function lastStep(walk) { return walk.steps.length; }

function title(walk, k, revealed) {
  const n = walk.guess ? '' : ` of ${lastStep(walk)}`;
  const done = k === lastStep(walk) && walk.complete ? ' · done' : '';
  return `${walk.title} · step ${k}${n}: feed “${stepOf(walk, k).input}”${done}`;
}

function draw(root, state, k, t0) {
  const walk = state.walk;
  k = Math.min(Math.max(k, 1), lastStep(walk));
  const step = stepOf(walk, k), revealed = isRevealed(walk, k), forward = k === state.step + 1;
  if (root._animation) root._animation.finish();
  state.step = k;
  root.dataset.step = String(k);
  root.dataset.revealed = revealed ? '1' : '0';
  root.querySelector('.rw-title').textContent = title(walk, k, revealed);
  const prev = root.querySelector('.rw-prev'), next = root.querySelector('.rw-next');
  prev.disabled = k === 1;
  next.textContent = revealed ? 'Next ▶' : 'Reveal ▶';
  next.disabled = revealed && k === lastStep(walk) && walk.complete;
  root.querySelector('.rw-play').disabled = walk.guess;
  drawLoop(root, walk, k, revealed);
  drawMath(root, step, walk, revealed);
  const guess = root.querySelector('.rw-guess'), dist = root.querySelector('.rw-dist');
  guess.hidden = revealed;
  dist.hidden = !revealed;
  if (!revealed) drawGuess(root, walk, step, state, state.hooks);
  const votes = root.querySelector('.rw-class');  // a room's votes, beside y_t once revealed
  votes.hidden = !(revealed && step.class);
  votes.textContent = votes.hidden ? '' : step.class.text;
  votes.title = votes.hidden ? '' : step.class.explained;
  drawWhatIf(root, walk, step, k, revealed);
  root.querySelector('.rw-about').textContent = walk.about || '';
  const size = fit(root);
  const drawn = [drawChart(root.querySelector('.rw-hidden'), step.hidden, size.hidden)];
  if (revealed) drawn.push(drawChart(dist, step.dist, size.dist));
  if (forward && revealed && isRevealed(walk, k - 1)) animatePick(root, walk, k - 1);
  remember(walk, k);
  state.hooks.stepped(k);
  Promise.all(drawn).then(() => requestAnimationFrame(() => setTimeout(() => {
    if (t0 !== undefined) state.draws.push({step: k, ms: performance.now() - t0});
    root.dataset.drawn = String(k);
  }, 0)));
}

function move(root, state, k, t0) {
  const walk = state.walk;
  if (!isRevealed(walk, state.step) && k > state.step) {  // guess mode: Next first reveals the pick
    if (state.pending) return;
    state.pending = true;
    root.dataset.pending = '1';
    state.hooks.reveal(state.step, state.guesses[state.step] ?? null);
    return;
  }
  k = Math.min(Math.max(k, 1), lastStep(walk));
  if (k !== state.step) draw(root, state, k, t0);
}

function play(root, state, on) {
  clearInterval(state.timer);
  state.timer = null;
  if (on && !state.walk.guess) {
    if (state.step >= lastStep(state.walk)) draw(root, state, 1);
    state.timer = setInterval(() => {
      if (state.step >= lastStep(state.walk)) return play(root, state, false);
      draw(root, state, state.step + 1, performance.now());
    }, 1000 * state.walk.speed);
  }
  root.querySelector('.rw-play').textContent = state.timer ? '❚❚ Pause' : '▶▶ Play';
}

function onKey(root, state, e) {
  if (!root.isConnected || e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
  if (e.target instanceof Element && e.target.closest(TYPING)) return;
  let k = null;
  if (e.key in KEYS) k = state.step + KEYS[e.key];
  else if (e.key === 'Home') k = 1;
  else if (e.key === 'End') k = lastStep(state.walk);
  if (k === null) return;
  e.preventDefault();
  play(root, state, false);
  move(root, state, k, e.timeStamp);
}

function wire(root, state) {
  const button = (cls, fn) => root.querySelector(cls).addEventListener('click', e => fn(e));
  button('.rw-prev', e => { play(root, state, false); move(root, state, state.step - 1, e.timeStamp); });
  button('.rw-next', e => { play(root, state, false); move(root, state, state.step + 1, e.timeStamp); });
  button('.rw-play', () => play(root, state, !state.timer));
  button('.rw-force', () => {
    const v = +root.querySelector('.rw-choice').value;
    state.hooks.fork(state.step, v);
  });
  button('.rw-unfork', () => state.hooks.unfork(state.step));
  button('.rw-save', () => saveWalk(root, state));
  // One key listener per page: a root left behind by a page switch stops answering.
  if (window.__rnnlabKeydown) document.removeEventListener('keydown', window.__rnnlabKeydown);
  window.__rnnlabKeydown = e => onKey(root, state, e);
  document.addEventListener('keydown', window.__rnnlabKeydown);
}

function listenToBars(root, state) {
  const dist = root.querySelector('.rw-dist');
  if (dist._rwClicks || !dist.on) return;
  dist._rwClicks = true;
  dist.on('plotly_click', ev => {
    const point = ev && ev.points && ev.points[0];
    const v = point ? +point.customdata : -1;
    if (v >= 0 && stepOf(state.walk, state.step).forkable) state.hooks.fork(state.step, v);
  });
}

// Where a new record opens: the same walk stays at the step on screen; a request from the server
// (a followed link, a fork, "start again": a new goto.seq) moves to its step; a walk opened again
// in this tab resumes where it was left.
function startStep(state, walk) {
  const key = 'rnnlab-walk:' + walk.walk;
  let saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(key) || 'null'); } catch (e) { saved = null; }
  if (state.walk && state.walk.walk === walk.walk && state.seq === walk.goto.seq) return state.step;
  if (!state.walk && saved && saved.seq === walk.goto.seq) return saved.step;
  if (state.walk && state.seq === walk.goto.seq) return state.step;  // another walk: keep the step number
  return walk.goto.step;
}

function remember(walk, k) {
  try { sessionStorage.setItem('rnnlab-walk:' + walk.walk, JSON.stringify({seq: walk.goto.seq, step: k})); }
  catch (e) { /* storage may be off: stepping still works */ }
}

// Mount (or update) the walk in `parent`. `walk`: the record; `hooks`: fork(t, v), unfork(t),
// reveal(t, guess), stepped(k): what the host does with them (the page asks the server; the
// offline file has none). Returns the state, kept on the root element between updates.
function mountWalk(parent, walk, hooks) {
  let root = parent.querySelector(':scope > .rw');
  if (!root) {
    root = el('div', 'rw');
    root.innerHTML = SKELETON;
    parent.appendChild(root);
    root._state = {step: 0, seq: null, walk: null, guesses: {}, draws: [], timer: null};
    wire(root, root._state);
  }
  const state = root._state;
  state.hooks = Object.assign({fork() {}, unfork() {}, reveal() {}, stepped() {}}, hooks || {});
  root.classList.toggle('rw-big', Boolean(walk.big));
  const k = startStep(state, walk);
  state.walk = walk;
  state.seq = walk.goto.seq;
  state.pending = false;
  delete root.dataset.pending;
  state.step = 0;  // redraw whatever changed
  const ready = window.Plotly ? Promise.resolve() : loadPlotly(walk.assets.plotly);
  ready.then(() => {
    draw(root, state, k);
    listenToBars(root, state);
  });
  window.rnnlabWalk = state;
  return state;
}

function loadPlotly(src) {
  if (!window.__rnnlabPlotly) {
    window.__rnnlabPlotly = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error('plotly.js did not load from ' + src));
      document.head.appendChild(s);
    });
  }
  return window.__rnnlabPlotly;
}

// ------------------------------------------------------------------ the walk saved as one file

// The offline replay is this renderer saved to one self-contained file: plotly.js, this script
// and its style inlined (fetched from the app's own static files, already in the browser's
// cache), the record as JSON, opening at the step on screen. It needs no server, no network and
// no font from anywhere; every number in it was computed by the app's model.
const FOOTER = 'RNN Autoregression Lab · an offline replay of a Step-Through walk: every number was computed ' +
  "by the app's model when this file was written; the file computes nothing and fetches nothing.";
const OFFLINE_CSS = 'body { margin: 0; padding: 0.7rem 1.2rem; font: 17px/1.35 system-ui, -apple-system, ' +
  '"Segoe UI", Roboto, Arial, sans-serif; color: #111827; background: #fff; } body.big { font-size: 22px; } ' +
  '.rw-save, .rw-whatif, .rw-unfork { display: none !important; } .rw-footer { color: #6b7280; font-size: 0.75em; margin-top: 0.3em; }';

function scriptJson(value) {  // JSON that cannot end its <script> element, whatever a token holds
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

async function walkFile(state) {
  const w = state.walk;
  const text = url => fetch(url).then(r => { if (!r.ok) throw new Error(url + ': ' + r.status); return r.text(); });
  const [plotly, js, css] = await Promise.all([w.assets.plotly, w.assets.js, w.assets.css].map(text));
  const record = Object.assign({}, w, {goto: {seq: 0, step: state.step}, assets: null, offline: true});
  return '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Walk</title>' +
    `<style>${OFFLINE_CSS}\n${css}</style></head><body${w.big ? ' class="big"' : ''}><div id="walk"></div>` +
    `<p class="rw-footer">${FOOTER}</p>` +
    `<script type="application/json" id="walk-data">${scriptJson(record)}<\/script>` +
    `<script>${plotly}<\/script><script>${js}\nopenOffline();<\/script></body></html>`;
}

async function saveWalk(root, state) {
  const button = root.querySelector('.rw-save');
  button.disabled = true;
  try {
    const blob = new Blob([await walkFile(state)], {type: 'text/html'});
    const a = el('a');
    a.href = URL.createObjectURL(blob);
    a.download = state.walk.file;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  } finally {
    button.disabled = false;
  }
}

// The saved file's own start: the record from its script element, the step from the address's
// #step=k (kept up to date, so a reload stays put) or the step on screen when it was saved.
function openOffline() {
  const walk = JSON.parse(document.getElementById('walk-data').textContent);
  const asked = /^#step=(\d+)$/.exec(location.hash);
  if (asked) walk.goto = {seq: 0, step: parseInt(asked[1], 10)};
  document.title = `Walk · ${walk.name}`;
  window.replay = mountWalk(document.getElementById('walk'), walk, {
    stepped: k => history.replaceState(null, '', '#step=' + k),
  });
}
