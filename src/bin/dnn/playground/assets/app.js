// The page: settings (kept in the URL), the run on the server (created, controlled, streamed),
// and the pictures of each frame.
"use strict";

const $ = id => document.getElementById(id);
const ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky-relu", "linear"];
const NAMES = { sigmoid: "σ", tanh: "tanh", relu: "ReLU", "leaky-relu": "leaky ReLU", linear: "linear", softmax: "softmax" };

// The course's flower network by default.
const DEFAULTS = {
  data: { set: "planar", seed: 1, classes: null, noise: 0, test_fraction: 0.2, points: [] },
  network: { hidden: [{ units: 4, activation: "tanh" }], output: "sigmoid", init: "scaled:0.01", seed: 2 },
  training: { learning_rate: 1.2, optimizer: "gd", batch_size: null, l2: 0, keep_prob: 1 },
};

let settings = fromUrl();
// Iterations per second (0: as fast as it goes); 1000 lets the boundary be watched forming.
let speed = Number(new URLSearchParams(location.hash.slice(1)).get("speed") ?? 1000);
let runId = null;
let events = null;
let data = null;      // the points of the current run
let frame = null;     // the latest frame
let unitImages = [];  // per hidden layer, per unit: ImageData

// ---- settings <-> URL -------------------------------------------------------------------

function fromUrl() {
  const s = structuredClone(DEFAULTS);
  const q = new URLSearchParams(location.hash.slice(1));
  const num = (key, fallback) => (q.has(key) && q.get(key) !== "" && Number.isFinite(Number(q.get(key))) ? Number(q.get(key)) : fallback);
  s.data.set = q.get("set") || s.data.set;
  if (s.data.set === "custom") s.data.set = DEFAULTS.data.set;
  s.data.seed = num("dseed", s.data.seed);
  s.data.classes = q.has("classes") ? num("classes", null) : null;
  s.data.noise = num("noise", s.data.noise);
  s.data.test_fraction = num("test", s.data.test_fraction);
  if (q.has("layers")) {
    s.network.hidden = q.get("layers") === "" ? [] : q.get("layers").split(",").map(part => {
      const [units, activation] = part.split(":");
      return { units: Number(units) || 1, activation: ACTIVATIONS.includes(activation) ? activation : "tanh" };
    });
  }
  s.network.output = q.get("out") || s.network.output;
  s.network.init = q.get("init") || s.network.init;
  s.network.seed = num("seed", s.network.seed);
  s.training.learning_rate = num("lr", s.training.learning_rate);
  s.training.optimizer = q.get("opt") || s.training.optimizer;
  s.training.batch_size = num("batch", null);
  s.training.l2 = num("l2", s.training.l2);
  s.training.keep_prob = num("keep", s.training.keep_prob);
  return s;
}

function toUrl() {
  const s = settings;
  const q = new URLSearchParams();
  q.set("set", s.data.set);
  q.set("dseed", s.data.seed);
  if (s.data.classes) q.set("classes", s.data.classes);
  q.set("noise", s.data.noise);
  q.set("test", s.data.test_fraction);
  q.set("layers", s.network.hidden.map(l => `${l.units}:${l.activation}`).join(","));
  q.set("out", s.network.output);
  q.set("init", s.network.init);
  q.set("seed", s.network.seed);
  q.set("lr", frame ? frame.learning_rate : s.training.learning_rate);
  q.set("opt", s.training.optimizer);
  if (s.training.batch_size) q.set("batch", s.training.batch_size);
  q.set("l2", s.training.l2);
  q.set("keep", s.training.keep_prob);
  q.set("speed", speed);
  history.replaceState(null, "", "#" + q.toString());
}

// ---- the run on the server --------------------------------------------------------------

function say(text, ok) {
  $("message").textContent = text || "";
  $("message").className = ok ? "ok" : "";
}

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const reply = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(reply.error || `${response.status} ${response.statusText}`);
  return reply;
}

async function startRun() {
  if (events) events.close();
  try {
    const reply = await post("/api/runs", settings);
    runId = reply.id;
  } catch (error) {
    say(error.message);
    return;
  }
  $("model").href = `/api/runs/${runId}/model`;
  $("data").href = `/api/runs/${runId}/data.csv`;
  await control({ speed });
  events = new EventSource(`/api/runs/${runId}/events`);
  events.addEventListener("data", e => { data = JSON.parse(e.data); drawData(); });
  events.addEventListener("frame", e => { frame = JSON.parse(e.data); drawFrame(); });
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) startRun();
  };
}

async function control(body) {
  if (runId === null) return;
  try {
    await post(`/api/runs/${runId}/control`, body);
    return true;
  } catch (error) {
    say(error.message);
    return false;
  }
}

// New settings start the run again (the server refuses what it cannot train, and says why).
async function apply() {
  readControls();
  if (await control({ action: "reset", settings })) {
    say("");
    toUrl();
  }
  buildLayers();
}

// ---- the controls -----------------------------------------------------------------------

function readControls() {
  const d = settings.data, n = settings.network, t = settings.training;
  d.set = $("set").value;
  d.classes = (d.set === "spiral" || d.set === "blobs") && $("classes").value ? Number($("classes").value) : null;
  if (d.set === "blobs" && d.classes === 2) d.classes = null;
  d.seed = Number($("data-seed").value) || 0;
  d.noise = Number($("noise").value);
  d.test_fraction = Number($("test").value);
  n.output = $("output").value;
  n.init = $("init").value;
  n.seed = Number($("seed").value) || 0;
  t.learning_rate = Number($("lr").value);
  t.optimizer = $("optimizer").value;
  t.batch_size = $("batch").value ? Number($("batch").value) : null;
  t.l2 = Number($("l2").value) || 0;
  t.keep_prob = Number($("keep").value) || 1;
}

function showControls() {
  const d = settings.data, n = settings.network, t = settings.training;
  $("set").value = d.set;
  $("classes").value = d.classes || (d.set === "spiral" ? 3 : 2);
  $("classes-label").style.display = d.set === "spiral" || d.set === "blobs" ? "" : "none";
  $("data-seed").value = d.seed;
  $("noise").value = d.noise;
  $("noise-value").textContent = d.noise;
  $("test").value = d.test_fraction;
  $("test-value").textContent = Math.round(d.test_fraction * 100) + "%";
  $("output").value = n.output;
  $("init").value = n.init;
  $("seed").value = n.seed;
  $("lr").value = t.learning_rate;
  $("optimizer").value = t.optimizer;
  $("batch").value = t.batch_size || "";
  $("l2").value = t.l2;
  $("keep").value = t.keep_prob;
  $("speed").value = String(speed);
  buildLayers();
}

function buildLayers() {
  const box = $("layers");
  box.innerHTML = "";
  $("layer-count").textContent = settings.network.hidden.length;
  settings.network.hidden.forEach((layer, l) => {
    const row = document.createElement("div");
    row.className = "layer";
    row.innerHTML = `<span>layer ${l + 1}</span><button data-d="-1">−</button><b>${layer.units}</b><button data-d="1">+</button>`;
    const select = document.createElement("select");
    select.innerHTML = ACTIVATIONS.map(a => `<option value="${a}">${a}</option>`).join("");
    select.value = layer.activation;
    select.onchange = () => { layer.activation = select.value; apply(); };
    row.append(select);
    row.querySelectorAll("button").forEach(b => (b.onclick = () => {
      layer.units = Math.max(1, Math.min(16, layer.units + Number(b.dataset.d)));
      apply();
    }));
    box.append(row);
  });
}

function wire() {
  $("play").onclick = () => control({ action: frame && frame.playing ? "pause" : "play" });
  $("step").onclick = () => control({ action: "step" });
  $("reset").onclick = () => apply();
  $("lr").onchange = async () => {
    const rate = Number($("lr").value);
    settings.training.learning_rate = rate;
    if (await control({ learning_rate: rate })) { say(""); toUrl(); }
  };
  $("speed").onchange = () => { speed = Number($("speed").value); control({ speed }); toUrl(); };
  for (const id of ["set", "classes", "data-seed", "noise", "test", "output", "init", "seed", "optimizer", "batch", "l2", "keep"]) {
    $(id).onchange = () => {
      if (id === "set" && $("set").value !== "custom") settings.data.points = [];
      if (id === "set") $("classes").value = $("set").value === "spiral" ? 3 : 2;
      readControls();
      if (settings.data.classes > 2 || (settings.data.set === "spiral")) settings.network.output = "softmax";
      if (id === "set" && !(settings.data.set === "spiral" || settings.data.set === "blobs" && settings.data.classes)) settings.network.output = "sigmoid";
      showControls();
      apply();
    };
  }
  $("noise").oninput = () => ($("noise-value").textContent = $("noise").value);
  $("test").oninput = () => ($("test-value").textContent = Math.round($("test").value * 100) + "%");
  $("regenerate").onclick = () => { $("data-seed").value = Number($("data-seed").value) + 1; apply(); };
  $("add-layer").onclick = () => {
    if (settings.network.hidden.length < 6) settings.network.hidden.push({ units: 2, activation: settings.network.hidden[0]?.activation || "tanh" });
    apply();
  };
  $("remove-layer").onclick = () => { settings.network.hidden.pop(); apply(); };
  $("clear-points").onclick = () => { settings.data.points = []; apply(); };
  $("upload").onchange = async () => {
    const file = $("upload").files[0];
    if (!file) return;
    const points = parseCsv(await file.text());
    if (typeof points === "string") { say(points); return; }
    settings.data.points = points;
    settings.data.set = "custom";
    settings.network.output = new Set(points.map(p => p[2])).size > 2 ? "softmax" : settings.network.output;
    showControls();
    apply();
  };
  $("boundary").onclick = e => {
    if (!data) return;
    const rect = e.target.getBoundingClientRect();
    const [x1, x2] = toData(data.bounds, rect.width, rect.height, e.clientX - rect.left, e.clientY - rect.top);
    settings.data.points.push([round(x1), round(x2), Number($("click-class").value)]);
    apply();
  };
  $("copy").onclick = async () => {
    if (!frame) return;
    try {
      await navigator.clipboard.writeText(frame.command);
      say(frame.command_exact ? `Copied, but not exact: ${frame.command_exact}` : "Copied: " + frame.command, !frame.command_exact);
    } catch {
      say(frame.command, true);
    }
  };
  document.addEventListener("keydown", e => {
    if (e.code === "Space" && e.target.tagName !== "INPUT" && e.target.tagName !== "SELECT") { e.preventDefault(); $("play").click(); }
  });
}

const round = v => Math.round(v * 1e4) / 1e4;

// `x1,x2,label` lines (a header line is skipped); labels that are not 0..k−1 are numbered in
// sorted order.
function parseCsv(text) {
  const rows = text.split(/\r?\n/).map(l => l.trim()).filter(Boolean).map(l => l.split(/[,;\t]/).map(s => s.trim()));
  if (rows.length && rows[0].slice(0, 2).some(v => !Number.isFinite(Number(v)))) rows.shift();
  const labels = [...new Set(rows.map(r => r[2]))].sort((a, b) => (Number(a) - Number(b)) || a.localeCompare(b));
  const points = [];
  for (const [i, r] of rows.entries()) {
    if (r.length < 3 || !Number.isFinite(Number(r[0])) || !Number.isFinite(Number(r[1]))) {
      return `line ${i + 1} of the CSV: expected x1,x2,label with two numbers`;
    }
    points.push([Number(r[0]), Number(r[1]), labels.indexOf(r[2])]);
  }
  if (labels.length < 2) return "the CSV needs points of at least two classes";
  return points;
}

// ---- pictures ---------------------------------------------------------------------------

function drawData() {
  const k = data.k;
  $("click-class").innerHTML = Array.from({ length: k }, (_, c) => `<option value="${c}">class ${c}</option>`).join("");
  settings = data.settings;
  showControls();
  drawBoundary($("boundary"), null, data);
}

const fmt = (v, digits = 6) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits));
const percent = v => (v === null || v === undefined ? "–" : (v * 100).toFixed(1) + "%");

function drawFrame() {
  if (!data) return;
  $("iteration").textContent = frame.iteration;
  $("play").textContent = frame.playing ? "❚❚ Pause" : "▶ Play";
  $("play").classList.toggle("playing", frame.playing);
  $("cost").textContent = fmt(frame.cost);
  $("test-cost").textContent = fmt(frame.test_cost);
  $("train-acc").textContent = percent(frame.train_accuracy);
  $("test-acc").textContent = percent(frame.test_accuracy);
  if (document.activeElement !== $("lr")) $("lr").value = frame.learning_rate;
  if (frame.diverged) say(frame.diverged);
  drawBoundary($("boundary"), frame, data);
  drawCurve($("curve"), frame);
  unitImages = frame.units.map(layer => layer.maps.map((m, u) => unitImage(decodeBytes(m), layer.lo[u], layer.hi[u], frame.unit_grid)));
  drawNetwork();
  const same = frame.identical.map((s, l) => (s ? l + 1 : 0)).filter(Boolean);
  $("symmetry").textContent = same.length
    ? `${same.length > 1 ? "In hidden layers" : "In hidden layer"} ${same.join(" and ")}, every unit is identical to the others: started equal (zeros), they get equal gradients and stay equal, so a layer learns no more than one unit would. Try another init.`
    : "";
  if (hovered !== null) showMaths(hovered);
}

// The network: a column per layer (inputs, hidden units as heat maps, output), links per weight.
let hovered = null;
let layout = null;

function drawNetwork() {
  const sizes = frame.sizes;
  const key = sizes.join(",");
  const columns = $("columns");
  if (!layout || layout.key !== key) {
    $("zoom").style.display = "none";
    columns.innerHTML = "";
    layout = { key, units: [] };
    sizes.forEach((n, l) => {
      const column = document.createElement("div");
      column.className = "column";
      column.dataset.layer = l;
      const title = document.createElement("div");
      title.className = "title";
      column.append(title);
      const units = [];
      for (let u = 0; u < n; u++) {
        let unit;
        if (l === 0) {
          unit = document.createElement("div");
          unit.className = "unit input";
          unit.textContent = "x" + (u + 1);
        } else {
          unit = document.createElement("canvas");
          unit.className = "unit";
          unit.width = unit.height = 40;
          unit.onmouseenter = e => zoom(l, u, e);
          unit.onmouseleave = () => ($("zoom").style.display = "none");
        }
        column.append(unit);
        units.push(unit);
      }
      column.onmouseenter = () => { if (l > 0) { hovered = l; showMaths(l); } };
      columns.append(column);
      layout.units.push(units);
    });
  }
  sizes.forEach((n, l) => {
    const title = columns.children[l].querySelector(".title");
    title.textContent = l === 0 ? "input" : l === sizes.length - 1 ? `output ${NAMES[frame.weights[l - 1].activation]}` : `layer ${l} ${NAMES[frame.weights[l - 1].activation]}`;
  });
  // Hidden units: their heat maps; the output unit: the boundary itself, small.
  for (let l = 1; l < sizes.length; l++) {
    layout.units[l].forEach((canvas, u) => {
      if (unitImages[l - 1]) drawUnit(canvas, unitImages[l - 1][u]);
      else drawImageScaled(canvas.getContext("2d"), boundaryImage(frame, data.k), 40, 40, true);
    });
  }
  drawLinks();
}

function drawLinks() {
  const svg = $("links");
  const box = $("diagram").getBoundingClientRect();
  svg.setAttribute("viewBox", `0 0 ${box.width} ${box.height}`);
  const centre = el => {
    const r = el.getBoundingClientRect();
    return [r.left - box.left + r.width / 2, r.top - box.top + r.height / 2, r.width / 2];
  };
  const largest = Math.max(1e-9, ...frame.weights.flatMap(layer => layer.w.flat().map(Math.abs)));
  let html = "";
  frame.weights.forEach((layer, l) => {
    layer.w.forEach((row, i) => row.forEach((w, j) => {
      const [x1, y1, r1] = centre(layout.units[l][j]);
      const [x2, y2, r2] = centre(layout.units[l + 1][i]);
      const style = weightStyle(w, largest);
      html += `<line x1="${x1 + r1}" y1="${y1}" x2="${x2 - r2}" y2="${y2}" stroke="${style.colour}" stroke-width="${style.width}" data-tip="W[${l + 1}][${i + 1},${j + 1}] = ${w.toFixed(4)}"/>`;
    }));
  });
  svg.innerHTML = html;
  svg.querySelectorAll("line").forEach(line => {
    line.onmousemove = e => tip(line.dataset.tip, e);
    line.onmouseleave = () => ($("tip").style.display = "none");
  });
}

function tip(text, e) {
  const t = $("tip");
  t.textContent = text;
  t.style.display = "block";
  t.style.left = e.clientX + 12 + "px";
  t.style.top = e.clientY + 12 + "px";
}

function zoom(l, u, e) {
  if (!unitImages[l - 1]) return;
  const z = $("zoom");
  drawUnit($("zoom-canvas"), unitImages[l - 1][u]);
  const layer = frame.units[l - 1];
  const what = l === frame.sizes.length - 1 ? `output ${u + 1}: p(class ${u})` : `layer ${l}, unit ${u + 1}: a`;
  $("zoom-label").textContent = `${what} from ${layer.lo[u].toFixed(3)} to ${layer.hi[u].toFixed(3)}`;
  z.style.display = "block";
  z.style.left = e.clientX + 20 + "px";
  z.style.top = Math.max(0, e.clientY - 100) + "px";
}

// The course's formulas for layer l with its real shapes and current values.
function showMaths(l) {
  const sizes = frame.sizes, L = sizes.length - 1, m = frame.m;
  const n = sizes[l], prev = sizes[l - 1];
  const layer = frame.weights[l - 1];
  const g = NAMES[layer.activation];
  const aPrev = l === 1 ? "X" : `A[${l - 1}]`;
  const matrix = rows => rows.map(r => "  [" + r.map(v => v.toFixed(3).padStart(7)).join(" ") + " ]").join("\n");
  let text = `Layer ${l} of ${L}: n[${l}] = ${n} units, n[${l - 1}] = ${prev}, m = ${m} examples\n\n`;
  text += `Z[${l}] = W[${l}]·${aPrev} + b[${l}]      (${n} × ${m}) = (${n} × ${prev})·(${prev} × ${m}) + (${n} × 1)\n`;
  if (l === L && layer.activation === "softmax") {
    text += `A[${l}] = softmax(Z[${l}])             column by column, e^z_i / Σ_j e^z_j   (${n} × ${m})\n`;
    text += `J = −(1/m) Σ Σ y·log a             = ${fmt(frame.cost)}\n`;
    text += `dZ[${l}] = A[${l}] − Y                  (${n} × ${m})\n`;
  } else if (l === L) {
    text += `A[${l}] = σ(Z[${l}]) = 1 / (1 + e^−Z)    (${n} × ${m})\n`;
    text += `J = −(1/m) Σ (y·log a + (1−y)·log(1−a)) = ${fmt(frame.cost)}\n`;
    text += `dZ[${l}] = A[${l}] − Y                  (${n} × ${m})\n`;
  } else {
    text += `A[${l}] = ${g}(Z[${l}])                  (${n} × ${m})\n`;
    text += `dZ[${l}] = W[${l + 1}]ᵀ·dZ[${l + 1}] ⊙ ${g}′(Z[${l}])   (${n} × ${m})\n`;
  }
  text += `dW[${l}] = (1/m)·dZ[${l}]·${aPrev}ᵀ          (${n} × ${prev})\n`;
  text += `db[${l}] = (1/m)·Σ dZ[${l}]               (${n} × 1)\n`;
  text += `W[${l}] := W[${l}] − α·dW[${l}],  b[${l}] := b[${l}] − α·db[${l}]   α = ${frame.learning_rate}\n\n`;
  text += `W[${l}] (${n} × ${prev}) now:\n${matrix(layer.w)}\nb[${l}] (${n} × 1) now:\n${matrix(layer.b.map(v => [v]))}`;
  $("maths").innerHTML = "";
  const pre = document.createElement("pre");
  pre.className = "formula";
  pre.textContent = text;
  $("maths").append(pre);
}

window.addEventListener("resize", () => frame && drawLinks());
wire();
showControls();
startRun();
