"""Step-Through's settings and their URL: what the page shows, and the query string that says it.

A link reproduces a view: every field of ``Settings`` is one query key, and its ``rnn_core.Rule``
four (``rule``, ``T``, ``k``, ``p``: the strategy, temperature, top-k, top-p); forced tokens are
``force=2:learning,5:deep`` (step:token, the token percent-quoted). A refused value falls back to
its default with a warning naming the key, so a broken link still opens the page. The weights
(``weights=0``: those after training step 0) are in the link only when they are not the model's
own, so a link without the key shows whatever model the visitor has, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Mapping
from urllib.parse import quote, unquote

import rnn_core as rc
from rnn_core import limits
from ui.common import links

RULES = ("sample", "greedy")  # ranges and defaults of every setting: rnn_core.limits
FORCE_KEY = "force"  # the query key of the forced tokens


@dataclass(frozen=True)
class Settings:
    """What the page shows; each field is one key of the URL's query string, the rule four keys (see ``QUERY``)."""

    word: str  # the first word (or a prompt) fed in at step 1
    # 'sample' (the seed document's "sample the next word") or 'greedy', with its temperature (0 =
    # greedy), top-k (0 = off) and top-p; the page leaves the Rule's other knobs off
    rule: rc.Rule = rc.Rule("sample")
    seed: int = limits.SEED.default  # RNG seed of the draws u_t
    max_len: int = limits.MAX_TOKENS.default  # tokens generated at most
    step: int = 1  # 1-based step on screen
    guess: bool = False  # "guess first": the class guesses each pick before it is shown
    weights: int | None = None  # walk with the weights after this training step; None: the model's own

    def walk_key(self) -> tuple:
        """What the walk is (prompt, rule, random numbers, length), whatever weights replay it:
        forced tokens belong to a walk and stay when only the weights change."""
        return (self.word, self.rule, self.seed, self.max_len)

    def path_key(self) -> tuple:
        """Everything the path depends on, apart from the model and forced tokens."""
        return (*self.walk_key(), self.weights)


def parse_flag(raw: str) -> bool:
    """'1'/'0' (also 'true'/'false'); ValueError otherwise."""
    flags = {"1": True, "true": True, "0": False, "false": False}
    if raw.lower() not in flags:
        raise ValueError(raw)
    return flags[raw.lower()]


RULE = "rule."  # a field "rule.x" (of QUERY and ui.step.keys.WIDGETS) is the attribute x of Settings.rule

# field -> (query key, parser); a parser raises ValueError for a value it refuses
QUERY: dict[str, tuple[str, Callable[[str], object]]] = {
    "step": (links.STEP, int),
    "word": (links.FIRST_WORD, str),
    "rule.strategy": ("rule", str),
    "rule.temperature": ("T", float),
    "rule.top_k": ("k", int),
    "rule.top_p": ("p", float),
    "seed": ("seed", int),
    "max_len": ("max", int),
    "guess": ("guess", parse_flag),
    "weights": (links.WEIGHTS, int),
}
QUERY_KEYS = (*(key for key, _ in QUERY.values()), FORCE_KEY)  # every key this page writes


def value(s: Settings, field: str):
    """The value of a field as ``QUERY`` names it: 'seed' is ``s.seed``, 'rule.top_k' is ``s.rule.top_k``."""
    return getattr(s.rule, field.removeprefix(RULE)) if field.startswith(RULE) else getattr(s, field)


def with_values(s: Settings, values: Mapping[str, object]) -> Settings:
    """``s`` with ``values`` ({field: value}, fields named as in ``value``); ConfigError when the
    Rule refuses one of its knobs."""
    knobs = {field.removeprefix(RULE): v for field, v in values.items() if field.startswith(RULE)}
    own = {field: v for field, v in values.items() if not field.startswith(RULE)}
    return replace(s, **own, rule=replace(s.rule, **knobs))


def prompt(word: str, model: rc.Model) -> str | list[str]:
    """What is fed in first: the first word as one token when the vocabulary has it (a token such
    as "<b>" or "a b" that the tokenizer would split), else the text, tokenized."""
    return [word] if word in model.vocab else word


def check(s: Settings, model: rc.Model) -> None:
    """ConfigError/VocabularyError naming the first field of ``s`` that is out of range.

    The first word may be several known tokens (a prompt); an unknown one raises VocabularyError
    with the closest known words.
    """
    s.rule.check_vocab(len(model.vocab))  # top-k at most V; the Rule checked its other knobs: rnn_core.limits
    limits.SEED.check(s.seed)
    limits.MAX_TOKENS.check(s.max_len)
    if s.step < 1:
        raise rc.ConfigError(f"step must be 1 or more, not {s.step}.")
    check_weights(s.weights, model)
    rc.decoding.prompt_ids(model, prompt(s.word, model))


def check_weights(weights: int | None, model: rc.Model) -> None:
    """ConfigError unless ``weights`` is None (the model's own) or a step the model kept weights of."""
    if weights is not None:
        model.at_checkpoint(weights)


def own_weights(weights: int | None, model: rc.Model) -> int | None:
    """The canonical ``Settings.weights``: None for the model's own (current) weights."""
    return None if weights is None or weights == model.steps_trained else int(weights)


def from_query(query: Mapping[str, str], defaults: Settings, model: rc.Model) -> tuple[Settings, list[str]]:
    """Settings from a URL query string, and one warning per value that was refused.

    Each refused value falls back to its default, so a broken link still opens the page.
    """
    s, warnings = defaults, []
    for field, (key, parse) in QUERY.items():
        if key not in query:
            continue
        raw = query[key]
        try:
            candidate = with_values(s, {field: parse(raw)})
            check(candidate, model)
        except rc.RnnCoreError as e:
            warnings.append(refused(key, raw, str(e), value(defaults, field)))
            continue
        except ValueError:
            reason = "not 0 or 1" if parse is parse_flag else "not a number"
            warnings.append(refused(key, raw, reason, value(defaults, field)))
            continue
        s = candidate
    return replace(s, weights=own_weights(s.weights, model)), warnings


def refused(key: str, raw: str, reason: str, fallback) -> str:
    """The warning for a query value the page did not take."""
    using = "the model's own weights" if key == "weights" else repr(fallback)
    return f"Ignored `{key}={raw}` in the link ({reason}); using {using}."


def to_query(s: Settings, forks: Mapping[int, int], vocab: tuple[str, ...]) -> dict[str, str]:
    """The query string of ``s`` and the forced tokens (inverse of ``from_query`` and
    ``forks_from_query``); no ``force`` key when nothing is forced, no ``weights`` key for the
    model's own weights."""
    query = {}
    for field, (key, _) in QUERY.items():
        v = value(s, field)
        if v is None:
            continue
        query[key] = str(int(v)) if isinstance(v, bool) else f"{v:g}" if isinstance(v, float) else str(v)
    if forks:
        query[FORCE_KEY] = ",".join(f"{t}:{quote(vocab[v], safe='')}" for t, v in sorted(forks.items()))
    return query


def forks_from_query(raw: str, model: rc.Model) -> tuple[dict[int, int], list[str]]:
    """Forced tokens {step: token id} from ``force=2:learning,5:deep``, and one warning per item
    that is not a step number (1 or more) and a known token. Whether each step exists on the
    path is checked when the path is built (``ui.step.path.apply_forks``)."""
    forks, warnings = {}, []
    for item in filter(None, raw.split(",")):
        step, sep, token = item.partition(":")
        try:
            if not sep or not step.isdigit() or int(step) < 1:
                raise ValueError("write step:token, e.g. 2:love")
            (token_id,) = model.vocab.encode([unquote(token)])
        except (ValueError, rc.RnnCoreError) as e:
            warnings.append(f"Ignored `{FORCE_KEY}={item}` in the link ({e}); that step is not forced.")
            continue
        forks[int(step)] = token_id
    return forks, warnings


def summarised(warnings: list[str], most: int = 3) -> list[str]:
    """Many refused entries of one link as one message: the first ``most`` and how many more (a
    link forcing 500 steps must not fill the page with 500 boxes)."""
    if len(warnings) <= most:
        return warnings
    return [" ".join(warnings[:most]) + f" … and {len(warnings) - most:,} more entries of the link were ignored."]


def clamp_step(step: int, n_steps: int) -> int:
    """A step inside 1..n_steps."""
    return min(max(step, 1), n_steps)
