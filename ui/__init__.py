"""The app's Streamlit side, between the pages (pages/*.py) and the model (rnn_core): one package
per page and the packages the pages share. No page's package imports another page's.

- ``ui.common``: what every page uses: the visitor's model in the session and the sidebar card
  (``session``), stored models (``model_store``) in the data folder (``datadir``), the
  presenter theme (``theme``), text and tokens shown safely, escaped once (``text``), shared
  Plotly figures (``charts``), checked inputs (``checked_input``, ``knobs``), training
  time-travel (``time_travel``), served files (``static_files``), memory trimming (``trim``) and
  Streamlit's pages-folder flag (``pages_mode``).
- ``ui.step``: Step-Through (its step area runs in the browser: ``walk`` and ``renderer/``).
- ``ui.generate``: Generate.
- ``ui.train``: Train (``worker`` runs in its own processes).
- ``ui.views``: the closer looks at one step that Step-Through and Generate both show.
- ``ui.room``: a room's votes, shared by Step-Through's guess mode and the phones' vote page.
"""
