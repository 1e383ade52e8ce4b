// The /playground lab's drawing element (ui/lab/drawing.py): network, output over the plane,
// legend, loss curve, epoch and losses, drawn in place. Served from static/ and imported once
// per page (ui.assets.static_module), so a tick's message carries its data, not this file.
export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  if (!data) return;
  let S = parentElement.__pgd;
  if (!S) {
    S = parentElement.__pgd = { sel: -1, link: null, sig: '' };
    const root = document.createElement('div');
    root.className = 'pgd';
    root.innerHTML = `<div class="wrap"><div class="netcol"><div class="net"></div>
      <div class="hint"></div></div>
      <div class="out"><div class="metrics"></div>
      <div class="plane"><canvas class="grid"></canvas><canvas class="pts"></canvas>
      <div class="showing" hidden></div></div>
      <div class="axis"><span></span><span></span></div>
      <div class="legend"><span class="lo"></span><canvas></canvas><span class="hi"></span></div>
      <svg class="curve" role="img"></svg></div></div>`;
    parentElement.appendChild(root);
    S.root = root;
    // a state value, not a trigger: it stays until the next tap, so a tap that lands while a
    // timed tick is running is still seen by the next run (each tap has its own id)
    S.send = (value) => setStateValue('action', { ...value, id: `${Date.now()}-${Math.random()}` });
    root.addEventListener('click', (ev) => {  // taps and clicks: one handler for both
      const t = ev.target.closest('[data-act]');
      if (!t) return;
      const act = t.dataset.act;
      if (act === 'node') { const i = +t.dataset.i; S.sel = S.sel === i ? -1 : i; S.link = null; }
      else if (act === 'link') { const k = t.dataset.k; S.link = S.link === k ? null : k; }
      else if (act === 'feature') { S.send({ kind: 'feature', name: t.dataset.name }); return; }
      else if (act === 'layers' || act === 'neurons') {
        S.send({ kind: act, layer: +(t.dataset.layer || 0), delta: +t.dataset.delta }); return; }
      paint(S, S.data);
    });
    root.addEventListener('pointerover', (ev) => {  // the mouse's hover = a tap, undone on leave
      if (ev.pointerType !== 'mouse') return;
      const t = ev.target.closest('[data-act=node],[data-act=link]');
      if (!t) return;
      S.hover = t.dataset.act === 'node' ? { sel: +t.dataset.i } : { link: t.dataset.k };
      paint(S, S.data);
    });
    root.addEventListener('pointerout', (ev) => {
      if (ev.pointerType !== 'mouse' || !S.hover) return;
      S.hover = null; paint(S, S.data);
    });
  }
  S.trigger = setTriggerValue;  // this run's (it knows the element's fragment)
  // Painted at once, and a playing lab's token goes back right after: the server's cue for
  // the next tick. Waiting for the animation frame first (to skip paints the screen would
  // not show) cost ~10 ms a tick between the data and the answer, and only one tick is ever
  // in flight, so there is nothing to skip; the canvases show at the next frame anyway.
  S.data = data;
  paint(S, data);
  answer(S);
}

const WATCH_MS = 2000;

function answer(S) {
  // Once per token, after its data is painted. While no newer data comes, the same token
  // again every WATCH_MS (a lost answer must not stop the lab; the server trains only for
  // the token it gave last, so a repeat asks for nothing more). No token (paused): nothing.
  const tok = S.data.tick;
  clearTimeout(S.watch); S.watch = 0;
  if (!tok) return;
  if (tok !== S.answered) { S.answered = tok; S.trigger('painted', tok); }
  const again = () => {
    S.watch = 0;
    if (S.data.tick !== tok) return;
    S.trigger('painted', tok);
    S.watch = setTimeout(again, WATCH_MS);
  };
  S.watch = setTimeout(again, WATCH_MS);
}

const b64 = (s) => Uint8Array.from(atob(s || ''), (c) => c.charCodeAt(0));
const hexTable = (h) => { const a = new Uint8Array(h.length / 2);
  for (let i = 0; i < a.length; i++) a[i] = parseInt(h.substr(i * 2, 2), 16); return a; };
const fmt = (v, d = 3) => (v === null || v === undefined) ? '—' : v.toFixed(d);
const pct = (v) => (v === null || v === undefined) ? '—' : (100 * v).toFixed(1) + '%';
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

function paintMap(canvas, bytes, offset, n, table) {
  if (canvas.width !== n) { canvas.width = n; canvas.height = n; }
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const q = bytes[offset + i];
    if (q === 255) { img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = 255; }
    else { img.data[4 * i] = table[3 * q]; img.data[4 * i + 1] = table[3 * q + 1];
      img.data[4 * i + 2] = table[3 * q + 2]; }
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function colorOf(table, v) {  // a weight's colour: the diverging table at v clamped to [-1, 1]
  if (v === null) return '#d62728';
  const q = Math.round((Math.max(-1, Math.min(1, v)) + 1) / 2 * 253);
  return `rgb(${table[3 * q]},${table[3 * q + 1]},${table[3 * q + 2]})`;
}

function paint(S, d) {
  const root = S.root;
  S.paints = (S.paints || 0) + 1;
  root.dataset.paints = S.paints;  // benchmarks count repaints from this
  root.classList.toggle('present', !!d.controls.present);
  const T = d.text, M = d.metrics;
  const mapTable = hexTable(d.map_table), gridTable = hexTable(d.grid_table);
  // --- metrics: epoch and losses, next to the output --------------------------------------
  const metric = (label, key, value) => `<div><span>${esc(label)}</span><b data-m="${key}">${value}</b></div>`;
  root.querySelector('.metrics').innerHTML =
    metric(T.epoch, 'epoch', M.epoch.toLocaleString('en-US')) +
    metric(T.train_loss, 'train_loss', fmt(M.train_loss)) +
    metric(T.test_loss, 'test_loss', fmt(M.test_loss)) +
    (M.test_acc !== null ? metric(T.test_acc, 'test_acc', pct(M.test_acc)) : '') +
    (M.diverged ? `<div style="color:#d62728">${esc(T.diverged)}</div>` : '');
  // --- the network: built once per shape, repainted every tick ------------------------------
  const nIn = d.all_features.length, widths = [nIn, ...d.hidden, d.n_out];
  const sig = JSON.stringify([d.all_features, d.features, d.hidden, d.n_out, d.controls, T.lang]);
  const net = root.querySelector('.net');
  const W = Math.max(200, net.clientWidth || 400);
  if (sig !== S.sig || W !== S.netW) buildNet(S, d, widths, W);
  const H = hover(S);
  const sel = H.sel;
  const maps = b64(d.maps), tt = d.thumb * d.thumb;
  // node index -> map offset: inputs in all_features order, then hidden, then outputs
  S.nodes.forEach((node) => {
    paintMap(node.canvas, maps, node.map * tt, d.thumb, mapTable);
    node.el.classList.toggle('sel', node.map === sel);
  });
  // links: colour = sign and size (the diverging table), thickness = |w|
  const active = d.features.map((f) => d.all_features.indexOf(f));
  S.links.forEach((l) => {
    const v = d.weights[l.layer][l.j * l.nin + l.i];
    const dead = d.dead[l.layer].includes(l.j * l.nin + l.i);
    l.line.setAttribute('stroke', dead ? '#bbb' : colorOf(mapTable, v));
    l.line.setAttribute('stroke-width', v === null ? 1 : (0.6 + 5.4 * Math.min(Math.abs(v) / 1.5, 1)).toFixed(2));
    l.line.setAttribute('stroke-dasharray', dead ? '3 3' : '');
    l.value = v;
  });
  const tip = root.querySelector('.tip');
  const link = S.links.find((l) => l.key === H.link);
  if (link) {
    tip.hidden = false;
    tip.textContent = `${link.name}: ${T.weight} ${link.value === null ? '—' : link.value.toFixed(3)}`;
    tip.style.left = Math.max(0, link.mx - 60) + 'px'; tip.style.top = (link.my - 30) + 'px';
  } else tip.hidden = true;
  // --- the output over the plane (or the chosen node's map, large) ---------------------------
  const grid = root.querySelector('canvas.grid'), showing = root.querySelector('.showing');
  if (sel >= 0 && sel < S.nodeNames.length) {
    paintMap(grid, maps, sel * tt, d.thumb, mapTable);
    showing.hidden = false; showing.textContent = `${S.nodeNames[sel]} · ${T.tap_again}`;
  } else {
    paintMap(grid, b64(d.grid), 0, d.grid_n, gridTable);
    showing.hidden = true;
  }
  fitPlane(S, root.querySelector('.plane'));
  paintPoints(root.querySelector('canvas.pts'), d);
  const axis = root.querySelectorAll('.axis span');
  axis[0].textContent = `x₁ = −${d.extent}`; axis[1].textContent = `x₁ = ${d.extent}`;
  root.querySelector('.plane').title = T.plane_title;
  root.querySelector('.legend .lo').textContent = sel >= 0 ? T.legend_node_lo : T.legend_lo;
  root.querySelector('.legend .hi').textContent = sel >= 0 ? T.legend_node_hi : T.legend_hi;
  const lg = root.querySelector('.legend canvas');
  const table = sel >= 0 ? mapTable : gridTable, m = table.length / 3;  // every table entry, in order
  const legendKey = sel >= 0 ? d.map_table : d.grid_table;
  if (lg.__key !== legendKey) {  // the legend changes with the problem, not with a tick
    lg.__key = legendKey;
    if (lg.width !== m) { lg.width = m; lg.height = 1; }
    const g = lg.getContext('2d'), img = g.createImageData(m, 1);
    for (let i = 0; i < m; i++) { img.data.set([table[3 * i], table[3 * i + 1], table[3 * i + 2], 255], 4 * i); }
    g.putImageData(img, 0, 0);
  }
  paintCurve(root.querySelector('svg.curve'), d);
  root.querySelector('.hint').textContent = T.hint;
}

function hover(S) { return { sel: S.hover && S.hover.sel !== undefined ? S.hover.sel : S.sel,
  link: S.hover && S.hover.link !== undefined ? S.hover.link : S.link }; }

function buildNet(S, d, widths, W) {
  const net = S.root.querySelector('.net'), T = d.text, C = d.controls;
  S.sig = JSON.stringify([d.all_features, d.features, d.hidden, d.n_out, d.controls, T.lang]);
  S.netW = W;
  const cols = widths.length, maxRows = Math.max(...widths);
  const labelW = 52, headH = C.layers ? 62 : 26;
  const colW = (W - labelW) / cols;
  const size = Math.max(22, Math.min(42, colW * 0.55, 340 / maxRows));
  const rowH = size * 1.25;
  const height = headH + maxRows * rowH + 4;
  net.style.height = height + 'px';
  net.innerHTML = '<svg></svg><div class="tip" hidden></div>';
  const svg = net.querySelector('svg');
  const ns = 'http://www.w3.org/2000/svg';
  const pos = widths.map((w, c) => Array.from({ length: w }, (_, r) => ({
    x: labelW + colW * c + (colW - size) / 2,
    y: headH + (maxRows - w) * rowH / 2 + r * rowH })));
  S.nodes = []; S.links = []; S.nodeNames = [];
  const active = new Set(d.features);
  // the map index of each drawn node: inputs (all candidates) first, then hidden, outputs
  let mapIndex = 0;
  const names = [];
  widths.forEach((w, c) => {
    for (let r = 0; r < w; r++) {
      let name;
      if (c === 0) name = T['f_' + d.all_features[r]];
      else if (c === cols - 1) name = T.output_node.replace('{k}', r);
      else name = T.neuron.replace('{layer}', c).replace('{k}', r + 1);
      names.push(name);
    }
  });
  S.nodeNames = names;
  // links first (under the nodes): layer 0 from the ACTIVE inputs only
  const inIdx = d.all_features.map((f, i) => i).filter((i) => active.has(d.all_features[i]));
  for (let L = 0; L < cols - 1; L++) {
    const from = L === 0 ? inIdx : pos[L].map((_, i) => i);
    const nin = from.length;
    pos[L + 1].forEach((b, j) => from.forEach((srcRow, i) => {
      const a = pos[L][srcRow];
      const x1 = a.x + size, y1 = a.y + size / 2, x2 = b.x, y2 = b.y + size / 2;
      const key = `${L}:${j}:${i}`;
      const line = document.createElementNS(ns, 'line');
      for (const [k, v] of [['x1', x1], ['y1', y1], ['x2', x2], ['y2', y2]]) line.setAttribute(k, v);
      line.setAttribute('stroke-linecap', 'round');
      const hit = document.createElementNS(ns, 'line');  // a wide invisible line: easy to tap
      for (const [k, v] of [['x1', x1], ['y1', y1], ['x2', x2], ['y2', y2]]) hit.setAttribute(k, v);
      hit.setAttribute('stroke', 'transparent'); hit.setAttribute('stroke-width', 12);
      hit.setAttribute('data-act', 'link'); hit.setAttribute('data-k', key);
      hit.style.cursor = 'pointer'; hit.style.pointerEvents = 'stroke';
      svg.appendChild(line); svg.appendChild(hit);
      const srcName = L === 0 ? names[srcRow] : names[widths.slice(0, L).reduce((s, v) => s + v, 0) + srcRow];
      const dstName = names[widths.slice(0, L + 1).reduce((s, v) => s + v, 0) + j];
      S.links.push({ key, line, layer: L, i, j, nin, mx: (x1 + x2) / 2, my: (y1 + y2) / 2,
        name: `${srcName} → ${dstName}` });
    }));
  }
  svg.setAttribute('viewBox', `0 0 ${W} ${height}`);
  // nodes
  let k = 0;
  widths.forEach((w, c) => {
    for (let r = 0; r < w; r++, k++) {
      const p = pos[c][r];
      const el = document.createElement('div');
      el.className = 'node';
      el.style.left = p.x + 'px'; el.style.top = p.y + 'px';
      el.style.width = el.style.height = size + 'px';
      el.setAttribute('role', 'button');
      el.setAttribute('aria-label', names[k]);
      el.title = names[k];
      const canvas = document.createElement('canvas');
      el.appendChild(canvas);
      if (c === 0) {
        const f = d.all_features[r];
        el.classList.toggle('off', !active.has(f));
        if (C.features) { el.dataset.act = 'feature'; el.dataset.name = f;
          el.title = `${names[k]} · ${T.tap_feature}`; }
        const lab = document.createElement('div');
        lab.className = 'label'; lab.textContent = names[k];
        lab.style.left = '0px'; lab.style.top = (p.y + size / 2 - 8) + 'px';
        net.appendChild(lab);
        // a feature's thumbnail also shows large: a long-press is not needed, the plane
        // shows it when it is the selected node (tap an active input's link for its weight)
      } else { el.dataset.act = 'node'; el.dataset.i = k; }
      net.appendChild(el);
      S.nodes.push({ el, canvas, map: k });
    }
  });
  // column heads: names, and +/- for layers and neurons (TF Playground's buttons)
  const head = (x, html) => { const h = document.createElement('div'); h.className = 'colhead';
    h.style.left = x + 'px'; h.style.top = '0px'; h.innerHTML = html; net.appendChild(h); return h; };
  const cx = (c) => labelW + colW * c + colW / 2;
  head(cx(0), esc(T.inputs));
  if (C.layers) {
    head(labelW + (W - labelW) / 2, `<button class="pm" data-act="layers" data-delta="-1" aria-label="${esc(T.fewer_layers)}">−</button>` +
      `<span>${esc(T.hidden_layers.replace('{n}', d.hidden.length))}</span>` +
      `<button class="pm" data-act="layers" data-delta="1" aria-label="${esc(T.more_layers)}">+</button>`).style.top = '0px';
  }
  d.hidden.forEach((w, i) => {
    const h = head(cx(i + 1), (C.layers ? `<button class="pm" data-act="neurons" data-layer="${i}" data-delta="-1" aria-label="${esc(T.fewer_neurons)}">−</button>` : '') +
      `<span>${w}</span>` +
      (C.layers ? `<button class="pm" data-act="neurons" data-layer="${i}" data-delta="1" aria-label="${esc(T.more_neurons)}">+</button>` : ''));
    h.style.top = (C.layers ? 32 : 0) + 'px';
  });
  head(cx(cols - 1), esc(T.output)).style.top = (C.layers ? 32 : 0) + 'px';
}

function fitPlane(S, plane) {
  // The whole plane and its legend inside the first screen: as wide as its column, but no
  // taller than what is left below its top (document coordinates: scrolling changes nothing).
  const column = plane.parentElement.clientWidth;
  const top = plane.getBoundingClientRect().top + window.scrollY;
  const size = Math.round(Math.max(220, Math.min(column, window.innerHeight - top - 52)));
  if (S.planeSize !== size) {
    plane.style.width = size + 'px'; S.planeSize = size;
    const axis = plane.nextElementSibling;  // x1's labels under the plane's own edges
    axis.style.width = size + 'px'; axis.style.margin = '0 auto';
  }
}

function paintPoints(canvas, d) {
  const r = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(50, Math.round(r.width * dpr));
  // the points change only with the data set or the view: most ticks leave them as they are
  const key = [w, d.extent, d.train.xy, d.train.rgb, d.test && d.test.xy, d.test && d.test.rgb].join('|');
  if (canvas.__key === key) return;
  canvas.__key = key;
  if (canvas.width !== w) { canvas.width = w; canvas.height = w; }
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, w, w);
  const sets = [[d.train, '#ffffff']];
  if (d.test) sets.push([d.test, '#000000']);
  const rad = Math.max(2.2, w / 110);
  for (const [set, ring] of sets) {
    const xy = new Int16Array(b64(set.xy).buffer), rgb = b64(set.rgb);
    for (let i = 0; i < set.n; i++) {
      const x = (xy[2 * i] / 1000 + d.extent) / (2 * d.extent) * w;
      const y = (d.extent - xy[2 * i + 1] / 1000) / (2 * d.extent) * w;
      ctx.beginPath(); ctx.arc(x, y, rad, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${rgb[3 * i]},${rgb[3 * i + 1]},${rgb[3 * i + 2]})`;
      ctx.fill(); ctx.lineWidth = Math.max(1, rad / 2.5); ctx.strokeStyle = ring; ctx.stroke();
    }
  }
}

function paintCurve(svg, d) {
  const T = d.text;
  const w = Math.max(200, svg.clientWidth || 300);
  svg.setAttribute('aria-label', T.curves_title);
  const [ep, tr, te] = d.curve;
  const all = [...tr, ...te, ...(d.pinned ? [...d.pinned[1], ...d.pinned[2]] : [])].filter((v) => v !== null);
  const top = all.length ? Math.max(...all) : 1, lastE = Math.max(1, ep.length ? ep[ep.length - 1] : 1,
    d.pinned && d.pinned[0].length ? d.pinned[0][d.pinned[0].length - 1] : 1);
  // the title and the series' names share the top row when they fit, else the names get a
  // row of their own (presenter view's 18 px text in a narrow column)
  const fs = parseFloat(getComputedStyle(svg).fontSize) || 13;
  const textW = (t) => [...t].reduce((s, c) => s + (c.charCodeAt(0) > 0x1100 ? 1.0 : 0.62), 0) * fs;
  const names = `╌ ${T.train_loss}  — ${T.test_loss}`;
  const twoRows = textW(T.curves_title) + textW(names) + 16 > w - 40;
  const row1 = Math.max(12, fs), row2 = twoRows ? row1 + fs + 4 : row1;  // baselines
  const L = 40, R = 8, Tp = row2 + 6, B = 16;
  const h = (d.controls.present ? 120 : 90) + (twoRows ? fs + 4 : 0);
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`); svg.style.height = h + 'px';
  const X = (e) => L + (w - L - R) * e / lastE, Y = (v) => Tp + (h - Tp - B) * (1 - v / (top || 1));
  const path = (xs, ys) => xs.map((e, i) => ys[i] === null ? '' : `${X(e).toFixed(1)},${Y(ys[i]).toFixed(1)}`).filter(Boolean).join(' ');
  let s = `<text x="${L}" y="${row1}">${esc(T.curves_title)}</text>`;
  s += `<text x="${L - 4}" y="${Tp + 4}" text-anchor="end">${fmt(top, 2)}</text><text x="${L - 4}" y="${h - B}" text-anchor="end">0</text>`;
  s += `<text x="${w - R}" y="${h - 2}" text-anchor="end">${esc(T.epochs)} ${lastE}</text>`;
  s += `<line x1="${L}" y1="${h - B}" x2="${w - R}" y2="${h - B}" stroke="#ccc"/>`;
  if (d.pinned) {
    s += `<polyline data-name="${esc(T.pinned_train)}" fill="none" stroke="#888" stroke-width="1.5" stroke-dasharray="2 3" points="${path(d.pinned[0], d.pinned[1])}"/>`;
    s += `<polyline data-name="${esc(T.pinned_test)}" fill="none" stroke="#555" stroke-width="1.5" stroke-dasharray="6 3" points="${path(d.pinned[0], d.pinned[2])}"/>`;
  }
  s += `<polyline data-name="${esc(T.train_loss)}" fill="none" stroke="#0877bd" stroke-width="2" stroke-dasharray="5 3" points="${path(ep, tr)}"/>`;
  s += `<polyline data-name="${esc(T.test_loss)}" fill="none" stroke="#222" stroke-width="2" points="${path(ep, te)}"/>`;
  s += `<text x="${w - R}" y="${row2}" text-anchor="end"><tspan fill="#0877bd">╌ ${esc(T.train_loss)}</tspan>  <tspan>— ${esc(T.test_loss)}</tspan></text>`;
  svg.innerHTML = s;
}
