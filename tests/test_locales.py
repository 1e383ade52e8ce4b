"""Every message exists in Korean and English, with the same placeholders, non-empty."""

import re
import string
from pathlib import Path

import pytest

from ui.i18n import LANGS, catalog, namespaces
from ui.registry import PAGES

ROOT = Path(__file__).resolve().parents[1]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("namespace", namespaces())
def test_every_key_has_both_languages(namespace):
    for key, entry in catalog(namespace).items():
        assert set(entry) == set(LANGS), f"{namespace}.{key} has {sorted(entry)}"
        for lang in LANGS:
            assert entry[lang].strip(), f"{namespace}.{key} is empty in {lang}"
        assert placeholders(entry["en"]) == placeholders(entry["ko"]), f"{namespace}.{key}"


def test_korean_text_is_korean():
    """Catch an English string pasted into the ko slot (most ko strings contain Hangul)."""
    hangul = re.compile(r"[\uac00-\ud7a3]")
    for namespace in namespaces():
        entries = catalog(namespace).values()
        with_hangul = sum(bool(hangul.search(e["ko"])) for e in entries)
        assert with_hangul >= 0.6 * len(entries), namespace


def test_every_page_has_a_title_in_the_navigation():
    nav = catalog("nav")
    for page in PAGES:
        assert page.namespace in nav


LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_.0-9]+)["']""")


def test_literal_keys_used_in_code_exist():
    for path in [*ROOT.glob("*.py"), *ROOT.glob("pages/*.py"), *ROOT.glob("app_pages/*.py"),
                 *ROOT.glob("ui/*.py")]:
        for key in LITERAL_KEY.findall(path.read_text()):
            namespace, name = key.split(".", 1)
            assert name in catalog(namespace), f"{path.name}: {key}"
