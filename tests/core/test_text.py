"""core.text: particles chosen by how a number is read, plurals, glossary numbers.

The expected readings are written out by hand (the Korean reading of each number, then its last
syllable), independently of core.text's tables.
"""

import pytest

from core.text import (
    drop_negative_zero, final_sound, number, particles, plurals, render, scientific,
)

# number as written → how it is read aloud → the form of (이)라서 after it
READINGS = [
    ("2", "이", "2라서"),
    ("3", "삼", "3이라서"),
    ("0.11", "영점일일", "0.11이라서"),
    ("0.2", "영점이", "0.2라서"),
    ("10%", "십 퍼센트", "10%라서"),
    ("1", "일", "1이라서"),
    ("0", "영", "0이라서"),
    ("4", "사", "4라서"),
    ("6", "육", "6이라서"),
    ("9", "구", "9라서"),
    ("10", "십", "10이라서"),
    ("20", "이십", "20이라서"),
    ("100", "백", "100이라서"),
    ("1,000", "천", "1,000이라서"),
    ("12", "십이", "12라서"),
    ("0.10", "영점일영", "0.10이라서"),
    ("59.9%", "오십구점구 퍼센트", "59.9%라서"),
    ("77.6%p", "칠십칠점육 퍼센트포인트", "77.6%p라서"),
    ("2.8 × 10⁻⁵", "이점팔 곱하기 십의 마이너스 오 제곱", "2.8 × 10⁻⁵이라서"),
    ("**3**", "삼", "**3**이라서"),
    ("원본", "원본", "원본이라서"),
    ("모델", "모델", "모델이라서"),
    ("배치", "배치", "배치라서"),
    ("ReLU", "렐루", "ReLU라서"),
    ("Adam", "아담", "Adam이라서"),
]


@pytest.mark.parametrize("written, reading, expected", READINGS)
def test_copula_follows_the_reading(written, reading, expected):
    assert particles(f"{written}(이)라서") == expected


@pytest.mark.parametrize("written, subject, topic, object_, with_, towards", [
    ("2", "2가", "2는", "2를", "2와", "2로"),
    ("3", "3이", "3은", "3을", "3과", "3으로"),
    ("1", "1이", "1은", "1을", "1과", "1로"),        # 일: ㄹ takes 로, not 으로
    ("7", "7이", "7은", "7을", "7과", "7로"),        # 칠
    ("0.5", "0.5가", "0.5는", "0.5를", "0.5와", "0.5로"),
    ("10%", "10%가", "10%는", "10%를", "10%와", "10%로"),
    ("원본 (59.9%)", "원본 (59.9%)이", "원본 (59.9%)은", "원본 (59.9%)을", "원본 (59.9%)과",
     "원본 (59.9%)으로"),                            # the word before the parenthesis counts
])
def test_every_alternating_particle(written, subject, topic, object_, with_, towards):
    assert particles(f"{written}이/가") == subject
    assert particles(f"{written}은/는") == topic
    assert particles(f"{written}을/를") == object_
    assert particles(f"{written}와/과") == with_
    assert particles(f"{written}(으)로") == towards


def test_the_issue_sentence():
    # issue 21: "평균 0.11라서" must read "평균 0.11이라서"
    assert render("평균 {m:.2f}(이)라서", m=0.11) == "평균 0.11이라서"
    assert render("평균 {m:.1f}(이)라서", m=0.2) == "평균 0.2라서"
    assert render("{p:.0%}(이)라서", p=0.1) == "10%라서"


def test_final_sound_classes():
    assert final_sound("2") is None
    assert final_sound("1") == "ㄹ"
    assert final_sound("3") == "C"
    assert final_sound("길") == "ㄹ"


@pytest.mark.parametrize("template, n, expected", [
    ("After {n} epoch(s)", 1, "After 1 epoch"),
    ("After {n} epoch(s)", 2, "After 2 epochs"),
    ("After {n} epoch(s)", 0, "After 0 epochs"),
    ("{n} more epoch(s)", 1, "1 more epoch"),
    ("{n} batch(es)", 1, "1 batch"),
    ("{n} batch(es)", 4, "4 batches"),
    ("**{n}** step(s)", 1, "**1** step"),
])
def test_english_plurals(template, n, expected):
    assert render(template, n=n) == expected


def test_plural_without_a_number_is_plural():
    assert plurals("all epoch(s)") == "all epochs"


@pytest.mark.parametrize("x, digits, expected", [
    (0.28, 1, "0.28"),            # issue 21: "2.8e-01배" → 0.28배
    (1.0, 2, "1.00"),             # "1.00e+00" → 1.00
    (2.8e-5, 1, "2.8 × 10⁻⁵"),
    (-3.1e-7, 2, "-3.10 × 10⁻⁷"),
    (4.2e6, 1, "4.2 × 10⁶"),
    (0.0, 1, "0.0"),
    (-0.0, 1, "0.0"),
    (9.996e-6, 2, "1.00 × 10⁻⁵"),
])
def test_scientific_prose(x, digits, expected):
    assert scientific(x, digits) == expected


def test_e_fields_never_print_e_notation():
    assert render("{x:.1e}", x=2.8e-5) == "2.8 × 10⁻⁵"
    assert render("{x:.1e}", x=0.0) == "0.0"       # "0.0e+00" in issue 21
    assert render("{x:.2e}", x=1.0) == "1.00"      # "1.00e+00"
    assert render("{x:g}", x=1e-5) == "1 × 10⁻⁵"       # as many digits as :g would show
    assert render("{x:.3g}", x=2.83e6) == "2.83 × 10⁶"
    assert render("{x:g}", x=0.001) == "0.001"


@pytest.mark.parametrize("template, x, expected", [
    ("{x:.1f}", -0.04, "0.0"), ("{x:.0%}", -0.001, "0%"), ("{x:.3f}", -0.0, "0.000"),
    ("{x:.1f}", -0.06, "-0.1"), ("{x:+.1f}", -0.04, "0.0"), ("{x:+.1f}", 0.04, "0.0"), ("{x:+.1f}", 0.06, "+0.1"),
])
def test_no_negative_zero(template, x, expected):
    assert render(template, x=x) == expected


def test_drop_negative_zero_leaves_real_negatives():
    assert drop_negative_zero("-0.0") == "0.0"
    assert drop_negative_zero("-0.01") == "-0.01"
    assert drop_negative_zero("-10") == "-10"


def test_without_values_the_template_is_not_formatted():
    assert render("{{x}} 1 epoch(s)") == "{{x}} 1 epoch"


def test_numbers_formatted_ahead_of_time_follow_the_same_style():
    # core passes some values as strings (issue 21: "2.8e-01배", "0.0e+00", "-0.0")
    assert render("{r}배", r="2.8e-01") == "0.28배"
    assert render("{r}", r="0.0e+00") == "0.0"
    assert render("{r}", r="1.0e-08") == "1.0 × 10⁻⁸"
    assert render("{g}", g="-0.0") == "0.0"
    assert render("{name}", name="ReLU-0") == "ReLU-0"


@pytest.mark.parametrize("template, values", [
    ("{a} and {b:.2f} {{literal}} {c!r}", dict(a=1, b=2.345, c="x")),
    ("{x[0]} {y:>{w}}", dict(x=[7], y="r", w=3)),      # the string.Formatter path
    ("{n:,.0f} sample(s)", dict(n=12345.0)),
])
def test_render_formats_like_str_format(template, values):
    assert render(template, **values) == plurals(template.format(**values))


def test_number_is_one_field_of_a_sentence():
    assert number(2.83e6, ".3g") == "2.83 × 10⁶"    # a table cell on /normalization
    assert number(1e-6, "g") == "1 × 10⁻⁶"
    assert number(3.2e-9, ".1e") == "3.2 × 10⁻⁹"
    assert number(-0.0001, ".2f") == "0.00"
    assert number(0.3, "g") == "0.3"
