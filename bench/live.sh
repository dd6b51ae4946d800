#!/usr/bin/env bash
# Live AIS benchmarks for docs/benchmarks.md (live-vessels issue):
#   1. decode rate of the NMEA crate on one core (cargo bench);
#   2. end-to-end ingest: a 1,000,000-message pyais feed (ais_replay.py, 5,000 vessels) sent
#      unpaced over one TCP connection by `tidewatch replay`; time until every line is
#      accounted for and applied, with the loss check (shed = 0, every line accepted);
#   3. message → /vessels and → /live latency under background load (bench/live_latency.py);
#   4. with DATABASE_URL: PostGIS persistence rate of the same feed (COPY batches).
# Usage: bench/live.sh   (DATABASE_URL optional)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18183}
NMEA_PORT=${NMEA_PORT:-18184}
TOOLS=../shared/tools
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -p tidewatch
BIN=target/release/tidewatch
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

echo "== 1. decode rate (one core)"
cargo bench -p tidewatch-nmea --bench decode 2>/dev/null | grep -v '^$'

FEED="$OUT/feed-1m.nmea"
if [ ! -s "$FEED" ]; then
  echo "(encoding the 1,000,000-message feed with pyais, once)"
  python3 "$TOOLS/ais_replay.py" --vessels 5000 --rate 1e9 --count 1000000 --duration 1e9 \
    --bbox 121.5,28.8,122.4,29.7 --seed 7 --file "$FEED" --truth "$OUT/feed-1m.truth.jsonl"
fi
LINES=$(grep -vc '^#' "$FEED")

metric() { # metric NAME: sum over labels from /metrics
  curl -s "http://127.0.0.1:$PORT/metrics" | awk -v n="$1" '$1 ~ "^"n"([{]|$)" {s += $2} END {printf "%d\n", s}'
}

ingest_run() { # ingest_run LABEL [serve args...]
  local label=$1; shift
  "$BIN" serve --listen "127.0.0.1:$PORT" --nmea-tcp "127.0.0.1:$NMEA_PORT" "$@" > "$OUT/server-live.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  until curl -sf "http://127.0.0.1:$PORT/health" > /dev/null; do sleep 0.1; done
  local start end
  start=$(date +%s.%N)
  "$BIN" replay "$FEED" --rate 0 --to "tcp://127.0.0.1:$NMEA_PORT" 2>&1 | sed 's/^/  replay: /'
  until [ "$(metric tidewatch_nmea_lines_total)" -ge "$LINES" ]; do sleep 0.05; done
  end=$(date +%s.%N)
  local accepted fragments shed vessels
  accepted=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^tidewatch_nmea_lines_total.*result="accepted"/ {s += $2} END {print s+0}')
  fragments=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^tidewatch_nmea_lines_total.*result="fragment"/ {s += $2} END {print s+0}')
  shed=$(metric tidewatch_ingest_shed_total)
  vessels=$(curl -s "http://127.0.0.1:$PORT/vessels" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["features"]))')
  python3 - "$label" "$LINES" "$accepted" "$fragments" "$shed" "$vessels" "$start" "$end" <<'PY'
import sys
label, lines, acc, frag, shed, vessels = sys.argv[1], *map(int, sys.argv[2:7])
start, end = map(float, sys.argv[7:9])
print(f"{label}: {lines} lines in {end - start:.2f} s = {lines / (end - start):,.0f} lines/s; "
      f"accepted {acc} + fragments {frag} = {acc + frag} (loss {lines - acc - frag}), shed {shed}, vessels {vessels}")
PY
}

echo "== 2. end-to-end ingest over TCP into the live state (embedded)"
ingest_run "embedded"
echo "== 3. latency message -> /vessels and /live, under 50,000 lines/s of background load"
( "$BIN" replay "$FEED" --rate 50000 --to "tcp://127.0.0.1:$NMEA_PORT" > /dev/null 2>&1 & echo $! > "$OUT/load.pid"; wait ) &
sleep 1
python3 bench/live_latency.py --http "127.0.0.1:$PORT" --nmea "127.0.0.1:$NMEA_PORT" --markers 300
kill "$(cat "$OUT/load.pid")" 2>/dev/null || true
kill $server; wait $server 2>/dev/null || true

if [ -n "${DATABASE_URL:-}" ]; then
  echo "== 4. PostGIS persistence"
  "$BIN" migrate --database-url "$DATABASE_URL" > /dev/null
  psql "$DATABASE_URL" -qc "TRUNCATE vessel_positions, vessels"
  t0=$(date +%s.%N)
  ingest_run "PostGIS" --database-url "$DATABASE_URL"
  applied=$(metric tidewatch_positions_applied_total)
  until [ "$(metric tidewatch_persisted_positions_total)" -ge "$applied" ]; do sleep 0.05; done
  t1=$(date +%s.%N)
  rows=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM vessel_positions")
  python3 -c "import sys; a,r,s,e=map(float,sys.argv[1:]); print(f'persisted {int(a)} positions ({int(r)} rows in vessel_positions) in {e-s:.2f} s from the first line sent = {a/(e-s):,.0f} positions/s')" "$applied" "$rows" "$t0" "$t1"
  grep -E "persist|COPY" "$OUT/server-live.log" | tail -3 || true
  kill $server; wait $server 2>/dev/null || true
fi
