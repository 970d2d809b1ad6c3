"""Placeholder until the page lands."""

import streamlit as st

from ui.state import current_model

current_model()
st.title("generate")
