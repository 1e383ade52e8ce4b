"""Data augmentation on the real 8x8 digits, section 1: the transforms and the gallery.

Affine parameters are drawn from a private ``torch.Generator`` and applied with
``torchvision.transforms.v2.functional.affine``: deterministic, and no global-RNG lock needed
(``v2.RandomAffine`` itself would draw from torch's global generator). ``run_gallery``: one
digit and a grid of augmented versions of it.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torchvision.transforms import InterpolationMode
from torchvision.transforms.v2 import functional as TF

from core.claims import Claim
from core.codegen import digits_code, imports_code, source_code
from core.data import load_digits
from core.seeding import make_generator

SIZE = 8  # digits are 8x8
TEST_ANGLES = (-40, -30, -20, -10, 0, 10, 20, 30, 40)  # degrees, for the robustness curve
TEST_SHIFTS = (-2, -1, 0, 1, 2)  # pixels (horizontal), for the robustness curve


@dataclass(frozen=True)
class AugmentSpec:
    rotation: float = 10.0  # angle ~ U(-rotation, rotation) degrees
    translate: float = 0.05  # shift ~ U(-t, t) × 8 pixels, each axis
    scale: float = 0.05  # zoom ~ U(1 - scale, 1 + scale)

    @property
    def identity(self) -> bool:
        """All three ranges zero: every copy equals its original."""
        return self.rotation == 0 and self.translate == 0 and self.scale == 0


def sample_params(n: int, rotation: float, translate: float, scale: float,
                  g: torch.Generator) -> torch.Tensor:
    """(n, 4): angle, dx, dy, zoom per image, from ``g`` only (an AugmentSpec's ranges; the
    code panels show this function, so it uses torch only)."""
    u = torch.rand(n, 4, generator=g) * 2 - 1  # U(-1, 1)
    return torch.stack([u[:, 0] * rotation, u[:, 1] * translate * 8,  # shifts: a share of 8 pixels
                        u[:, 2] * translate * 8, 1 + u[:, 3] * scale], 1)


def draw_params(n: int, spec: AugmentSpec, g: torch.Generator) -> torch.Tensor:
    """``sample_params(n, spec.rotation, spec.translate, spec.scale, g)`` in every bit, in
    half the torch calls (~15 µs less per training batch): one product with the four ranges
    as a float32 row instead of four column products stacked. The same float32 roundings:
    a Python float multiplies a float32 tensor as a float32, and a shift range times 8 (a
    power of two) rounds as the range does (tests/core/test_augmentation_batched.py)."""
    u = torch.rand(n, 4, generator=g) * 2 - 1  # the same draw as sample_params
    params = u * torch.tensor([spec.rotation, spec.translate * 8, spec.translate * 8, spec.scale])
    params[:, 3] += 1
    return params


def affine(images: torch.Tensor, angle: float, dx: float, dy: float, zoom: float) -> torch.Tensor:
    """torchvision v2's affine (bilinear) on (..., 1, 8, 8) images, one set of parameters."""
    return TF.affine(images, angle=float(angle), translate=[float(dx), float(dy)],
                     scale=float(zoom), shear=[0.0, 0.0],
                     interpolation=InterpolationMode.BILINEAR)


def inverse_affine_matrices(params: torch.Tensor) -> np.ndarray:
    """(n, 6) float64: torchvision's ``_get_inverse_affine_matrix`` (no shear, centre 0) for
    every row of ``params`` (angle, dx, dy, zoom) at once, the same float operations in the
    same order: bit-identical (tests/core/test_augmentation_batched.py). The sines and cosines
    come from Python's ``math`` as torchvision's do (numpy's and torch's vectorized ones are
    not promised to round as libm does); the rest is + - * /, which IEEE rounds the same in
    numpy as in Python floats. One call per image made ``affine_each`` cost 61 µs a batch of
    20 (300 batches a run); 42 µs now."""
    angle, dx, dy, zoom = params.double().numpy().T  # float32 -> float64 is exact
    rot = [math.radians(a) for a in angle.tolist()]
    cos_rot = np.array([math.cos(r) for r in rot])
    sin_rot = np.array([math.sin(r) for r in rot])
    # torchvision's names and steps with its shear (sx, sy) and centre (cx, cy) at 0.0: each
    # step kept even where it looks like a no-op (x / 1.0, x + 0.0), since the signs of
    # zeros and the rounding must follow it exactly.
    cos_sy, tan_sx, cx, cy = math.cos(0.0), math.tan(0.0), 0.0, 0.0
    a = cos_rot / cos_sy  # cos(rot - sy) with sy = 0: rot - 0.0 is rot
    b = -(a * tan_sx + sin_rot)
    c = sin_rot / cos_sy
    d = cos_rot - c * tan_sx
    cx_plus_tx, cy_plus_ty = cx + dx, cy + dy
    m0, m1, m3, m4 = d / zoom, -b / zoom, -c / zoom, a / zoom
    m2 = 0.0 + (cx - m0 * cx_plus_tx - m1 * cy_plus_ty)
    m5 = 0.0 + (cy - m3 * cx_plus_tx - m4 * cy_plus_ty)
    return np.stack([m0, m1, m2, m3, m4, m5], 1)


@functools.lru_cache(maxsize=8)
def _pixel_grid(h: int, w: int, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """torchvision's base grid (1, h * w, 3) of pixel centres, and the (w / 2, h / 2) its
    matrices are divided by: the same for every batch, so built once (never written to)."""
    base = torch.empty(1, h, w, 3, dtype=dtype)
    base[..., 0].copy_(torch.linspace((1.0 - w) * 0.5, (w - 1.0) * 0.5, steps=w))
    base[..., 1].copy_(torch.linspace((1.0 - h) * 0.5, (h - 1.0) * 0.5, steps=h).unsqueeze_(-1))
    base[..., 2].fill_(1)
    return base.view(1, h * w, 3), torch.tensor([0.5 * w, 0.5 * h], dtype=dtype)


def affine_each(images: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
    """``affine(images[i], *params[i])`` for every i, in one grid_sample: (n, 1, 8, 8).

    The same steps as torchvision v2's tensor kernel (its inverse matrix, computed for all
    images at once by ``inverse_affine_matrices``, cast to the images' dtype; its pixel grid;
    bilinear grid_sample with zero padding), batched: bit-identical to the per-image calls
    (tests/core/test_augmentation_batched.py), about 20x cheaper than one call per image."""
    n, h, w = len(images), images.shape[-2], images.shape[-1]
    if n == 0:
        return images.clone()
    theta = torch.from_numpy(inverse_affine_matrices(params)).to(images.dtype).view(n, 2, 3)
    base, half_size = _pixel_grid(h, w, images.dtype)
    grid = base.expand(n, h * w, 3).bmm(theta.transpose(1, 2).div_(half_size))
    return nn.functional.grid_sample(images, grid.view(n, h, w, 2), mode="bilinear",
                                     padding_mode="zeros", align_corners=False)


def augment(images: torch.Tensor, spec: AugmentSpec, g: torch.Generator) -> torch.Tensor:
    """A random affine per image: (n, 1, 8, 8) -> (n, 1, 8, 8)."""
    return affine_each(images, draw_params(len(images), spec, g))


def augment_code() -> str:
    """Both panels' augmentation: the app's own ``sample_params`` and ``affine`` (``augment``
    runs ``draw_params`` and ``affine_each``, tested bit-identical to them). Expects the
    imports of ``imports_code("affine")``."""
    return f"{source_code(sample_params)}\n\n{source_code(affine)}"


# --- 1. gallery ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GalleryConfig:
    digit: int = 3  # which class to show (its first image in the dataset)
    spec: AugmentSpec = AugmentSpec()
    count: int = 15  # augmented copies drawn
    seed: int = 0


@dataclass(frozen=True)
class GalleryResult:
    original: np.ndarray  # (8, 8) pixels 0..1
    augmented: np.ndarray  # (count, 8, 8)
    params: np.ndarray  # (count, 4) angle, dx, dy, zoom
    index: int  # position of the original in the dataset


def run_gallery(cfg: GalleryConfig) -> GalleryResult:
    digits = load_digits()
    index = int((digits.labels == cfg.digit).nonzero()[0])
    image = digits.images[index] / 16  # (1, 8, 8)
    g = make_generator(cfg.seed)
    params = sample_params(cfg.count, cfg.spec.rotation, cfg.spec.translate, cfg.spec.scale, g)
    augmented = affine_each(image[None].expand(cfg.count, -1, -1, -1), params)
    return GalleryResult(original=image[0].numpy(), augmented=augmented[:, 0].numpy(),
                         params=params.numpy(), index=index)


def gallery_code(cfg: GalleryConfig) -> str:
    s = cfg.spec
    return f'''{imports_code("torch", "affine", digits=True, base=False)}
rotation, translate, scale = {s.rotation!r}, {s.translate!r}, {s.scale!r}
{digits_code()}index = int((y == {cfg.digit}).nonzero()[0])
image = x[index].reshape(1, 8, 8)  # the first {cfg.digit} of the set


{augment_code()}

g = torch.Generator().manual_seed({cfg.seed})  # own generator: same seed, same grid
params = sample_params({cfg.count}, rotation, translate, scale, g)
augmented = torch.stack([affine(image, *p) for p in params.tolist()])  # ({cfg.count}, 1, 8, 8)
for (a, dx, dy, z), img in zip(params.tolist(), augmented):
    print(f"angle {{a:6.1f}}  shift ({{dx:5.2f}}, {{dy:5.2f}})  zoom {{z:.2f}}  "
          f"ink {{img.sum().item():.3f}}")
'''


def gallery_claims(gallery: GalleryResult) -> list[Claim]:
    """``identity`` (every copy equals the original) or ``changed`` (mean |pixel change|)."""
    change = float(np.abs(gallery.augmented - gallery.original[None]).mean())
    if change < 1e-7:
        return [Claim("identity", {})]
    return [Claim("changed", {"change": f"{change:.3f}"})]
