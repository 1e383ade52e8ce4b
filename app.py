"""Deep Learning Explorer: router and shared sidebar. Run with ``streamlit run app.py``."""

from __future__ import annotations

import time

import streamlit as st

from ui.compute import LOG_TIMES, log_time
from ui.i18n import t
from ui.chrome import base_css, classroom_sidebar, lesson_bar, presenter_css, share_panel
from ui.registry import SECTIONS, available_pages, page_by_url_path
from ui.server_sockets import send_without_delay
from ui.url_state import NOTICE_SLOT, presenting, set_section, url_language

send_without_delay()  # once per process: no 40 ms Nagle waits (ui/server_sockets.py)

# Presenter view (?present=1 or the sidebar switch) starts with the sidebar folded away.
st.set_page_config(page_title="Deep Learning Explorer", page_icon="🧠", layout="wide",
                   initial_sidebar_state="collapsed" if presenting() else "auto")
st.session_state.pop(NOTICE_SLOT, None)  # a notice slot belongs to one run only
set_section("", None)  # widgets belong to no page section until the page says so

with st.sidebar:
    url_language()  # first: every label below is drawn in the language chosen here

pages_by_section: dict[str, list[st.Page]] = {}
for page in available_pages():
    pages_by_section.setdefault(page.section, []).append(
        st.Page(page.script, title=t(f"nav.{page.namespace}"), icon=page.icon,
                url_path=page.url_path or None, default=page.url_path == "")
    )
navigation = st.navigation(
    {t(f"nav.section_{s.replace('.', '_')}") if s != "home" else "": pages_by_section[s]
     for s in SECTIONS if s in pages_by_section},
    expanded=True,  # the whole lesson in the sidebar, no "View more"
)
current = page_by_url_path(navigation.url_path or "")
with st.sidebar:
    st.subheader(t("common.classroom"), divider="gray")
    classroom_sidebar()
base_css()
if presenting():
    presenter_css()
    lesson_bar(navigation.url_path or "", compact=True)
started = time.perf_counter(), time.thread_time()
navigation.run()
if LOG_TIMES:  # DLE_LOG_RUN_TIMES=1: each full run's time (fragment reruns are not full runs)
    log_time("run", navigation.url_path or "/", started)
lesson_bar(navigation.url_path or "")
with st.sidebar:
    if current is not None:
        share_panel(current.namespace, current.url_path)
    st.caption(t("common.sidebar_about"))
