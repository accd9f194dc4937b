// The page's behaviour: plain JavaScript, no library, only this server's /api/ endpoints.
"use strict";

const $ = (id) => document.getElementById(id);

// GET /api/<command>?params: the JSON answer, or an Error carrying the API's own message.
async function api(command, params) {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`/api/${command}${query ? "?" + query : ""}`);  // "" lists the commands
  const text = await response.text();
  const first = text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line));
  if (!response.ok) throw new Error(first[0] && first[0].error ? first[0].error : `${response.status} ${response.statusText}`);
  return first;
}

function showError(element, error) {
  element.textContent = error ? String(error.message || error) : "";
  element.hidden = !error;
}

function el(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// --- model facts ---------------------------------------------------------------------------

let facts = {};
let commands = new Set();  // what this server answers (GET /api/)
async function loadFacts() {
  try {
    const [listing] = await api("", {});
    commands = new Set(listing.commands.map((c) => c.name));
    [facts] = await api("info", {});
    const name = String(facts.path || "").split("/").pop();
    const rows = facts.words !== undefined ? `${facts.words.toLocaleString()} words` : `${facts.rows.toLocaleString()} rows`;
    $("facts").textContent = `${name} · ${facts.format} · ${rows} × ${facts.dim} · ${facts.dtype}` +
      (facts.tokenizer ? ` · tokenizer ${facts.tokenizer}` : "");
    const hasTokenizer = Boolean(facts.tokenizer);
    $("tokens-form").hidden = !hasTokenizer;
    $("tokens-note").hidden = hasTokenizer;
  } catch (error) {
    $("facts").textContent = `cannot read the model's facts: ${error.message}`;
  }
}

// --- completion ----------------------------------------------------------------------------

const wordInput = $("word");
const list = $("completions");
let active = -1;
let completionTimer = 0;

function closeCompletions() {
  list.hidden = true;
  list.replaceChildren();
  wordInput.setAttribute("aria-expanded", "false");
  active = -1;
}

function markActive(index) {
  const items = [...list.children];
  active = Math.max(-1, Math.min(index, items.length - 1));
  items.forEach((item, i) => item.setAttribute("aria-selected", String(i === active)));
  if (active >= 0) wordInput.setAttribute("aria-activedescendant", items[active].id);
}

async function complete() {
  const prefix = wordInput.value;
  if (prefix.trim() === "") return closeCompletions();
  try {
    const [answer] = await api("words", { prefix, limit: 10 });
    if (wordInput.value !== prefix) return;  // typed on meanwhile
    list.replaceChildren(...answer.words.map((w, i) => {
      const item = el("li", { role: "option", id: `completion-${i}`, "aria-selected": "false" }, w.text ?? w.word);
      item.dataset.word = w.word;
      item.addEventListener("mousedown", (event) => { event.preventDefault(); choose(w.word); });
      return item;
    }));
    list.hidden = answer.words.length === 0;
    wordInput.setAttribute("aria-expanded", String(!list.hidden));
    active = -1;
  } catch (error) {
    closeCompletions();  // nothing starts so: no list
  }
}

function choose(word) {
  wordInput.value = word;
  closeCompletions();
  search(word);
}

wordInput.addEventListener("input", () => {
  clearTimeout(completionTimer);
  completionTimer = setTimeout(complete, 120);
});
wordInput.addEventListener("keydown", (event) => {
  if (list.hidden) return;
  if (event.key === "ArrowDown") { markActive(active + 1); event.preventDefault(); }
  else if (event.key === "ArrowUp") { markActive(active - 1); event.preventDefault(); }
  else if (event.key === "Escape") closeCompletions();
  else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(list.children[active].dataset.word); }
});
wordInput.addEventListener("blur", () => setTimeout(closeCompletions, 100));

// --- neighbours: table and map -------------------------------------------------------------

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  closeCompletions();
  search(wordInput.value);
});

async function search(word) {
  showError($("search-error"), null);
  if (word.trim() === "") return;
  const k = $("k").value;
  try {
    const [answer] = await api("neighbors", { word, k });
    if (answer.error) throw new Error(answer.error);
    renderTable(answer.results);
    await renderMap(answer, k);
  } catch (error) {
    showError($("search-error"), error);
    $("neighbors").hidden = true;
    $("map-box").hidden = true;
  }
}

function renderTable(results) {
  const body = $("neighbors").querySelector("tbody");
  body.replaceChildren(...results.map((r) => {
    const row = el("tr");
    row.append(el("td", {}, r.rank));
    const cell = el("td");
    const link = el("a", { href: "#", "data-word": r.word }, r.text ?? r.word);
    link.addEventListener("click", (event) => { event.preventDefault(); wordInput.value = r.word; search(r.word); });
    cell.append(link);
    row.append(cell, el("td", {}, r.id), el("td", {}, Number(r.score).toFixed(4)));
    return row;
  }));
  $("neighbors").hidden = false;
}

// The 2-D coordinates of the query and its neighbours: the plot command's when the server has
// it, else the first two principal components computed here from their rows.
async function coordinates(answer, k) {
  if (commands.has("plot")) {
    const [plot] = await api("plot", { neighbors: answer.word, k });
    return { points: plot.points.map((p) => ({ word: p.word, x: p.x, y: p.y })), method: plot.method || "pca" };
  }
  const ids = [answer.id, ...answer.results.map((r) => r.id)];
  const words = [answer.word, ...answer.results.map((r) => r.word)];
  const rows = await Promise.all(ids.map(async (id) => (await api("vector", { id }))[0].vector));
  return { points: pca2(rows).map(([x, y], i) => ({ word: words[i], x, y })), method: "pca (in the page)" };
}

// The rows projected on their first two principal components (power iteration with deflation).
function pca2(rows) {
  const n = rows.length, d = rows[0].length;
  const mean = new Array(d).fill(0);
  rows.forEach((r) => r.forEach((v, j) => { mean[j] += v / n; }));
  const centred = rows.map((r) => r.map((v, j) => v - mean[j]));
  const components = [];
  for (let c = 0; c < 2; c++) {
    let v = new Array(d).fill(0).map((_, j) => Math.sin(j + 1 + c));
    for (let iteration = 0; iteration < 200; iteration++) {
      const scores = centred.map((r) => r.reduce((s, x, j) => s + x * v[j], 0));
      const next = new Array(d).fill(0);
      centred.forEach((r, i) => r.forEach((x, j) => { next[j] += x * scores[i]; }));
      for (const u of components) {
        const dot = next.reduce((s, x, j) => s + x * u[j], 0);
        next.forEach((_, j) => { next[j] -= dot * u[j]; });
      }
      const norm = Math.hypot(...next) || 1;
      v = next.map((x) => x / norm);
    }
    components.push(v);
  }
  return centred.map((r) => components.map((u) => r.reduce((s, x, j) => s + x * u[j], 0)));
}

function overlaps(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

// The plot command's label placement (render/label_placement.cpp), in the page: each label
// beside its dot where it covers no other label, else further out with a leader line, else
// hidden (the dot's title still names it). The query's label is placed first.
function placeLabels(svg, width, height) {
  const placed = [];
  const dots = [...svg.querySelectorAll("circle")].map((c) => {
    const r = Number(c.getAttribute("r"));
    return { x: Number(c.getAttribute("cx")) - r, y: Number(c.getAttribute("cy")) - r, width: 2 * r, height: 2 * r };
  });
  const inside = (b) => b.x >= 0 && b.y >= 0 && b.x + b.width <= width && b.y + b.height <= height;
  for (const g of svg.querySelectorAll("g.point")) {
    const dot = g.querySelector("circle"), label = g.querySelector("text");
    const cx = Number(dot.getAttribute("cx")), cy = Number(dot.getAttribute("cy")), r = Number(dot.getAttribute("r"));
    const box = label.getBBox();
    const w = box.width, h = box.height, gap = r + 3;
    const candidates = [[cx + gap, cy - h / 2], [cx - gap - w, cy - h / 2], [cx - w / 2, cy - gap - h], [cx - w / 2, cy + gap],
                        [cx + gap, cy - gap - h], [cx - gap - w, cy - gap - h], [cx + gap, cy + gap], [cx - gap - w, cy + gap]];
    const near = candidates.length;
    for (let radius = gap + h + w / 2; radius <= 90; radius += Math.max(h, 6)) {
      for (let step = 0; step < 24; step++) {
        const angle = (2 * Math.PI * step) / 24;
        candidates.push([cx + radius * Math.cos(angle) - w / 2, cy + radius * Math.sin(angle) - h / 2]);
      }
    }
    // Clear of labels and dots; failing that, clear of labels only.
    const free = (avoidDots) => ([x, y]) => {
      const b = { x, y, width: w, height: h };
      return inside(b) && !placed.some((p) => overlaps(b, p)) && !(avoidDots && dots.some((d) => overlaps(b, d)));
    };
    let found = candidates.findIndex(free(true));
    if (found < 0) found = candidates.findIndex(free(false));
    if (found < 0) { label.setAttribute("visibility", "hidden"); continue; }
    const [x, y] = candidates[found];
    placed.push({ x, y, width: w, height: h });
    // The text's baseline sits box.y - y below its top in the measured box.
    label.setAttribute("x", x);
    label.setAttribute("y", y + (Number(label.getAttribute("y")) - box.y));
    if (found >= near) {
      const leader = document.createElementNS(svg.namespaceURI, "line");
      leader.setAttribute("class", "leader");
      leader.setAttribute("x1", cx); leader.setAttribute("y1", cy);
      leader.setAttribute("x2", Math.min(Math.max(cx, x), x + w)); leader.setAttribute("y2", Math.min(Math.max(cy, y), y + h));
      g.prepend(leader);
    }
  }
}

async function renderMap(answer, k) {
  const { points, method } = await coordinates(answer, k);
  const width = 640, height = 420, margin = 60;
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x) => margin + (x - x0) / ((x1 - x0) || 1) * (width - 2 * margin);
  const sy = (y) => height - margin - (y - y0) / ((y1 - y0) || 1) * (height - 2 * margin);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `map of ${answer.word} and its neighbours`);
  points.forEach((p, i) => {
    const g = document.createElementNS(ns, "g");
    g.setAttribute("class", i === 0 ? "point query" : "point");
    const dot = document.createElementNS(ns, "circle");
    dot.setAttribute("cx", sx(p.x)); dot.setAttribute("cy", sy(p.y)); dot.setAttribute("r", i === 0 ? 6 : 4);
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", sx(p.x) + 8); label.setAttribute("y", sy(p.y) + 4);
    label.textContent = p.word;
    const title = document.createElementNS(ns, "title");
    title.textContent = p.word;
    dot.append(title);
    g.append(dot, label);
    if (i > 0) g.addEventListener("click", () => { wordInput.value = p.word; search(p.word); });
    svg.append(g);
  });
  $("map").replaceChildren(svg);
  $("map-box").hidden = false;  // shown first: a hidden SVG measures its labels as 0 x 0
  placeLabels(svg, width, height);
  $("map-caption").textContent = `${answer.word} and its ${points.length - 1} nearest neighbours, ${method}`;
}

// --- analogy -------------------------------------------------------------------------------

$("analogy-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError($("analogy-error"), null);
  try {
    const [answer] = await api("analogy", { a: $("an-a").value, b: $("an-b").value, c: $("an-c").value,
                                            method: $("an-method").value, k: 5 });
    $("analogy-answers").replaceChildren(...answer.results.map((r) => el("li", {}, `${r.word}  (${Number(r.score).toFixed(3)})`)));
  } catch (error) {
    $("analogy-answers").replaceChildren();
    showError($("analogy-error"), error);
  }
});

// --- tokens --------------------------------------------------------------------------------

$("tokens-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError($("tokens-error"), null);
  try {
    const [answer] = await api("tokenize", { text: $("text").value });
    const bytes = new TextEncoder().encode(answer.text);
    const decoder = new TextDecoder();
    $("chips").replaceChildren(...answer.ids.map((id, i) => {
      const [begin, end] = answer.spans[i];
      const chip = el("span", { class: `chip c${i % 6}`, title: `token ${answer.tokens[i]}` });
      chip.append(el("span", { class: "chip-text" }, decoder.decode(bytes.slice(begin, end)).replace(/ /g, "␣")),
                  el("span", { class: "chip-id" }, id));
      return chip;
    }));
  } catch (error) {
    $("chips").replaceChildren();
    showError($("tokens-error"), error);
  }
});

loadFacts();
