"""Uploaded points: a ``x1,x2,label`` table parsed, checked and scaled into the plane."""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from core.lab.config import MAX_CLASSES, LabDataError

CSV_MAX_BYTES = 2_000_000
CSV_MAX_ROWS = 5_000
CSV_MIN_ROWS = 10


@dataclass(frozen=True)
class CsvPoints:
    """An uploaded table: points rescaled into the plane, labels, and what was inferred."""

    points: np.ndarray  # (n, 2) float, centred and scaled so the largest |coordinate| is 5
    labels: np.ndarray  # class ids 0..k-1 (classification) or float targets (regression)
    problem: str  # "classification" when every label is an integer, else "regression"
    n_classes: int  # 0 for regression
    class_values: tuple[float, ...]  # the original label of each class id
    scale: float  # plane = (original - offset) * scale
    offset: tuple[float, float]
    had_header: bool


def load_points_csv(data: bytes, max_bytes: int = CSV_MAX_BYTES,
                    max_rows: int = CSV_MAX_ROWS) -> CsvPoints:
    """Parse ``x1,x2,label`` rows (an optional header row, comma/semicolon/tab separated).

    Raises LabDataError with ids: too_big {max_kb}, not_text, empty, columns {row, found},
    not_number {row}, not_finite {row}, too_many_rows {max_rows}, too_few_rows {min_rows},
    one_class, too_many_classes {found, max}. Nothing is written anywhere.
    """
    if len(data) > max_bytes:
        raise LabDataError("too_big", {"max_kb": max_bytes // 1000})
    if b"\x00" in data:
        raise LabDataError("not_text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LabDataError("not_text") from exc
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise LabDataError("empty")
    if len(lines) > max_rows + 1:
        raise LabDataError("too_many_rows", {"max_rows": max_rows})
    sample = lines[0]
    delimiter = max((",", ";", "\t"), key=sample.count)
    rows = list(csv.reader(lines, delimiter=delimiter))
    had_header = False
    try:
        [float(v) for v in rows[0]]
    except ValueError:
        had_header = True
        if len(rows[0]) != 3:
            raise LabDataError("columns", {"row": 1, "found": len(rows[0])}) from None
        rows = rows[1:]
    if len(rows) > max_rows:
        raise LabDataError("too_many_rows", {"max_rows": max_rows})
    values = np.empty((len(rows), 3))
    for i, row in enumerate(rows, start=1 + had_header):
        if len(row) != 3:
            raise LabDataError("columns", {"row": i, "found": len(row)})
        try:
            values[i - 1 - had_header] = [float(v) for v in row]
        except ValueError as exc:
            raise LabDataError("not_number", {"row": i}) from exc
    bad = ~np.isfinite(values).all(1)
    if bad.any():
        raise LabDataError("not_finite", {"row": int(np.argmax(bad)) + 1 + had_header})
    if len(values) < CSV_MIN_ROWS:
        raise LabDataError("too_few_rows", {"min_rows": CSV_MIN_ROWS})
    xy, label = values[:, :2], values[:, 2]
    lo, hi = xy.min(0), xy.max(0)
    offset = (lo + hi) / 2
    half = float(np.max(hi - lo)) / 2
    scale = 5.0 / half if half > 0 else 1.0
    points = (xy - offset) * scale
    if np.all(label == np.round(label)):
        classes = np.unique(label)
        if len(classes) < 2:
            raise LabDataError("one_class")
        if len(classes) > MAX_CLASSES:
            raise LabDataError("too_many_classes", {"found": len(classes), "max": MAX_CLASSES})
        ids = np.searchsorted(classes, label)
        return CsvPoints(points, ids, "classification", len(classes),
                         tuple(float(c) for c in classes), scale, tuple(offset), had_header)
    return CsvPoints(points, label, "regression", 0, (), scale, tuple(offset), had_header)
