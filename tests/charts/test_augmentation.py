import json

from core.augmentation import GalleryConfig, TrainingConfig, run_gallery, run_training
from core.charts.augmentation import curves_figure, gallery_figure, robustness_figure

TEXT = {k: k.upper() for k in ("title", "original", "accuracy", "loss", "x", "train", "val",
                               "diverged", "rotated", "shifted", "angle", "shift")}
NAMES = {"plain": "P", "augmented": "A"}


def test_gallery_figure_draws_every_image():
    fig = gallery_figure(run_gallery(GalleryConfig(count=15)), TEXT)
    assert len(fig.data) == 16 and fig.layout.annotations[0].text == "ORIGINAL"
    json.dumps(fig.to_plotly_json(), default=str)


def test_training_figures():
    runs = run_training(TrainingConfig(epochs=10))
    fig = curves_figure(runs, TEXT, NAMES)
    assert len(fig.data) == 8 and list(fig.layout.yaxis.range) == [0, 102]
    assert len(robustness_figure(runs, TEXT, NAMES).data) == 4



def test_a_small_negative_angle_is_not_shown_as_minus_zero():
    # -0.3° rounds to 0: the copy's title says "+0°", never "-0°"; -4.6° says "-5°".
    result = run_gallery(GalleryConfig(count=2))
    result.params[:, 0] = [-0.3, -4.6]
    titles = [a.text for a in gallery_figure(result, TEXT).layout.annotations][1:3]
    assert titles[0].startswith("+0°") and titles[1].startswith("-5°"), titles
