"""Colour-blind eyes (issue 19): in every chart a page draws, two series that share dash and
marker must stay apart in colour for deuteranopia and protanopia, not only for full colour
vision. Simulation: Machado, Oliveira & Fernandes (2009), severity 1.0, applied in linear RGB;
distance: CIE76 ΔE in CIELAB (D65). About 1 in 12 boys has one of the two.

The figures are the ones the pages build: each page is run through the router (AppTest) in
its default view and every chart spec it sends (ui.chart_element) is walked.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from core.charts.common import PALETTE
from tests.pages.test_pages import assert_ok, chart_specs, open_page
from ui.registry import available_pages

MIN_DELTA_E = 10.0
MACHADO = {  # Machado et al. 2009, Table 1, severity 1.0
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}
NAMED = {"black": "#000000", "white": "#ffffff", "grey": "#808080", "gray": "#808080"}
# plotly_white's colorway: the colour a trace without one gets, by its index
DEFAULT_COLORWAY = ("#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3",
                    "#FF6692", "#B6E880", "#FF97FF", "#FECB52")


def rgb(color: str) -> np.ndarray:
    """sRGB in 0..1 of '#rrggbb', '#rgb', 'rgb(r,g,b)', 'rgba(r,g,b,a)' or a few names."""
    color = NAMED.get(color.strip().lower(), color.strip())
    if color.startswith("#"):
        digits = color[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return np.array([int(digits[i:i + 2], 16) for i in (0, 2, 4)]) / 255
    inside = color[color.index("(") + 1:color.index(")")].split(",")
    return np.array([float(v) for v in inside[:3]]) / 255


def _linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(linear_rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear-RGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(linear_rgb, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, vision: str | None = None) -> float:
    """CIE76 distance of two colours as seen with ``vision`` (None: full colour vision)."""
    la, lb = _linear(rgb(a)), _linear(rgb(b))
    if vision is not None:
        la, lb = MACHADO[vision] @ la, MACHADO[vision] @ lb
    return float(np.linalg.norm(lab(la) - lab(lb)))


def series_styles(spec: dict) -> list[tuple[str, str, str, str]]:
    """(name, colour, dash, marker symbol) of each line or marker series of a plotly spec.

    One series drawn in several panels (same legend group or name, same colour) counts once.
    """
    styles, seen = [], set()
    for index, trace in enumerate(spec.get("data", [])):
        if trace.get("type", "scatter") not in ("scatter", "scattergl"):
            continue
        mode = trace.get("mode") or "lines"
        line, marker = trace.get("line") or {}, trace.get("marker") or {}
        color = line.get("color") if "lines" in mode else None
        color = color or marker.get("color") or DEFAULT_COLORWAY[index % len(DEFAULT_COLORWAY)]
        if not isinstance(color, str):  # per-point colours: a scale, not a series colour
            continue
        dash = line.get("dash", "solid") if "lines" in mode else "-"
        symbol = marker.get("symbol", "circle") if "markers" in mode else "-"
        name = str(trace.get("legendgroup") or trace.get("name") or index)
        if (name, color) in seen:
            continue
        seen.add((name, color))
        styles.append((name, color, str(dash), str(symbol)))
    return styles


def confusable_pairs(spec: dict) -> list[str]:
    """Pairs of series with the same dash and marker whose colours some eye cannot tell apart."""
    found = []
    for (n1, c1, d1, m1), (n2, c2, d2, m2) in itertools.combinations(series_styles(spec), 2):
        if (d1, m1) != (d2, m2) or rgb(c1).tolist() == rgb(c2).tolist():
            continue  # told apart by dash/marker, or one colour on purpose (same meaning)
        for vision in (None, *MACHADO):
            distance = delta_e(c1, c2, vision)
            if distance < MIN_DELTA_E:
                found.append(f"{n1} {c1} vs {n2} {c2}: ΔE {distance:.1f} ({vision or 'normal'})")
    return found


# --- the check can fail ------------------------------------------------------------------
def test_red_vs_green_alone_is_caught_and_a_dash_clears_it():
    red_green = go.Figure([go.Scatter(y=[1, 2], name="a", line={"color": "#d62728"}),
                           go.Scatter(y=[2, 1], name="b", line={"color": "#2ca02c"})])
    assert delta_e("#d62728", "#2ca02c") > 40  # far apart for full colour vision...
    problems = confusable_pairs(red_green.to_plotly_json())
    assert any("deuteranopia" in p for p in problems)  # ...the same olive without green cones
    red_green.update_traces(line_dash="dash", selector={"name": "b"})
    assert confusable_pairs(red_green.to_plotly_json()) == []


def test_the_palette_is_apart_for_every_eye():
    for a, b in itertools.combinations(PALETTE, 2):
        for vision in (None, *MACHADO):
            assert delta_e(a, b, vision) >= MIN_DELTA_E, (a, b, vision)


def test_lab_of_known_colours():
    assert np.allclose(lab(_linear(rgb("#ffffff"))), [100, 0, 0], atol=0.1)
    assert np.allclose(lab(_linear(rgb("#ff0000"))), [53.24, 80.09, 67.20], atol=0.2)


# --- every chart every page draws --------------------------------------------------------
PAGES = [p for p in available_pages() if p.namespace != "playground"]


@pytest.mark.parametrize("info", PAGES, ids=[p.namespace for p in PAGES])
def test_every_chart_of_the_page_survives_colour_blindness(info):
    at = open_page(info, "en")
    assert_ok(at, info.namespace)
    specs = chart_specs(at)
    assert specs, "the page draws no chart"
    problems = {}
    for spec in specs:
        title = ((spec.get("layout") or {}).get("title") or {}).get("text", "?")
        if found := confusable_pairs(spec):
            problems[title] = found
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
