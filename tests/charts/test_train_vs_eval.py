from core.charts.common import VERMILLION
from core.charts.train_vs_eval import costs_figure
from core.train_vs_eval import COMBOS, TrainEvalConfig, combo_id, run_train_vs_eval


def test_costs_figure_marks_the_selected_combo():
    r = run_train_vs_eval(TrainEvalConfig(steps=10, width=16, timing_repeats=1))
    text = {"title": "T", "accuracy": "a", "time": "t", "memory": "m"}
    text |= {combo_id(m, ng): combo_id(m, ng) for m, ng in COMBOS}
    fig = costs_figure(r, text, "eval_grad")
    assert len(fig.data) == 3
    colors = list(fig.data[0].marker.color)
    assert colors.count(VERMILLION) == 1 and colors[2] == VERMILLION  # eval_grad, the third bar
    assert fig.data[2].x[1] == 0 and fig.data[2].x[3] == 0  # no_grad saves nothing (horizontal bars)
