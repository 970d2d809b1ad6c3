"""Streamlit-side helpers shared by the pages: session state (state.py) and Plotly charts."""
