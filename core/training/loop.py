"""The one training loop of the app, in the spirit of minGPT's Trainer.

Every page that trains anything calls ``train`` (run to the end) or holds a ``Trainer``
(resumable: ``Trainer(...).step(n)`` / ``.run(epochs=, max_steps=)``; ``train`` is a thin
wrapper around it, so there is one loop). It is model-agnostic, reports through
``on_step`` callbacks (progress bars, live charts and per-step measurements come from
there), records a History, and stops cleanly when the loss diverges (NaN/Inf or huge)
instead of raising. Options that the notes warn about are switches, so pages can show
the mistake and the fix with the same code: ``zero_grad=False`` and ``accumulate=k``.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from core.models import has_stochastic_layers
from core.seeding import global_rng, prepare_thread
from core.training.inputs import DIVERGENCE_LOSS, Batch


@dataclass
class StepInfo:
    """What a callback sees after each optimizer step."""

    step: int  # optimizer steps taken so far (1-based)
    epoch: int  # 0-based epoch of this step
    loss: float  # training loss of this step (mean over its micro-batches)
    model: nn.Module
    optimizer: torch.optim.Optimizer
    history: History


StepCallback = Callable[[StepInfo], "bool | None"]  # return True to stop training


@dataclass
class History:
    steps: list[int] = field(default_factory=list)  # step number of each train_loss entry
    train_loss: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)  # when evaluate() ran
    eval_metrics: dict[str, list[float]] = field(default_factory=dict)  # name -> values
    diverged: bool = False  # loss became NaN/Inf or exceeded DIVERGENCE_LOSS
    diverged_at: int | None = None  # the step at which that was seen
    stopped_by_callback: bool = False

    def record_eval(self, step: int, metrics: dict[str, float]) -> None:
        self.eval_steps.append(step)
        for name, value in metrics.items():
            self.eval_metrics.setdefault(name, []).append(float(value))

    def decimate_steps(self) -> None:
        """Keep every other per-step entry (and always the latest): bounds a live session."""
        keep = _every_other(len(self.steps))
        self.steps = [self.steps[i] for i in keep]
        self.train_loss = [self.train_loss[i] for i in keep]

    def decimate_eval(self) -> None:
        """Keep every other evaluation (and always the latest)."""
        keep = _every_other(len(self.eval_steps))
        self.eval_steps = [self.eval_steps[i] for i in keep]
        self.eval_metrics = {k: [v[i] for i in keep] for k, v in self.eval_metrics.items()}


def _every_other(n: int) -> list[int]:
    keep = list(range(0, n, 2))
    if n and keep[-1] != n - 1:
        keep.append(n - 1)
    return keep


def classifier_metrics(
    **splits: tuple[torch.Tensor, torch.Tensor],
) -> Callable[[nn.Module], dict[str, float]]:
    """An ``evaluate`` for train(): cross-entropy and accuracy of a classifier on each named
    split, reported as ``<name>_loss`` and ``<name>_acc``.

    ``classifier_metrics(train=(x_train, y_train), val=(x_val, y_val))``.
    """

    def evaluate(model: nn.Module) -> dict[str, float]:
        metrics: dict[str, float] = {}
        for name, (x, y) in splits.items():
            logits = model(x)
            metrics[f"{name}_loss"] = float(nn.functional.cross_entropy(logits, y))
            metrics[f"{name}_acc"] = float((logits.argmax(1) == y).float().mean())
        return metrics

    return evaluate


def _is_diverged(loss: float) -> bool:
    return not math.isfinite(loss) or abs(loss) > DIVERGENCE_LOSS


class Trainer:
    """The app's one training loop, resumable: ``step(n)`` continues exactly where it stopped.

    Holds the model, the optimizer, the data (re-iterated once per epoch; an epoch in
    progress keeps its iterator, so resuming mid-epoch sees the same batches), the
    step/epoch counters, the partial accumulation and the History. Same seed → the
    same numbers however the run is cut into ``step()`` calls, including dropout: the
    global RNG state that draws dropout masks (under ``core.seeding.global_rng``) is
    saved after each call and restored at the next.

    Public state (read it; between calls ``optimizer`` and ``scheduler`` may be replaced,
    e.g. a live optimizer change, and ``set_batches`` swaps the data from the next epoch):
        model, optimizer, batches, history — what was passed in / recorded so far
        step_count: optimizer steps taken (int)
        epoch: completed epochs (int); a new epoch starts with the next batch
        batch_in_epoch: batches consumed in the current epoch
        stopped: True after divergence or a callback's stop (further steps do nothing)

    Options as in ``train`` plus:
        scheduler: a torch.optim.lr_scheduler stepped once at the end of every epoch.
        max_history: cap on the per-step lists of History; when exceeded every other
            entry is dropped (decimation), so a long live session stays bounded.
        eval_at_epoch_end: also evaluate after the last step of every epoch.
        forward: what training calls instead of ``model(x)`` (same result), e.g. a loop over
            an nn.Sequential's children's ``forward`` that skips nn.Module's call machinery
            (hooks), which costs ~7 % of a step on a tiny network.
    """

    def __init__(
        self,
        model: nn.Module,
        loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
        optimizer: torch.optim.Optimizer,
        batches: Iterable[Batch],
        *,
        zero_grad: bool = True,
        accumulate: int = 1,
        evaluate: Callable[[nn.Module], dict[str, float]] | None = None,
        eval_every: int | None = 1,
        callbacks: Sequence[StepCallback] = (),
        seed: int = 0,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
        max_history: int | None = None,
        eval_at_epoch_end: bool = False,
        forward: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> None:
        if accumulate < 1:
            raise ValueError("accumulate must be >= 1")
        self.model, self.loss_fn, self.optimizer, self.batches = model, loss_fn, optimizer, batches
        self.zero_grad, self.accumulate = zero_grad, accumulate
        self.evaluate, self.eval_every = evaluate, eval_every
        self.callbacks = list(callbacks)
        self.seed = seed
        self.scheduler = scheduler
        self.max_history = max_history
        self.eval_at_epoch_end = eval_at_epoch_end
        self.forward = forward or model
        self.history = History()
        self.step_count = 0
        self.epoch = 0
        self.batch_in_epoch = 0
        self.stopped = False
        self._started = False
        self._iterator: Iterator[Batch] | None = None
        self._pending: Batch | None = None  # a batch read past a wrong __len__
        self._micro_losses: list[float] = []
        self._stochastic = has_stochastic_layers(model)
        self._rng_state: torch.Tensor | None = None  # global RNG between calls (dropout)
        self._epoch_len = _len_or_none(batches)
        self._next_batches: Iterable[Batch] | None = None

    # -- public API ------------------------------------------------------------------
    def step(self, n: int = 1) -> int:
        """Take up to ``n`` optimizer steps (crossing epochs as needed); returns how many."""
        before = self.step_count
        self._advance(max_steps=self.step_count + max(0, int(n)), epochs=None)
        return self.step_count - before

    def run(self, epochs: int = 1, max_steps: int | None = None) -> History:
        """Train until ``epochs`` epochs are complete (counted from the start) or
        ``max_steps`` optimizer steps in total, then evaluate once more."""
        self._advance(max_steps=max_steps, epochs=epochs)
        if not self.history.diverged:
            self.final_evaluation()
        return self.history

    def final_evaluation(self) -> None:
        """Evaluate at the current step unless that was done already (what train() ends with)."""
        with self._rng():
            self._run_evaluation(self.step_count)

    def set_batches(self, batches: Iterable[Batch]) -> None:
        """Use ``batches`` from the next epoch on (e.g. a new batch size); the epoch in
        progress finishes with the batches it started with."""
        if self._iterator is None:
            self.batches, self._epoch_len = batches, _len_or_none(batches)
        else:
            self._next_batches = batches

    @property
    def epoch_fraction(self) -> float:
        """Completed epochs plus the fraction of the current one (when the length is known)."""
        if self._epoch_len:
            return self.epoch + self.batch_in_epoch / self._epoch_len
        return float(self.epoch)

    # -- internals -------------------------------------------------------------------
    def _rng(self):
        """Dropout masks come from the global RNG: seeded once, then carried between calls."""
        if not self._stochastic:
            return nullcontext()
        return _carried_global_rng(self)

    def _run_evaluation(self, step: int) -> None:
        history = self.history
        if self.evaluate is None or (history.eval_steps and history.eval_steps[-1] == step):
            return
        was_training = self.model.training
        self.model.eval()
        with torch.no_grad():
            history.record_eval(step, self.evaluate(self.model))
        self.model.train(was_training)
        if self.max_history is not None and len(history.eval_steps) > self.max_history:
            history.decimate_eval()

    def _end_epoch(self) -> None:
        self._iterator = None
        self._micro_losses = []
        self.batch_in_epoch = 0
        self.epoch += 1
        if self._next_batches is not None:
            self.batches, self._next_batches = self._next_batches, None
            self._epoch_len = _len_or_none(self.batches)
        if self.scheduler is not None:
            self.scheduler.step()
        if self.eval_at_epoch_end:
            self._run_evaluation(self.step_count)

    def _close_epoch(self) -> None:
        # Drain the iterator even though len() says the epoch is over: a DataLoader's
        # RandomSampler draws from its generator once more when it is exhausted, and
        # skipping that would change every later epoch's order.
        extra = next(self._iterator, None) if self._iterator is not None else None
        if extra is None:
            self._end_epoch()
        else:
            self._pending = extra

    def _advance(self, max_steps: int | None, epochs: int | None) -> None:
        if self.stopped:
            return
        prepare_thread()
        model, optimizer, history = self.model, self.optimizer, self.history
        accumulate, forward = self.accumulate, self.forward
        check = getattr(_yield, "check", None)  # yielding_to: background work gives way
        with self._rng():
            model.train()
            if not self._started:
                self._started = True
                self._run_evaluation(0)
            while True:
                if max_steps is not None and self.step_count >= max_steps:
                    return
                if self._iterator is None:
                    if epochs is not None and self.epoch >= epochs:
                        return
                    self._iterator = iter(self.batches)
                batch, self._pending = self._pending or next(self._iterator, None), None
                if batch is None:
                    self._end_epoch()
                    continue
                self.batch_in_epoch += 1
                x, y = batch
                micro = self._micro_losses
                if self.zero_grad and not micro:
                    optimizer.zero_grad()
                loss = self.loss_fn(forward(x), y)
                micro.append(float(loss.detach()))
                if _is_diverged(micro[-1]):
                    history.diverged, history.diverged_at = True, self.step_count + 1
                    history.steps.append(self.step_count + 1)
                    history.train_loss.append(micro[-1])
                    self.stopped = True
                    return
                (loss / accumulate if accumulate > 1 else loss).backward()
                epoch_over = self._epoch_len is not None and self.batch_in_epoch >= self._epoch_len
                if len(micro) < accumulate:
                    if epoch_over:
                        self._close_epoch()
                    continue
                optimizer.step()
                self.step_count += 1
                step = self.step_count
                history.steps.append(step)
                history.train_loss.append(sum(micro) / len(micro))
                self._micro_losses = []
                if self.max_history is not None and len(history.steps) > self.max_history:
                    history.decimate_steps()
                if self.eval_every and step % self.eval_every == 0:
                    self._run_evaluation(step)
                if self.callbacks:
                    epoch_of_step = self.epoch
                    info = StepInfo(step, epoch_of_step, history.train_loss[-1], model, optimizer,
                                    history)
                    if any(cb(info) for cb in self.callbacks):
                        history.stopped_by_callback = True
                        self.stopped = True
                        self._run_evaluation(step)
                        return
                if check is not None:
                    check()
                if epoch_over:
                    self._close_epoch()
                if max_steps is not None and step >= max_steps:
                    return


# --- a yield point for background work -------------------------------------------------
# A thread may register a function that the loop calls after every completed step (the same
# place as the callbacks, so a run stopped there is whole and a kept Trainer resumes to the
# same numbers). ui.compute's prefetch thread registers one that raises when a student's
# press arrives, so a guess that is a plain (not progress-reporting) run gives way within one
# step instead of sharing the CPU and the GIL with the press to its end. Per thread: page runs
# are never affected.
_yield = threading.local()


@contextmanager
def yielding_to(check: Callable[[], None]) -> Iterator[None]:
    """Training loops of this thread call ``check()`` after every step inside the block."""
    previous = getattr(_yield, "check", None)
    _yield.check = check
    try:
        yield
    finally:
        _yield.check = previous


def yield_point() -> None:
    """Call this thread's ``yielding_to`` check, if any (the loop does after each step)."""
    check = getattr(_yield, "check", None)
    if check is not None:
        check()


def _len_or_none(batches: Iterable[Batch]) -> int | None:
    try:
        return len(batches)  # type: ignore[arg-type]
    except TypeError:
        return None


@contextmanager
def _carried_global_rng(trainer: Trainer) -> Iterator[None]:
    with global_rng(trainer.seed):
        if trainer._rng_state is not None:
            torch.set_rng_state(trainer._rng_state)
        try:
            yield
        finally:
            trainer._rng_state = torch.get_rng_state()


def train(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    batches: Iterable[Batch],
    *,
    epochs: int = 1,
    max_steps: int | None = None,
    zero_grad: bool = True,
    accumulate: int = 1,
    evaluate: Callable[[nn.Module], dict[str, float]] | None = None,
    eval_every: int = 1,
    callbacks: Sequence[StepCallback] = (),
    seed: int = 0,
) -> History:
    """Train ``model`` and return its History (a ``Trainer`` run to the end).

    batches: re-iterated once per epoch (a DataLoader reshuffles itself each time).
    zero_grad: call ``optimizer.zero_grad()`` before each step; False shows what happens
        when gradients pile up.
    accumulate: backward over this many consecutive batches (each loss divided by it)
        before one optimizer step; equals one batch that many times larger.
    evaluate: called every ``eval_every`` steps and after the last, with the model in
        ``eval()`` mode under ``torch.no_grad()``; returns named metrics.
    seed: seeds dropout masks (drawn from the global RNG under a lock, see core.seeding).
    """
    trainer = Trainer(model, loss_fn, optimizer, batches, zero_grad=zero_grad,
                      accumulate=accumulate, evaluate=evaluate, eval_every=eval_every,
                      callbacks=callbacks, seed=seed)
    return trainer.run(epochs=epochs, max_steps=max_steps)


class ResumableRuns:
    """Live ``core.training.Trainer``s kept by the config of everything but the length of
    the run, so a run of E epochs after one of E' epochs costs only the missing epochs.

    A Trainer resumed from E' to E epochs is one uninterrupted run of E epochs (the same
    numbers; tests/core/test_training.py), and the first E epochs of a longer run are the
    run of E epochs (``history_until``). Process-wide, a few entries (LRU); each entry has
    its own lock, so one run is advanced by one thread at a time."""

    def __init__(self, max_entries: int = 16):
        self._entries: OrderedDict[Hashable, tuple[threading.Lock, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def entry(self, key: Hashable, make: Callable[[], Any]) -> tuple[threading.Lock, Any]:
        """The kept (lock, ``make()``) for ``key``: a Trainer, or a Trainer and the lists its
        callbacks fill. Advance it only while holding the lock."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        found = (threading.Lock(), make())  # built outside the dict's lock (it may be slow)
        with self._lock:
            found = self._entries.setdefault(key, found)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def history(self, key: Hashable, make: Callable[[], Any], epochs: int,
                callbacks: Sequence[Callable[[StepInfo], bool | None]] = (),
                read: Callable[[Any], Any] | None = None) -> tuple[History, Any]:
        """The History of one run of ``epochs`` epochs: the kept run for ``key`` (``make()``
        builds it: a Trainer, or a tuple whose first item is the Trainer) is continued when
        it is shorter, or cut when it is longer. ``callbacks`` see only the steps run now
        (after the kept Trainer's own);
        ``read(kept)`` is called under the entry's lock (e.g. to slice lists the callbacks
        fill) and its value returned beside the History."""
        lock, kept = self.entry(key, make)
        trainer = kept[0] if isinstance(kept, tuple) else kept
        with lock:
            if trainer.epoch < epochs and not trainer.stopped:
                own = trainer.callbacks  # the kept run's own (e.g. filling lists), then these
                trainer.callbacks = [*own, *callbacks]
                try:
                    trainer.run(epochs=epochs)
                finally:
                    trainer.callbacks = own
            history = history_until(trainer.history, len(trainer.batches) * epochs)
            return history, (read(kept) if read is not None else None)


def history_until(history: History, last_step: int) -> History:
    """The History a run stopped after ``last_step`` optimizer steps would have recorded
    (a divergence seen by then included, as it stopped that run too)."""
    n = sum(1 for step in history.steps if step <= last_step)
    m = sum(1 for step in history.eval_steps if step <= last_step)
    diverged = history.diverged and history.diverged_at <= last_step
    return History(steps=history.steps[:n], train_loss=history.train_loss[:n],
                   eval_steps=history.eval_steps[:m],
                   eval_metrics={k: v[:m] for k, v in history.eval_metrics.items()},
                   diverged=diverged, diverged_at=history.diverged_at if diverged else None)
