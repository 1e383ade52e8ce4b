"""Figures for the /playground lab: output over the plane, the network, curves, confusion.

These are redrawn on every live tick (about five times a second), so they are built as
plain plotly JSON dicts wrapped in ``LiveFigure`` instead of through plotly's object model:
go.Figure validation and the "plotly_white" template cost 50-150 ms per figure here, more
than a training tick. ``st.plotly_chart`` only calls ``to_dict()`` on a figure; tests turn
one into a validated ``go.Figure(fig.to_dict())`` (which also proves the dict is valid).
Few traces: the output is ONE heatmap plus two point traces, the network is ONE tiled
heatmap (every neuron's thumbnail in one matrix, NaN gaps between them) plus at most ten
link traces (weights binned by size and sign) and two invisible hover/click marker traces.

Colours follow TensorFlow Playground: orange for negative / class 0, blue for positive /
class 1, a light grey at zero; further classes get their own colours.
"""

from __future__ import annotations

import base64
import html
import math
import struct
import zlib
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from plotly.basedatatypes import BaseFigure

from core.charts.common import FONT_FAMILY, FONT_SIZE
from core.claims import no_negative_zero

NEG, MID, POS = "#f59322", "#e8eaeb", "#0877bd"
DIVERGING = [[0.0, NEG], [0.5, MID], [1.0, POS]]
CLASS_COLORS = (NEG, POS, "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")
DIVERGED_RED = "#d62728"
AXIS = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8",
        "automargin": True, "ticks": "", "showline": False}


class LiveFigure(BaseFigure):
    """A finished plotly figure as a plain dict (no validation, no template): what
    ``st.plotly_chart`` needs, built in a few milliseconds."""

    def __init__(self, spec: dict):  # noqa: D107 - no BaseFigure.__init__ on purpose
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return self._spec

    def to_plotly_json(self) -> dict:
        return self._spec

    @property
    def spec(self) -> dict:
        return self._spec


def _layout(title: str, x_title: str, y_title: str, height: int) -> dict:
    """The house look of core.charts.common.base_figure, written out (no template)."""
    return {
        "template": "none", "paper_bgcolor": "white", "plot_bgcolor": "white",
        "title": {"text": title, "x": 0.0, "xanchor": "left", "font": {"size": FONT_SIZE + 3}},
        "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": "#2a3f5f"},
        "height": height, "margin": {"l": 70, "r": 20, "t": 60, "b": 60},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right",
                   "x": 1.0},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "xaxis": {**AXIS, "title": {"text": x_title}},
        "yaxis": {**AXIS, "title": {"text": y_title}},
    }


def _diverged_banner(layout: dict, text: str) -> None:
    """core.charts.common.mark_diverged, for a dict figure."""
    layout.setdefault("annotations", []).append({
        "text": f"⚠ {text}", "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
        "showarrow": False, "font": {"size": FONT_SIZE + 2, "color": DIVERGED_RED},
        "bgcolor": "rgba(255,255,255,0.85)", "bordercolor": DIVERGED_RED, "borderwidth": 1})


def _finite_or_none(values: np.ndarray) -> list:
    """A float array as a JSON list with gaps (None) where it is not finite."""
    values = np.asarray(values, dtype=float)
    return [float(v) if np.isfinite(v) else None for v in values]


def _z(values: np.ndarray) -> dict:
    """A 2-D array as a plotly.js typed array (base64 float32; NaN = a transparent cell).

    A 100 × 100 heatmap is ~53 kB this way instead of ~190 kB of JSON numbers, and encodes
    in well under a millisecond (JSON: ~45 ms here)."""
    values = np.asarray(values, dtype="<f4")
    values = np.where(np.isfinite(values), values, np.float32("nan")).astype("<f4")
    return {"dtype": "f4", "bdata": base64.b64encode(values.tobytes()).decode("ascii"),
            "shape": f"{values.shape[0]}, {values.shape[1]}"}


def decode_typed(value: dict | list) -> np.ndarray:
    """The numbers of a ``_z`` typed array (or a plain list), for tests and checks."""
    if isinstance(value, dict) and "bdata" in value:
        shape = tuple(int(v) for v in value["shape"].split(","))
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype="<f4").reshape(shape)
    return np.asarray(value, dtype=float)


# Colours ----------------------------------------------------------------------------------
def class_color(k: int) -> str:
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def _hex_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _mix(color: str, weight: float) -> str:
    """``color`` blended with white: weight 1 is the colour, 0 is white."""
    r, g, b = (round(255 + (c - 255) * weight) for c in _hex_rgb(color))
    return f"rgb({r},{g},{b})"


def diverging_color(value: float) -> str:
    """The Playground's colour of a value in [-1, 1] (clamped): orange - grey - blue."""
    v = float(value)
    v = min(max(v, -1.0), 1.0) if math.isfinite(v) else 0.0
    a, b, w = (MID, POS, v) if v >= 0 else (MID, NEG, -v)
    (r1, g1, b1), (r2, g2, b2) = _hex_rgb(a), _hex_rgb(b)
    return (f"rgb({round(r1 + (r2 - r1) * w)},{round(g1 + (g2 - g1) * w)},"
            f"{round(b1 + (b2 - b1) * w)})")


def class_colorscale(n_classes: int) -> list[list]:
    """One band per class, pale (unsure) to the full colour (sure), for
    ``z = (class + confidence) / n_classes`` with confidence in [0, 1)."""
    scale: list[list] = []
    for k in range(n_classes):
        lo, hi = k / n_classes, (k + 1) / n_classes
        scale.append([lo, _mix(class_color(k), 0.12)])
        scale.append([hi - 1e-9 if k < n_classes - 1 else hi, class_color(k)])
    return scale


def output_z(output: np.ndarray, discretize: bool) -> tuple[np.ndarray, dict]:
    """Heatmap values and colour settings for a model output over the grid.

    ``output``: (H, W) values drawn on [-1, 1] (tanh output, p(1) − p(0), a regression
    target), or (K, H, W) class probabilities (K ≥ 2). Discretize: the sign / the winner.
    """
    output = np.asarray(output, dtype=float)
    if output.ndim == 3 and output.shape[0] == 2:  # two classes: p1 - p0, like the Playground
        output = output[1] - output[0]
    if output.ndim == 2:
        z = np.where(np.isfinite(output), output, np.nan)
        if discretize:
            z = np.where(np.isnan(z), np.nan, np.where(z >= 0, 1.0, -1.0))
        return z, {"colorscale": DIVERGING, "zmin": -1.0, "zmax": 1.0}
    n = output.shape[0]
    finite = np.isfinite(output).all(axis=0)
    safe = np.where(np.isfinite(output), output, 0.0)
    winner = np.argmax(safe, axis=0)
    top = np.max(safe, axis=0)
    # confidence above chance, 0..1, kept below 1 so a cell never leaks into the next band
    conf = np.clip((top - 1.0 / n) / (1.0 - 1.0 / n), 0.0, 0.999)
    if discretize:
        conf = np.full_like(conf, 0.999)
    z = np.where(finite, (winner + conf) / n, np.nan)
    return z, {"colorscale": class_colorscale(n), "zmin": 0.0, "zmax": 1.0}


def _point_colors(labels: np.ndarray, regression: bool) -> list[str]:
    labels = np.asarray(labels)
    if regression:
        return [diverging_color(v) for v in labels]
    return [class_color(int(k)) for k in labels]


# The output over the plane ----------------------------------------------------------------
def boundary_figure(
    grid: np.ndarray,
    output: np.ndarray,
    points_train: np.ndarray,
    labels_train: np.ndarray,
    points_test: np.ndarray | None,
    labels_test: np.ndarray | None,
    text: Mapping[str, str],
    *,
    show_test: bool = False,
    discretize: bool = False,
    regression: bool = False,
    diverged: bool = False,
    height: int = 440,
) -> LiveFigure:
    """The output over the plane with the data on top (the Playground's big square).

    ``grid``: (n,) evenly spaced coordinates of the output's columns (x1) and rows (x2);
    ``output``: (n, n) or (K, n, n), row i at x2 = grid[i] (see output_z). ``labels_*``:
    class ids (classification) or targets (regression). text: title, x, y, train, test,
    diverged.
    """
    grid = np.asarray(grid, dtype=float)
    step = float(grid[1] - grid[0])
    lo, hi = float(grid[0]) - step / 2, float(grid[-1]) + step / 2
    z, colors = output_z(output, discretize)
    data: list[dict] = [{"type": "heatmap", "z": _z(z), "x0": float(grid[0]), "dx": step,
                         "y0": float(grid[0]), "dy": step, "showscale": False,
                         "hoverinfo": "skip", **colors}]
    sets = [(points_train, labels_train, "white", text["train"])]
    if show_test and points_test is not None and len(points_test):
        sets.append((points_test, labels_test, "black", text["test"]))
    for points, labels, edge, name in sets:
        points = np.asarray(points, dtype=float)
        data.append({
            "type": "scatter", "x": points[:, 0].tolist(), "y": points[:, 1].tolist(),
            "mode": "markers", "name": name,
            "marker": {"size": 7, "color": _point_colors(labels, regression),
                       "line": {"width": 1.2, "color": edge}},
            "hovertemplate": "(%{x:.2f}, %{y:.2f})<extra>" + name + "</extra>",
        })
    layout = _layout(text["title"], text["x"], text["y"], height)
    layout["xaxis"] |= {"range": [lo, hi], "constrain": "domain", "showgrid": False,
                        "zeroline": False}
    layout["yaxis"] |= {"range": [lo, hi], "scaleanchor": "x", "scaleratio": 1,
                        "constrain": "domain", "showgrid": False, "zeroline": False}
    layout["margin"] = {"l": 50, "r": 10, "t": 60, "b": 50}
    layout["legend"] = {"orientation": "h", "y": -0.14, "yanchor": "top", "x": 0.5,
                        "xanchor": "center"}
    if diverged:
        _diverged_banner(layout, text["diverged"])
    return LiveFigure({"data": data, "layout": layout})


# Curves and the confusion matrix -------------------------------------------------------------
def confusion_figure(matrix: np.ndarray, class_names: Sequence[str],
                     text: Mapping[str, str], height: int = 300) -> LiveFigure:
    """Counts of (true class, predicted class). text: title, x, y."""
    matrix = np.asarray(matrix)
    layout = _layout(text["title"], text["x"], text["y"], height)
    layout["yaxis"] |= {"autorange": "reversed", "type": "category"}
    layout["xaxis"] |= {"type": "category", "side": "bottom"}
    layout["margin"] = {"l": 60, "r": 10, "t": 60, "b": 50}
    return LiveFigure({"data": [{
        "type": "heatmap", "z": matrix.astype(int).tolist(), "x": list(class_names),
        "y": list(class_names), "colorscale": [[0.0, "#f7fbff"], [1.0, "#2171b5"]],
        "showscale": False,
        "text": matrix.astype(int).astype(str).tolist(), "texttemplate": "%{text}",
        "textfont": {"size": 16}, "hovertemplate": "%{y} → %{x}: %{z}<extra></extra>"}],
        "layout": layout})


# The output as a picture (the live view) -------------------------------------------------------
# Streamlit keys a plotly chart in the browser by a hash of its spec, so a chart whose data
# changes every tick is unmounted and drawn again from scratch: on a loaded machine the output
# was blank in about half of the screenshots taken while playing. An image keeps its element
# and swaps its pixels, so the live output is drawn here as a PNG (numpy + Pillow, ~ms).

def _rgb(color: str) -> np.ndarray:
    if color.startswith("rgb("):
        return np.array([int(v) for v in color[4:-1].split(",")], dtype=float)
    return np.array(_hex_rgb(color), dtype=float)


def output_rgb(output: np.ndarray, discretize: bool) -> np.ndarray:
    """(H, W, 3) uint8 colours of ``output`` exactly as ``boundary_figure`` colours them
    (diverging orange-grey-blue on [-1, 1], or one pale-to-full band per class); NaN white."""
    z, colors = output_z(output, discretize)
    scale = colors["colorscale"]
    lo, hi = colors["zmin"], colors["zmax"]
    t = np.clip((np.nan_to_num(z, nan=lo) - lo) / (hi - lo), 0.0, 1.0)
    stops = np.array([s for s, _ in scale])
    rgb = np.stack([_rgb(c) for _, c in scale])
    out = np.empty((*t.shape, 3))
    for ch in range(3):
        out[..., ch] = np.interp(t, stops, rgb[:, ch])
    out[np.isnan(z)] = 255.0
    return np.round(out).astype(np.uint8)


def boundary_png(
    grid: np.ndarray,
    output: np.ndarray,
    points_train: np.ndarray,
    labels_train: np.ndarray,
    points_test: np.ndarray | None = None,
    labels_test: np.ndarray | None = None,
    *,
    show_test: bool = False,
    discretize: bool = False,
    regression: bool = False,
    size: int = 400,
) -> bytes:
    """The output over the plane with the points on top, as PNG bytes (size × size pixels).

    Same colours as ``boundary_figure``; x1 grows to the right and x2 upwards over the grid's
    extent; train points have a white ring, test points (when shown) a black one."""
    from PIL import Image  # Pillow comes with torchvision

    grid = np.asarray(grid, dtype=float)
    step = float(grid[1] - grid[0])
    lo, hi = float(grid[0]) - step / 2, float(grid[-1]) + step / 2
    colors = output_rgb(output, discretize)
    n = colors.shape[0]
    index = np.minimum((np.arange(size) * n) // size, n - 1)
    image = colors[index][:, index][::-1].copy()  # row 0 of the image is the top (x2 = hi)
    yy, xx = np.mgrid[-4:5, -4:5]
    dist = np.hypot(xx, yy)
    ring = (dist <= 4.4) & (dist > 3.0)
    fill = dist <= 3.0
    sets = [(points_train, labels_train, 255)]
    if show_test and points_test is not None and len(points_test):
        sets.append((points_test, labels_test, 0))
    for points, labels, edge in sets:
        points = np.asarray(points, dtype=float)
        if regression:
            fills = [_rgb(diverging_color(v)) for v in np.asarray(labels, dtype=float)]
        else:
            fills = [_rgb(class_color(int(k))) for k in np.asarray(labels)]
        px = np.round((points[:, 0] - lo) / (hi - lo) * (size - 1)).astype(int)
        py = np.round((hi - points[:, 1]) / (hi - lo) * (size - 1)).astype(int)
        fills = np.array(fills).reshape(-1, 3)
        for mask, value in ((ring, None), (fill, fills)):  # every ring, then every disc
            ys = py[:, None] + yy[mask][None, :]  # (points, pixels of the mask)
            xs = px[:, None] + xx[mask][None, :]
            keep = (ys >= 0) & (ys < size) & (xs >= 0) & (xs < size)
            if value is None:
                image[ys[keep], xs[keep]] = edge
            else:
                image[ys[keep], xs[keep]] = np.broadcast_to(value[:, None, :],
                                                            (*ys.shape, 3))[keep]
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def node_maps(snap, stride: int) -> list[np.ndarray]:
    """One thumbnail map per node of the network figure, input side first: the input features
    scaled to [-1, 1] each (x1 spans ±6, x1² up to 36), every hidden neuron's output, and the
    output (per class as 2p − 1 for cross-entropy), the output grid sampled every ``stride``."""
    features = snap.feature_outputs
    scale = np.max(np.abs(features), axis=(1, 2), keepdims=True)
    features = features / np.where(scale > 0, scale, 1.0)
    if snap.grid_probs is not None:
        outputs = [2 * snap.grid_probs[::stride, ::stride, k] - 1
                   for k in range(snap.grid_probs.shape[2])]
    else:
        outputs = [snap.grid_output[::stride, ::stride]]
    return [*features, *[m for layer in snap.neuron_outputs for m in layer], *outputs]


# The network and the curves as light HTML + SVG (the live view) ---------------------------------
# Drawn with st.html: the element keeps its place and only its markup changes, so the browser
# swaps a few kB of SVG five times a second instead of remounting a plotly chart. Text is in
# CSS pixels (HTML, not scaled SVG) so presenter view can ask for >= 18 px; every piece of
# markup is well-formed XML (tests parse it).

ROW = 1.3  # vertical distance between node tops (a node is 1 × 1 in SVG units)
COL = 3.0  # horizontal distance between columns
MAX_ASPECT = 1.25  # the drawing is at most this many times as tall as wide (padded sideways)
LINK_MAX = 1.5  # |w| at and above which a link has its full thickness
LINK_PX = (0.6, 6.0)  # link thickness in px: |w| = 0 .. LINK_MAX


def network_layout(widths: Sequence[int]) -> list[list[tuple[float, float]]]:
    """Centre (x, y) of every node, column by column; nodes top-aligned like the Playground.

    Column c occupies x in [COL·c, COL·c + 1]; node j of a column y in [ROW j, ROW j + 1]
    (SVG: y grows downwards)."""
    return [[(COL * c + 0.5, ROW * j + 0.5) for j in range(n)] for c, n in enumerate(widths)]


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _tip(text: str, live: bool) -> str:
    """A native tooltip (SVG <title>), left out of a live picture (an <img> shows none)."""
    return "" if live else f"<title>{_esc(text)}</title>"


def _as_img(svg: str, style: str, alt: str) -> str:
    """An SVG document as one <img> (data URI): one element for the browser to swap."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" style="{style}" alt="{_esc(alt)}"/>'


def png_img(png: bytes, alt: str, style: str) -> str:
    """PNG bytes as an inline <img> (data URI) for st.markdown(unsafe_allow_html=True)."""
    return f'<img src="{_data_uri(png)}" alt="{_esc(alt)}" style="{_esc(style)}"/>'


def svg_of(markup: str) -> str:
    """The SVG inside ``network_html``/``curves_html`` markup, live (an <img>) or inline."""
    start = markup.find('src="data:image/svg+xml;base64,')
    if start >= 0:
        start += len('src="data:image/svg+xml;base64,')
        return base64.b64decode(markup[start:markup.index('"', start)]).decode("utf-8")
    return markup[markup.index("<svg"):markup.index("</svg>") + len("</svg>")]


def map_png(values: np.ndarray, size: int | None = None) -> bytes:
    """A square map on [-1, 1] (row i at x2 = grid[i], x2 upwards) as a PNG in the
    Playground's orange-grey-blue; ``size``: nearest-neighbour upscale to size × size."""
    from PIL import Image

    rgb = output_rgb(np.asarray(values, dtype=float), discretize=False)[::-1]
    if size is not None and size != rgb.shape[0]:
        index = np.minimum((np.arange(size) * rgb.shape[0]) // size, rgb.shape[0] - 1)
        rgb = rgb[index][:, index]
    if rgb.shape[0] * rgb.shape[1] <= 4096:  # a thumbnail: PIL's save costs more than this
        return _small_png(np.ascontiguousarray(rgb))
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _small_png(rgb: np.ndarray) -> bytes:
    """An (H, W, 3) uint8 image as PNG bytes, written out (8-bit RGB, no filter)."""
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[i].tobytes() for i in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def link_style(value: float) -> tuple[str, float]:
    """(colour, thickness in px) of a weight's link: the Playground's diverging colour of
    the value (clamped to ±1) and a thickness growing with |w| up to LINK_MAX."""
    if not np.isfinite(value):
        return DIVERGED_RED, LINK_PX[0]
    lo, hi = LINK_PX
    return diverging_color(value), round(lo + (hi - lo) * min(abs(value) / LINK_MAX, 1.0), 2)


def network_html(
    widths: Sequence[int],
    maps: Sequence[np.ndarray],
    weights: Sequence[np.ndarray],
    node_names: Sequence[str],
    column_titles: Sequence[str],
    text: Mapping[str, str],
    *,
    selected: int | None = None,
    font_px: int = 13,
    live: bool = False,
) -> str:
    """The network as HTML + one SVG: a thumbnail per node (its output over the plane),
    a link per weight (colour and thickness by value, the value in a native tooltip),
    column titles above in CSS pixels. widths: nodes per column (inputs, hidden...,
    outputs); maps: one square map per node, column by column, on [-1, 1]; weights[c]:
    (widths[c+1], widths[c]) as in nn.Linear. text: title, weight.

    ``live`` (while playing): the SVG goes into one ``<img>`` (a data URI) without tooltips:
    the browser swaps one picture per redraw instead of building hundreds of elements.
    Paused, it is inline, and hovering a node or a link shows its name or weight."""
    layout_xy = network_layout(widths)
    rows = max(widths)
    x0, x1 = -0.4, COL * (len(widths) - 1) + 1.4
    y0, y1 = -0.1, ROW * (rows - 1) + 1.1
    span = max(x1 - x0, (y1 - y0) / MAX_ASPECT)  # a tall narrow net: pad sideways
    pad = (span - (x1 - x0)) / 2
    x0, x1 = x0 - pad, x1 + pad
    thin = min(1.0, 8 / rows)  # a 16-neuron column has twice the links in the same height
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x0:.3f} {y0:.3f} '
             f'{x1 - x0:.3f} {y1 - y0:.3f}" width="100%" style="display:block" '
             f'role="img" aria-label="{_esc(text["title"])}">']
    for c, w in enumerate(weights):
        w = np.asarray(w, dtype=float)
        for j in range(w.shape[0]):
            for i in range(w.shape[1]):
                (ax, ay), (bx, by) = layout_xy[c][i], layout_xy[c + 1][j]
                color, px = link_style(w[j, i])
                tip = (f"{text['weight']} {column_titles[c]} {i + 1} → "
                       f"{column_titles[c + 1]} {j + 1} = {no_negative_zero(w[j, i])}")
                parts.append(
                    f'<line class="pg-link" x1="{ax + 0.5:.3f}" y1="{ay:.3f}" '
                    f'x2="{bx - 0.5:.3f}" y2="{by:.3f}" stroke="{color}" '
                    f'stroke-width="{max(px * thin, 0.5):.2f}" '
                    f'vector-effect="non-scaling-stroke">{_tip(tip, live)}</line>')
    k = 0
    for column in layout_xy:
        for cx, cy in column:
            edge = ('stroke="#222222" stroke-width="2.5"' if k == selected
                    else 'stroke="#b0b0b0" stroke-width="1"')
            parts.append(
                f'<g class="pg-node">{_tip(node_names[k], live)}'
                f'<image x="{cx - 0.5:.3f}" y="{cy - 0.5:.3f}" width="1" height="1" '
                f'preserveAspectRatio="none" style="image-rendering:pixelated" '
                f'href="{_data_uri(map_png(maps[k]))}"/>'
                f'<rect x="{cx - 0.5:.3f}" y="{cy - 0.5:.3f}" width="1" height="1" '
                f'fill="none" {edge} vector-effect="non-scaling-stroke"/></g>')
            k += 1
    parts.append("</svg>")
    heads = "".join(
        f'<span style="position:absolute;left:{(COL * c + 0.5 - x0) / (x1 - x0) * 100:.2f}%;'
        f'transform:translateX(-50%);white-space:nowrap">{_esc(title)}</span>'
        for c, title in enumerate(column_titles))
    return (f'<div class="pg-net" style="font-family:{_esc(FONT_FAMILY)};color:#2a3f5f">'
            f'<div style="font-size:{round(font_px * 1.25)}px;font-weight:600;'
            f'margin-bottom:4px">{_esc(text["title"])}</div>'
            f'<div style="position:relative;height:{round(font_px * 1.5)}px;'
            f'font-size:{font_px}px">{heads}</div>'
            f'{_as_img("".join(parts), "display:block;width:100%", text["title"]) if live else "".join(parts)}'
            '</div>')


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 × 10^k steps) covering [lo, hi], about n of them."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        return [float(lo)] if np.isfinite(lo) else [0.0]
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    v = first
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 12))
        v += step
    return ticks


def _dash(dash: str) -> str:
    return f' stroke-dasharray="{dash}"' if dash else ""


def _tick_label(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() and abs(v) >= 1 else f"{v:g}"


def curves_html(
    epochs: np.ndarray, train_loss: np.ndarray, test_loss: np.ndarray, text: Mapping[str, str],
    *, pinned: Mapping[str, np.ndarray] | None = None, diverged: bool = False,
    height: int = 220, font_px: int = 13, live: bool = False,
) -> str:
    """Train and test loss per epoch as HTML + SVG: the lines in a stretched SVG
    (non-scaling strokes), ticks, axis titles and legend as HTML text in CSS pixels; a
    pinned run dotted for A/B. Non-finite or exploded values are gaps; the y axis spans
    [0, 1.05 × the largest finite value]. text: title, x, y, train, test, pinned_train,
    pinned_test, diverged. ``live``: the lines as one <img> (see network_html)."""
    series: list[tuple[Any, Any, str, str, str]] = [
        (epochs, train_loss, text["train"], "#555555", ""),
        (epochs, test_loss, text["test"], "#111111", "")]
    if pinned is not None:
        series += [(pinned["epochs"], pinned["train_loss"], text["pinned_train"], "#9467bd",
                    "2 5"),
                   (pinned["epochs"], pinned["test_loss"], text["pinned_test"], "#d62728",
                    "2 5")]
    clean = []
    y_max, x_max = 0.0, 0.0
    for x, y, name, color, dash in series:
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        y = np.where(np.isfinite(y) & (np.abs(y) < 1e6), y, np.nan)
        if np.isfinite(y).any():
            y_max = max(y_max, float(np.nanmax(y)))
        if len(x):
            x_max = max(x_max, float(np.nanmax(x)))
        clean.append((x, y, name, color, dash))
    y_hi = y_max * 1.05 if y_max > 0 else 1.0
    x_hi = x_max if x_max > 0 else 1.0
    y_ticks = [v for v in nice_ticks(0.0, y_hi, 5) if v <= y_hi]
    x_ticks = [v for v in nice_ticks(0.0, x_hi, 6) if v <= x_hi]

    def sx(v):
        return v / x_hi * 1000

    def sy(v):
        return 1000 - v / y_hi * 1000

    svg = ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1000" '
           'preserveAspectRatio="none" width="100%" height="100%" '
           'style="position:absolute;left:0;top:0;overflow:visible">']
    for v in y_ticks:
        svg.append(f'<line x1="0" x2="1000" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#e6ebf3" '
                   'stroke-width="1" vector-effect="non-scaling-stroke"/>')
    for v in x_ticks:
        svg.append(f'<line y1="0" y2="1000" x1="{sx(v):.1f}" x2="{sx(v):.1f}" stroke="#e6ebf3" '
                   'stroke-width="1" vector-effect="non-scaling-stroke"/>')
    svg.append('<line x1="0" x2="1000" y1="1000" y2="1000" stroke="#8a94a6" stroke-width="1" '
               'vector-effect="non-scaling-stroke"/><line x1="0" x2="0" y1="0" y2="1000" '
               'stroke="#8a94a6" stroke-width="1" vector-effect="non-scaling-stroke"/>')
    for x, y, name, color, dash in clean:
        ok = np.isfinite(y) & np.isfinite(x)
        # runs of finite points: a gap where the loss was not finite
        breaks = np.flatnonzero(np.diff(ok.astype(int)) != 0) + 1
        for run in np.split(np.arange(len(y)), breaks):
            if not len(run) or not ok[run[0]]:
                continue
            pts = " ".join(f"{sx(x[i]):.1f},{sy(y[i]):.1f}" for i in run)
            if len(run) == 1:  # one point (epoch 0): a short dash (a zero-length line
                i = run[0]  # with round caps was not drawn in Chromium)
                pts = f"{sx(x[i]):.1f},{sy(y[i]):.1f} {sx(x[i]) + 12:.1f},{sy(y[i]):.1f}"
            svg.append(f'<polyline class="pg-curve" data-name="{_esc(name)}" points="{pts}" '
                       f'fill="none" stroke="{color}" stroke-width="2.5" '
                       f'stroke-linecap="round" stroke-linejoin="round"{_dash(dash)} '
                       f'vector-effect="non-scaling-stroke">{_tip(name, live)}</polyline>')
    svg.append("</svg>")
    plot = (_as_img("".join(svg), "position:absolute;left:0;top:0;width:100%;height:100%",
                    text["title"]) if live else "".join(svg))
    ylabels = "".join(
        f'<span style="position:absolute;right:100%;top:{sy(v) / 10:.2f}%;'
        f'transform:translateY(-50%);padding-right:6px;white-space:nowrap">'
        f'{_esc(_tick_label(v))}</span>' for v in y_ticks)
    xlabels = "".join(
        f'<span style="position:absolute;top:100%;left:{sx(v) / 10:.2f}%;'
        f'transform:translateX(-50%);padding-top:3px;white-space:nowrap">'
        f'{_esc(_tick_label(v))}</span>' for v in x_ticks)
    banner = (f'<div style="position:absolute;left:50%;top:50%;transform:translate(-50%,-50%);'
              f'color:{DIVERGED_RED};border:1px solid {DIVERGED_RED};background:'
              f'rgba(255,255,255,0.9);padding:2px 8px">⚠ {_esc(text["diverged"])}</div>'
              if diverged else "")
    legend = "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:14px;'
        f'white-space:nowrap"><svg xmlns="http://www.w3.org/2000/svg" width="26" height="10" '
        f'style="margin-right:5px"><line x1="2" x2="24" y1="5" y2="5" stroke="{color}" '
        f'stroke-width="2.5" stroke-linecap="round"'
        f'{_dash(dash)}/></svg>'
        f'{_esc(name)}</span>' for _, _, name, color, dash in clean)
    left = round(font_px * 3.4)
    return (f'<div class="pg-curves" style="font-family:{_esc(FONT_FAMILY)};color:#2a3f5f;'
            f'font-size:{font_px}px">'
            f'<div style="font-size:{round(font_px * 1.25)}px;font-weight:600">'
            f'{_esc(text["title"])}</div>'
            f'<div style="margin:2px 0 4px 0">{_esc(text["y"])}</div>'
            f'<div style="position:relative;height:{height}px;margin-left:{left}px;'
            f'margin-right:{round(font_px * 1.2)}px">{plot}{ylabels}{xlabels}{banner}'
            f'</div><div style="text-align:center;margin-top:{round(font_px * 1.6)}px">'
            f'{_esc(text["x"])}</div><div style="margin-top:4px;line-height:1.6">{legend}</div>'
            '</div>')
