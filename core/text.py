"""Numbers inside sentences: one formatter for both languages (no Streamlit, so it is fast to test).

``render(template, **values)`` is ``str.format`` plus three things a translator should never do
by hand:

* **Numbers are written the glossary's way** (``locales/glossary.toml``): a ``:.2e`` field reads
  ``2.8 × 10⁻⁵`` (or plain ``0.28`` when the exponent is small) instead of ``2.80e-05``, and no
  field ever prints ``-0`` / ``-0.0`` / ``-0%``.
* **Korean particles follow how the word before them is read.** A template writes the particle
  the way a Korean textbook does, with both forms: ``{mean:.2f}(이)라서``, ``{name}이/가``,
  ``{n}을/를``, ``{x}은/는``, ``{a}와/과``, ``{v}(으)로``. After formatting, each marker is
  resolved from the text just before it: 0.11 reads 영점일일 (ends in ㄹ) → ``0.11이라서``; 0.2 reads
  영점이 (no final consonant) → ``0.2라서``; 10% reads 십 퍼센트 → ``10%라서``; 3 reads 삼 →
  ``3이라서``; (으)로 after ㄹ takes 로 (``1로``, ``7로``).
* **English plurals follow the number before them**: ``{n} epoch(s)`` → ``1 epoch``,
  ``2 epochs``; ``batch(es)`` likewise.
"""

from __future__ import annotations

import math
import re
import string
from functools import lru_cache
from numbers import Real

# --- numbers ------------------------------------------------------------------------------
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def power_of_ten(exponent: int) -> str:
    """``10⁻⁵`` for -5."""
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def scientific(x: float, digits: int = 2) -> str:
    """``x`` for prose: plain decimals while the exponent is in -3..4 (``0.28``, ``1.00``,
    ``1200``), otherwise ``2.8 × 10⁻⁵`` with ``digits`` decimals in the mantissa. Never e-notation."""
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return drop_negative_zero(f"{x:.{digits}f}") if x == 0 else str(x)
    exponent = math.floor(math.log10(abs(x)))
    mantissa = round(x / 10 ** exponent, digits)
    if abs(mantissa) >= 10:  # 9.996 → 10.00 after rounding
        mantissa, exponent = mantissa / 10, exponent + 1
    if -3 <= exponent <= 4:
        return drop_negative_zero(f"{x:.{max(digits - exponent, 0)}f}")
    return f"{mantissa:.{digits}f} × {power_of_ten(exponent)}"


_ALL_ZERO = re.compile(r"^[-+](?=[0.,]*0[0.,]*(%|\s*$))")


def drop_negative_zero(text: str) -> str:
    """``-0.00`` → ``0.00``, ``+0.0`` → ``0.0``: a value that rounds to zero has no sign."""
    return _ALL_ZERO.sub("", text) if text[:1] in "-+" and text else text


_E_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?[eE][-+]?\d+")


class _SentenceFormatter(string.Formatter):
    """``str.format`` whose numeric fields follow the glossary (no e-notation, no -0)."""

    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, Real) and not isinstance(value, bool):
            kind = format_spec[-1:] if format_spec else ""
            if kind in ("e", "E"):
                precision = re.search(r"\.(\d+)", format_spec)
                return scientific(float(value), int(precision.group(1)) if precision else 2)
            text = format(value, format_spec)
            if "e" in text and kind in ("g", "G", "n", ""):  # :g switches to e-notation itself
                mantissa = re.match(r"[-+ ]?\d+(?:\.(\d+))?[eE]", text)
                digits = len(mantissa.group(1) or "") if mantissa else 2
                return scientific(float(value), digits)
            return drop_negative_zero(text)
        if isinstance(value, str) and not format_spec:
            # Numbers core formatted ahead of time ("2.8e-01", "-0.0") get the same style.
            if _E_NUMBER.fullmatch(value):
                decimals = re.search(r"\.(\d+)", value)
                return scientific(float(value), len(decimals.group(1)) if decimals else 0)
            return drop_negative_zero(value)
        return format(value, format_spec)


_FORMATTER = _SentenceFormatter()
_SIMPLE_FIELD = re.compile(r"[A-Za-z_]\w*")


@lru_cache(maxsize=8192)
def _parsed(template: str) -> tuple | None:
    """The template split once into (literal, field, spec, conversion); None when a field is
    not a plain name (``{a[0]}``, nested specs), which then goes through string.Formatter."""
    parts = tuple(string.Formatter().parse(template))
    for _, name, spec, _ in parts:
        if name is not None and (not _SIMPLE_FIELD.fullmatch(name) or "{" in (spec or "")):
            return None
    return parts


def _format(template: str, values: dict) -> str:
    parts = _parsed(template)
    if parts is None:
        return _FORMATTER.format(template, **values)
    out = []
    for literal, name, spec, conversion in parts:
        out.append(literal)
        if name is not None:
            value = values[name]
            if conversion:
                value = _FORMATTER.convert_field(value, conversion)
            out.append(_FORMATTER.format_field(value, spec or ""))
    return "".join(out)


def number(value: object, spec: str = "") -> str:
    """One value written the way a sentence writes it (for table cells and metrics):
    ``number(2.83e6, ".3g")`` → ``2.83 × 10⁶``, ``number(-0.0001, ".2f")`` → ``0.00``."""
    return _FORMATTER.format_field(value, spec)


def render(template: str, /, **values: object) -> str:
    """``template.format(**values)`` with glossary numbers, Korean particles and English plurals
    resolved. Without values the template is not formatted (``{{`` stays as written)."""
    text = _format(template, values) if values else template
    return plurals(particles(text))


# --- Korean particles ---------------------------------------------------------------------
# How the end of a word is read: None = ends in a vowel, "ㄹ" = ends in ㄹ, "C" = another
# final consonant. (으)로 treats ㄹ like a vowel; every other particle only asks "consonant?".
_DIGIT_FINAL = {"0": "C", "1": "ㄹ", "2": None, "3": "C", "4": None, "5": None, "6": "C",
                "7": "ㄹ", "8": "ㄹ", "9": None}  # 영 일 이 삼 사 오 육 칠 팔 구
# 10, 100, 1000, 10⁴… read 십, 백, 천, 만 (만 to 천만), 억 (억 to 천억), 조
_TRAILING_ZEROS_FINAL = {1: "C", 2: "C", 3: "C", 4: "C", 5: "C", 6: "C", 7: "C",
                         8: "C", 9: "C", 10: "C", 11: "C", 12: None}
# Latin letters read one by one (acronyms, variable names): 에이 비 씨 디 이 에프 지 에이치 아이
# 제이 케이 엘 엠 엔 오 피 큐 알 에스 티 유 브이 더블유 엑스 와이 제트(지)
_LETTER_FINAL = {"l": "ㄹ", "m": "C", "n": "C", "r": "ㄹ", "f": None, "z": None}
# Words read as words, not letter by letter. Anything else Latin: a lowercase-ending word
# follows its last letter's sound (m, n, ng → consonant; l → ㄹ; other letters get a vowel
# 으/이/어 in Korean: 배치, 테스트, 레이어), an all-caps word is spelled out.
_WORD_FINAL = {"relu": None, "leaky": None, "gelu": None, "sigmoid": None, "tanh": None,
               "adam": "C", "adamw": None, "sgd": None, "rmsprop": "C", "huber": None,
               "batchnorm": "C", "dropout": None, "softmax": None, "autograd": None,
               "playground": None, "streamlit": None, "pytorch": None, "torch": None,
               "mnist": None, "csv": None, "txt": None, "eval": "ㄹ", "train": "C",
               "epoch": None, "loss": None, "momentum": "C", "plotly": None, "xor": None}
_GREEK_FINAL = {"ε": "C", "λ": None, "σ": None, "μ": None, "α": None, "β": None, "γ": None,
                "δ": None, "η": None, "θ": None, "ρ": None, "π": None, "ω": None}
_UNIT_FINAL = {"%p": None, "%": None, "°": None, "×": None, "MB": None, "GB": None,
               "KB": None, "ms": None, "px": "ㄹ"}  # 퍼센트포인트 퍼센트 도 배 메가바이트 … 픽셀

_TRAILING_DECOR = "*_`'\"’”」』] "


def final_sound(text: str) -> str | None:
    """How ``text`` ends when read aloud in Korean: None (vowel), "ㄹ" or "C" (other final
    consonant). Markdown (``**3**``) and a closing parenthesis are looked through: a particle
    after ``원본 (59.9%)`` attaches to 원본."""
    text = text.rstrip(_TRAILING_DECOR)
    if text.endswith(")") and "(" in text:
        depth, i = 0, len(text) - 1
        while i >= 0:
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0:
                break
            i -= 1
        if i > 0:
            return final_sound(text[:i])
    if not text:
        return None
    last = text[-1]
    if "가" <= last <= "힣":
        batchim = (ord(last) - ord("가")) % 28
        return None if batchim == 0 else ("ㄹ" if batchim == 8 else "C")
    for unit, final in _UNIT_FINAL.items():
        if text.endswith(unit):
            return final
    if last in "⁰¹²³⁴⁵⁶⁷⁸⁹":
        return "C"  # 10⁻⁵ reads 10의 -5 제곱(승)
    if last.isdigit():
        number = re.search(r"[\d,]*(\.\d+)?$", text).group(0)
        if "." in number:  # decimals are read digit by digit: 0.11 → 영점일일
            return _DIGIT_FINAL[last]
        digits = number.replace(",", "").lstrip("0") or "0"
        if digits == "0":
            return "C"
        zeros = len(digits) - len(digits.rstrip("0"))
        return _TRAILING_ZEROS_FINAL.get(zeros, None) if zeros else _DIGIT_FINAL[last]
    if last.lower() in _GREEK_FINAL:
        return _GREEK_FINAL[last.lower()]
    word = re.search(r"[A-Za-z]+$", text)
    if word:
        word = word.group(0)
        if word.lower() in _WORD_FINAL:
            return _WORD_FINAL[word.lower()]
        if len(word) == 1 or word.isupper():
            return _LETTER_FINAL.get(word[-1].lower())
        if word.lower().endswith(("m", "n", "ng")):
            return "C"
        return "ㄹ" if word.lower().endswith("l") else None
    return None


# marker → (after a consonant, after a vowel, after ㄹ)
_PARTICLES = {
    "이/가": ("이", "가", "이"), "가/이": ("이", "가", "이"),
    "은/는": ("은", "는", "은"), "는/은": ("은", "는", "은"),
    "을/를": ("을", "를", "을"), "를/을": ("을", "를", "을"),
    "과/와": ("과", "와", "과"), "와/과": ("과", "와", "과"),
    "(으)로": ("으로", "로", "로"),
    "(이)": ("이", "", "이"),  # the copula before 라서, 라는, 라면, 나, 며, 고, 다…
}
_MARKER = re.compile("|".join(re.escape(m) for m in _PARTICLES))


def particle(word: str, marker: str) -> str:
    """The form of ``marker`` (e.g. ``"이/가"``, ``"(이)라서"``'s ``"(이)"``) that follows ``word``."""
    consonant, vowel, rieul = _PARTICLES[marker]
    final = final_sound(word)
    return vowel if final is None else rieul if final == "ㄹ" else consonant


def particles(text: str) -> str:
    """Every particle marker in ``text`` resolved from what is written before it."""
    if "/" not in text and "(" not in text:  # no marker can be there: most strings
        return text
    out: list[str] = []
    last = 0
    for match in _MARKER.finditer(text):
        out.append(text[last:match.start()])
        out.append(particle("".join(out), match.group(0)))
        last = match.end()
    out.append(text[last:])
    return "".join(out)


# --- English plurals ----------------------------------------------------------------------
_PLURAL = re.compile(r"([A-Za-z]+)\((e?s)\)")
_COUNT_BEFORE = re.compile(r"(-?\d[\d,]*(?:\.\d+)?)[*\s]+(?:[A-Za-z-]+\s+){0,2}$")


def plurals(text: str) -> str:
    """``1 epoch(s)`` → ``1 epoch``, ``3 more epoch(s)`` → ``3 more epochs``. A word with no
    number before it (within two words) takes the plural."""
    if "s)" not in text:
        return text

    def resolve(match: re.Match[str]) -> str:
        count = _COUNT_BEFORE.search(text[:match.start()])
        singular = count is not None and count.group(1) in ("1", "-1")
        return match.group(1) + ("" if singular else match.group(2))
    return _PLURAL.sub(resolve, text)
