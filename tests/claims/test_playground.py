"""/playground's notice: every claim it makes holds on the snapshot, checked with its own
arithmetic, over the presets trained a few epochs, a fresh run and a diverging one."""

import dataclasses
import math

import pytest

from core import lab


def snapshots():
    for preset_id, fields in lab.PRESETS.items():
        session = lab.LabSession(lab.config_from_fields(fields))
        yield f"{preset_id}-fresh", session.snapshot()
        for _ in range(3):
            session.step_epoch()
        yield f"{preset_id}-3", session.snapshot()


@pytest.mark.parametrize("name, snap", list(snapshots()))
def test_every_claim_holds_on_the_snapshot(name, snap):
    claims = {c.id: c.values for c in lab.lab_claims(snap)}
    if snap.step == 0 and not snap.diverged:
        assert claims == {"fresh": {}}
    if "diverged" in claims:
        assert snap.diverged and len(claims) == 1
    if "test_below" in claims:
        assert math.isfinite(snap.test_loss) and snap.test_loss < snap.train_loss
        assert "gap" not in claims
    if "gap" in claims:
        assert snap.test_loss > 1.5 * snap.train_loss and snap.test_loss - snap.train_loss > 0.05
    if "not_learning" in claims:
        assert snap.epoch >= 50 and snap.test_loss > 0.9 * snap.curve_test_loss[0]


def test_a_diverged_snapshot_says_only_that():
    session = lab.LabSession(lab.LabConfig())
    session.step_epoch()
    snap = dataclasses.replace(session.snapshot(), diverged=True)
    assert [c.id for c in lab.lab_claims(snap)] == ["diverged"]
