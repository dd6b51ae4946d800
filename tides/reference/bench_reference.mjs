// Times @neaps/tide-predictor on the work tides/benches/tides.rs measures, with the same
// 48 Kanmen constituents (M1 and MKS2 left out, as in make_reference.mjs): one year of
// one-minute heights, and one year of high and low waters for one station (x10 for the
// ten-station figure). Best of 3 runs.
//
// Usage: cd tides/reference && npm ci && node bench_reference.mjs
import { createTidePredictor } from "@neaps/tide-predictor";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LEFT_OUT } from "./left_out.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const station = JSON.parse(
  fs.readFileSync(path.join(here, "..", "..", "data", "demo", "tides", "kanmen-ticon4.json"), "utf8"),
);
const constituents = station.constituents.filter((c) => !LEFT_OUT.includes(c.name));
const predictor = createTidePredictor(constituents, { nodeCorrections: "schureman" });
const start = new Date("2026-01-01T00:00:00Z");
const end = new Date(start.getTime() + (365 * 86400 - 60) * 1000);

function best(runs, work) {
  let fastest = Infinity;
  let result;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = work();
    fastest = Math.min(fastest, performance.now() - t0);
  }
  return [fastest, result];
}

const [heightsMs, heights] = best(3, () => predictor.getTimelinePrediction({ start, end, timeFidelity: 60 }));
console.log(`neaps heights, 1 station, 1 year at 1 min (${heights.length} points, ${constituents.length} constituents): ${heightsMs.toFixed(0)} ms`);
const [extremesMs, extremes] = best(3, () => predictor.getExtremesPrediction({ start, end }));
console.log(`neaps extremes, 1 station, 1 year (${extremes.length}): ${extremesMs.toFixed(0)} ms (x10: ${(10 * extremesMs).toFixed(0)} ms)`);
