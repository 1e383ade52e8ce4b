"""Deterministic randomness that is safe when many sessions share one process.

Streamlit runs every browser session as a thread of one Python process, so
``torch.manual_seed`` in one session would reseed every other session's draws.
Two rules follow:

* Draw what you can from a private ``torch.Generator`` (``make_generator``): data,
  weight init (``torch.nn.init`` takes ``generator=``), shuffling, noise.
* Some draws can only come from torch's global generator: dropout masks and
  ``nn.Module`` default init. Do those inside ``global_rng(seed)``, which holds a
  process-wide lock, seeds the global generator, and restores its previous state
  on exit, so the run is reproducible and nobody else's stream is touched.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

# Re-entrant so a run inside global_rng can call helpers that also take it.
_GLOBAL_RNG_LOCK = threading.RLock()


def make_generator(seed: int) -> torch.Generator:
    """A private CPU generator; the only source of randomness a run needs besides global_rng."""
    generator = torch.Generator(device="cpu")
    generator.manual_seed(int(seed))
    return generator


@contextmanager
def global_rng(seed: int) -> Iterator[None]:
    """Seed torch's global generator for this block only, with other threads kept out.

    Use for dropout masks and anything else that cannot take a generator. The block is
    serialized across sessions, so keep it to the code that needs it.
    """
    with _GLOBAL_RNG_LOCK:
        with torch.random.fork_rng(devices=[]):
            # The CPU generator only: torch.manual_seed also queues a CUDA seeding, which on a
            # machine without a GPU formats the Python stack each call (~0.15 ms; 0.1 s the
            # first time). The CPU draws are the same (tests/core/test_seeding.py).
            torch.default_generator.manual_seed(int(seed))
            yield


def prepare_thread() -> None:
    """Per-thread CPU float settings every run uses, so results do not depend on the thread.

    Flushing denormals matters: a deep sigmoid net produces gradients around 1e-19 whose
    intermediate products underflow into denormal floats, which the CPU handles ~10x slower
    (1.3 s instead of 0.1 s for one page view). The flag is per thread, so each run sets it.
    """
    torch.set_flush_denormal(True)
