"""The one training loop of the app (``loop``: Trainer, train, History) and what it is given
(``inputs``: the optimizer table, make_optimizer, the loaders). Part of the base every
concept builds on; everything public is importable from ``core.training``.
"""

from core.training.inputs import (
    Batch, DIVERGENCE_LOSS, OPTIMIZERS, OPTIMIZER_KINDS, OptimizerKind, full_batch,
    make_loader, make_optimizer, seeded_loader,
)
from core.training.loop import (
    History, ResumableRuns, StepCallback, StepInfo, Trainer, classifier_metrics, history_until,
    train,
)

__all__ = [
    "Batch", "DIVERGENCE_LOSS", "OPTIMIZERS", "OPTIMIZER_KINDS", "OptimizerKind", "full_batch",
    "make_loader", "make_optimizer", "seeded_loader", "History", "ResumableRuns",
    "StepCallback", "StepInfo", "Trainer", "classifier_metrics", "history_until", "train",
]
