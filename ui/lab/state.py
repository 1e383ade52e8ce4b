"""The /playground page's session state: its keys and the callbacks that change it.

Button and uploader callbacks run before the page script, so they only write
``st.session_state``; the page then draws from it. Kept out of the page (pages stay thin):
opening a TensorFlow Playground link (from the URL or the paste box), Play / Pause / Step /
Reset, New data, pinning the curves, and loading a CSV of points.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from core import lab
from ui.url_state import HIDE_KEY, hidden_keys

# Session keys (not in the URL): the live session and its play state.
S_SESSION, S_PLAYING, S_PAUSED, S_NOTE, S_PINNED = (
    "_pg_session", "_pg_playing", "_pg_paused", "_pg_note", "_pg_pinned")
S_IMPORT, S_CSV, S_CSV_ERROR = "_pg_import", "_pg_csv", "_pg_csv_error"
S_TICK = "_pg_tick"  # the token of the last tick drawn while playing (ui.lab.drawing answers it)


def seed_widgets(values: dict) -> None:
    """Put widget values in the session before the widgets are drawn (they read them)."""
    for key, value in values.items():
        st.session_state[key] = value


def _hide(keys: list[str]) -> None:
    """A Playground link's ``<name>_hide=true`` controls join the lab's ``?hide=``."""
    if keys:
        st.query_params[HIDE_KEY] = ",".join(sorted(set(hidden_keys()) | set(keys)))


def _import(fields: dict, rejected: list[str], given: list[str]) -> None:
    _hide(fields.get("hide", []))
    seed_widgets(lab.widget_values(fields))
    st.session_state[S_IMPORT] = (sorted(set(given) - set(rejected)), list(rejected))
    st.session_state[S_PLAYING] = False
    st.session_state.pop(S_CSV, None)


def import_from_query() -> None:
    """Opened with the Playground's own keys: seed the widgets (Playground mode on), drop
    those keys from the URL (the pg_ keys now hold the state), remember what was rejected."""
    given = {k: ",".join(st.query_params.get_all(k)) for k in st.query_params
             if k in lab.PLAYGROUND_KEYS or k.endswith("_hide")}
    if not given:
        return
    fields, rejected = lab.parse_playground_params(given)
    for key in given:
        del st.query_params[key]
    _import(fields, rejected, list(given))


def import_from_text() -> None:
    """The "paste a Playground link" box (its button's callback: runs before the widgets)."""
    url = str(st.session_state.get("_pg_import_url", "")).strip()
    fields, rejected = lab.parse_playground_url(url) if url else ({}, [])
    if not fields:
        st.session_state[S_IMPORT] = ([], [])
        st.session_state["_pg_import_empty"] = True
        return
    given = [k for k in lab.PLAYGROUND_KEYS if f"{k}=" in url] + [
        f"{k}_hide" for k in lab.PLAYGROUND_HIDE if f"{k}_hide=" in url]
    _import(fields, rejected, given)


# --- play controls (button callbacks: they run before the script) ------------------------
# Set by a click on the controls outside the lab's fragment, cleared by every full run. The
# browser batches widget updates: a click landing in the same batch as the drawing's answer is
# sent as a rerun of the fragment only, so the click's callback ran but the control bar (Pause
# still showing after a pause) and the page's requests were not redrawn; the fragment then
# asks for the full run (app_pages/playground.py). Seen 4 times in 50 pauses with a core busy.
S_FULL_RUN = "_pg_full_run_needed"


def play() -> None:
    st.session_state[S_PLAYING] = True
    st.session_state.pop(S_PAUSED, None)
    st.session_state[S_FULL_RUN] = True


def pause() -> None:
    st.session_state[S_PLAYING] = False
    st.session_state.pop(S_PAUSED, None)
    st.session_state[S_FULL_RUN] = True


def request(name: str) -> None:
    st.session_state[S_PLAYING] = False
    st.session_state[f"_pg_{name}_request"] = True
    st.session_state[S_FULL_RUN] = True


def regenerate() -> None:
    st.session_state["pg_seed"] = (int(st.session_state.get("pg_seed", 0)) + 1) % (
        lab.MAX_SEED + 1)


def pin() -> None:
    session = st.session_state.get(S_SESSION)
    if session is not None:
        snap = session.snapshot()
        st.session_state[S_PINNED] = {
            "epochs": snap.curve_epochs.copy(), "train_loss": snap.curve_train_loss.copy(),
            "test_loss": snap.curve_test_loss.copy()}


def unpin() -> None:
    st.session_state.pop(S_PINNED, None)


def load_csv() -> None:
    """The uploader's callback: parse once, keep only the parsed points in the session."""
    st.session_state.pop(S_CSV, None)
    st.session_state.pop(S_CSV_ERROR, None)
    uploaded = st.session_state.get("_pg_csv_file")
    if uploaded is None:
        return
    data = uploaded.getvalue()
    try:
        points = lab.load_points_csv(data)
    except lab.LabDataError as error:
        st.session_state[S_CSV_ERROR] = (error.message_id, error.values)
        return
    st.session_state[S_CSV] = (hashlib.sha1(data).hexdigest(), uploaded.name, points)
    st.session_state[S_PLAYING] = False


# --- taps on the drawing element that change the network -----------------------------------
S_TAPPED = "_pg_tapped"  # widget values a tap asked for, set before the widgets are drawn
S_TAP_DONE = "_pg_tap_done"  # the id of the last tap handled (the element keeps its value)


def handle_tap(action: dict | None) -> bool:
    """A tap on the drawing (read in the fragment): a tapped input thumbnail switches its
    feature, +/- change the hidden layers or a layer's neurons. The widgets holding those
    settings are drawn outside the fragment, so the new values wait in S_TAPPED for the
    full rerun this asks for (True: rerun the whole page)."""
    if not action or action.get("id") == st.session_state.get(S_TAP_DONE):
        return False
    st.session_state[S_TAP_DONE] = action.get("id")
    kind, values = action.get("kind"), {}
    if kind == "feature" and action.get("name") in lab.FEATURE_KEYS:
        key = lab.FEATURE_KEYS[action["name"]]
        values[key] = not st.session_state.get(key, action["name"] in lab.DEFAULT_FEATURES)
    elif kind == "layers":
        depth = int(st.session_state.get("pg_layers", 2))
        values["pg_layers"] = min(max(depth + int(action.get("delta", 0)), 0), lab.MAX_LAYERS)
    elif kind == "neurons" and 0 <= int(action.get("layer", -1)) < lab.MAX_LAYERS:
        key = f"pg_n{int(action['layer']) + 1}"
        width = int(st.session_state.get(key, lab.DEFAULT_HIDDEN[int(action["layer"])]))
        values[key] = min(max(width + int(action.get("delta", 0)), 1), lab.MAX_NEURONS)
    if not values:
        return False
    st.session_state[S_TAPPED] = values
    return True


def apply_taps() -> None:
    """At the top of a full run, before any widget: the values taps asked for."""
    seed_widgets(st.session_state.pop(S_TAPPED, {}))
