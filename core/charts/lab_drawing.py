"""What the lab's in-place drawing element (ui/lab/drawing.py) receives on every tick: numbers
only, packed small. The element keeps its canvases and SVG between ticks and repaints them
from this; nothing here is a picture.

Colours are the lab's (core.charts.playground: orange - grey - blue on [-1, 1], one band per
class beyond two), passed as a 254-entry lookup table: the browser paints the colorscale's
colours to within one table step (tests/charts/test_playground.py). A grid value is one
byte: 0..253 index the table, 255 means "not a number" (white). Orange against blue stays
distinct under deuteranopia and protanopia; the legend and the point rings are the second cue.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

import numpy as np

from core.charts.playground import CLASS_COLORS, MID, NEG, POS, _rgb, class_color, output_z

LEVELS = 254  # table entries; byte 255 = NaN
NAN_BYTE = 255
MAX_CURVE_POINTS = 300  # the curve is a few hundred pixels wide: more points draw nothing new


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def color_table(colorscale: Sequence[Sequence]) -> str:
    """``LEVELS`` colours evenly over a plotly-style colorscale, as one hex string."""
    stops = np.array([float(s) for s, _ in colorscale])
    rgb = np.stack([_rgb(c) for _, c in colorscale])
    t = np.linspace(0.0, 1.0, LEVELS)
    table = np.stack([np.interp(t, stops, rgb[:, ch]) for ch in range(3)], 1)
    return bytes(np.round(table).astype(np.uint8).ravel()).hex()


def quantize(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Values on [lo, hi] (clamped) as table indices 0..LEVELS-1; NaN as NAN_BYTE."""
    values = np.asarray(values, dtype=float)
    t = np.clip((np.nan_to_num(values, nan=lo) - lo) / (hi - lo), 0.0, 1.0)
    out = np.round(t * (LEVELS - 1)).astype(np.uint8)
    out[~np.isfinite(values)] = NAN_BYTE
    return out


def _class_bands(z: np.ndarray, n: int, colorscale) -> tuple[np.ndarray, str]:
    """Class bands (z = (class + confidence) / n, output_z's encoding) as bytes that never
    round into the next class: LEVELS // n table rows per class, pale to full."""
    per = LEVELS // n
    finite = np.isfinite(z)
    zz = np.where(finite, z, 0.0) * n
    winner = np.minimum(np.floor(zz), n - 1)
    conf = np.clip(zz - winner, 0.0, 0.999)
    q = (winner * per + np.round(conf / 0.999 * (per - 1))).astype(np.uint8)
    q[~finite] = NAN_BYTE
    stops = np.array([float(s) for s, _ in colorscale])
    rgb = np.stack([_rgb(c) for _, c in colorscale])
    at = np.array([(k + j / (per - 1) * 0.999) / n for k in range(n) for j in range(per)])
    table = np.stack([np.interp(at, stops, rgb[:, ch]) for ch in range(3)], 1)
    return q, bytes(np.round(table).astype(np.uint8).ravel()).hex()


def decimate(epochs: np.ndarray, *series: np.ndarray, limit: int = MAX_CURVE_POINTS) -> list:
    """At most ``limit`` evenly spaced entries (the first and the last always kept)."""
    n = len(epochs)
    index = np.unique(np.linspace(0, n - 1, limit).round().astype(int)) if n > limit \
        else np.arange(n)
    return [np.asarray(epochs)[index].tolist(),
            *[[_num(v) for v in np.asarray(s, dtype=float)[index]] for s in series]]


def _num(value: float, digits: int = 5) -> float | None:
    """A finite number rounded to ``digits`` significant digits (JSON has no NaN)."""
    value = float(value)
    return float(f"{value:.{digits}g}") if np.isfinite(value) else None


def _point_rgb(labels: np.ndarray, regression: bool) -> np.ndarray:
    """(n, 3) uint8 fill colours: a class's colour, or a regression target on the diverging
    orange - grey - blue scale (vectorised: this runs every tick)."""
    labels = np.asarray(labels)
    if not regression:
        palette = np.array([_rgb(class_color(k)) for k in range(len(CLASS_COLORS))])
        return np.round(palette[labels.astype(int) % len(CLASS_COLORS)]).astype(np.uint8)
    v = np.clip(np.nan_to_num(labels.astype(float), nan=0.0), -1.0, 1.0)
    mid, pos, neg = _rgb(MID), _rgb(POS), _rgb(NEG)
    far = np.where(v[:, None] >= 0, pos, neg)
    return np.round(mid + (far - mid) * np.abs(v)[:, None]).astype(np.uint8)


def _points(points: np.ndarray, labels: np.ndarray, regression: bool) -> dict:
    """Point coordinates in thousandths (int16, |x| <= 6 fits) and their fill colours."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    xy = np.clip(np.round(points * 1000), -32000, 32000).astype("<i2")
    return {"n": len(points), "xy": _b64(xy), "rgb": _b64(_point_rgb(labels, regression))}


def drawing_data(snap, data, *, features: Sequence[str], all_features: Sequence[str],
                 feature_maps: np.ndarray, stride: int, extent: float, show_test: bool, discretize: bool,
                 pinned: Mapping[str, np.ndarray] | None, text: Mapping[str, str],
                 controls: Mapping[str, object]) -> dict:
    """The element's data for one tick.

    ``feature_maps``: (len(all_features), T, T) every candidate input over the plane (the
    inactive ones are drawn faded, a tap switches them on); ``stride``: the thumbnails'
    step through the output grid. Maps and the output grid are
    sent top row first (x2 = +extent), x1 left to right. ``controls``: what the element's
    own buttons may do (layers and neurons +/-, feature taps; hidden ones are absent)."""
    output = snap.grid_output
    if snap.grid_probs is not None and snap.grid_probs.shape[2] > 2:
        output = snap.grid_probs.transpose(2, 0, 1)
    z, colors = output_z(output, discretize)
    if colors["zmin"] == -1.0:  # one diverging scale
        grid, table = quantize(z, -1.0, 1.0), color_table(colors["colorscale"])
    else:  # one band per class: class and confidence get their own table rows
        grid, table = _class_bands(z, np.asarray(output).shape[0], colors["colorscale"])
    grid = grid[::-1]
    scale = np.max(np.abs(feature_maps), axis=(1, 2), keepdims=True)
    inputs = feature_maps / np.where(scale > 0, scale, 1.0)
    if snap.grid_probs is not None:  # one output node per class, drawn as 2p - 1
        outs = [2 * snap.grid_probs[::stride, ::stride, k] - 1
                for k in range(snap.grid_probs.shape[2])]
    else:
        outs = [snap.grid_output[::stride, ::stride]]
    maps = [*inputs, *[m for layer in snap.neuron_outputs for m in layer], *outs]
    thumb = inputs.shape[1]
    maps_q = np.stack([quantize(m, -1.0, 1.0)[::-1] for m in maps]) if maps else \
        np.zeros((0, thumb, thumb), np.uint8)
    regression = snap.train_acc is None
    curve = decimate(snap.curve_epochs, snap.curve_train_loss, snap.curve_test_loss)
    out: dict = {
        "extent": extent, "grid_n": int(grid.shape[0]), "grid": _b64(grid),
        "grid_table": table,
        "map_table": color_table([[0.0, "#f59322"], [0.5, "#e8eaeb"], [1.0, "#0877bd"]]),
        "thumb": int(thumb), "maps": _b64(maps_q),
        "all_features": list(all_features), "features": list(features),
        "hidden": [int(w) for w in (len(b) for b in snap.biases[:-1])],
        "n_out": int(snap.biases[-1].shape[0]),
        "weights": [[_num(v, 3) for v in w.ravel()] for w in snap.weights],
        "dead": [np.flatnonzero(d.ravel()).tolist() for d in snap.dead],
        "train": _points(data.points_train, data.labels_train, regression),
        "test": _points(data.points_test, data.labels_test, regression) if show_test else None,
        "curve": curve, "pinned": None,
        "metrics": {"epoch": int(snap.epoch), "step": int(snap.step),
                    "train_loss": _num(snap.train_loss), "test_loss": _num(snap.test_loss),
                    "train_acc": None if snap.train_acc is None else _num(snap.train_acc),
                    "test_acc": None if snap.test_acc is None else _num(snap.test_acc),
                    "diverged": bool(snap.diverged)},
        "classes": None if regression else max(2, len(snap.confusion))
        if snap.confusion is not None else 2,
        "text": dict(text), "controls": dict(controls),
    }
    if pinned is not None:
        out["pinned"] = decimate(pinned["epochs"], pinned["train_loss"], pinned["test_loss"])
    return out
