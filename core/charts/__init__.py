"""Plotly figure builders: Result -> go.Figure. No Streamlit, no session state.

Every text shown in a figure is passed in by the caller (already translated), so the
same builder serves both languages and tests can assert on the labels.
"""
