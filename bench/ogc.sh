#!/usr/bin/env bash
# OGC API Features items pages of 1,000 features from the 1.2-million-point layer, with a
# bbox, and with a bbox plus a CQL2 filter, from the embedded store and from PostGIS:
# wrk over 200 different bboxes around the coast, with 16, 2 and 1 connections. Needs
# DATABASE_URL.
# Usage: bench/ogc.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL (scripts/setup --postgis prints one)}"
DURATION=${1:-15}
PORT=${PORT:-18183}
TOOLS=../shared/tools
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -p tidewatch
BIN=target/release/tidewatch
python3 bench/make_import_data.py "$OUT" > /dev/null

# The embedded store: the points as a layer of a scratch layer folder.
SCRATCH=$OUT/ogc-layers
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH/layers"
env -u DATABASE_URL "$BIN" import "$OUT/points_1m2.csv" --layer bench_points \
  --layers-dir "$SCRATCH/layers" --import-dir "$SCRATCH/data" > /dev/null
# PostGIS.
"$BIN" import "$OUT/points_1m2.csv" --layer bench_points --database-url "$DATABASE_URL" > /dev/null

# 200 bboxes of 0.02° around points of the coast (about 1,000–5,000 positions each).
python3 - "$OUT" <<'PY'
import json, random, sys, urllib.parse
out = sys.argv[1]
coast = json.load(open("data/demo/coastline.geojson"))
vertices = [c for line in coast["features"][0]["geometry"]["coordinates"] for c in line]
rng = random.Random(7)
bbox_urls, filter_urls = [], []
for _ in range(200):
    lon, lat = rng.choice(vertices)
    bbox = f"{lon - 0.01:.4f},{lat - 0.01:.4f},{lon + 0.01:.4f},{lat + 0.01:.4f}"
    base = f"/collections/bench_points/items?limit=1000&bbox={bbox}"
    bbox_urls.append(base)
    filter_urls.append(base + "&filter=" + urllib.parse.quote("sog_kn > 5 AND mmsi < 412060000"))
open(f"{out}/ogc-bbox.txt", "w").write("\n".join(bbox_urls) + "\n")
open(f"{out}/ogc-filter.txt", "w").write("\n".join(filter_urls) + "\n")
PY

run() { # $1 = label, rest = the environment and serve arguments
  local label=$1; shift
  env "$@" "$BIN" serve --listen "127.0.0.1:$PORT" --tile-cache-mb 0 > "$OUT/server-ogc.log" 2>&1 &
  local server=$!
  until curl -sf "http://127.0.0.1:$PORT/health" > /dev/null; do sleep 0.2; done
  # One unmeasured pass first: the first reads of freshly imported rows write their hint
  # bits (until autovacuum has been through), which is the import's cost, not a page's.
  for kind in bbox filter; do
    wrk -t2 -c16 -d"${DURATION}s" -s "$TOOLS/tiles.lua" "http://127.0.0.1:$PORT" -- "$OUT/ogc-$kind.txt" > /dev/null
  done
  for kind in bbox filter; do
    # c16: throughput with the two cores saturated (latency there is mostly queueing);
    # c1 and c2: the latency of a page itself, alone and with both cores busy.
    for c in 16 2 1; do
      echo "$label, $kind, c$c: $(wrk -t$((c < 2 ? 1 : 2)) -c$c -d"${DURATION}s" -s "$TOOLS/tiles.lua" "http://127.0.0.1:$PORT" -- "$OUT/ogc-$kind.txt" | tail -1)"
    done
  done
  kill $server; wait $server 2>/dev/null || true
}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
run "embedded" -u DATABASE_URL TIDEWATCH_LAYERS_DIR="$SCRATCH/layers"
run "PostGIS" DATABASE_URL="$DATABASE_URL"
psql "$DATABASE_URL" -qc "DELETE FROM layers WHERE id = 'bench_points'"
