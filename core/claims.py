"""Claims as data: what a "what to notice" box may say, chosen from measured numbers.

A page never writes a fixed sentence about a result. Core measures the facts (converged?,
which fit is closest?, did the gap shrink?, chance level…) into the Result, and a
``<section>_claims(result)`` function in the concept's module returns the Claims that hold.
The page translates each one (``<namespace>.<section>.claim.<id>`` in its locale file,
formatted with ``values``). Tests in ``tests/claims/`` walk presets and extremes and check
every claim returned against an independent computation on the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Claim:
    """One sentence a notice may say: its id (a locale key suffix) and the numbers it quotes."""

    id: str
    values: Mapping[str, Any] = field(default_factory=dict)


def signed(x: float, digits: int = 1) -> str:
    """``x`` with an explicit sign and no negative zero: ``+3.0``, ``-0.5``, ``0.0``."""
    rounded = round(float(x), digits)
    if rounded == 0:
        return f"{0:.{digits}f}"
    return f"{rounded:+.{digits}f}"


def no_negative_zero(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` decimals, ``0.000`` rather than ``-0.000``."""
    rounded = round(float(x), digits)
    return f"{rounded + 0.0:.{digits}f}"


def printed_gap(a: float, b: float, digits: int = 1) -> float:
    """a − b in percentage points, as a reader works it out from the two printed percentages
    (``100·a`` and ``100·b`` to ``digits`` decimals): "10.1% vs 87.6%" is 77.5 points, even when
    the unrounded gap is 77.58."""
    return round(round(100 * a, digits) - round(100 * b, digits), digits) + 0.0


def vector(values, digits: int = 3) -> str:
    """``[-1.000, 0.002, 0.998]``: every entry to the same decimals, no ``-0.000``."""
    return "[" + ", ".join(no_negative_zero(v, digits) for v in values) + "]"
