"""Step-Through: one autoregressive step per screen. The walk is described once in Python
(``describe``, ``equations``, ``record``) and stepped in the browser by one renderer
(``walk``, ``renderer/walk.js``), which also saves it as the offline file. Session keys: ``keys``."""
