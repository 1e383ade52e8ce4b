"""/ — the training loop as a map, each step linking to its page, and one live run of it."""

import streamlit as st

from core.charts.home import loop_figure
from core.data import TOY_2D_NAMES
from core.home import (
    EPOCHS_RANGE, HIDDEN_RANGE, LR_CHOICES, LoopConfig, accuracy_end, loop_claims, loop_code,
    run_loop,
)
from ui.i18n import labels, scoped, t
from ui.compute import figure  # each chart built once per distinct input, shared
from ui.page import (
    section_fragment,
    ask, controls_beside, chart, code_panel, notice_claims, page_header, presets, run_with_progress,
)
from ui.registry import available_pages
from ui.url_state import presenting, url_log_slider, url_select, url_slider

NS = "home"
tr = scoped(NS)
STEPS = {  # loop step -> (the line of PyTorch that does it, pages that teach it)
    "data": ("for x, y in loader:", ("normalization", "augmentation", "data_split", "dataloader")),
    "forward": ("logits = model(x)", ("forward_pass", "activations")),
    "loss": ("loss = loss_fn(logits, y)", ("losses",)),
    "backward": ("loss.backward()", ("backprop",)),
    "update": ("optimizer.step()\noptimizer.zero_grad()", ("optimizers",)),
    "evaluate": ("model.eval()\nwith torch.no_grad(): ...",
                 ("metrics", "dropout", "batchnorm", "train_vs_eval")),
}

page_header(NS)
presets(NS, {
    "easy": {"home_data": "moons", "home_hidden": 16, "home_epochs": 30, "home_lr": 0.03},
    "hard": {"home_data": "spiral", "home_hidden": 64, "home_epochs": 100, "home_lr": 0.01},
    "too_fast": {"home_data": "moons", "home_hidden": 16, "home_epochs": 30, "home_lr": 1.0},
})


@section_fragment(NS, "live")  # a widget here reruns the live run alone, not the map
def live_section() -> None:
    controls, view = controls_beside("home_live")
    with controls:  # one under the other (see controls_beside): no columns of their own
        dataset = url_select("home_data", tr("live.dataset"), TOY_2D_NAMES, "moons",
                             format_func=labels(f"{NS}.dataset_name", TOY_2D_NAMES).get,
                             horizontal=False)
        hidden = url_slider("home_hidden", tr("live.hidden"), *HIDDEN_RANGE, 16)
        epochs = url_slider("home_epochs", tr("live.epochs"), *EPOCHS_RANGE, 30)
        lr = url_log_slider("home_lr", tr("live.lr"), LR_CHOICES, 0.03)
    cfg = LoopConfig(dataset=dataset, hidden=hidden, epochs=epochs, lr=lr)
    result = run_with_progress(run_loop, cfg, t("common.training"))
    chart_keys = ("title", "loss_title", "acc_title", "epoch", "train_loss", "val_loss", "val_acc")
    chart_text = ({k: tr(f"live.{k}") for k in chart_keys}
                  | {"title": tr("live.chart_title"), "diverged": t("common.diverged")})
    # Predict, then reveal: the answer is where this run's validation accuracy ended.
    with view:
        ask("home_end", tr("ask.end"), labels(f"{NS}.ask.end_opt", ("chance", "between", "high")),
            correct=accuracy_end(result),
            reveal=lambda: chart(figure(loop_figure, result, chart_text), "home_loop"))
    if result.diverged:
        st.error(t("common.diverged_at", step=result.diverged_at))
    notice_claims(f"{NS}.live", loop_claims(result))
    code_panel(loop_code(cfg), key="home_code")


live_section()

# The map under the live run: a laptop's first screen (1400x900) starts with the run's
# chart; in presenter view the map folds.
if presenting():
    loop_map = st.expander(tr("map.title"), icon=":material/route:")
else:
    st.subheader(tr("map.title"))
    loop_map = st.container()
pages = {page.namespace: page for page in available_pages()}
with loop_map:
    columns = [*st.columns(3), *st.columns(3)]  # two rows of three: readable on a projector
for column, (step, (code, namespaces)) in zip(columns, STEPS.items()):
    with column.container(border=True, height="stretch"):
        st.markdown(f"**{tr(f'map.{step}')}**")
        st.code(code, language="python")
        st.caption(tr(f"map.{step}_what"))
        for namespace in namespaces:
            if namespace in pages:
                st.page_link(pages[namespace].script, label=t(f"nav.{namespace}"),
                             icon=pages[namespace].icon)
            else:
                st.caption(f"{t(f'nav.{namespace}')} {tr('map.soon')}")
