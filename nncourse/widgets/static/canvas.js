// The course's one front-end piece: draws a scene sent by the kernel (nncourse/widgets/_canvas.py) on a
// <canvas>. The kernel computes everything (data, colours, layout); this file only paints it, and reports
// clicks on a clickable panel and the ticks of a running animation back to the kernel.
//
// A scene is a list of panels: {box: [left, top, width, height] in CSS pixels, xlim, ylim, xscale, yscale,
// title, xlabel, ylabel, axes (frame, ticks and grid, default true), xticks/yticks ([[value, label], ...],
// optional), items (drawn in order), legend, colorbar, clickable}. Numeric arrays arrive as float32 buffers;
// an image item names its pixels (item.key), which arrive apart, in the model's `images`.

const FONT = '"DejaVu Sans", "Helvetica Neue", Arial, sans-serif';
const SUPERSCRIPT = { '-': '\u207b', 0: '\u2070', 1: '\u00b9', 2: '\u00b2', 3: '\u00b3', 4: '\u2074',
  5: '\u2075', 6: '\u2076', 7: '\u2077', 8: '\u2078', 9: '\u2079' };

// A float32 buffer (a DataView from the kernel) or a plain list, as something indexable.
function values(v) {
  if (v instanceof DataView) return new Float32Array(v.buffer, v.byteOffset, v.byteLength / 4);
  return v ?? [];
}

// Per-item value: a list gives one entry per element, anything else is shared by all.
function pick(v, i) {
  return Array.isArray(v) || ArrayBuffer.isView(v) ? v[i] : v;
}

function transform(panel) {
  const [left, top, width, height] = panel.box;
  const scale = (kind, [a, b], v) => (kind === 'log' ? (Math.log10(v) - Math.log10(a)) / (Math.log10(b) - Math.log10(a))
    : (v - a) / (b - a));
  const unscale = (kind, [a, b], t) => (kind === 'log' ? 10 ** (Math.log10(a) + t * (Math.log10(b) - Math.log10(a)))
    : a + t * (b - a));
  return {
    x: (v) => left + width * scale(panel.xscale, panel.xlim, v),
    y: (v) => top + height * (1 - scale(panel.yscale, panel.ylim, v)),
    inverse: (px, py) => [unscale(panel.xscale, panel.xlim, (px - left) / width),
      unscale(panel.yscale, panel.ylim, 1 - (py - top) / height)],
  };
}

function niceTicks([a, b], kind) {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (kind === 'log') {
    const first = Math.ceil(Math.log10(lo));
    const last = Math.floor(Math.log10(hi));
    const every = Math.max(1, Math.ceil((last - first + 1) / 7));
    const ticks = [];
    for (let k = first; k <= last; k += every) {
      const label = k === 0 ? '1' : k === 1 ? '10' : `10${String(k).split('').map((c) => SUPERSCRIPT[c]).join('')}`;
      ticks.push([10 ** k, label]);
    }
    return ticks;
  }
  const raw = (hi - lo) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (step / magnitude === 2.5 ? 1 : 0));
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    const shown = Math.abs(v) < step * 1e-9 ? 0 : v;
    ticks.push([shown, shown.toFixed(digits).replace('-', '\u2212')]);
  }
  return ticks;
}

function text(ctx, str, x, y, { size = 12, color = '#000', align = 'center', baseline = 'middle', weight = '',
  angle = 0 } = {}) {
  ctx.save();
  ctx.font = `${weight} ${size}px ${FONT}`;
  ctx.fillStyle = color;
  ctx.textAlign = align;
  ctx.textBaseline = baseline;
  ctx.translate(x, y);
  if (angle) ctx.rotate(angle);
  ctx.fillText(str, 0, 0);
  ctx.restore();
}

function marker(ctx, shape, x, y, r) {
  ctx.beginPath();
  if (shape === 's') ctx.rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8);
  else if (shape === '^') { ctx.moveTo(x, y - r * 1.15); ctx.lineTo(x + r, y + r * 0.75); ctx.lineTo(x - r, y + r * 0.75); }
  else if (shape === 'D') { ctx.moveTo(x, y - r * 1.2); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r * 1.2); ctx.lineTo(x - r, y); }
  else if (shape === '|') { ctx.moveTo(x, y - r); ctx.lineTo(x, y + r); }
  else ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.closePath();
}

const DRAW = {
  line(ctx, t, item) {
    const xs = values(item.x);
    const ys = values(item.y);
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < xs.length; i += 1) {
      if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) { pen = false; continue; }
      if (pen) ctx.lineTo(t.x(xs[i]), t.y(ys[i])); else ctx.moveTo(t.x(xs[i]), t.y(ys[i]));
      pen = true;
    }
    ctx.strokeStyle = item.color;
    ctx.lineWidth = item.width ?? 2;
    ctx.setLineDash(item.dash ?? []);
    ctx.stroke();
    ctx.setLineDash([]);
  },
  polygon(ctx, t, item) {
    const xs = values(item.x);
    const ys = values(item.y);
    if (!xs.length) return;
    ctx.beginPath();
    for (let i = 0; i < xs.length; i += 1) ctx.lineTo(t.x(xs[i]), t.y(ys[i]));
    ctx.closePath();
    ctx.fillStyle = item.color;
    ctx.fill();
  },
  points(ctx, t, item) {
    const xs = values(item.x);
    const ys = values(item.y);
    for (let i = 0; i < xs.length; i += 1) {
      marker(ctx, pick(item.marker, i) ?? 'o', t.x(xs[i]), t.y(ys[i]), pick(item.size, i) ?? 4);
      const fill = pick(item.color, i);
      if (fill && fill !== 'none') { ctx.fillStyle = fill; ctx.fill(); }
      const edge = pick(item.edge, i);
      if (edge && edge !== 'none') {
        ctx.strokeStyle = edge;
        ctx.lineWidth = pick(item.edgewidth, i) ?? 1;
        ctx.stroke();
      }
    }
  },
  segments(ctx, t, item) {
    const [x0, y0, x1, y1] = [item.x0, item.y0, item.x1, item.y1].map(values);
    ctx.lineCap = 'round';
    for (let i = 0; i < x0.length; i += 1) {
      ctx.beginPath();
      ctx.moveTo(t.x(x0[i]), t.y(y0[i]));
      ctx.lineTo(t.x(x1[i]), t.y(y1[i]));
      ctx.strokeStyle = pick(item.color, i);
      ctx.lineWidth = pick(item.width, i);
      ctx.stroke();
    }
    ctx.lineCap = 'butt';
  },
  arrow(ctx, t, item) {
    const [x0, y0, x1, y1] = [t.x(item.x0), t.y(item.y0), t.x(item.x1), t.y(item.y1)];
    const angle = Math.atan2(y1 - y0, x1 - x0);
    const head = 9;
    ctx.strokeStyle = item.color;
    ctx.fillStyle = item.color;
    ctx.lineWidth = item.width ?? 2;
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1 - head * 0.8 * Math.cos(angle), y1 - head * 0.8 * Math.sin(angle));
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - head * Math.cos(angle - 0.4), y1 - head * Math.sin(angle - 0.4));
    ctx.lineTo(x1 - head * Math.cos(angle + 0.4), y1 - head * Math.sin(angle + 0.4));
    ctx.closePath();
    ctx.fill();
  },
  bars(ctx, t, item) {
    const xs = values(item.x);
    const hs = values(item.height);
    const base = item.bottom ?? 0;
    for (let i = 0; i < xs.length; i += 1) {
      const left = t.x(xs[i] - item.width / 2);
      const right = t.x(xs[i] + item.width / 2);
      const top = t.y(hs[i]);
      ctx.fillStyle = pick(item.color, i);
      ctx.fillRect(left, top, right - left, t.y(base) - top);
      const edge = pick(item.edge, i);
      if (edge && edge !== 'none') {
        ctx.strokeStyle = edge;
        ctx.lineWidth = 1;
        ctx.setLineDash(pick(item.dash, i) ?? []);
        ctx.strokeRect(left, top, right - left, t.y(base) - top);
        ctx.setLineDash([]);
      }
    }
  },
  image(ctx, t, item, tiles) {
    // The pixels arrive apart from the panels (model 'images'), already turned into a tile; row 0 of the
    // tile is the bottom of the extent (y = extent[2]), as matplotlib's imshow(origin="lower").
    const tile = tiles.get(item.key);
    if (!tile) return;
    const [x0, x1, y0, y1] = item.extent;
    ctx.save();
    ctx.globalAlpha = item.alpha ?? 1;
    ctx.imageSmoothingEnabled = item.smooth ?? true;
    ctx.translate(t.x(x0), t.y(y0));
    ctx.scale(1, -1);
    ctx.drawImage(tile, 0, 0, t.x(x1) - t.x(x0), t.y(y0) - t.y(y1));
    ctx.restore();
  },
  text(ctx, t, item) {
    text(ctx, item.text, t.x(item.x) + (item.dx ?? 0), t.y(item.y) + (item.dy ?? 0), item);
  },
};

function drawAxes(ctx, panel, t) {
  const [left, top, width, height] = panel.box;
  const xticks = panel.xticks ?? niceTicks(panel.xlim, panel.xscale);
  const yticks = panel.yticks ?? niceTicks(panel.ylim, panel.yscale);
  const inside = (v, [a, b]) => v >= Math.min(a, b) - 1e-12 && v <= Math.max(a, b) + 1e-12;
  ctx.lineWidth = 1;
  for (const [v, label] of xticks) {
    if (!inside(v, panel.xlim)) continue;
    const x = Math.round(t.x(v)) + 0.5;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.09)';
    ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
    text(ctx, label, x, top + height + 5, { size: 11, baseline: 'top', color: '#333' });
  }
  for (const [v, label] of yticks) {
    if (!inside(v, panel.ylim)) continue;
    const y = Math.round(t.y(v)) + 0.5;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.09)';
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + width, y); ctx.stroke();
    text(ctx, label, left - 5, y, { size: 11, align: 'right', color: '#333' });
  }
  ctx.strokeStyle = '#333';
  ctx.beginPath();
  ctx.moveTo(left + 0.5, top); ctx.lineTo(left + 0.5, top + height + 0.5); ctx.lineTo(left + width, top + height + 0.5);
  ctx.stroke();
}

function drawLegend(ctx, panel) {
  const [left, top, width] = panel.box;
  const entries = panel.legend;
  const [dx, dy] = panel.legend_at ?? [8, 8];
  const x = dx >= 0 ? left + dx : left + width + dx;
  ctx.font = `11px ${FONT}`;
  const wide = Math.max(...entries.map((e) => ctx.measureText(e.label).width)) + 34;
  const x0 = dx >= 0 ? x : x - wide;
  ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
  ctx.fillRect(x0, top + dy, wide, entries.length * 17 + 6);
  entries.forEach((entry, i) => {
    const y = top + dy + 12 + i * 17;
    if (entry.marker) {
      marker(ctx, entry.marker, x0 + 14, y, 5);
      if (entry.color && entry.color !== 'none') { ctx.fillStyle = entry.color; ctx.fill(); }
      if (entry.edge) { ctx.strokeStyle = entry.edge; ctx.lineWidth = entry.edgewidth ?? 1; ctx.stroke(); }
    } else {
      ctx.strokeStyle = entry.color;
      ctx.lineWidth = entry.width ?? 2;
      ctx.setLineDash(entry.dash ?? []);
      ctx.beginPath(); ctx.moveTo(x0 + 4, y); ctx.lineTo(x0 + 24, y); ctx.stroke();
      ctx.setLineDash([]);
    }
    text(ctx, entry.label, x0 + 30, y, { size: 11, align: 'left' });
  });
}

function drawColorbar(ctx, panel) {
  const bar = panel.colorbar;
  const [left, top, width, height] = panel.box;
  const x = left + width + 12;
  const gradient = ctx.createLinearGradient(0, top + height, 0, top);
  bar.colors.forEach((color, i) => gradient.addColorStop(i / (bar.colors.length - 1), color));
  ctx.fillStyle = gradient;
  ctx.fillRect(x, top, 12, height);
  ctx.strokeStyle = '#333';
  ctx.lineWidth = 1;
  ctx.strokeRect(x + 0.5, top + 0.5, 12, height);
  for (const [v, label] of bar.ticks) {
    const y = top + height * (1 - (v - bar.vmin) / (bar.vmax - bar.vmin));
    text(ctx, label, x + 16, y, { size: 10, align: 'left' });
  }
  if (bar.label) text(ctx, bar.label, x + 56, top + height / 2, { size: 11, angle: -Math.PI / 2 });
}

function drawPanel(ctx, panel, tiles) {
  const t = transform(panel);
  const [left, top, width, height] = panel.box;
  if (panel.axes !== false) drawAxes(ctx, panel, t);
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  if (panel.clip !== false) ctx.clip();
  for (const item of panel.items ?? []) {
    ctx.globalAlpha = item.alpha ?? 1;
    DRAW[item.type](ctx, t, item, tiles);
  }
  ctx.restore();
  ctx.globalAlpha = 1;
  if (panel.title) text(ctx, panel.title, left + width / 2, top - 9, { size: panel.title_size ?? 13 });
  if (panel.xlabel) text(ctx, panel.xlabel, left + width / 2, top + height + 32, { size: 12 });
  if (panel.ylabel) text(ctx, panel.ylabel, left - 44, top + height / 2, { size: 12, angle: -Math.PI / 2 });
  if (panel.legend?.length) drawLegend(ctx, panel);
  if (panel.colorbar) drawColorbar(ctx, panel);
}

function render({ model, el }) {
  const canvas = document.createElement('canvas');
  canvas.className = 'nncourse-canvas';
  canvas.setAttribute('role', 'img');
  el.appendChild(canvas);
  const ctx = canvas.getContext('2d');

  // Images by content key (nx x ny RGBA pixels each): a tile is made once per new image and kept while
  // the kernel still shows it, so redraws that keep the images (a moved input) only paint.
  let tiles = new Map();
  function loadTiles() {
    const next = new Map();
    for (const [key, im] of Object.entries(model.get('images') ?? {})) {
      let tile = tiles.get(key);
      if (!tile) {
        const pixels = new Uint8ClampedArray(im.rgba.buffer, im.rgba.byteOffset, im.rgba.byteLength);
        tile = new OffscreenCanvas(im.nx, im.ny);
        tile.getContext('2d').putImageData(new ImageData(pixels, im.nx, im.ny), 0, 0);
      }
      next.set(key, tile);
    }
    tiles = next;
  }

  function draw() {
    const width = model.get('width');
    const height = model.get('height');
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    canvas.setAttribute('aria-label', model.get('description'));
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    for (const panel of model.get('panels')) drawPanel(ctx, panel, tiles);
  }

  // Clicks (and drags) on a clickable panel go to the kernel in data coordinates, at most one per frame.
  let pending = null;
  function point(event) {
    const rect = canvas.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    model.get('panels').forEach((panel, index) => {
      const [left, top, width, height] = panel.box;
      if (panel.clickable && px >= left && px <= left + width && py >= top && py <= top + height) {
        const [x, y] = transform(panel).inverse(px, py);
        if (pending === null) requestAnimationFrame(() => { model.send(pending); pending = null; });
        pending = { event: 'click', panel: index, x, y };
      }
    });
  }
  canvas.addEventListener('pointerdown', (event) => { canvas.setPointerCapture(event.pointerId); point(event); });
  canvas.addEventListener('pointermove', (event) => { if (event.buttons & 1) point(event); });

  // While "playing", ask the kernel for a new frame every `interval` ms, with at most two requests
  // unanswered (one computing while the other's answer travels): the kernel never gets more requests than
  // it can answer, so it stays responsive to every other control.
  let waiting = 0;
  let lastTick = 0;
  let timer = null;
  let stalled = null;
  function schedule() {
    clearTimeout(timer);
    if (!model.get('playing') || waiting >= 2) return;
    const wait = Math.max(0, model.get('interval') - (performance.now() - lastTick));
    timer = setTimeout(() => {
      waiting += 1;
      lastTick = performance.now();
      model.send({ event: 'tick' });
      clearTimeout(stalled);
      stalled = setTimeout(() => { waiting = 0; schedule(); }, 1000); // frames that changed nothing
      schedule();
    }, wait);
  }

  model.on('change:images', loadTiles);
  model.send({ event: 'ready' }); // a view exists: the kernel may prepare what the learner will ask for next
  model.on('change:panels', () => { draw(); waiting = Math.max(0, waiting - 1); schedule(); });
  model.on('change:width change:height change:description', draw);
  model.on('change:playing', () => { waiting = 0; schedule(); });
  loadTiles();
  draw();
  schedule();
  return () => { clearTimeout(timer); clearTimeout(stalled); };
}

export default { render };
