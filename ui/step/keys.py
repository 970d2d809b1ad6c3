"""Every session-state and widget key of Step-Through, in one place (prefix ``step_``).

The CSS of ``ui.step.layout`` selects the containers named here (``.st-key-<key>``); the closer
looks, the room and the settings read and write the rest.
"""

# the walk: settings (``ui.step.settings.Settings``, where the walk opened included), forced
# tokens {step: token id}, the path cache, the model version they belong to, the query string
# this page last wrote, a message for the next run
SETTINGS, FORKS, PATHS, FOR_VERSION = "step_settings", "step_forks", "step_paths", "step_for_version"
WRITTEN, NOTICE = "step_written_query", "step_notice"
# guess mode: {step: guessed token id or None}; steps 1..REVEALED have their pick on screen
GUESSES, REVEALED = "step_guesses", "step_revealed"
# the browser: a request to show a step ((seq, step), honoured once per seq), the step on screen
# as last heard, the step area and the step reporter (components), the record the area was sent
GOTO, SHOWN = "step_goto", "step_shown"
WALK, REPORTER, RECORD = "step_walk", "step_reporter", "step_record"
# the settings' widgets, one per field of Settings and four for its rule, named as in
# ui.step.settings.QUERY (no weights slider for a model without earlier weights), and the page's
# own: decimals, autoplay speed, the animation, "start again"
WIDGETS = {"word": "step_word", "rule.strategy": "step_rule", "rule.temperature": "step_T", "rule.top_k": "step_k",
           "rule.top_p": "step_p", "seed": "step_seed", "max_len": "step_max", "guess": "step_guess",
           "weights": "step_weights"}
DECIMALS, SPEED, ANIMATE, RESET = "step_decimals", "step_speed", "step_animate", "step_reset"
# containers the page's CSS places: the step area with its gear (the settings popover) and the
# room's vote count
AREA, GEAR, VOTES = "step_area", "step_gear", "step_votes"
COUNTED = "step_room_counted"  # the room whose count the last full run drew at the top
# the closer looks: the chosen view, each view's widgets, the last influence computed
LOOK = "step_look"
PANEL, DRAWS, INFLUENCE, EDIT = "step_look_panel", "step_look_draws", "step_look_influence", "step_look_edit"
INFLUENCE_RESULT, CAMERA = "step_look_influence_result", "step_look_camera"
