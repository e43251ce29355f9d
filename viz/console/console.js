// The console page: the park map (deck.gl from the pydeck bundle) and the panels, updated
// from the server's event stream. Every string from the park or a message is put in the page
// as text (textContent), never as HTML.
"use strict";
const token = new URLSearchParams(location.search).get("token") || "";
const q = token ? "?token=" + encodeURIComponent(token) : "";
let deckInstance = null, baseLayers = [], colours = {}, sensorFeatures = null;
let sensorStates = {}, forecast = null, horizon = null;
let simulation = null, peopleAction = null, peopleFrame = 0, shownRun = 0, windEdited = false;
const MARK = [215, 25, 28, 255];
// a person's fill by the highest level reached over the run (none, then each level)
const DOSE_RGB = [[40, 120, 220], [255, 220, 0], [255, 140, 0], [215, 25, 28]];
const PLACES = ["indoors", "sheltering indoors", "on the way", "at a destination"];

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) { node.textContent = String(text); }
  for (const [k, v] of Object.entries(attrs || {})) { node.setAttribute(k, v); }
  return node;
}
function row(cells, attrs) {
  const tr = el("tr", null, attrs);
  for (const c of cells) {
    const td = el("td");
    if (c instanceof Node) { td.appendChild(c); } else { td.textContent = c === null ? "" : String(c); }
    tr.appendChild(td);
  }
  return tr;
}
function fill(id, rows) {
  const body = document.querySelector("#" + id + " tbody");
  body.replaceChildren(...rows);
}

function coveredNow() {
  return (forecast && horizon && forecast.covered && forecast.covered[horizon]) || null;
}

function peopleFeatures() {
  const run = simulation.people[peopleAction];
  const k = Math.min(peopleFrame, run.t_s.length - 1);
  const lon = run.lon[k], lat = run.lat[k], place = run.place[k];
  const features = [];
  for (let i = 0; i < lon.length; i++) {
    const dose = run.dose[i];
    features.push({type: "Feature", geometry: {type: "Point", coordinates: [lon[i], lat[i]]},
      properties: {fill: [...DOSE_RGB[dose], 220], line: [40, 40, 40, 200], radius: 2.5,
        width: 0.5, tooltip: "person " + i + ": " + PLACES[place[i]] + ", " +
        (dose ? "above " + run.levels[dose - 1] : "below every level")}});
  }
  return {type: "FeatureCollection", features};
}

function drawMap() {
  if (!deckInstance) { return; }
  const layers = [];
  const marks = coveredNow();
  for (const l of baseLayers) {
    if (l.id === "sensors") {
      const features = sensorFeatures.features.map((f) => {
        const tag = f.properties.tag;
        const st = (sensorStates[tag] || ["normal"])[0];
        const rgb = colours[st] || [255, 255, 255];
        return {...f, properties: {...f.properties, line: [...rgb, 255],
          radius: st === "normal" ? 3 : 7, width: st === "normal" ? 0.5 : 3}};
      });
      if (forecast && horizon && forecast.horizons[horizon]) {
        const like = baseLayers.find((b) => b.id === "boundary");
        layers.push(like.clone({id: "forecast", data: forecast.horizons[horizon]}));
      }
      layers.push(l.clone({data: {type: "FeatureCollection", features}}));
      if (simulation && peopleAction) {
        layers.push(l.clone({id: "people", data: peopleFeatures()}));
      }
    } else {
      layers.push(l);
    }
    const ids = marks && marks[l.id];
    if (ids && ids.length) {
      // a red ring over each assembly point, gate or target a zone covers
      const hit = l.props.data.features.filter((f) => ids.includes(f.properties.id));
      layers.push(l.clone({id: l.id + "-covered", data: {type: "FeatureCollection",
        features: hit}, pickable: false, getFillColor: [0, 0, 0, 0], getLineColor: MARK,
        getLineWidth: 3, getPointRadius: 12, lineWidthUnits: "pixels"}));
    }
  }
  deckInstance.setProps({layers});
}

function legend() {
  const box = document.getElementById("legend");
  box.replaceChildren(el("b", "Sensor state"));
  for (const [name, rgb] of Object.entries(colours)) {
    const line = el("div");
    const dot = el("span", null, {class: "dot"});
    dot.style.background = "rgb(" + rgb.join(",") + ")";
    line.append(dot, document.createTextNode(name));
    box.appendChild(line);
  }
}

function showHorizons() {
  const box = document.getElementById("horizon-buttons");
  const note = document.getElementById("forecast-note");
  box.replaceChildren();
  if (!forecast) {
    note.textContent = "no leak confirmed";
    document.getElementById("forecast-rate").textContent = "";
    document.getElementById("covered").replaceChildren();
    return;
  }
  note.textContent = forecast.why ? forecast.asset + ": no forecast (" + forecast.why + ")"
    : forecast.asset + ": zones at";
  document.getElementById("forecast-rate").textContent = forecast.rate || "";
  const marks = coveredNow();
  document.getElementById("covered").replaceChildren(...(marks ? marks.names.map((n, i) => {
    const ids = [...marks.assembly_points.map((x) => ["assembly_points", x]),
      ...marks.gates.map((x) => ["gates", x]), ...marks.targets.map((x) => ["targets", x])];
    return el("li", "covered: " + n, {"data-layer": ids[i][0], "data-id": ids[i][1]});
  }) : []));
  for (const name of Object.keys(forecast.horizons)) {
    const b = el("button", name, {"data-horizon": name});
    if (name === horizon) { b.classList.add("on"); }
    b.onclick = () => { horizon = name; showHorizons(); drawMap(); };
    box.appendChild(b);
  }
}

async function act(action, tag, level) {
  await fetch("action" + q, {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({action, tag, level})});
}

function showAlarms(alarms) {
  fill("alarms", alarms.map((a) => {
    const buttons = el("span");
    if (!a.acked) {
      const b = el("button", "acknowledge", {class: "ack"});
      b.onclick = () => act("acknowledge", a.tag, a.level);
      buttons.appendChild(b);
    }
    if (!a.shelved) {
      const b = el("button", "shelve", {class: "shelve"});
      b.onclick = () => act("shelve", a.tag, a.level);
      buttons.appendChild(b);
    }
    const cls = (a.shelved ? "shelved " : "") + (a.acked ? "acked" : "");
    return row([a.time, a.tag, a.level + (a.active ? "" : " (cleared)"), a.value, a.count,
      a.verdict + (a.rule ? " (" + a.rule + ")" : ""), a.cause, buttons],
      {"data-tag": a.tag, "data-level": a.level, "data-acked": a.acked, class: cls});
  }));
}

function sparkline(values) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", "120"); svg.setAttribute("height", "24");
  if (values.length > 1) {
    const lo = Math.min(...values), hi = Math.max(...values), span = hi - lo || 1;
    const pts = values.map((v, i) => (i * 120 / (values.length - 1)).toFixed(1) + "," +
      (22 - 20 * (v - lo) / span).toFixed(1));
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", pts.join(" "));
    line.setAttribute("fill", "none"); line.setAttribute("stroke", "#c00");
    svg.appendChild(line);
  }
  return svg;
}

// the sensors' rows, built once and then changed in place: a busy feed changes many values
// per message, and rebuilding the table each time costs the page more than the message
const sensorRows = {};
function showSensors(changed) {
  let added = false;
  for (const [tag, [state, value]] of Object.entries(changed)) {
    let tr = sensorRows[tag];
    if (!tr) {
      const dot = el("span", null, {class: "dot"});
      tr = row([dot, tag, "", ""], {"data-tag": tag, class: "sensor"});
      sensorRows[tag] = tr;
      added = true;
    }
    if (tr.dataset.state !== state) {
      tr.dataset.state = state;
      tr.cells[0].firstChild.style.background =
        "rgb(" + (colours[state] || [255, 255, 255]).join(",") + ")";
      tr.cells[2].textContent = state;
    }
    tr.cells[3].textContent = value;
  }
  if (added) {
    fill("sensors", Object.keys(sensorRows).sort().map((tag) => sensorRows[tag]));
  }
}

function health(f, feedTime) {
  const link = document.getElementById("link");
  link.dataset.connected = String(f.connected);
  link.textContent = (f.connected ? "connected to " : "DISCONNECTED from ") + f.address +
    (f.connected ? "" : (f.refused ? " (refused: " + f.refused + ")" : f.last_error ?
      " (" + f.last_error + "); reconnecting" : "; reconnecting"));
  document.getElementById("age").textContent = f.age_s === null ? "no message yet" :
    "last message " + f.age_s.toFixed(1) + " s ago";
  document.getElementById("rate").textContent = f.rate_per_s.toFixed(0) + " msg/s, " +
    f.taken.toLocaleString() + " readings";
  document.getElementById("rejected").textContent = f.rejected_total + " rejected";
  document.getElementById("feedtime").textContent = "feed time " + feedTime;
}

async function drillControl(body) {
  const answer = await fetch("drill" + q, {method: "POST",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  if (!answer.ok) { document.getElementById("drill-clock").textContent = (await answer.json()).error; }
}
let seeking = false;
function showDrill(d) {
  const box = document.getElementById("drill");
  box.hidden = false;
  document.getElementById("drill-clock").textContent = d.clock + " (" + d.speedup + "x" +
    (d.paused ? ", paused" : "") + (d.rewinding ? ", going back" : "") +
    (d.done ? ", ended" : "") + ")";
  box.dataset.t = String(d.t);
  const pause = document.getElementById("pause");
  pause.textContent = d.paused ? "resume" : "pause";
  pause.dataset.paused = String(d.paused);
  pause.onclick = () => drillControl({pause: !d.paused});
  const seek = document.getElementById("seek");
  seek.min = d.start; seek.max = d.end;
  if (!seeking) { seek.value = d.t; }
  seek.oninput = () => { seeking = true; };
  seek.onchange = () => { seeking = false; drillControl({seek: Number(seek.value)}); };
}

function showSimulationStatus(st) {
  const bar = document.getElementById("sim-progress");
  const text = document.getElementById("sim-status");
  const button = document.getElementById("simulate");
  text.dataset.state = st.state;
  bar.hidden = st.state !== "running";
  button.disabled = st.state === "running";
  if (st.state === "running") {
    bar.value = st.progress;
    text.textContent = "run " + st.run + " from " + st.at + ": " + st.what + " (" +
      Math.round(100 * st.progress) + " %)";
  } else if (st.state === "failed") {
    text.textContent = "run " + st.run + " from " + st.at + ": not computed (" + st.why + ")";
  } else if (st.state === "done") {
    text.textContent = "run " + st.run + " from " + st.at + ": done";
    if (st.run !== shownRun) { loadSimulation(st.run); }
  }
}

async function loadSimulation(run) {
  shownRun = run;
  const answer = await fetch("simulation.json" + q);
  if (!answer.ok) { return; }
  simulation = await answer.json();
  const head = document.querySelector("#sim-figures thead");
  head.replaceChildren(row(["from " + simulation.at, ...simulation.actions]));
  fill("sim-figures", simulation.figures.map((r) => row(r, {class: "figure"})));
  document.getElementById("sim-assumptions").replaceChildren(
    ...simulation.assumptions.map((a) => el("li", a)));
  peopleAction = peopleAction && simulation.people[peopleAction] ? peopleAction
    : simulation.actions[0];
  const slider = document.getElementById("people-time");
  slider.max = simulation.people[peopleAction].t_s.length - 1;
  peopleFrame = Number(slider.max);
  slider.value = peopleFrame;
  slider.oninput = () => { peopleFrame = Number(slider.value); showPeople(); drawMap(); };
  document.getElementById("people").hidden = false;
  showPeople();
  drawMap();
}

function showPeople() {
  const box = document.getElementById("people-buttons");
  box.replaceChildren(...simulation.actions.map((a) => {
    const b = el("button", a, {"data-action": a});
    if (a === peopleAction) { b.classList.add("on"); }
    b.onclick = () => { peopleAction = a; showPeople(); drawMap(); };
    return b;
  }));
  const run = simulation.people[peopleAction];
  const k = Math.min(peopleFrame, run.t_s.length - 1);
  const counts = PLACES.map(() => 0);
  for (const p of run.place[k]) { counts[p] += 1; }
  document.getElementById("people-clock").textContent = "+" + Math.round(run.t_s[k] / 60) +
    " min: " + PLACES.map((p, i) => counts[i] + " " + p).filter((t) => !t.startsWith("0 "))
    .join(", ");
  const legend = document.getElementById("people-legend");
  legend.replaceChildren(...["below every level", ...run.levels.map((l) => "above " + l)]
    .map((label, i) => {
      const line = el("span", null, {class: "key"});
      const dot = el("span", null, {class: "dot"});
      dot.style.background = "rgb(" + DOSE_RGB[i].join(",") + ")";
      line.append(dot, document.createTextNode(label + " "));
      return line;
    }));
}

async function simulateNow() {
  const speed = document.getElementById("sim-speed").value;
  const from = document.getElementById("sim-from").value;
  const wind = windEdited && speed !== "" && from !== "" ? [Number(speed), Number(from)] : null;
  const answer = await fetch("simulate" + q, {method: "POST",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify({wind})});
  if (!answer.ok) {
    const text = document.getElementById("sim-status");
    text.dataset.state = "refused";
    text.textContent = (await answer.json()).error;
  }
}

let lastMessage = Date.now();
function onMessage(msg) {
  lastMessage = Date.now();
  health(msg.feed, msg.feed_time);
  if (msg.drill) { showDrill(msg.drill); }
  if (msg.sensors) {
    // the map is drawn again only when a sensor's state (its colour) changed
    const recolour = Object.entries(msg.sensors).some(([tag, [state]]) =>
      !sensorStates[tag] || sensorStates[tag][0] !== state);
    Object.assign(sensorStates, msg.sensors);
    showSensors(msg.sensors);
    if (recolour) { drawMap(); }
  }
  if (msg.alarms) { showAlarms(msg.alarms); }
  if (msg.leak) {
    fill("leak", msg.leak.length ? msg.leak.map((e) => row([e.asset, e.rate + " +- " + e.sd,
      "p = " + e.probability, e.method, e.time])) : [row(["no leak estimated"])]);
  }
  if ("forecast" in msg) {
    forecast = msg.forecast;
    if (forecast && (!horizon || !(horizon in forecast.horizons))) {
      horizon = Object.keys(forecast.horizons).pop();
    }
    showHorizons(); drawMap();
  }
  if (msg.assets) {
    fill("assets", msg.assets.map((a) => row([a.asset, a.tag, a.kind, a.value, sparkline(a.trend)])));
  }
  if (msg.simulation) { showSimulationStatus(msg.simulation); }
  if (msg.wind) {
    if (!windEdited) {
      document.getElementById("sim-speed").value = msg.wind.speed.toFixed(1);
      document.getElementById("sim-from").value = msg.wind.from_deg.toFixed(0);
    }
    document.getElementById("wind").textContent = "wind " + msg.wind.text;
    document.getElementById("wind-map").textContent = msg.wind.text;
    // the arrow points where the wind goes: down (south) for a wind from the north
    document.getElementById("arrow").style.transform = "rotate(" + msg.wind.from_deg + "deg)";
  }
}

// the page itself says when the server stops answering (the stream reconnects on its own)
setInterval(() => {
  if (Date.now() - lastMessage > 3000) {
    const link = document.getElementById("link");
    link.dataset.connected = "false";
    link.textContent = "console server not answering";
  }
}, 1000);

async function start() {
  const park = await (await fetch("park.json" + q)).json();
  colours = park.colours;
  document.getElementById("tz").textContent = "(times in " + park.timezone + ")";
  legend();
  fill("buildings", park.buildings.map(([id, name, day, night]) =>
    row([id, name, day + " by day, " + night + " by night"], {class: "building"})));
  deckInstance = createDeck({container: document.getElementById("deck-container"),
    jsonInput: park.deck, tooltip: {html: "{tooltip}"}, configuration: {}});
  baseLayers = deckInstance.props.layers;
  const sensors = baseLayers.find((l) => l.id === "sensors");
  sensorFeatures = sensors ? sensors.props.data : {features: []};
  for (const id of ["sim-speed", "sim-from"]) {
    document.getElementById(id).oninput = () => { windEdited = true; };
  }
  document.getElementById("simulate").onclick = simulateNow;
  const source = new EventSource("events" + q);
  source.onmessage = (e) => onMessage(JSON.parse(e.data));
}
start();
