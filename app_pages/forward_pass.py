"""/forward-pass — y = Wx + b, layers with and without activations, outputs, input tensors."""

import streamlit as st

from core.charts.forward_pass import (
    boundary_figure,
    contour_figure,
    digit_figure,
    layer_maps_figure,
    line_figure,
    output_figure,
)
from core.forward_pass import (
    B_RANGE,
    DATASETS,
    DEPTH_RANGE,
    LAYER_ACTIVATIONS,
    LR_CHOICES,
    NOISE_RANGE,
    W_RANGE,
    WIDTH_RANGE,
    output_notice_values,
    DigitConfig,
    LayersConfig,
    LineConfig,
    OutputConfig,
    digit_code,
    layers_claims,
    layers_code,
    line_claims,
    line_code,
    points_straight,
    outputs_code,
    run_digit,
    run_layers,
    run_line,
    run_outputs,
)
from ui.i18n import labels, scoped, t
from ui.compute import figure  # each chart built once per distinct input, shared
from ui.page import (
    ask, cached, chart, code_panel, notice, notice_claims, page_header, presets, section,
    section_fragment,
)
from ui.url_state import url_log_slider, url_select, url_slider, url_toggle

NS = "forward_pass"
tr = scoped(NS)
text = labels(f"{NS}.line", ("chart_title", "data", "line", "residual", "contour_title",
                             "colorbar", "start", "path", "best", "downhill"))

page_header(NS)
presets(NS, {  # each sets every widget of its section
    "autograd_fit": {"fp_fit": True, "fp_w": -1.5, "fp_b": 3.5, "fp_noise": 0.5, "fp_lr": 0.1},
    "too_fast": {"fp_fit": True, "fp_w": -1.5, "fp_b": 3.5, "fp_noise": 0.5, "fp_lr": 1.0},
    "deep_linear": {"fp_data": "circles", "fp_depth": 4, "fp_act": "relu", "fp_width": 6,
                    "fp_unit": 5},
    "spiral": {"fp_data": "spiral", "fp_depth": 3, "fp_width": 12, "fp_act": "tanh",
               "fp_unit": 5},
})

# 1. y = Wx + b ----------------------------------------------------------------------------
@section_fragment(NS, "line")  # a widget here reruns this section alone
def line_section() -> None:
    c1, c2, c3 = st.columns(3)  # two rows: five widgets in one row were clipped at 1024 px
    with c1:
        w = url_slider("fp_w", tr("line.w"), *W_RANGE, -1.0, step=0.1)
    with c2:
        b = url_slider("fp_b", tr("line.b"), *B_RANGE, 2.5, step=0.1)
    with c3:
        noise = url_slider("fp_noise", tr("line.noise"), *NOISE_RANGE, 0.5, step=0.1)
    c4, c5 = st.columns(2)
    with c4:
        fit = url_toggle("fp_fit", tr("line.fit"), False)
    with c5:
        lr = url_log_slider("fp_lr", tr("line.lr"), LR_CHOICES, 0.1)
    line_cfg = LineConfig(w=w, b=b, noise=noise, fit=fit, lr=lr)
    line = cached(run_line)(line_cfg)
    # One under the other: the bowl is drawn at equal scale, which needs the full width.
    chart(figure(line_figure, line, {"title": text["chart_title"], "x": "x", "y": "y"} | text
                      | {"fitted": tr("line.fitted_line", steps=line_cfg.steps)}), "fp_line")
    # Predict, then reveal: the answer is the measured angle at the hand-picked (W, b).
    ask("fp_straight", tr("ask.straight"), labels(f"{NS}.ask.straight_opt", ("yes", "no")),
        correct=points_straight(line),
        reveal=lambda: chart(figure(contour_figure, line, text | {
            "title": text["contour_title"], "w": "W", "b": "b", "diverged": t("common.diverged")}),
            "fp_contour"))
    m1, m2 = st.columns(2)
    m1.metric(tr("line.mse"), f"{line.mse:.3f}")
    if fit and not line.diverged:
        m2.metric(tr("line.fitted", steps=line_cfg.steps), f"{line.path_loss[-1]:.3f}")
        m2.caption(f"W = {line.path_w[-1]:.3f}, b = {line.path_b[-1]:.3f}")
    if line.diverged:
        st.error(t("common.diverged_at", step=line.diverged_at))
    notice_claims(f"{NS}.line", line_claims(line))
    code_panel(line_code(line_cfg), key="fp_code_line")


# 2. Layers --------------------------------------------------------------------------------
# The output section reads the layers section's network: one fragment reruns both.
@section_fragment(NS, "layers")
def layers_and_output_sections() -> None:
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        dataset = url_select("fp_data", tr("layers.dataset"), DATASETS, "circles",
                             format_func=labels(f"{NS}.dataset", DATASETS).get, horizontal=False)
    with c2:
        depth = url_slider("fp_depth", tr("layers.depth"), *DEPTH_RANGE, 2)
    with c3:
        width = url_slider("fp_width", tr("layers.width"), *WIDTH_RANGE, 6)
    with c4:
        activation = url_select("fp_act", tr("layers.activation"), LAYER_ACTIVATIONS, "relu",
                                format_func=labels(f"{NS}.act", LAYER_ACTIVATIONS).get)
    if st.session_state.get("fp_unit", 0) > width:  # the width shrank under the chosen unit
        st.session_state["fp_unit"] = width
    # Unit 5 by default: at the default seed units 1-2 of layer 1 are dead ReLUs (flat maps).
    unit = url_slider("fp_unit", tr("layers.unit"), 1, 12, 5)
    unit = min(unit, width)
    layers_cfg = LayersConfig(dataset=dataset, depth=depth, width=width, activation=activation)
    layers = cached(run_layers)(layers_cfg)
    layer_text = labels(f"{NS}.layers", ("pre", "post", "nonlinear", "linear", "class0", "class1"))
    chart(figure(layer_maps_figure, layers.nonlinear, layers.grid, unit - 1, layer_text | {
        "title": tr("layers.maps_title")}), "fp_maps")
    chart(figure(boundary_figure, layers, layer_text | {"title": tr("layers.boundary_title"),
                                                "diverged": t("common.diverged")}), "fp_boundary")
    notice_claims(f"{NS}.layers", layers_claims(layers, layers_cfg))
    code_panel(layers_code(layers_cfg), key="fp_code_layers")

    # 3. Output --------------------------------------------------------------------------------
    section(NS, "output")
    c1, c2 = st.columns(2)
    with c1:
        x1 = url_slider("fp_x1", tr("output.x1"), -1.5, 1.5, 0.3, step=0.05)
    with c2:
        x2 = url_slider("fp_x2", tr("output.x2"), -1.5, 1.5, 0.2, step=0.05)
    out_cfg = OutputConfig(layers=layers_cfg, x1=x1, x2=x2)
    out = cached(run_outputs)(out_cfg)
    chart(figure(output_figure, out, labels(f"{NS}.output", ("classification", "regression", "prob",
                                                     "predicted", "true"))
                        | {"title": tr("output.chart_title")}
                        | labels(f"{NS}.layers", ("class0", "class1"))), "fp_output")
    notice(tr("output.notice", **output_notice_values(out)))
    code_panel(outputs_code(out_cfg), key="fp_code_output")


# 4. Input processing ----------------------------------------------------------------------
@section_fragment(NS, "input")  # a widget here reruns this section alone
def input_section() -> None:
    c1, c2 = st.columns([3, 1])
    with c1:
        index = url_slider("fp_digit", tr("input.index"), 0, 1796, 0)
    with c2:
        scale = url_toggle("fp_scale", tr("input.scale"), True)
    digit_cfg = DigitConfig(index=index, scale=scale)
    digit = cached(run_digit)(digit_cfg)
    chart(figure(digit_figure, digit, labels(f"{NS}.input", ("image", "flat", "pixel"))
                       | {"title": tr("input.chart_title", label=digit.label)}), "fp_digit_fig")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(tr("input.shape"), str(digit.shape))
    m2.metric(tr("input.dtype"), digit.dtype)
    m3.metric(tr("input.range"), f"{digit.min_value:g} – {digit.max_value:g}")
    m4.metric(tr("input.flat_shape", flat=str(digit.flat_shape)), str(digit.logits_shape))
    notice(tr("input.notice", shape=digit.shape, dtype=digit.dtype, lo=digit.min_value,
             hi=digit.max_value, flat=digit.flat_shape, out=digit.logits_shape))
    code_panel(digit_code(digit_cfg), key="fp_code_input")


line_section()
layers_and_output_sections()
input_section()
