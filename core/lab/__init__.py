"""The /playground lab: TensorFlow Playground's controls on a real torch network, live.

Everything here is plain torch (no streamlit). The page holds one ``LabSession`` per
browser session and calls ``tick()`` from a fragment; every optimizer step goes through
``core.training.Trainer`` (the app's one training loop). ``from core import lab`` gives the
whole public API below; each part lives in its own module:

    config     DATASETS_*, FEATURES, ACTIVATIONS, INITS, SCHEDULES, REGULARIZATIONS, LOSSES,
               PROBLEMS, limits (MAX_*, GRID, THUMB, EPOCH_CAP, ...), LabConfig (frozen; one
               comment per field), LIVE_FIELDS, validate, LabDataError, PRESETS
    datasets   make_lab_data(cfg) -> LabData (seeded points, split, features, targets);
               lab_data_from_points(cfg, points, labels) (uploaded points); the generators
               themselves are TensorFlow Playground's, in core.data (PLAYGROUND_GENERATORS)
    csv        load_points_csv(data) -> CsvPoints, or raises LabDataError(message_id, values)
    tf_link    parse_playground_params(params) -> (fields, rejected keys);
               parse_playground_url(url); config_from_fields(fields) (drops VIEW_OPTIONS)
    controls   widget_values(fields) (a preset or link -> widget values);
               config_from_controls(values) -> (LabConfig, notes)
    training   lab_spec, lab_loss, PlaygroundBatches, shuffled_loader, Regularizer, lr_factor,
               lab_scheduler, sequential_forward
    session    LabSession(cfg, data=None, epoch_cap=EPOCH_CAP): tick(budget_seconds) ->
               TickResult, step_one(), step_epoch(), pause_reason(), needs_reset(cfg),
               update(cfg, data) -> "kept" | "reset" | "unchanged", reset(cfg=None, data=None),
               snapshot() -> LabSnapshot; attributes cfg, data, model, trainer, live_changes
    code       lab_code(cfg, steps) -> standalone torch code reproducing the run
    claims     linear_probe / probe_config (the predict-then-reveal question), lab_claims

Playground mode (``LabConfig.playground_mode``; what a link with the Playground's keys opens):
squared error ½(o−y)² with a tanh output (linear for regression) and labels ±1, weights
U(−0.5, 0.5) and biases 0.1, plain SGD, and its batch rule: the training points in a fixed
order, per-example gradients summed and applied as their mean every ``batch_size`` examples
counted within the epoch, so the examples left over at the end of an epoch join the first
batch of the next one (src/playground.ts ``oneStep``, src/nn.ts ``updateWeights``). L1/L2 act
after the gradient step on weights only (not biases): w ← w − lr·rate·r'(w) with r'(w)
taken before the step; under L1 a weight that would cross 0 becomes 0 and stays 0 ("dead").
The lab uses that same regularisation rule with every optimizer.

The Playground draws its points with seedrandom from a seed string; here a torch.Generator
draws them from an integer seed (a Playground seed string is mapped to one), so the points
follow the same distributions and the same shuffle-then-split rule but are not the same points.
"""

# ruff: noqa: F401 (this module re-exports the package's public names)
from __future__ import annotations

from core.lab.claims import (
    LINE_ENOUGH, PROBE_EPOCHS, LinearProbe, lab_claims, linear_probe, probe_config,
)
from core.lab.code import lab_code
from core.lab.config import (
    ACTIVATIONS, COSINE_EPOCHS, COSINE_FLOOR, CSV_DATASET, DATASETS_CLASSIFICATION,
    DATASETS_REGRESSION, EPOCH_CAP, EXTENT, FEATURES, GRID, IDLE_PAUSE, INITS, LIVE_FIELDS,
    LOSSES, MAX_BATCH, MAX_CLASSES, MAX_CURVE, MAX_LAYERS, MAX_NEURONS, MAX_TICK_STEPS,
    MODEL_SEED_OFFSET, N_POINTS_CLASSIFY, N_POINTS_REGRESS, OPTIMIZERS, PLATEAU_EPOCHS,
    PLATEAU_REL, PLAYGROUND_MODE_FIELDS, PRESETS, PROBLEMS, REGULARIZATIONS, SCHEDULES,
    STEP_EVERY_EPOCHS, STEP_GAMMA, THUMB, LabConfig, LabDataError, validate,
)
from core.lab.controls import (
    DEFAULT_FEATURES, DEFAULT_HIDDEN, FEATURE_KEYS, LR_CHOICES, MAX_SEED, REG_RATES,
    config_from_controls, widget_values,
)
from core.lab.csv import CSV_MAX_BYTES, CSV_MAX_ROWS, CSV_MIN_ROWS, CsvPoints, load_points_csv
from core.lab.datasets import (
    GENERATORS, LabData, feature_matrix, lab_data_from_points, make_lab_data,
)
from core.lab.session import LabSession, LabSnapshot, TickResult
from core.lab.tf_link import (
    PLAYGROUND_HIDE, PLAYGROUND_KEYS, VIEW_OPTIONS, config_from_fields, parse_playground_params,
    parse_playground_url, playground_seed,
)
from core.lab.training import (
    PlaygroundBatches, Regularizer, half_squared_error, lab_batches, lab_loss, lab_optimizer,
    lab_scheduler, lab_spec, lr_factor, sequential_forward, shuffled_loader,
)
