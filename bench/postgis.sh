#!/usr/bin/env bash
# PostGIS benchmarks for docs/benchmarks.md (needs DATABASE_URL; scripts/setup --postgis
# prepares one): demo load, tile throughput from PostGIS with the foundation issue's wrk
# method (cache off) next to the same tiles built by ST_AsMVT alone (pgbench), and the
# 1.2-million-point and 100,000-polygon imports with the largest tile of the point layer.
# Usage: [RUNS=5] bench/postgis.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL (scripts/setup --postgis prints one)}"
DURATION=${1:-20}
PORT=${PORT:-18182}
TOOLS=../shared/tools
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -p tidewatch
BIN=target/release/tidewatch
LAYERS=land,coastline,piers,barriers,cameras,radars,tide_stations,places
python3 "$TOOLS/tile_urls.py" "/tiles/$LAYERS/{z}/{x}/{y}.mvt" --zoom 6-14 \
  --bbox=121.5,28.8,122.35,29.65 --shuffle > "$OUT/urls.txt"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(psql "$DATABASE_URL" -Atc 'select version()' | cut -d, -f1)"

echo "== demo load"
/usr/bin/time -f "demo --load: %e s" "$BIN" demo --load --database-url "$DATABASE_URL" > /dev/null

# One run says little on a shared two-core host (runs vary by ±10 % and the p99 by several
# ms): RUNS runs, each on a fresh server, then the medians. Quiet hosts only: a compiler in
# the background costs a third of the throughput.
echo "== tiles from PostGIS, Tidewatch (Rust tile building), cache off, ${RUNS:=5} runs"
: > "$OUT/pg-tile-runs.jsonl"
for _ in $(seq "$RUNS"); do
  "$BIN" serve --listen "127.0.0.1:$PORT" --tile-cache-mb 0 --database-url "$DATABASE_URL" > "$OUT/server-pg.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  until curl -sf "http://127.0.0.1:$PORT/health" > /dev/null; do sleep 0.1; done
  wrk -t2 -c16 -d"${DURATION}s" -s "$TOOLS/tiles.lua" "http://127.0.0.1:$PORT" -- "$OUT/urls.txt" | tail -1 | tee -a "$OUT/pg-tile-runs.jsonl"
  kill $server; wait $server 2>/dev/null || true
done
python3 - "$OUT/pg-tile-runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
p99 = [r["p99_ms"] for r in runs]
print(f"median of {len(runs)}: {statistics.median(r['rps'] for r in runs):.0f} tiles/s, "
      f"p99 {statistics.median(p99):.1f} ms (runs {min(p99):.1f}-{max(p99):.1f} ms, "
      f"{sum(p > 20 for p in p99)} above 20 ms)")
PY

echo "== the same tiles by ST_AsMVT in PostGIS alone (pgbench -c16 -j2, no HTTP)"
sed -E 's#.*/tiles/[^/]+/([0-9]+)/([0-9]+)/([0-9]+)\.mvt#\1,\2,\3#' "$OUT/urls.txt" > "$OUT/tiles.csv"
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL
DROP TABLE IF EXISTS bench_tiles;
CREATE TABLE bench_tiles (n serial PRIMARY KEY, z int, x int, y int);
\copy bench_tiles (z, x, y) FROM '$OUT/tiles.csv' WITH (FORMAT csv)
SQL
ntiles=$(wc -l < "$OUT/tiles.csv")
pgbench -n -c16 -j2 -T"$DURATION" -D ntiles="$ntiles" -f bench/sql/st_asmvt_composite.sql "$DATABASE_URL" 2>&1 |
  grep -E "^(tps|latency average|number of transactions actually)"
psql "$DATABASE_URL" -qc "DROP TABLE bench_tiles"

echo "== imports: 1.2 M points (CSV) and 100,000 polygons (GeoPackage)"
python3 bench/make_import_data.py "$OUT"
/usr/bin/time -f "CSV import wall time: %e s, max RSS %M KB" "$BIN" import "$OUT/points_1m2.csv" --layer bench_points --database-url "$DATABASE_URL"
/usr/bin/time -f "GeoPackage import wall time: %e s, max RSS %M KB" "$BIN" import "$OUT/polygons_100k.gpkg" --layer bench_polygons --database-url "$DATABASE_URL"

echo "== largest tiles of the 1.2 M-point PostGIS layer (cache off)"
"$BIN" serve --listen "127.0.0.1:$PORT" --tile-cache-mb 0 --database-url "$DATABASE_URL" > "$OUT/server-pg.log" 2>&1 &
server=$!
until curl -sf "http://127.0.0.1:$PORT/health" > /dev/null; do sleep 0.1; done
# The densest tile of every zoom (the largest and slowest), from the input file.
densest=$(python3 - "$OUT/points_1m2.csv" <<'PY'
import csv, math, sys
from collections import Counter
pts = [(float(r["lon"]), float(r["lat"])) for r in csv.DictReader(open(sys.argv[1]))]
for z in range(15):
    n = 2 ** z
    c = Counter((int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)) for lon, lat in pts)
    (x, y), _ = c.most_common(1)[0]
    print(f"{z}/{x}/{y}")
PY
)
for zxy in $densest; do
  curl -s -o /dev/null -w "z/x/y $zxy: %{size_download} bytes in %{time_total} s\n" "http://127.0.0.1:$PORT/tiles/bench_points/$zxy.mvt"
done
kill $server; wait $server 2>/dev/null || true
psql "$DATABASE_URL" -qc "DELETE FROM layers WHERE id IN ('bench_points', 'bench_polygons')"
