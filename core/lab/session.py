"""One student's live lab (``LabSession``): config, data, model and a resumable
``core.training.Trainer``; ticks of training, pauses, live changes and the snapshot drawn."""

from __future__ import annotations

import math
import time
from dataclasses import fields

import numpy as np
import torch
from torch import nn

from core.lab.config import (
    CSV_DATASET, EPOCH_CAP, GRID, IDLE_PAUSE, LIVE_FIELDS, MAX_CURVE, MAX_TICK_STEPS,
    MODEL_SEED_OFFSET, PLATEAU_EPOCHS, PLATEAU_REL, THUMB, LabConfig, validate,
)
from core.lab.datasets import LabData, feature_matrix, lab_data_from_points, make_lab_data
from core.lab.snapshot import LabSnapshot, TickResult, confusion_matrix, grid_points
from core.lab.training import (
    PlaygroundBatches, Regularizer, lab_batches, lab_loss, lab_optimizer, lab_scheduler,
    lab_spec, lr_factor, sequential_forward,
)
from core.models import build_mlp, linear_layers
from core.seeding import prepare_thread
from core.training import Trainer

class LabSession:
    """One student's live lab: config, data, model and a resumable Trainer.

    ``tick(budget_seconds)`` trains for about that long (at most MAX_TICK_STEPS steps) and
    says when playing should pause; ``step_one()`` takes exactly one optimizer step;
    ``step_epoch()`` finishes the current epoch; ``update(cfg)`` changes learning rate,
    schedule, optimizer, regularisation and batch size on the running network and resets
    for anything else (returns "kept" or "reset"); ``snapshot()`` is what the page draws.
    Memory is bounded: curves are decimated to MAX_CURVE entries.
    """

    def __init__(self, cfg: LabConfig, data: LabData | None = None,
                 epoch_cap: int = EPOCH_CAP, idle_pause: float = IDLE_PAUSE):
        self.epoch_cap = self._cap_step = epoch_cap
        self.idle_pause = idle_pause
        self.touch()
        self.reset(cfg, data)

    def touch(self, now: float | None = None) -> None:
        """Someone interacted (the page calls this on every full run): the idle clock
        restarts."""
        self.touched = time.monotonic() if now is None else now

    def idle(self, now: float | None = None) -> bool:
        """True after ``idle_pause`` seconds without a touch: an abandoned tab."""
        return (time.monotonic() if now is None else now) - self.touched > self.idle_pause

    # -- building ----------------------------------------------------------------------
    def reset(self, cfg: LabConfig | None = None, data: LabData | None = None) -> None:
        """Start over: new data (unless given or unchanged), new weights, epoch 0."""
        cfg = cfg or self.cfg
        validate(cfg)
        prepare_thread()
        old = getattr(self, "data", None)
        if data is None and old is not None and _data_key(cfg) == _data_key(self.cfg):
            data = old
        elif data is None and cfg.dataset == CSV_DATASET and old is not None:
            # uploaded points: re-split / re-featurise the same points
            data = lab_data_from_points(cfg, np.concatenate([old.points_train, old.points_test]),
                                        np.concatenate([old.labels_train, old.labels_test]),
                                        old.n_classes or None)
        elif data is None:
            data = make_lab_data(cfg)
        if cfg.problem == "classification" and cfg.loss == "squared" and data.n_classes > 2:
            raise ValueError("the squared loss (labels ±1) needs 2 classes; use cross_entropy")
        self.cfg, self.data = cfg, data
        # (step, {field: (old, new)}) for every live update() that changed settings mid-run:
        # lab_code() runs the current settings from step 0, so after such changes it
        # shows the run as if they had been set from the start.
        self.live_changes: list[tuple[int, dict]] = []
        n_classes = max(2, data.n_classes)
        self.model = build_mlp(lab_spec(cfg, n_classes), seed=cfg.seed + MODEL_SEED_OFFSET)
        self.loss_fn = lab_loss(cfg)
        self.regularizer = Regularizer([fc.weight for fc in linear_layers(self.model)],
                                       cfg.regularization, cfg.reg_rate)
        optimizer = lab_optimizer(cfg, self.model)
        self.regularizer.attach(optimizer)
        # Every epoch ends with one forward over all points (the curves), like the Playground.
        self._x_all = torch.cat([data.x_train, data.x_test])
        self._n_train = len(data.x_train)
        self.trainer = Trainer(self.model, self.loss_fn, optimizer, lab_batches(cfg, data),
                               evaluate=self._evaluate, eval_every=None, seed=cfg.seed,
                               scheduler=lab_scheduler(cfg, optimizer), max_history=MAX_CURVE,
                               eval_at_epoch_end=True, forward=sequential_forward(self.model))
        self._snapshot: LabSnapshot | None = None
        self._best = (math.inf, 0)  # (best train loss, epoch it was seen): plateau detection
        self.epoch_cap = self._cap_step

    def needs_reset(self, cfg: LabConfig) -> bool:
        """True when ``cfg`` differs from the running one in a field outside LIVE_FIELDS."""
        return any(getattr(cfg, f.name) != getattr(self.cfg, f.name)
                   for f in fields(LabConfig) if f.name not in LIVE_FIELDS)

    def update(self, cfg: LabConfig, data=None) -> str:
        """Move to ``cfg`` and say what happened: "unchanged"; "kept" (only LIVE_FIELDS
        changed: the network and its progress stay); "reset" (rebuilt at epoch 0; ``data``
        is the new run's LabData, or a function of ``cfg`` giving it, called only then;
        None: generated or re-split as ``reset`` does). The page acts on the answer and
        never repeats this decision."""
        if cfg == self.cfg:
            return "unchanged"
        if self.needs_reset(cfg):
            self.reset(cfg, data(cfg) if callable(data) else data)
            return "reset"
        self._apply_live(cfg)
        return "kept"

    def apply(self, cfg: LabConfig) -> bool:
        """``update(cfg)``, answering True when it had to reset."""
        return self.update(cfg) == "reset"

    def _apply_live(self, cfg: LabConfig) -> None:
        validate(cfg)
        old, trainer = self.cfg, self.trainer
        changed = {name: (getattr(old, name), getattr(cfg, name)) for name in LIVE_FIELDS
                   if getattr(old, name) != getattr(cfg, name)}
        if trainer.step_count > 0:
            self.live_changes.append((trainer.step_count, changed))
        if cfg.optimizer != old.optimizer:
            trainer.optimizer = lab_optimizer(cfg, self.model)  # fresh state (momentum etc.)
            self.regularizer.attach(trainer.optimizer)
        if cfg.optimizer != old.optimizer or cfg.schedule != old.schedule or cfg.lr != old.lr:
            for group in trainer.optimizer.param_groups:
                group["initial_lr"] = cfg.lr
            trainer.scheduler = lab_scheduler(cfg, trainer.optimizer, trainer.epoch)
            for group in trainer.optimizer.param_groups:
                group["lr"] = cfg.lr * lr_factor(cfg.schedule, trainer.epoch)
        if (cfg.regularization, cfg.reg_rate) != (old.regularization, old.reg_rate):
            self.regularizer.set(cfg.regularization, cfg.reg_rate)
        if cfg.batch_size != old.batch_size:
            batches = lab_batches(cfg, self.data)
            if isinstance(batches, PlaygroundBatches) and trainer.epoch > 0:
                batches.epochs_started = 1  # what is left over joins the next epoch's start
            trainer.set_batches(batches)  # from the next epoch on
        self.cfg = cfg
        self._snapshot = None
        self._best = (math.inf, trainer.epoch)  # new settings: a fresh plateau window

    # -- training ----------------------------------------------------------------------
    def _evaluate(self, model: nn.Module) -> dict[str, float]:
        metrics = self._metrics(model(self._x_all))
        metrics["epoch"] = float(self.trainer.epoch)
        return metrics

    def _metrics(self, out: torch.Tensor) -> dict[str, float]:
        n = self._n_train
        metrics = {"train_loss": float(self.loss_fn(out[:n], self.data.y_train)),
                   "test_loss": float(self.loss_fn(out[n:], self.data.y_test))
                   if len(self.data.y_test) else float("nan")}
        if self.cfg.problem == "classification":
            pred = self._classes(out)
            metrics["train_acc"] = float((pred[:n] == self._true(self.data.y_train)).double()
                                         .mean())
            metrics["test_acc"] = float((pred[n:] == self._true(self.data.y_test)).double()
                                        .mean()) if len(self.data.y_test) else float("nan")
        return metrics

    def _classes(self, out: torch.Tensor) -> torch.Tensor:
        if out.shape[1] == 1:
            return (out[:, 0] >= 0).long()
        return out.argmax(1)

    @staticmethod
    def _true(y: torch.Tensor) -> torch.Tensor:
        return (y[:, 0] > 0).long() if y.ndim == 2 else y

    def _steps(self, n: int) -> int:
        done = self.trainer.step(n)
        if done or self.trainer.stopped:
            self._snapshot = None
        return done

    def step_one(self) -> int:
        """Exactly one optimizer step (0 if the run has diverged)."""
        return self._steps(1)

    def step_epoch(self) -> int:
        """Steps to the end of the current epoch (the Playground's Step button)."""
        trainer, start, done = self.trainer, self.trainer.epoch, 0
        while trainer.epoch == start and not trainer.stopped:
            done += self._steps(1)
        return done

    def tick(self, budget_seconds: float = 0.1) -> TickResult:
        """Train for about ``budget_seconds`` (clamped to 0.005–1 s), in chunks of steps
        sized from the measured speed, then report whether playing should pause. Idle
        (no touch for ``idle_pause`` s): no training, paused "idle"."""
        budget = min(max(float(budget_seconds), 0.005), 1.0)
        trainer = self.trainer
        start, epochs0, steps0 = time.perf_counter(), trainer.epoch_fraction, trainer.step_count
        if self.idle():
            return TickResult(0, 0.0, 0.0, "idle")
        chunk, total = 8, 0
        while total < MAX_TICK_STEPS and not trainer.stopped:
            if trainer.epoch >= self.epoch_cap:
                break
            t0 = time.perf_counter()
            n = min(chunk, MAX_TICK_STEPS - total)
            if trainer._epoch_len:  # never past the cap
                n = min(n, max(1, math.ceil((self.epoch_cap - trainer.epoch_fraction)
                                            * trainer._epoch_len)))
            done = self._steps(n)
            total += done
            if not done:
                break
            now = time.perf_counter()
            left = budget - (now - start)
            per_step = (now - t0) / done
            if left <= per_step:
                break
            chunk = max(1, min(int(left / per_step * 0.8), 4 * chunk))
        reason = self.pause_reason()
        # Reported once: pressing Play again trains for another epoch_cap epochs / another
        # plateau window (an abandoned tab stops at the first report: the page stops playing).
        if reason == "epoch_cap":
            self.epoch_cap = trainer.epoch + self._cap_step
        elif reason == "plateau":
            self._best = (math.inf, trainer.epoch)
        return TickResult(trainer.step_count - steps0, trainer.epoch_fraction - epochs0,
                          time.perf_counter() - start, reason)

    def pause_reason(self) -> str | None:
        """Why playing should stop now: "diverged", "epoch_cap" (epoch_cap epochs since
        the start or the last cap), "plateau" (the train loss improved by less than
        PLATEAU_REL over PLATEAU_EPOCHS epochs, as seen at each call), or None."""
        trainer = self.trainer
        if trainer.history.diverged:
            return "diverged"
        if trainer.epoch >= self.epoch_cap:
            return "epoch_cap"
        losses = trainer.history.eval_metrics.get("train_loss", [])
        if losses:
            last = losses[-1]
            best, seen = self._best
            if last < best * (1 - PLATEAU_REL):
                self._best = (last, trainer.epoch)
            elif trainer.epoch - seen >= PLATEAU_EPOCHS:
                return "plateau"
        return None

    # -- drawing -----------------------------------------------------------------------
    @torch.no_grad()
    def snapshot(self) -> LabSnapshot:
        """The current state for drawing (cached until the next step or change)."""
        if self._snapshot is not None:
            return self._snapshot
        trainer, model, data, cfg = self.trainer, self.model, self.data, self.cfg
        was_training = model.training
        model.eval()
        axis, plane = grid_points()
        inputs = feature_matrix(plane, cfg.features)
        # ONE forward over the 100×100 grid, keeping each hidden layer's output on the way.
        hidden, h = [], inputs
        for name, module in model.named_children():
            h = module(h)
            if name.startswith("act"):
                hidden.append(h)
        out = h
        full = model(self._x_all)  # every train and test point
        metrics = self._metrics(full)
        model.train(was_training)
        stride = GRID // THUMB
        thumb = [layer.T.reshape(-1, GRID, GRID)[:, ::stride, ::stride].numpy().copy()
                 for layer in hidden]
        features = inputs.T.reshape(-1, GRID, GRID)[:, ::stride, ::stride].numpy().copy()
        grid_class = grid_probs = None
        if cfg.problem == "classification":
            grid_class = self._classes(out).reshape(GRID, GRID).numpy()
            if out.shape[1] > 1:
                probs = torch.softmax(out, 1)
                grid_probs = probs.reshape(GRID, GRID, -1).numpy()
                value = probs[:, 1] - probs[:, 0] if out.shape[1] == 2 else probs.max(1).values
            else:
                value = out[:, 0]
        else:
            value = out[:, 0]
        h_ = trainer.history
        em = h_.eval_metrics
        classify = cfg.problem == "classification"
        confusion = confusion_train = None
        if classify:
            k = max(2, data.n_classes)
            pred = self._classes(full)
            n = self._n_train
            confusion_train = confusion_matrix(self._true(data.y_train), pred[:n], k)
            confusion = confusion_matrix(self._true(data.y_test), pred[n:], k)
        linears = linear_layers(model)
        snap = LabSnapshot(
            epoch=trainer.epoch, epoch_fraction=trainer.epoch_fraction,
            step=trainer.step_count,
            train_loss=metrics["train_loss"], test_loss=metrics["test_loss"],
            train_acc=metrics.get("train_acc"), test_acc=metrics.get("test_acc"),
            curve_epochs=np.array(em.get("epoch", []), dtype=int), curve_train_loss=np.array(em.get("train_loss", [])),
            curve_test_loss=np.array(em.get("test_loss", [])),
            curve_train_acc=np.array(em.get("train_acc", [])) if classify else None,
            curve_test_acc=np.array(em.get("test_acc", [])) if classify else None,
            grid=axis, grid_output=value.reshape(GRID, GRID).numpy().astype(float),
            grid_class=grid_class, grid_probs=grid_probs, thumb_grid=axis[::stride],
            neuron_outputs=tuple(thumb), feature_outputs=features,
            weights=tuple(fc.weight.detach().numpy().copy() for fc in linears),
            biases=tuple(fc.bias.detach().numpy().copy() for fc in linears),
            dead=tuple(d.numpy().copy() for d in self.regularizer.dead),
            confusion=confusion, confusion_train=confusion_train,
            diverged=h_.diverged or not math.isfinite(metrics["train_loss"]),
            lr=float(trainer.optimizer.param_groups[0]["lr"]),
            n_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
            n_train=self._n_train, n_test=len(data.x_test))
        self._snapshot = snap
        return snap


def _data_key(cfg: LabConfig) -> tuple:
    return (cfg.problem, cfg.dataset, cfg.n_classes, cfg.n_points, cfg.noise,
            cfg.train_percent, cfg.seed, cfg.features, cfg.loss)
