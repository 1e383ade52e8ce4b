// The app's one chart element (ui/chart_element.py), served from static/ (ui.assets).
// Streamlit keeps this component's parentElement across reruns (its identity is the key) and
// calls this function again with new data, so a changed figure is drawn into the SAME div with Plotly.react instead of being
// unmounted and drawn anew with Plotly.newPlot, as st.plotly_chart does.

const NO_MODE_BAR = "(hover: none), (pointer: coarse)"; // touch: the bar covered chart titles

// plotly.js is loaded once per page from the app's own static files (no network).
function loadPlotly(url) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__dlePlotly) {
    window.__dlePlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { window.__dlePlotly = undefined; reject(new Error(`plotly.js: ${url}`)); };
      document.head.appendChild(script);
    });
  }
  return window.__dlePlotly;
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// lodash-style deep merge of `extra` into `target` (extra wins), as Streamlit merges its theme.
function merge(target, extra) {
  for (const [name, value] of Object.entries(extra)) {
    if (isObject(value)) {
      if (!isObject(target[name])) target[name] = {};
      merge(target[name], value);
    } else {
      target[name] = value;
    }
  }
  return target;
}

// Streamlit 1.67.0's chart theme (PlotlyChart CustomTheme: the layout it merges into the
// figure's template), rebuilt from the --st-* CSS variables Streamlit sets around a component.
// Sizes are rem of the base font (twoSm 0.75, sm 0.875, md 1); the greys are the light theme's
// (the app's theme is light: .streamlit/config.toml) as Streamlit resolves them.
function streamlitTheme(element) {
  const css = getComputedStyle(element);
  const variable = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const base = parseFloat(variable("--st-base-font-size", "16px")) || 16;
  const rem = (r) => r * base;
  const body = variable("--st-font", "sans-serif");
  const heading = variable("--st-heading-font", body);
  const background = variable("--st-background-color", "#ffffff");
  const headingColor = variable("--st-heading-color", variable("--st-text-color", "#262730"));
  const muted = "#808495"; // Streamlit's gray70: axis text, ticks, hover text
  const legendText = "#262730"; // gray90
  const grid = "#e6eaf1";
  const small = rem(0.75), medium = rem(0.875);
  const axisTitle = { font: { color: muted, size: medium } };
  const tickfont = { color: muted, size: small };
  return {
    font: { color: muted, family: body, size: small, weight: 400 },
    title: { font: { family: heading, size: rem(1), color: headingColor }, pad: { l: rem(0.25) },
             xanchor: "left", x: 0 },
    legend: { title: { font: { size: small, color: muted }, side: "top" }, valign: "top",
              bordercolor: "transparent", borderwidth: 0, font: { size: small, color: legendText } },
    paper_bgcolor: background,
    plot_bgcolor: background,
    yaxis: { ticklabelposition: "outside", zerolinecolor: grid, tickcolor: grid, gridcolor: grid,
             title: { ...axisTitle, standoff: rem(1.5) }, tickfont, minor: { gridcolor: grid },
             automargin: true },
    xaxis: { zerolinecolor: grid, gridcolor: grid, showgrid: false, tickfont, tickcolor: grid,
             title: { ...axisTitle, standoff: rem(1.25) }, minor: { gridcolor: grid },
             zeroline: false, automargin: true },
    margin: { pad: rem(0.5), r: 0, l: 0 },
    hoverlabel: { bgcolor: background, bordercolor: variable("--st-border-color", "#d6d6d9"),
                  font: { color: muted, family: body, size: small } },
    coloraxis: { colorbar: { thickness: 16, xpad: rem(1.5), ticklabelposition: "outside",
                             outlinecolor: "transparent", outlinewidth: 8, len: 0.75, y: 0.5745,
                             title: axisTitle, tickfont } },
  };
}

function themed(figure, element) {
  const layout = figure.layout;
  layout.template = isObject(layout.template) ? layout.template : {};
  layout.template.layout = merge(isObject(layout.template.layout) ? layout.template.layout : {},
                                 streamlitTheme(element));
  const title = isObject(layout.title) ? layout.title : (layout.title ? { text: layout.title } : null);
  if (title && title.text) layout.title = { ...title, text: `<b>${title.text}</b>` };
}

// Plotly picks 5 to 10 ticks per axis whatever its drawn length and label size, so on a phone's
// half-width subplot or with a projector's 18 px labels neighbouring labels ran together ("150"
// and "0" read "1500"). Each axis gets at most as many ticks as its length holds labels as wide
// as the ones it drew; an axis whose figure sets its own ticks (tickvals, dtick, nticks) keeps
// them. A category axis keeps one label per category, turned 45° when they do not fit side by
// side (plotly measured them before the web font arrived: "클래스 0" ran into "클래스 1").
const LABEL_GAP = 1.2;   // the space kept between two x labels, in font sizes
const LINE_ROOM = 1.9;   // a y label's line plus its gap, in font sizes
const TURNED = -45;

// A label's width in font sizes: Hangul and other wide characters ~1, the rest ~0.6.
function labelWidth(text) {
  let width = 0;
  for (const c of text.replace(/<[^>]+>/g, "")) width += c.codePointAt(0) >= 0x1100 ? 1 : 0.6;
  return width;
}

function widestLabel(axis) {
  const widths = (axis._vals || []).map((tick) => labelWidth(String(tick.text ?? "")));
  return widths.length ? Math.max(...widths) : 2.4;
}

function ownTicks(layout) {
  const own = new Set();
  for (const [name, axis] of Object.entries(layout)) {
    if (!/^[xy]axis\d*$/.test(name) || !isObject(axis)) continue;
    if (axis.tickvals || axis.tickmode === "array" || axis.dtick !== undefined
        || axis.nticks !== undefined) own.add(`${name}.nticks`);
    if (axis.tickangle !== undefined) own.add(`${name}.tickangle`);
  }
  return own;
}

// {"xaxis2.nticks": n, "xaxis.tickangle": a, ...} for the drawn axes (0 / "auto": plotly's own).
function tickFit(div) {
  const full = div._fullLayout;
  const fit = {};
  if (!full || !full._subplots) return fit;
  for (const id of [...(full._subplots.xaxis || []), ...(full._subplots.yaxis || [])]) {
    const name = `${id.charAt(0)}axis${id.slice(1)}`;
    const axis = full[name];
    if (!axis || !axis._length) continue;
    const vertical = id.charAt(0) === "y";
    const font = axis.tickfont?.size || 12;
    const room = vertical ? LINE_ROOM * font : (widestLabel(axis) + LABEL_GAP) * font;
    if (axis.type === "category" || axis.type === "multicategory") {
      fit[`${name}.nticks`] = 0;
      if (!vertical) {
        const wanted = (axis._vals || []).length * room;
        fit[`${name}.tickangle`] = wanted > axis._length ? TURNED : "auto";
      }
    } else {
      // plotly.js's own count (axes.js autoTicks): length / 80 px (x) or / 40 px (y), 4..9, + 1
      const plotlys = Math.min(Math.max(axis._length / (vertical ? 40 : 80), 4), 9) + 1;
      const fits = Math.max(2, Math.floor(axis._length / room));
      fit[`${name}.nticks`] = fits < plotlys ? fits : 0;
    }
  }
  for (const path of div.__dleOwnTicks) delete fit[path];
  return fit;
}

// The fitted settings the axes lack, as a relayout update (empty if none).
function missingFit(div) {
  const update = {};
  for (const [path, value] of Object.entries(tickFit(div))) {
    const [name, property] = path.split(".");
    const now = div._fullLayout[name][property] ?? (property === "nticks" ? 0 : "auto");
    if (now !== value) update[path] = value;
  }
  return update;
}

// Draw with the fit of the last draw (a rerun usually keeps the sizes), then correct it from
// the axes as drawn: one cheap axis redraw on a first draw or after a resize.
function fitTicks(div, Plotly) {
  const update = missingFit(div);
  return Object.keys(update).length ? Plotly.relayout(div, update) : Promise.resolve();
}

function observeSize(div, Plotly) {
  if (div.__dleResize) return;
  let pending = 0;
  div.__dleResize = new ResizeObserver(() => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      if (div.isConnected && div._fullLayout) {
        Plotly.Plots.resize(div).then(() => fitTicks(div, Plotly));
      }
    });
  });
  div.__dleResize.observe(div);
}

export default function (component) {
  const { data, parentElement } = component;
  let div = parentElement.querySelector(":scope > .dle-chart");
  if (!div) {
    div = document.createElement("div");
    div.className = "dle-chart";
    div.setAttribute("role", "figure");  // not "img": its children (mode bar, drag layers) stay interactive
    parentElement.appendChild(div);
  }
  // Streamlit runs this again on every rerun for every chart, changed or not (each rerun's
  // data is a new object); an unchanged figure is left as it is drawn.
  const start = performance.now();
  const text = typeof data === "string" ? data : new TextDecoder().decode(data);
  if (text === div.__dleDrawn) return cleanup(div);
  div.__dleDrawn = text;
  const message = JSON.parse(text);
  div.setAttribute("aria-label", message.label);
  heading(parentElement, div, message.heading);
  const figure = message.figure;
  figure.layout = figure.layout || {};
  if (!message.presenter) themed(figure, parentElement);
  figure.layout.uirevision = figure.layout.uirevision ?? message.key; // a zoom survives a press
  figure.layout.autosize = true;
  delete figure.layout.width;
  figure.layout.height = figure.layout.height || message.height;
  div.style.height = `${figure.layout.height}px`;
  div.__dleOwnTicks = ownTicks(figure.layout);
  for (const [path, value] of Object.entries(tickFit(div))) {
    const [name, property] = path.split(".");
    if (value && value !== "auto") {
      figure.layout[name] = { ...(figure.layout[name] || {}), [property]: value };
    }
  }
  const config = { displaylogo: false, responsive: false,
                   displayModeBar: window.matchMedia(NO_MODE_BAR).matches ? false : "hover" };
  const draw = (Plotly) => Plotly.react(div, { data: figure.data || [], layout: figure.layout,
                                               frames: figure.frames || [], config });
  // window.__dleDrawing counts draws under way, so a benchmark can wait until all are painted.
  window.__dleDrawing = (window.__dleDrawing || 0) + 1;
  loadPlotly(message.plotly)
    .then((Plotly) => draw(Plotly).then(() => fitTicks(div, Plotly)).then(() => {
      observeSize(div, Plotly);
      performance.measure(`dle-chart ${message.key}`, { start }); // for benchmarks
    }))
    .finally(() => { window.__dleDrawing -= 1; });
  return cleanup(div);
}

// Presenter view draws the figure's title above the plot, in the element itself (one element
// fewer per chart on every press than a markdown line beside it): at projector sizes a legend
// above the plot ran into a title inside it. The text is the app's own (translated, with
// numbers), with the same inline HTML (<br>, <sup>) a plotly title may carry.
function heading(parentElement, div, text) {
  let title = parentElement.querySelector(":scope > .dle-chart-title");
  if (!text) return title?.remove();
  if (!title) {
    title = document.createElement("div");
    title.className = "dle-chart-title";
    title.setAttribute("aria-hidden", "true"); // the figure's aria-label already says it
    parentElement.insertBefore(title, div);
  }
  if (title.innerHTML !== text) title.innerHTML = text;
}

// Streamlit calls a cleanup only when the element unmounts or when a run it superseded
// finishes late; in the second case the div is still on the page and must stay drawn.
function cleanup(div) {
  return () => {
    if (div.isConnected) return;
    div.__dleResize?.disconnect();
    div.__dleResize = undefined;
    div.__dleDrawn = undefined;
    window.Plotly?.purge(div);
  };
}
