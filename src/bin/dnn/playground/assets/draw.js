// Drawing: the decision boundary with its points, hidden units' heat maps, the cost curve.
// Colours are Okabe–Ito's, told apart with any colour vision.
"use strict";

const CLASS_COLOURS = ["#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
const POSITIVE = [0, 114, 178];   // blue
const NEGATIVE = [213, 94, 0];    // vermillion

function hexRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function decodeBytes(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

// Mixes white with `rgb` by `t` in [0, 1].
function tint(rgb, t) {
  return rgb.map(c => Math.round(255 + (c - 255) * t));
}

// The boundary: each grid cell tinted towards its likeliest class by how sure the network is.
function boundaryImage(frame, k) {
  const n = frame.grid;
  const bytes = decodeBytes(frame.boundary);
  const image = new ImageData(n, n);
  const colours = CLASS_COLOURS.map(hexRgb);
  for (let i = 0; i < n * n; i++) {
    let rgb;
    if (frame.sizes[frame.sizes.length - 1] === 1) {
      const p = bytes[i] / 255;
      rgb = p >= 0.5 ? tint(colours[1], (p - 0.5) * 1.3) : tint(colours[0], (0.5 - p) * 1.3);
    } else {
      const cls = bytes[2 * i], p = bytes[2 * i + 1] / 255;
      const floor = 1 / Math.max(k, 2);
      rgb = tint(colours[cls % colours.length], 0.15 + 0.55 * Math.max(0, (p - floor) / (1 - floor)));
    }
    image.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * i);
  }
  return image;
}

function drawImageScaled(ctx, image, width, height, smooth) {
  const off = document.createElement("canvas");
  off.width = image.width;
  off.height = image.height;
  off.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = smooth;
  ctx.drawImage(off, 0, 0, width, height);
}

// Data coordinates to canvas pixels, and back.
function toPixel(bounds, width, height, x1, x2) {
  return [(x1 - bounds[0]) / (bounds[1] - bounds[0]) * width, (bounds[3] - x2) / (bounds[3] - bounds[2]) * height];
}
function toData(bounds, width, height, px, py) {
  return [bounds[0] + px / width * (bounds[1] - bounds[0]), bounds[3] - py / height * (bounds[3] - bounds[2])];
}

function drawBoundary(canvas, frame, data) {
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  if (frame) drawImageScaled(ctx, boundaryImage(frame, data.k), width, height, true);
  if (!data) return;
  const colours = CLASS_COLOURS;
  for (const [x1, x2, c] of data.train) {
    const [px, py] = toPixel(data.bounds, width, height, x1, x2);
    ctx.beginPath();
    ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
    ctx.fillStyle = colours[c % colours.length];
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = "#fff";
    ctx.stroke();
  }
  for (const [x1, x2, c] of data.test || []) {
    const [px, py] = toPixel(data.bounds, width, height, x1, x2);
    ctx.fillStyle = colours[c % colours.length];
    ctx.fillRect(px - 3.5, py - 3.5, 7, 7);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#222";
    ctx.strokeRect(px - 3.5, py - 3.5, 7, 7);
  }
}

// One hidden unit over the plane: blue where positive, vermillion where negative.
function unitImage(bytes, lo, hi, side) {
  const image = new ImageData(side, side);
  const scale = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  for (let i = 0; i < side * side; i++) {
    const v = (lo + (hi - lo) * bytes[i] / 255) / scale;
    const rgb = v >= 0 ? tint(POSITIVE, v) : tint(NEGATIVE, -v);
    image.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * i);
  }
  return image;
}

function drawUnit(canvas, image) {
  drawImageScaled(canvas.getContext("2d"), image, canvas.width, canvas.height, false);
}

// The cost curve: training cost (blue) and test cost (vermillion, dashed).
function drawCurve(canvas, frame) {
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);
  const series = [frame.costs, frame.test_costs].filter(s => s.length);
  if (!series.length) return;
  const finite = series.flat().map(p => p[1]).filter(Number.isFinite);
  const top = Math.max(...finite, 1e-9);
  const last = Math.max(1, ...series.map(s => s[s.length - 1][0]));
  const pad = { left: 44, right: 8, top: 8, bottom: 18 };
  const x = i => pad.left + i / last * (width - pad.left - pad.right);
  const y = c => pad.top + (1 - Math.min(c, top) / top) * (height - pad.top - pad.bottom);
  ctx.strokeStyle = "#ccc";
  ctx.lineWidth = 1;
  ctx.strokeRect(pad.left, pad.top, width - pad.left - pad.right, height - pad.top - pad.bottom);
  ctx.fillStyle = "#666";
  ctx.font = "11px sans-serif";
  ctx.fillText(top.toPrecision(3), 2, pad.top + 8);
  ctx.fillText("0", 30, height - pad.bottom);
  ctx.fillText("iteration " + last, width - 110, height - 4);
  const line = (points, colour, dash) => {
    ctx.beginPath();
    ctx.setLineDash(dash);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    points.forEach(([i, c], n) => (n ? ctx.lineTo(x(i), y(c)) : ctx.moveTo(x(i), y(c))));
    ctx.stroke();
    ctx.setLineDash([]);
  };
  line(frame.costs, "#0072B2", []);
  line(frame.test_costs, "#D55E00", [5, 3]);
  ctx.fillStyle = "#0072B2";
  ctx.fillText("train", pad.left + 6, pad.top + 12);
  if (frame.test_costs.length) {
    ctx.fillStyle = "#D55E00";
    ctx.fillText("test", pad.left + 42, pad.top + 12);
  }
}

// A weight as a link: blue positive, vermillion negative, wider when larger.
function weightStyle(w, largest) {
  const rgb = w >= 0 ? POSITIVE : NEGATIVE;
  const t = Math.min(1, Math.abs(w) / (largest || 1));
  return { colour: `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${0.25 + 0.75 * t})`, width: 0.5 + 5 * t };
}
