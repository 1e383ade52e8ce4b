"""Korean and English text for every string the app shows.

Catalogs live in ``locales/<namespace>.toml``, one file per page plus ``common``, with
both languages side by side under each key::

    [vanishing.title]
    en = "Vanishing gradients"
    ko = "기울기 소실"

Side by side (instead of one file per language) keeps a translation next to its source,
so a missing one is obvious in review; ``tests/test_locales.py`` fails on any gap.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import streamlit as st

from core.text import render

LANGS = ("ko", "en")
LANG_NAMES = {"ko": "한국어", "en": "English"}
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANG_KEY = "lang"  # session-state key and URL parameter


def _flatten(table: dict, prefix: str = "") -> dict[str, dict[str, str]]:
    """{'a': {'b': {'en': .., 'ko': ..}}} -> {'a.b': {'en': .., 'ko': ..}}."""
    flat: dict[str, dict[str, str]] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and set(value) & set(LANGS):
            flat[key] = value
        elif isinstance(value, dict):
            flat.update(_flatten(value, key + "."))
        else:
            raise ValueError(f"{key}: expected a table with {LANGS} entries")
    return flat


@cache
def catalog(namespace: str) -> dict[str, dict[str, str]]:
    """All messages of one namespace (file ``locales/<namespace>.toml``)."""
    with open(LOCALES_DIR / f"{namespace}.toml", "rb") as f:
        return _flatten(tomllib.load(f))


GLOSSARY = "glossary"  # locales/glossary.toml: terms and number style, not messages


def namespaces() -> list[str]:
    return sorted(p.stem for p in LOCALES_DIR.glob("*.toml") if p.stem != GLOSSARY)


def browser_lang() -> str:
    """Korean when the browser asks for it, English otherwise."""
    try:
        locale = st.context.locale or ""
    except Exception:  # no browser behind this run (AppTest, bare mode)
        locale = ""
    return "ko" if locale.lower().startswith("ko") else "en"


def current_lang() -> str:
    lang = st.session_state.get(LANG_KEY)
    if lang in LANGS:
        return lang
    url_lang = st.query_params.get(LANG_KEY)
    return url_lang if url_lang in LANGS else browser_lang()


def t(message_id: str, /, **values: object) -> str:
    """The message ``namespace.name`` in the current language, formatted with ``values``
    through ``core.text.render``: glossary numbers (no e-notation, no -0), Korean particles
    written ``{n}(이)라서`` / ``{x}이/가`` chosen by how the number is read, ``epoch(s)`` plurals."""
    namespace, name = message_id.split(".", 1)
    return render(catalog(namespace)[name][current_lang()], **values)


def scoped(prefix: str) -> Callable[..., str]:
    """``t`` with a key prefix given once: ``tr = scoped(NS)`` then ``tr("section.key", n=3)``
    is ``t(f"{NS}.section.key", n=3)``."""
    def translate(key: str, /, **values: object) -> str:
        return t(f"{prefix}.{key}", **values)
    return translate


def has(key: str) -> bool:
    namespace, name = key.split(".", 1)
    return name in catalog(namespace)


def labels(prefix: str, ids: Iterable[str]) -> dict[str, str]:
    """{id: t(f"{prefix}.{id}")}, for widgets' ``format_func=labels(...).get``.

    Translate up front rather than passing ``lambda i: t(...)``: Streamlit (and AppTest)
    may call format_func outside the script run, where the session's language is unknown.
    """
    return {i: t(f"{prefix}.{i}") for i in ids}
