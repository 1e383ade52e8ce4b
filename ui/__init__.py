"""Streamlit-only helpers shared by every page (i18n, URL state, presets, code panel, caching)."""
