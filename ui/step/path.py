"""Step-Through's paths: the generated walk for the current settings and forced tokens, computed
once and kept in a small per-visitor cache, and forking it at a step.

A path is ``list[StepTrace]``, one trace per token fed in (``rnn_core.generate``). Moving between
steps never recomputes it; forcing a token reuses the steps before the fork (``rnn_core.fork``).
Paths are walked with the weights the settings choose (``model_at``): a snapshot's path has its
own cache entry, keyed on the snapshot's training step.
"""

from __future__ import annotations

from typing import Mapping

import rnn_core as rc
from rnn_core import EOS, StepTrace
from ui.step.settings import Settings, prompt

CACHE_SIZE = 16  # paths kept per visitor: enough to flip between a path, its forks and the original


def forks_key(forks: Mapping[int, int]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted(forks.items()))


def path_key(version: int, s: Settings, forks: Mapping[int, int]) -> tuple:
    """The cache key of a path: model version, the settings it depends on, forced tokens."""
    return (version, s.path_key(), forks_key(forks))


def add_fork(forks: Mapping[int, int], t: int, token_id: int) -> dict[int, int]:
    """Forced tokens after forcing ``token_id`` at step t: later forks belonged to the old path."""
    return {**{k: v for k, v in forks.items() if k < t}, t: token_id}


def model_at(model: rc.Model, s: Settings) -> rc.Model:
    """The model with the weights ``s`` walks with: a training snapshot's, or its own."""
    return model if s.weights is None else model.at_checkpoint(s.weights)


def get_path(cache: dict, model: rc.Model, version: int, s: Settings, forks: Mapping[int, int]) -> list[StepTrace]:
    """The whole path for these settings and forced tokens, computed once and kept in ``cache``."""
    key = path_key(version, s, forks)
    if key not in cache:
        traces = rc.generate(model_at(model, s), prompt(s.word, model), s.rule, max_tokens=s.max_len,
                             seed=s.seed, forced=dict(forks))
        _store(cache, key, traces)
    return cache[key]


def fork_path(cache: dict, model: rc.Model, version: int, s: Settings, forks: Mapping[int, int],
              traces: list[StepTrace], t: int, token_id: int) -> dict[int, int]:
    """Force ``token_id`` at step t of ``traces``: ``rnn_core.fork`` reuses steps before t and
    recomputes only the later ones. Returns the new forced tokens; the new path is in ``cache``.
    ConfigError when step t feeds the prompt (nothing was picked there)."""
    new = add_fork(forks, t, token_id)
    key = path_key(version, s, new)
    if key not in cache:
        _store(cache, key, rc.fork(model_at(model, s), traces, t, token_id, s.rule, max_tokens=s.max_len,
                                   seed=s.seed))
    return new


def apply_forks(cache: dict, model: rc.Model, version: int, s: Settings,
                forks: Mapping[int, int]) -> tuple[dict[int, int], list[str]]:
    """The forced tokens of a link that the path can take, in step order, and one warning per
    one it cannot: a step past the end of the path (as forked so far) or a step of the prompt."""
    taken, warnings = {}, []
    for t, token_id in sorted(forks.items()):
        traces = get_path(cache, model, version, s, taken)
        if t > len(traces) or traces[t - 1].how == "prompt":
            why = f"the path has {len(traces)} steps" if t > len(traces) else f"step {t} feeds the prompt"
            warnings.append(f"Ignored the forced token at step {t} in the link ({why}).")
            continue
        taken = fork_path(cache, model, version, s, taken, traces, t, token_id)
    return taken, warnings


def _store(cache: dict, key: tuple, traces: list[StepTrace]) -> None:
    while len(cache) >= CACHE_SIZE:
        cache.pop(next(iter(cache)))  # dicts keep insertion order: drop the oldest
    cache[key] = traces


def finished_reason(traces: list[StepTrace], max_len: int) -> str:
    """Why the path ends where it does: at </s>, or at the length limit."""
    last = traces[-1]
    if last.token == EOS and last.how != "prompt":
        return f"it picked {EOS} at step {last.t}"
    return f"it reached the length limit of {max_len} generated tokens"


def tokens_so_far(traces: list[StepTrace], step: int, revealed: bool) -> list[str]:
    """The path as far as the class has seen it at ``step``: the first input, then each pick up to
    step's own (without it while a guess is pending). Never a token of a later step."""
    picks = [tr.token for tr in traces[:step if revealed else step - 1]]
    return [traces[0].input, *picks]
