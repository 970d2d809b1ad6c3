"""Every session-state and widget key of Generate, in one place (prefix ``gen_``; the view's
``view`` is the URL's: /generate?view=Tree)."""

# Results kept across reruns (see the module docstring).
RUN, COMPARE, INSPECTED, VIEW_RESULT = "gen_run", "gen_compare", "gen_inspected", "gen_view_result"
# Widgets. The prompt's key carries the model version, so a new model starts from its own first word.
VIEW = "view"  # bound to the URL's query string: /generate?view=Tree
PROMPT, RULE, N, SEED = "gen_prompt_{version}", "gen_rule", "gen_n", "gen_seed"
MAX_TOKENS = "gen_max_tokens_{level}"  # by level: a sentence is 20 words or 200 characters (its default)
KNOBS = {"temperature": "gen_temperature", "top_k": "gen_top_k", "top_p": "gen_top_p", "min_p": "gen_min_p",
         "typical_p": "gen_typical_p", "repetition_penalty": "gen_penalty"}
WEIGHTS = "gen_weights_{version}"
SAMPLE, STEP = "gen_sample", "gen_step"  # the inspected sample and step, shared by four views
EXPLORE_T = "gen_explore_T_{T:g}"  # the temperature explorer, starting at the run's T
PANEL_PREFIX, DRAWS_PREFIX, TREE_PREFIX, BEAM_PREFIX = "gen_panel", "gen_draws", "gen_tree", "gen_beam"
INFLUENCE_PREFIX, INSPECT_PREFIX = "gen_influence", "gen_inspect"
SETTINGS_OPEN = "gen_settings_open"  # the settings expander, folded or not
LOW_T, HIGH_T = "gen_low_T", "gen_high_T"
