"""Train / validation / test: how to cut the data, early stopping on validation, and why
choosing a model by its test score makes that score lie.

Three experiments on the real 8x8 digits (scikit-learn, no download), each a frozen Config
and a ``run_*`` returning numpy arrays and floats, one module each: ``split``,
``early_stop`` and ``tuning``. Everything public is importable from ``core.data_split``.
"""

from core.data_split.split import (
    METHODS, SPLITS, SplitConfig, SplitResult, class_sizes, make_imbalanced_labels,
    resolve_fractions, run_split, split_claims, split_code, stratified_indices,
)
from core.data_split.early_stop import (
    EarlyStopConfig, EarlyStopResult, EarlyStopTraining, SAME_PP, early_claims,
    early_stop_code, early_stop_data, early_stop_result, early_stop_spec,
    early_stop_training_config, run_early_stop, run_early_stop_training,
)
from core.data_split.tuning import (
    MAX_CONFIGS, TuningConfig, TuningResult, WIDTHS, candidates, run_tuning, tuning_claims,
    tuning_code,
)

__all__ = [
    "METHODS", "SPLITS", "SplitConfig", "SplitResult", "class_sizes", "make_imbalanced_labels",
    "resolve_fractions", "run_split", "split_claims", "split_code", "stratified_indices",
    "EarlyStopConfig", "EarlyStopResult", "EarlyStopTraining", "SAME_PP", "early_claims",
    "early_stop_code", "early_stop_data", "early_stop_result", "early_stop_spec",
    "early_stop_training_config", "run_early_stop", "run_early_stop_training", "MAX_CONFIGS",
    "TuningConfig", "TuningResult", "WIDTHS", "candidates", "run_tuning", "tuning_claims",
    "tuning_code",
]
