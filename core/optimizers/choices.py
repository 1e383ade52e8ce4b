"""What /optimizers offers: the 2-D test surfaces and each optimizer's settings
(learning rate, momentum, betas, alpha), built into torch.optim optimizers by the app's
make_optimizer, and the constructor call the code panels write for them."""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass

import numpy as np
import torch

from core import codegen
from core.training import OPTIMIZER_KINDS, OPTIMIZERS, make_optimizer


# --- surfaces ------------------------------------------------------------------------


@dataclass(frozen=True)
class Surface:
    name: str
    expression: str  # torch expression in x and y; the code panel prints the same text
    x_range: tuple[float, float]  # plotted region
    y_range: tuple[float, float]
    minima: tuple[tuple[float, float], ...]  # global minima (distance is to the nearest)
    min_value: float  # f at the global minima
    start: tuple[float, float]  # default start point
    lrs: dict[str, float]  # a learning rate per optimizer that behaves well here
    log_levels: bool = True  # draw contours of log10(f - f* + offset)

    def __call__(self, p: torch.Tensor) -> torch.Tensor:
        """f(p) for points ``p`` of shape (..., 2); returns shape (...)."""
        return eval(_COMPILED[self.name], _EVAL_GLOBALS, {"x": p[..., 0], "y": p[..., 1]})

    @property
    def span(self) -> float:
        return max(self.x_range[1] - self.x_range[0], self.y_range[1] - self.y_range[0])


_EVAL_GLOBALS = {"torch": torch, "math": math, "__builtins__": {}}

SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface(
            "quadratic", "0.1 * x**2 + 3 * y**2", (-6.0, 6.0), (-3.0, 3.0), ((0.0, 0.0),), 0.0,
            (-5.0, -2.0),
            {"sgd": 0.3, "momentum": 0.1, "nesterov": 0.1, "rmsprop": 0.1, "adagrad": 1.0,
             "adam": 0.2, "adamw": 0.2},
        ),
        Surface(
            "rosenbrock", "(1 - x)**2 + 100 * (y - x**2)**2", (-2.0, 2.0), (-1.0, 3.0),
            ((1.0, 1.0),), 0.0, (-1.5, 2.0),
            {"sgd": 0.002, "momentum": 0.002, "nesterov": 0.001, "rmsprop": 0.01,
             "adagrad": 0.5, "adam": 0.1, "adamw": 0.1},
        ),
        Surface(
            # A saddle at the origin with two minima at y = ±sqrt(5): gradient descent started
            # near y = 0 crawls along the ridge before it escapes.
            "saddle", "x**2 - 0.2 * y**2 + 0.02 * y**4", (-3.0, 3.0), (-3.0, 3.0),
            ((0.0, math.sqrt(5.0)), (0.0, -math.sqrt(5.0))), -0.5, (-2.5, 0.01),
            {"sgd": 0.05, "momentum": 0.02, "nesterov": 0.02, "rmsprop": 0.02, "adagrad": 0.2,
             "adam": 0.05, "adamw": 0.05},
            log_levels=False,
        ),
        Surface(
            "himmelblau", "(x**2 + y - 11)**2 + (x + y**2 - 7)**2", (-5.0, 5.0), (-5.0, 5.0),
            ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
            0.0, (-0.5, -0.5),
            {"sgd": 0.01, "momentum": 0.002, "nesterov": 0.002, "rmsprop": 0.02, "adagrad": 0.5,
             "adam": 0.1, "adamw": 0.1},
        ),
        Surface(
            "rastrigin",
            "20 + x**2 - 10 * torch.cos(2 * math.pi * x) + y**2 - 10 * torch.cos(2 * math.pi * y)",
            (-4.5, 4.5), (-4.5, 4.5), ((0.0, 0.0),), 0.0, (-3.2, 2.8),
            {"sgd": 0.002, "momentum": 0.001, "nesterov": 0.001, "rmsprop": 0.05, "adagrad": 0.5,
             "adam": 0.2, "adamw": 0.2},
            log_levels=False,
        ),
        Surface(
            "beale",
            "(1.5 - x + x * y)**2 + (2.25 - x + x * y**2)**2 + (2.625 - x + x * y**3)**2",
            (-1.0, 4.5), (-2.0, 2.5), ((3.0, 0.5),), 0.0, (1.0, 1.5),
            {"sgd": 0.001, "momentum": 0.0005, "nesterov": 0.0005, "rmsprop": 0.01,
             "adagrad": 0.5, "adam": 0.05, "adamw": 0.05},
        ),
    )
}
SURFACE_NAMES = tuple(SURFACES)
_COMPILED = {name: compile(s.expression, f"<surface {name}>", "eval")
             for name, s in SURFACES.items()}


def get_surface(name: str) -> Surface:
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; expected one of {SURFACE_NAMES}")
    return SURFACES[name]


@dataclass(frozen=True)
class SurfaceGrid:
    x: np.ndarray  # (n,)
    y: np.ndarray  # (n,)
    z: np.ndarray  # (n, n) f(x, y) - f*, rows over y
    levels: np.ndarray  # (n, n) what the contour draws: log10(z + offset) or z
    offset: float  # added before the log


def surface_grid(name: str, n: int = 120) -> SurfaceGrid:
    """f on an n×n grid over the plotted region (for contours and the 3-D view)."""
    surface = get_surface(name)
    x = torch.linspace(*surface.x_range, n, dtype=torch.float64)
    y = torch.linspace(*surface.y_range, n, dtype=torch.float64)
    yy, xx = torch.meshgrid(y, x, indexing="ij")
    z = (surface(torch.stack([xx, yy], -1)) - surface.min_value).clamp_min(0.0).numpy()
    offset = 1e-3 * max(float(np.median(z)), 1e-12)
    levels = np.log10(z + offset) if surface.log_levels else z
    return SurfaceGrid(x.numpy(), y.numpy(), z, levels, offset)


# --- each optimizer's settings ------------------------------------------------------------


_ADAM_BETAS = OPTIMIZER_KINDS["adam"].torch_default("betas")


@dataclass(frozen=True)
class OptimizerSettings:
    """One optimizer's settings on this page; the defaults are make_optimizer's (torch's
    own, but momentum 0.9)."""

    name: str  # one of core.training.OPTIMIZERS
    lr: float  # learning rate
    momentum: float = inspect.signature(make_optimizer).parameters["momentum"].default
    beta1: float = _ADAM_BETAS[0]  # Adam/AdamW: decay of the gradient average (their momentum)
    beta2: float = _ADAM_BETAS[1]  # Adam/AdamW: decay of the squared-gradient average
    # RMSprop: decay of the squared-gradient average
    alpha: float = OPTIMIZER_KINDS["rmsprop"].torch_default("alpha")


def _default(setting: str) -> float:
    return OptimizerSettings.__dataclass_fields__[setting].default


# /optimizers' sliders: the learning rates offered, and each optimizer's settings besides lr
# as (OptimizerSettings field, min, max, default, step).
LR_CHOICES = (1e-4, 2e-4, 3e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2,
              0.3, 0.5, 1.0, 2.0, 3.0, 5.0)
_MOMENTUM = ("momentum", 0.0, 0.99, _default("momentum"), 0.01)
_BETAS = [("beta1", 0.0, 0.99, _default("beta1"), 0.01),
          ("beta2", 0.9, 0.9999, _default("beta2"), 0.0001)]
EXTRA = {"momentum": [_MOMENTUM], "nesterov": [_MOMENTUM],
         "rmsprop": [("alpha", 0.5, 0.999, _default("alpha"), 0.001)],
         "adam": _BETAS, "adamw": _BETAS}


def build_optimizer(settings: OptimizerSettings,
                    params: list[torch.Tensor]) -> torch.optim.Optimizer:
    """The torch.optim optimizer for these settings (through the app's make_optimizer)."""
    return make_optimizer(settings.name, params, lr=settings.lr, momentum=settings.momentum,
                          betas=(settings.beta1, settings.beta2), alpha=settings.alpha)


def default_settings(surface: str,
                     names: tuple[str, ...] = OPTIMIZERS) -> tuple[OptimizerSettings, ...]:
    """Each optimizer with the learning rate that behaves well on ``surface``."""
    lrs = get_surface(surface).lrs
    return tuple(OptimizerSettings(name, lrs[name]) for name in names)

# How each optimizer sets its step size (the page's table): "fixed" (lr times the gradient
# or its momentum, the same for every coordinate), "adaptive" (lr divided per coordinate by
# a running size of that coordinate's gradients), "adaptive_momentum" (both).
RATE_SCHEME = {"sgd": "fixed", "momentum": "fixed", "nesterov": "fixed", "rmsprop": "adaptive",
               "adagrad": "adaptive", "adam": "adaptive_momentum", "adamw": "adaptive_momentum"}
ADAPTIVE = frozenset(n for n, scheme in RATE_SCHEME.items() if scheme != "fixed")

# --- code panel ------------------------------------------------------------------------


def optimizer_code(settings: OptimizerSettings, param: str = "p") -> str:
    """The torch.optim constructor call, exactly as build_optimizer builds it."""
    s = settings
    return codegen.optimizer_code(s.name, s.lr, f"[{param}]", momentum=s.momentum,
                                  betas=(s.beta1, s.beta2), alpha=s.alpha)
