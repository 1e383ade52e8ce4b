"""Small datasets made on the fly (or shipped with scikit-learn), never downloaded.

Every builder takes a seed and draws from its own ``torch.Generator``, so the same
arguments always give the same tensors, whatever other sessions are doing.
Shapes: 2-D sets give ``x: (n, 2) float32`` and ``y: (n,) int64``; regression sets
give ``x: (n, 1)`` and ``y: (n, 1)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import torch

from core.codegen import digits_code, source_code
from core.seeding import make_generator


@dataclass(frozen=True)
class Classification2D:
    x: torch.Tensor  # (n, 2) float32
    y: torch.Tensor  # (n,) int64 class labels
    n_classes: int


# One function per 2-D set: (n, g) -> points (n, 2) before noise, labels (n,). The code
# panels show these functions' source (codegen.source_code), so they use torch and math only.

def toy_moons(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    labels = torch.cat([torch.zeros(n // 2), torch.ones(n - n // 2)]).long()
    t = torch.rand(n, generator=g) * math.pi
    upper = torch.stack([torch.cos(t), torch.sin(t)], 1)
    lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], 1)
    return torch.where(labels[:, None] == 0, upper, lower) - torch.tensor([0.5, 0.25]), labels


def toy_circles(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    labels = torch.cat([torch.zeros(n // 2), torch.ones(n - n // 2)]).long()
    t = torch.rand(n, generator=g) * 2 * math.pi
    radius = torch.where(labels == 0, 1.0, 0.45)
    return torch.stack([torch.cos(t), torch.sin(t)], 1) * radius[:, None], labels


def toy_xor(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.rand(n, 2, generator=g) * 2 - 1
    return x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).long()


def toy_spiral(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    labels = torch.cat([torch.zeros(n // 2), torch.ones(n - n // 2)]).long()
    t = torch.rand(n, generator=g) * 3 * math.pi + 0.5
    angle = t + labels.float() * math.pi
    return torch.stack([t * torch.cos(angle), t * torch.sin(angle)], 1) / (3 * math.pi), labels


def toy_blobs(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    labels = torch.arange(n) % 3  # three Gaussian clusters
    centers = torch.tensor([[-0.8, -0.5], [0.8, -0.5], [0.0, 0.8]])
    return centers[labels] + 0.3 * torch.randn(n, 2, generator=g), labels


TOY_2D = {"moons": toy_moons, "circles": toy_circles, "xor": toy_xor, "spiral": toy_spiral,
          "blobs": toy_blobs}
TOY_2D_NAMES = tuple(TOY_2D)


def make_toy_2d(name: str, n: int = 400, noise: float = 0.1, seed: int = 0) -> Classification2D:
    """One of TOY_2D_NAMES with ``n`` points, Gaussian ``noise`` added to the coordinates."""
    if name not in TOY_2D_NAMES:
        raise ValueError(f"unknown 2-D dataset {name!r}; expected one of {TOY_2D_NAMES}")
    if n < 2:
        raise ValueError("need at least two points")
    g = make_generator(seed)
    x, labels = TOY_2D[name](n, g)
    x = x + noise * torch.randn(n, 2, generator=g)
    return Classification2D(x=x.float(), y=labels, n_classes=3 if name == "blobs" else 2)


def toy_2d_code(name: str, n: int, noise: float, seed: int) -> str:
    """Code-panel text that recreates ``make_toy_2d(name, n, noise, seed)`` with torch only:
    the app's own function for this set, then make_toy_2d's noise. Expects ``math`` and
    ``torch`` in scope; defines ``n``, ``noise``, ``seed`` (first line), ``x`` and ``y``."""
    function = TOY_2D[name]
    return f"""n, noise, seed = {n}, {noise}, {seed}


{source_code(function)}

g = torch.Generator().manual_seed(seed)
x, y = {function.__name__}(n, g)
x = x + noise * torch.randn(n, 2, generator=g)
"""


@dataclass(frozen=True)
class Regression1D:
    x: torch.Tensor  # (n, 1)
    y: torch.Tensor  # (n, 1)
    is_outlier: torch.Tensor  # (n,) bool
    true_slope: float
    true_intercept: float


def make_line_with_outliers(
    n: int = 60,
    slope: float = 2.0,
    intercept: float = 1.0,
    noise: float = 0.5,
    n_outliers: int = 5,
    outlier_size: float = 15.0,
    outlier_side: str = "up",
    seed: int = 0,
) -> Regression1D:
    """Points on ``y = slope * x + intercept`` plus noise; the last ``n_outliers`` points
    (at the largest x, where they pull the slope hardest) are shifted by ``outlier_size``.

    ``outlier_side``: "up", "down" or "both" (alternating).
    """
    if outlier_side not in ("up", "down", "both"):
        raise ValueError("outlier_side must be 'up', 'down' or 'both'")
    n_outliers = max(0, min(int(n_outliers), n))
    x, y, is_outlier = line_with_outliers(n, slope, intercept, noise, n_outliers, outlier_size,
                                          outlier_side, make_generator(seed))
    return Regression1D(x, y, is_outlier, slope, intercept)


def line_with_outliers(n: int, slope: float, intercept: float, noise: float, n_outliers: int,
                       outlier_size: float, outlier_side: str,
                       g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """make_line_with_outliers' points, standalone for the code panels (source_code)."""
    x = torch.sort(torch.rand(n, generator=g) * 4 - 2).values
    y = slope * x + intercept + noise * torch.randn(n, generator=g)
    is_outlier = torch.zeros(n, dtype=torch.bool)
    if n_outliers:
        # outliers spread over the right third of x, where they pull the slope hardest
        idx = torch.linspace(n - 1, int(n * 2 / 3), n_outliers).round().long().unique()
        sign = torch.ones(len(idx))
        if outlier_side == "down":
            sign = -sign
        elif outlier_side == "both":
            sign[1::2] = -1
        y[idx] += sign * outlier_size
        is_outlier[idx] = True
    return x[:, None], y[:, None], is_outlier  # (n, 1) columns, as nn.Linear expects


def line_data_code(n: int, slope: float, intercept: float, noise: float, n_outliers: int,
                   outlier_size: float, outlier_side: str, seed: int) -> str:
    """Standalone torch that builds exactly what make_line_with_outliers builds (its own
    function); defines ``x`` (n, 1), ``y`` (n, 1) and ``is_outlier`` (n,)."""
    n_outliers = max(0, min(int(n_outliers), n))
    return f"""{source_code(line_with_outliers)}

g = torch.Generator().manual_seed({seed})
x, y, is_outlier = line_with_outliers({n}, {slope}, {intercept}, {noise}, {n_outliers}, {outlier_size},
                                      {outlier_side!r}, g)
"""


@dataclass(frozen=True)
class Digits:
    images: torch.Tensor  # (n, 1, 8, 8) float32, raw pixel intensities 0..16
    labels: torch.Tensor  # (n,) int64, 0..9


@lru_cache(maxsize=1)
def load_digits() -> Digits:
    """The 1,797 real 8x8 handwritten digits bundled with scikit-learn (no download)."""
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    images = torch.tensor(bunch.images, dtype=torch.float32)[:, None]
    labels = torch.tensor(bunch.target, dtype=torch.int64)
    return Digits(images=images, labels=labels)


def digits_xy() -> tuple[torch.Tensor, torch.Tensor]:
    """The digits flattened and scaled to [0, 1]: x (1797, 64) float32, y (1797,) int64."""
    d = load_digits()
    return d.images.reshape(len(d.images), -1) / 16.0, d.labels


def split_indices(n: int, fractions: tuple[float, ...], seed: int = 0) -> list[torch.Tensor]:
    """Shuffle ``range(n)`` and cut it into consecutive parts of the given fractions.

    The last part takes the remainder, so the parts always cover every index exactly once.
    Code panels show this function (``split_indices_code``), so it uses torch only.
    """
    if not fractions or any(f < 0 for f in fractions) or sum(fractions) > 1 + 1e-9:
        raise ValueError("fractions must be non-negative and sum to at most 1")
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(int(seed)))  # own generator
    sizes = [int(round(f * n)) for f in fractions[:-1]]
    sizes.append(n - sum(sizes))  # the last part takes the rest: every index exactly once
    return list(torch.split(perm, sizes))


def split_indices_code(n: str, fractions: tuple[float, ...], parts: str, seed: str = "seed") -> str:
    """Code-panel text: the app's own ``split_indices``, then ``{parts} = split_indices(n,
    fractions, seed)`` (``n``, ``parts`` and ``seed`` pasted as written). Expects ``torch``."""
    return f"""{source_code(split_indices)}

{parts} = split_indices({n}, {tuple(fractions)!r}, {seed})
"""


def digits_split_code(scaled: bool = True) -> str:
    """Code-panel text: the digits (``codegen.digits_code``) cut 80/20 by ``seed``, as /batchnorm
    and /train_vs_eval cut them; defines ``xt, yt`` (training) and ``xs, ys`` (test)."""
    return (digits_code(scaled=scaled) + "\n\n" + split_indices_code("len(x)", (0.8, 0.2), "train_idx, test_idx")
            + "xt, yt, xs, ys = x[train_idx], y[train_idx], x[test_idx], y[test_idx]\n")


# ----------------------------------------------------------------------------------------
# Data: the Playground's generators (src/dataset.ts), written with a torch.Generator.
# Each returns points (n, 2) and labels: class ids 0..k-1 (long) or targets in [-1, 1].
# lab_code() embeds the source of the one it uses, so these use only torch and math.
# ----------------------------------------------------------------------------------------

def _uniform(g, n, a, b):
    return torch.rand(n, generator=g, dtype=torch.float64) * (b - a) + a


def data_circle(n, noise, k, g):
    """k = 2: inside radius 2.5 (class 1) and a ring 3.5–5 (class 0); the label is read at
    the noise-shifted position. k > 2: k rings, the label from the noisy radius."""
    radius = 5.0
    per = [n // k + (1 if i < n % k else 0) for i in range(k)] if k > 2 else [n // 2, n - n // 2]
    xs, ys, labels = [], [], []
    for ring, m in enumerate(per):
        if k == 2:
            lo, hi = (0.0, radius * 0.5) if ring == 0 else (radius * 0.7, radius)
        else:
            lo, hi = radius * ring / k, radius * (ring + 0.7) / k
        r = _uniform(g, m, lo, hi)
        angle = _uniform(g, m, 0.0, 2 * math.pi)
        x, y = r * torch.sin(angle), r * torch.cos(angle)
        nx = _uniform(g, m, -radius, radius) * noise
        ny = _uniform(g, m, -radius, radius) * noise
        noisy_r = torch.sqrt((x + nx) ** 2 + (y + ny) ** 2)
        if k == 2:
            label = (noisy_r < radius * 0.5).long()  # inside = class 1 (the Playground's +1)
        else:
            label = torch.clamp((noisy_r / (radius / k)).floor().long(), 0, k - 1)
        xs.append(x), ys.append(y), labels.append(label)
    return torch.stack([torch.cat(xs), torch.cat(ys)], 1), torch.cat(labels)


def data_xor(n, noise, k, g):
    """Uniform on [-5, 5]² pushed 0.3 away from the axes; class 1 where x·y ≥ 0 (read at
    the noise-shifted position). k > 2: the quadrant number modulo k."""
    x, y = _uniform(g, n, -5.0, 5.0), _uniform(g, n, -5.0, 5.0)
    x = x + torch.where(x > 0, 0.3, -0.3)
    y = y + torch.where(y > 0, 0.3, -0.3)
    px = x + _uniform(g, n, -5.0, 5.0) * noise
    py = y + _uniform(g, n, -5.0, 5.0) * noise
    if k == 2:
        label = (px * py >= 0).long()
    else:
        quadrant = torch.where(py >= 0, torch.where(px >= 0, 0, 1), torch.where(px < 0, 2, 3))
        label = quadrant % k
    return torch.stack([x, y], 1), label


def data_gauss(n, noise, k, g):
    """k Gaussian blobs; variance 0.5 at noise 0 rising linearly to 4 at noise 50%. k = 2:
    centres (2, 2) (class 1) and (-2, -2) (class 0) as in the Playground."""
    variance = 0.5 + noise / 0.5 * 3.5
    per = [n // k + (1 if i < n % k else 0) for i in range(k)]
    if k == 2:
        centres = [(-2.0, -2.0), (2.0, 2.0)]
    else:
        centres = [(2 * math.sqrt(2) * math.cos(math.pi / 4 + 2 * math.pi * i / k),
                    2 * math.sqrt(2) * math.sin(math.pi / 4 + 2 * math.pi * i / k))
                   for i in range(k)]
    points, labels = [], []
    for cls, ((cx, cy), m) in enumerate(zip(centres, per)):
        xy = torch.randn(m, 2, generator=g, dtype=torch.float64) * math.sqrt(variance)
        points.append(xy + torch.tensor([cx, cy], dtype=torch.float64))
        labels.append(torch.full((m,), cls, dtype=torch.long))
    return torch.cat(points), torch.cat(labels)


def data_spiral(n, noise, k, g):
    """k interleaved spiral arms of about n/k points: radius up to 5 over 1.75 turns, arm j turned
    by 2πj/k, plus U(-1, 1)·noise per coordinate. k = 2: arm 0 is the Playground's +1 (class 1)."""
    points, labels = [], []
    for arm in range(k):
        per = n // k + (1 if arm < n % k else 0)
        i = torch.arange(per, dtype=torch.float64)
        r = i / per * 5
        t = 1.75 * i / per * 2 * math.pi + 2 * math.pi * arm / k
        x = r * torch.sin(t) + _uniform(g, per, -1.0, 1.0) * noise
        y = r * torch.cos(t) + _uniform(g, per, -1.0, 1.0) * noise
        points.append(torch.stack([x, y], 1))
        cls = (1 - arm) if k == 2 else arm
        labels.append(torch.full((per,), cls, dtype=torch.long))
    return torch.cat(points), torch.cat(labels)


def data_plane(n, noise, k, g):
    """Uniform on [-6, 6]²; target (x + y) / 10 read at the noise-shifted position."""
    x, y = _uniform(g, n, -6.0, 6.0), _uniform(g, n, -6.0, 6.0)
    nx, ny = _uniform(g, n, -6.0, 6.0) * noise, _uniform(g, n, -6.0, 6.0) * noise
    return torch.stack([x, y], 1), (x + nx + y + ny) / 10


def data_multigauss(n, noise, k, g):
    """Uniform on [-6, 6]²; six bumps of height ±1 falling to 0 at distance 2; the target is
    the bump largest in absolute value (read at the noise-shifted position)."""
    x, y = _uniform(g, n, -6.0, 6.0), _uniform(g, n, -6.0, 6.0)
    px = x + _uniform(g, n, -6.0, 6.0) * noise
    py = y + _uniform(g, n, -6.0, 6.0) * noise
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    target = torch.zeros(n, dtype=torch.float64)
    for cx, cy, sign in bumps:
        d = torch.sqrt((px - cx) ** 2 + (py - cy) ** 2)
        value = sign * torch.clamp(1 - d / 2, 0.0, 1.0)
        target = torch.where(value.abs() > target.abs(), value, target)
    return torch.stack([x, y], 1), target


PLAYGROUND_GENERATORS = {"circle": data_circle, "xor": data_xor, "gauss": data_gauss,
                         "spiral": data_spiral, "plane": data_plane, "multigauss": data_multigauss}
