"""The anatomy every page shares: title and intro, presets, sections, notes, code panel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from core.claims import Claim
from ui.compute import cached, run_with_progress  # noqa: F401  (re-exported for pages)
from ui.i18n import t
from ui.url_state import NOTICE_SLOT


def page_header(namespace: str) -> None:
    """Title, one-paragraph intro, and the slot where bad-URL notices appear."""
    st.title(t(f"{namespace}.title"))
    st.markdown(t(f"{namespace}.intro"))
    st.session_state[NOTICE_SLOT] = st.container()


def presets(namespace: str, table: Mapping[str, Mapping[str, Any]]) -> None:
    """One button per named preset; a click sets those widgets (by key) before the rerun.

    ``table``: preset id -> {widget key: value}; labels come from ``<namespace>.preset.<id>``.
    """

    def apply(values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            st.session_state[key] = value

    st.markdown(f"**{t('common.presets')}**")
    columns = st.columns(len(table))
    for column, (preset_id, values) in zip(columns, table.items()):
        column.button(
            t(f"{namespace}.preset.{preset_id}"),
            key=f"preset_{preset_id}",
            on_click=apply,
            args=(values,),
            help=t(f"{namespace}.preset.{preset_id}_help"),
            width="stretch",
        )


def section(namespace: str, name: str) -> None:
    """A section heading and a sentence on what the reader is about to see."""
    st.header(t(f"{namespace}.{name}.title"), divider="gray")
    st.markdown(t(f"{namespace}.{name}.what"))


def notice(text: str) -> None:
    """The 'what to notice' box under a result."""
    st.info(f"**{t('common.notice')}** {text}", icon=":material/lightbulb:")


def notice_claims(prefix: str, claims: Sequence[Claim]) -> None:
    """A 'what to notice' box made only of claims that core found true for these numbers.

    Each claim is translated from ``<prefix>.claim.<id>`` with its values.
    """
    if claims:
        notice(" ".join(t(f"{prefix}.claim.{claim.id}", **claim.values) for claim in claims))


def chart(figure: go.Figure, key: str) -> None:
    st.plotly_chart(figure, key=key, config={"displaylogo": False}, width="stretch")


def code_panel(code: str, key: str) -> None:
    """Runnable PyTorch that reproduces the view above with the current settings."""
    with st.expander(t("common.code_title"), icon=":material/code:"):
        st.caption(t("common.code_caption"))
        st.code(code, language="python")
