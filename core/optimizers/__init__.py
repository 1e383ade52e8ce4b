"""Optimizers on 2-D loss surfaces, and the same optimizers on a real network.

One concept in three modules: ``choices`` (the surfaces and each optimizer's settings),
``paths`` (trajectories on a surface) and ``network`` (the same optimizers training an MLP).
Everything public is importable from ``core.optimizers``.
"""

from core.optimizers.choices import (
    ADAPTIVE, EXTRA, LR_CHOICES, OptimizerSettings, RATE_SCHEME, SURFACES, SURFACE_NAMES,
    Surface, SurfaceGrid, build_optimizer, default_settings, get_surface, optimizer_code,
    surface_grid,
)
from core.optimizers.paths import (
    MAX_STEPS, Trajectory, TrajectoryConfig, TrajectoryResult, build_grouped_optimizers,
    paths_claims, run_trajectories, run_trajectory_naive, trajectories_code,
)
from core.optimizers.network import (
    NETWORK_LRS, NetworkConfig, NetworkResult, NetworkRun, OVERFIT_RISE,
    network_claims, network_code, network_spec, run_network,
)

__all__ = [
    "ADAPTIVE", "EXTRA", "LR_CHOICES", "OptimizerSettings", "RATE_SCHEME", "SURFACES",
    "SURFACE_NAMES", "Surface", "SurfaceGrid", "build_optimizer", "default_settings",
    "get_surface", "optimizer_code", "surface_grid", "MAX_STEPS", "Trajectory",
    "TrajectoryConfig", "TrajectoryResult", "build_grouped_optimizers", "paths_claims",
    "run_trajectories", "run_trajectory_naive", "trajectories_code", "NETWORK_LRS",
    "NetworkConfig", "NetworkResult", "NetworkRun", "OVERFIT_RISE",
    "network_claims", "network_code", "network_spec", "run_network",
]
