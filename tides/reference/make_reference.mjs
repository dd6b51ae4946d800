// Reference predictions for the tidewatch-tides accuracy test (tests/neaps_reference.rs).
//
// Runs @neaps/tide-predictor (pinned in package.json; `npm ci` here first) on the Kanmen
// TICON-4 constants (data/demo/tides/kanmen-ticon4.json) and writes
// ../tests/data/kanmen_neaps.csv: the station's constants (each marked compared or
// left_out), Neaps's heights every 10 minutes and the
// high and low waters from 2026-11-15T00:00Z to 2026-12-15T00:00Z, heights above the
// station's chart datum (MSL - TLT offset added, as Neaps does for a station's chart datum).
//
// Neaps is run with Schureman's nodal corrections (`nodeCorrections: "schureman"`), the
// ones tidewatch-tides implements; its default is the IHO Annex A series, which differ by
// a few millimetres. Constituents whose definition differs between Neaps and tidewatch-tides
// are left out of both sides (see README.md): the test feeds the engine the same list.
//
// Usage: cd tides/reference && npm ci && node make_reference.mjs
import { createTidePredictor } from "@neaps/tide-predictor";
import fs from "node:fs";
import path from "node:path";
import { LEFT_OUT } from "./left_out.mjs";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const stationFile = path.join(here, "..", "..", "data", "demo", "tides", "kanmen-ticon4.json");
const outFile = path.join(here, "..", "tests", "data", "kanmen_neaps.csv");


const station = JSON.parse(fs.readFileSync(stationFile, "utf8"));
const constituents = station.constituents.filter((c) => !LEFT_OUT.includes(c.name));
const offset = station.datums.MSL - station.datums[station.chart_datum];
const predictor = createTidePredictor(constituents, { offset, nodeCorrections: "schureman" });

const start = new Date("2026-11-15T00:00:00Z");
const end = new Date("2026-12-15T00:00:00Z");
const timeline = predictor.getTimelinePrediction({ start, end, timeFidelity: 600 });
const extremes = predictor.getExtremesPrediction({ start, end });

const lines = [
  "# @neaps/tide-predictor 0.11.0, nodeCorrections=schureman; made by tides/reference/make_reference.mjs",
  `# station,${station.id},datum,${station.chart_datum},msl_above_datum_m,${offset.toFixed(6)}`,
];
for (const c of station.constituents) {
  const use = LEFT_OUT.includes(c.name) ? "left_out" : "compared";
  lines.push(`constituent,${c.name},${c.amplitude},${c.phase},${use}`);
}
for (const p of timeline) lines.push(`height,${p.time.getTime() / 1000},${p.level.toFixed(6)}`);
for (const e of extremes) {
  lines.push(`${e.high ? "high" : "low"},${(e.time.getTime() / 1000).toFixed(1)},${e.level.toFixed(6)}`);
}
fs.writeFileSync(outFile, lines.join("\n") + "\n");
console.log(`${outFile}: ${constituents.length} constituents, ${timeline.length} heights, ${extremes.length} extremes`);
