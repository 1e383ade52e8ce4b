"""Per-layer statistics of a network: gradient norms, activations, dead units."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from core.models import hidden_activations, linear_layers


def weight_grad_norms(model: nn.Module) -> list[float]:
    """L2 norm of ``weight.grad`` of each Linear layer, input side first (0.0 if no grad).

    Summed in float64: in float32 the squares of entries below ~1e-19 underflow to 0, so a
    deep sigmoid net's early layers would show a norm of exactly 0 that is not there.
    """
    return [
        float(layer.weight.grad.double().norm()) if layer.weight.grad is not None else 0.0
        for layer in linear_layers(model)
    ]


def weight_snapshot(model: nn.Module) -> list[torch.Tensor]:
    """Detached copies of each Linear weight, to measure how far a step moves them."""
    return [layer.weight.detach().clone() for layer in linear_layers(model)]


def relative_weight_change(before: list[torch.Tensor], model: nn.Module) -> list[float]:
    """``‖W_after − W_before‖ / ‖W_before‖`` per Linear layer: how much a step really moved it."""
    return [
        float((layer.weight.detach() - w0).norm() / w0.norm().clamp_min(1e-12))
        for w0, layer in zip(before, linear_layers(model))
    ]


@dataclass(frozen=True)
class LayerActivity:
    mean: float  # mean activation output over batch and units
    std: float  # standard deviation of the activation output
    inactive_fraction: float  # units whose pre-activation is <= 0 for every input


@contextmanager
def record_hidden_activity(model: nn.Module) -> Iterator[list[LayerActivity]]:
    """Collect one LayerActivity per hidden layer during the forward passes inside the block.

    A unit counts as inactive when its input to the activation is <= 0 for every sample of
    the batch: for ReLU that unit passes no gradient at all (it is dead on this data).
    """
    records: list[LayerActivity] = []

    def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        pre = inputs[0].detach()  # (batch, units)
        out = output.detach()
        records.append(
            LayerActivity(
                mean=float(out.mean()),
                std=float(out.std()) if out.numel() > 1 else 0.0,
                inactive_fraction=float((pre <= 0).all(dim=0).float().mean()),
            )
        )

    handles = [act.register_forward_hook(hook) for act in hidden_activations(model)]
    try:
        yield records
    finally:
        for h in handles:
            h.remove()


def hidden_activity(model: nn.Module, x: torch.Tensor) -> list[LayerActivity]:
    """One forward pass (no grad) of ``x`` and the activity of every hidden layer."""
    with torch.no_grad(), record_hidden_activity(model) as records:
        model(x)
    return list(records)
