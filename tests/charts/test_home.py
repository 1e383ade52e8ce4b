import numpy as np

from core.charts.home import SPIKE_RATIO, loop_figure
from core.home import LoopConfig, run_loop


class Text(dict):
    def __missing__(self, key):
        return key.upper()


def test_a_loss_spike_gets_a_log_axis_that_still_shows_the_typical_losses():
    result = run_loop(LoopConfig(dataset="moons", hidden=16, epochs=30, lr=1.0))  # "too fast"
    losses = np.concatenate([result.train_loss, result.val_loss])
    assert losses.max() > SPIKE_RATIO * np.percentile(losses, 90)  # the spike the issue saw
    axis = loop_figure(result, Text()).layout.yaxis
    assert axis.type == "log"
    low, high = axis.range  # log10 units: both the spike and the median loss are on the axis
    assert low <= np.log10(np.median(losses)) <= high and np.log10(losses.max()) <= high


def test_a_calm_run_keeps_a_linear_axis_from_zero():
    result = run_loop(LoopConfig(dataset="moons", hidden=16, epochs=30, lr=0.03))
    axis = loop_figure(result, Text()).layout.yaxis
    assert axis.type != "log" and axis.rangemode == "tozero"


def test_the_accuracy_panel_says_percent_in_its_title_not_between_the_panels():
    # An axis title on the right panel's y axis is drawn in the gap between the two panels,
    # where it read as the left (loss) panel's; the unit belongs in the panel's own title.
    result = run_loop(LoopConfig(dataset="moons", hidden=16, epochs=5, lr=0.03))
    fig = loop_figure(result, Text(acc_title="Validation accuracy (%)"))
    assert fig.layout.yaxis2.title.text is None
    assert "(%)" in fig.layout.annotations[1].text
