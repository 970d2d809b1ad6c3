"""The tree of continuations: many sampled paths from one prompt merged into a prefix tree.

Each node is a prefix (the prompt, then the tokens generated so far) with how many samples
passed through it and the model's probability of its token given the prefix before it, read
from the paths' own traces (y_t and q of the step that picked it), never recomputed. ``flat``
gives the parallel lists a Plotly icicle or sunburst takes (ids, parents, labels, values), and
``prompt_of(id)`` turns a clicked node back into the prompt of its prefix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from .errors import ConfigError
from .limits import TREE_SAMPLES
from .model import Model
from .sample import StepSummary, generate_summary
from .step import StepTrace
from .tokens import decode

MAX_TREE_TOKENS = 200_000  # samples x max tokens: the nodes a tree may hold, at most
ROOT_ID = "root"


@dataclass(frozen=True)
class Node:
    """One prefix of the merged paths."""

    id: str  # ROOT_ID, or ROOT_ID/id1/id2/...: the generated token ids leading here
    token: str  # the token this node adds ('' at the root, which is the prompt itself)
    token_id: int | None  # its vocabulary id (None at the root)
    depth: int  # tokens generated before and including this one (0 at the root)
    count: int  # samples that passed through this prefix
    p: float  # y_t(token): the model's probability of this token given the prefix before it (1 at the root)
    q: float  # q_t(token): the probability it was drawn with (the rule's reshaped y_t; 1 at the root)
    cum_p: float  # product of p from the root: P(generated prefix | prompt) under the model
    cum_q: float  # product of q: how often a sample is expected to pass here (count / n estimates it)
    children: tuple["Node", ...]  # most samples first, then vocabulary order


@dataclass(frozen=True)
class FlatTree:
    """The tree as parallel lists, root first, for ``go.Icicle``/``go.Sunburst`` with
    ``branchvalues="total"`` (a node's count is at least the sum of its children's).
    Labels are raw tokens: escape them (``ui.common.charts.axis_label``) before Plotly reads them."""

    ids: list[str]
    parents: list[str]  # '' for the root
    labels: list[str]  # the node's token; the root's is the prompt's text
    values: list[int]  # counts
    p: list[float]
    q: list[float]
    cum_p: list[float]
    cum_q: list[float]


@dataclass(frozen=True)
class ContinuationTree:
    """``n`` sampled paths from one prompt merged by prefix."""

    root: Node
    n: int  # paths merged
    prompt: tuple[str, ...]  # the prompt's tokens, shared by every path
    prompt_text: str  # the prompt as text (the root's label)

    def nodes(self, max_depth: int | None = None) -> Iterator[Node]:
        """Every node (down to ``max_depth`` generated tokens), depth first, parents before children."""
        stack = [self.root]
        while stack:
            node = stack.pop()
            yield node
            if max_depth is None or node.depth < max_depth:
                stack.extend(reversed(node.children))

    def node(self, node_id: str) -> Node:
        """The node with this id; ConfigError if the tree has none (e.g. a click on an older tree)."""
        return self._walk(node_id)[-1]

    def prompt_of(self, node_id: str) -> tuple[str, ...]:
        """The prompt that reproduces a node's prefix: the tree's prompt, then every token
        generated on the way to the node (e.g. to open that prefix in Step-Through)."""
        return self.prompt + tuple(n.token for n in self._walk(node_id)[1:])

    def _walk(self, node_id: str) -> list[Node]:
        """The nodes from the root down to ``node_id``."""
        head, *parts = str(node_id).split("/")
        walk = [self.root]
        for part in parts if head == ROOT_ID else [None]:
            walk.append(next((c for c in walk[-1].children if str(c.token_id) == part), None))
            if walk[-1] is None:
                raise ConfigError(f"the tree of continuations has no node {node_id!r}; sample it again.")
        return walk

    def flat(self, max_depth: int | None = None) -> FlatTree:
        """The nodes down to ``max_depth`` generated tokens as a ``FlatTree``."""
        nodes = list(self.nodes(max_depth))
        parent = lambda n: n.id.rsplit("/", 1)[0] if n.depth else ""  # noqa: E731
        label = lambda n: n.token if n.depth else self.prompt_text  # noqa: E731
        return FlatTree([n.id for n in nodes], [parent(n) for n in nodes], [label(n) for n in nodes],
                        [n.count for n in nodes], [n.p for n in nodes], [n.q for n in nodes],
                        [n.cum_p for n in nodes], [n.cum_q for n in nodes])


def prompt_tokens(path: Sequence[StepTrace | StepSummary]) -> tuple[str, ...]:
    """The prompt a path was generated from: its first input and every token fed as prompt."""
    return (path[0].input,) + tuple(tr.token for tr in path if tr.how == "prompt")


def merge_paths(paths: Sequence[Sequence[StepTrace | StepSummary]], level: str = "word") -> ContinuationTree:
    """Merge paths (lists of ``StepTrace`` or ``StepSummary``, as ``generate`` and
    ``generate_summary`` return them) from one prompt;
    ``level`` (the model's: 'word' or 'char') only says how to write the prompt as text.

    ConfigError if there are none, if their prompts differ, or if two paths give the same
    prefix different probabilities (they come from different models or rules).
    """
    if not paths or any(not path for path in paths):
        raise ConfigError("give at least one generated path to build the tree from.")
    prompt = prompt_tokens(paths[0])
    trie = {(): _Entry("", None, 1.0, 1.0)}
    for path in paths:
        if prompt_tokens(path) != prompt:
            raise ConfigError(f"the paths start from different prompts: {' '.join(prompt)!r} and "
                              f"{' '.join(prompt_tokens(path))!r}.")
        _add_path(trie, path)
    return ContinuationTree(_freeze(trie), len(paths), prompt, decode(list(prompt), level))


@dataclass
class _Entry:
    """A node while paths are still being counted in."""

    token: str
    token_id: int | None
    p: float
    q: float
    count: int = 0
    children: list = field(default_factory=list)  # keys of the child prefixes, in order of arrival


def _add_path(trie: dict[tuple[int, ...], _Entry], path: Sequence[StepTrace | StepSummary]) -> None:
    """Count one path into the trie, one entry per generated prefix."""
    key: tuple[int, ...] = ()
    trie[key].count += 1
    for tr in path:
        if tr.how == "prompt":
            continue
        parent, key = key, key + (tr.token_id,)
        p, q = tr.p_token, tr.q_token
        entry = trie.get(key)
        if entry is None:
            entry = trie[key] = _Entry(tr.token, tr.token_id, p, q)
            trie[parent].children.append(key)
        elif not (math.isclose(entry.p, p, rel_tol=1e-9) and math.isclose(entry.q, q, rel_tol=1e-9)):
            raise ConfigError("two paths give the same prefix different probabilities; merge paths "
                              "from one model and one rule.")
        entry.count += 1


def _freeze(trie: dict[tuple[int, ...], _Entry]) -> Node:
    """The frozen tree: cumulative probabilities top-down, then nodes bottom-up (no recursion,
    so long paths cannot overflow the stack)."""
    cum = {(): (1.0, 1.0)}
    by_depth = sorted(trie, key=len)  # parents before children
    for key in by_depth[1:]:
        e, (cp, cq) = trie[key], cum[key[:-1]]
        cum[key] = (cp * e.p, cq * e.q)
    nodes: dict[tuple[int, ...], Node] = {}
    for key in reversed(by_depth):  # children before parents
        e = trie[key]
        children = sorted((nodes.pop(k) for k in e.children), key=lambda c: (-c.count, c.token_id))
        nodes[key] = Node("/".join([ROOT_ID, *map(str, key)]), e.token, e.token_id, len(key), e.count,
                          e.p, e.q, *cum[key], tuple(children))
    return nodes[()]


def sample_tree(model: Model, prompt, rule, n: int, max_tokens: int = 20, seed: int = 0) -> ContinuationTree:
    """n continuations of ``prompt`` under ``rule`` (``generate`` with samples 0..n-1 of
    ``seed``), merged into a tree. n inside ``limits.TREE_SAMPLES`` and n x max_tokens <= MAX_TREE_TOKENS.

    The paths are generated as summaries (``generate_summary``: the same picks, no V-long
    arrays), so a large vocabulary costs the tree no more memory than a small one."""
    TREE_SAMPLES.check(n)
    if isinstance(max_tokens, int) and n * max_tokens > MAX_TREE_TOKENS:  # a bad max_tokens: generate says why
        raise ConfigError(f"{n} samples x {max_tokens} tokens is more than the tree's limit of "
                          f"{MAX_TREE_TOKENS:,} tokens; take fewer samples or fewer tokens.")
    paths = [generate_summary(model, prompt, rule, max_tokens=max_tokens, seed=seed, sample=s) for s in range(n)]
    return merge_paths(paths, model.level)
