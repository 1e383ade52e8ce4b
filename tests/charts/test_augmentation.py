import json

import numpy as np

from core.augmentation import GalleryConfig, TrainingConfig, run_gallery, run_training
from core.charts.augmentation import (
    COLUMNS, GAP, curves_figure, gallery_figure, robustness_figure,
)

TEXT = {k: k.upper() for k in ("title", "original", "accuracy", "loss", "x", "train", "val",
                               "diverged", "rotated", "shifted", "angle", "shift")}
NAMES = {"plain": "P", "augmented": "A"}


def test_gallery_figure_draws_every_image():
    """One heatmap of all the images side by side: each tile is its image, pixel for pixel,
    where its title says (8 to a row, the original first), and empty (NaN) between them."""
    result = run_gallery(GalleryConfig(count=15))
    fig = gallery_figure(result, TEXT)
    assert len(fig.data) == 1 and len(fig.layout.annotations) == 16
    assert fig.layout.annotations[0].text == "ORIGINAL"
    z = np.asarray(fig.data[0].z, dtype=float)[::-1]  # row 0 = the top of the picture
    images = [result.original, *result.augmented]
    for i, (image, title) in enumerate(zip(images, fig.layout.annotations)):
        top, left = (i // COLUMNS) * (8 + 2 * GAP), (i % COLUMNS) * (8 + GAP)
        assert np.array_equal(z[top:top + 8, left:left + 8], image), i
        assert left <= title.x <= left + 7  # the title sits over its own tile
    assert np.isnan(z).sum() == z.size - 16 * 64
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
