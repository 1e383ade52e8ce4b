"""The live tick's training budget (core.lab.tick_budget): quick ticks keep the quiet-machine
budget, slow ones train long enough that TRAIN_SHARE of a tick still trains, up to a cap."""

import math

import pytest

from core import lab


@pytest.mark.parametrize("other", [None, 0.0, -1.0, math.nan, 0.001, 0.015])
def test_a_quick_or_unknown_rest_keeps_the_quiet_budget(other):
    assert lab.tick_budget(other) == lab.TICK_BUDGET == 0.045


@pytest.mark.parametrize("other", [0.02, 0.03, 0.05])
def test_a_slow_rest_still_leaves_three_quarters_of_the_tick_to_training(other):
    budget = lab.tick_budget(other)
    assert budget / (budget + other) == pytest.approx(0.75)  # 3:1, whatever the rest costs


def test_the_budget_never_passes_the_cap_a_click_waits_for():
    assert lab.tick_budget(0.1) == lab.MAX_TICK_BUDGET == 0.2
    assert lab.tick_budget(5.0) == 0.2

