"""Every catalog line follows locales/glossary.toml: one term per concept, the chosen spellings,
the house number style, and no particle glued by hand after a placeholder."""

import re
import string
import tomllib

import pytest

from ui.i18n import LOCALES_DIR, catalog, namespaces

GLOSSARY = tomllib.loads((LOCALES_DIR / "glossary.toml").read_text())
LINES = [(f"{ns}.{key}", lang, text)
         for ns in namespaces() for key, entry in catalog(ns).items()
         for lang, text in entry.items()]


def literal(text: str) -> str:
    """The words a translator wrote: placeholders blanked out (their values are checked by the
    claims tests after rendering)."""
    return "".join(lit + ("\x00" if name is not None else "")
                   for lit, name, _, _ in string.Formatter().parse(text))


FORBIDDEN = [(re.compile(pattern), lang, group, name)
             for group in ("term", "spelling") for name, entry in GLOSSARY[group].items()
             for lang in ("ko", "en") for pattern in entry.get(f"forbidden_{lang}", [])]


def test_the_glossary_forbids_what_the_issue_found():
    # issue 21: 아니오 vs 아니요, 기대값 vs 기댓값, 기울기 as a line's slope
    found = {p.pattern for p, *_ in FORBIDDEN}
    assert {"아니오", "기대값", "기울기 오차", "\\(기울기\\)"} <= found


@pytest.mark.parametrize("namespace", namespaces())
def test_no_forbidden_variant(namespace):
    bad = [f"{key} ({lang}) uses {pattern.pattern!r}; the glossary's {group}.{name} says "
           f"{GLOSSARY[group][name].get(lang, '')!r}"
           for key, lang, text in LINES if key.startswith(namespace + ".")
           for pattern, plang, group, name in FORBIDDEN
           if plang == lang and pattern.search(text)]
    assert not bad, "\n".join(bad)


SPACE_BEFORE_PERCENT = re.compile(r"[\d\x00]\s+%")
E_NOTATION = re.compile(r"\b\d+(\.\d+)?[eE][+-]?\d+\b")
NEGATIVE_ZERO = re.compile(r"(?<![\d.])[-−]0(\.0+)?(?![\d.])")


@pytest.mark.parametrize("namespace", namespaces())
def test_number_style(namespace):
    bad = []
    for key, lang, text in LINES:
        if not key.startswith(namespace + "."):
            continue
        words = literal(text)
        if SPACE_BEFORE_PERCENT.search(words):
            bad.append(f"{key} ({lang}): a space before % ('94.4%', glossary number.percent)")
        if E_NOTATION.search(words):
            bad.append(f"{key} ({lang}): e-notation in prose (glossary number.small)")
        if NEGATIVE_ZERO.search(words):
            bad.append(f"{key} ({lang}): a signed zero (glossary number.zero)")
        if lang == "en" and "%p" in words:
            bad.append(f"{key} (en): '%p' is Korean; write 'percentage points'")
    assert not bad, "\n".join(bad)


# After a placeholder (through markdown and quotes), a particle whose form depends on the word
# before it. Invariant ones (에, 의, 도, 만, 까지, 부터, 보다, 입니다, 이고, 이며…) may be glued.
GLUED = re.compile(r"\x00[*_`'\"’”]*(?:이라서|라서|이라는|라는|이라면|라면|이라고|라고|이나|"
                   r"으로|로|이(?![고며므지었었]|다)|가(?!지)|은|는|을|를|와|과)(?=[^가-힣/]|$)")


def test_the_glued_particle_check_catches_the_issue_template():
    assert GLUED.search(literal("평균 {mean:.2f}라서"))
    assert GLUED.search(literal("**{name}**로 학습"))
    assert not GLUED.search(literal("평균 {mean:.2f}(이)라서, {x}이/가, {y}을/를"))
    assert not GLUED.search(literal("{n}개의 {x}입니다, {a}이고 {b}에서"))


@pytest.mark.parametrize("namespace", namespaces())
def test_no_particle_glued_to_a_placeholder(namespace):
    bad = [f"{key}: {text!r}" for key, lang, text in LINES
           if lang == "ko" and key.startswith(namespace + ".") and GLUED.search(literal(text))]
    assert not bad, "write the particle with both forms, e.g. {n}(이)라서 or {n}을/를:\n" + \
        "\n".join(bad)


CHAINED = re.compile(r"다(?:\*\*)?: (?!\{[a-z_]+\}\.$)")  # a colon after a full sentence; a list may follow


def test_the_chained_colon_check():
    assert CHAINED.search("정확도는 53%입니다: 클래스가 두 개라서 찍기 수준입니다.")
    assert not CHAINED.search("다음 설정은 기본값으로 두었습니다: {keys}.")


@pytest.mark.parametrize("namespace", namespaces())
def test_korean_does_not_chain_sentences_with_colons(namespace):
    """Korean joins clauses with endings (…라서, …므로) or starts a new sentence; an English-style
    colon after 「…다」 reads as translated (issue 21: "53%입니다: 클래스가…")."""
    bad = [f"{key}: {text[:80]!r}" for key, lang, text in LINES
           if lang == "ko" and key.startswith(namespace + ".") and CHAINED.search(text)]
    assert not bad, "\n".join(bad)


BOLD_CLOSED_BY_PUNCTUATION = re.compile(r"(?:[%)]|%\})\*\*(?:[가-힣]|\([이으]\))")  # or a particle marker


def test_bold_closes_where_markdown_can_close_it():
    """`**94%**입니다` does not render bold (a closing ** after punctuation must not be followed by
    a letter; CONTRIBUTING "Gotchas"): write `**94%까지**` or `**94%**(이)다`."""
    bad = [f"{key}: {text[:80]!r}" for key, lang, text in LINES
           if lang == "ko" and BOLD_CLOSED_BY_PUNCTUATION.search(text)]
    assert not bad, "\n".join(bad)


SPACED_COUNTER = re.compile(r"\x00 (?:개|배|층|번|회|칸)(?![가-힣])")  # 3 개 → 3개
GLUED_LOANWORD = re.compile(r"\x00(?:에포크|스텝|픽셀)")  # 30에포크 → 30 에포크


def test_korean_units_follow_the_glossary():
    """glossary number.units: counters attach to the number, loanword nouns keep a space."""
    bad = [f"{key}: {text[:80]!r}" for key, lang, text in LINES if lang == "ko"
           and (SPACED_COUNTER.search(literal(text)) or GLUED_LOANWORD.search(literal(text)))]
    assert not bad, "\n".join(bad)
    assert SPACED_COUNTER.search(literal("{n} 개")) and GLUED_LOANWORD.search(literal("{n}에포크"))
