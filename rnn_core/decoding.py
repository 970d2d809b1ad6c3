"""rnn_core.decoding: from the logits o_t to tokens, beyond ``generate`` and ``fork``.

What each rule makes of y_t (``sampling_distribution``, ``kept_mass``, the rules side by side),
how a token is drawn (``slices``, ``pick``, ``draws``), generation in other shapes (summaries,
one step at a time, teacher forcing, the CLI's JSON), beam search, the tree of sampled
continuations, and draws against theory (chi-square).
"""

from .beam import BeamResult, BeamRun, BeamStep, Hypothesis, beam_document, beam_search
from .filters import Distribution, kept_mass, sampling_distribution
from .panels import Panel, rule_panels
from .sample import (
                     StepSummary,
                     draw_token,
                     draws,
                     ends_with_eos,
                     generate_summary,
                     iter_generate,
                     log_prob,
                     pick,
                     prompt_ids,
                     regenerates,
                     slices,
                     teacher_forced,
                     text_of,
                     traces_document,
                     traces_json,
)
from .stats import ChiSquare, DrawCounts, chi2_sf, chi_square, draw_counts
from .step import Pick, Stage
from .tree import ContinuationTree, FlatTree, Node, merge_paths, sample_tree

__all__ = [
    # what a rule draws from, and the rules side by side
    "Distribution", "kept_mass", "sampling_distribution", "Panel", "rule_panels",
    # drawing a token
    "Pick", "Stage", "draw_token", "draws", "pick", "slices",
    # generation in other shapes
    "StepSummary", "ends_with_eos", "generate_summary", "iter_generate", "log_prob", "prompt_ids", "regenerates",
    "teacher_forced", "text_of", "traces_document", "traces_json",
    # beam search, recorded step by step as a tree
    "BeamResult", "BeamRun", "BeamStep", "Hypothesis", "beam_document", "beam_search",
    # the tree of sampled continuations
    "ContinuationTree", "FlatTree", "Node", "merge_paths", "sample_tree",
    # draws against theory
    "ChiSquare", "DrawCounts", "chi2_sf", "chi_square", "draw_counts",
]
