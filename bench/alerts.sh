#!/usr/bin/env bash
# Early-warning benchmarks for docs/benchmarks.md (early-warning issue):
#   1. rule evaluation cost per message with 5,000 vessels and 300 idle piers
#      (cargo bench -p tidewatch-alerts);
#   2. message that completes a condition → its event on /events/stream, p50/p90/p99,
#      while `tidewatch replay` sends a pyais feed at 10,000 messages/s in the background
#      (bench/alerts_latency.py).
# Usage: bench/alerts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18195}
NMEA_PORT=${NMEA_PORT:-18196}
RATE=${RATE:-10000}
TOOLS=../shared/tools
OUT=bench/out
mkdir -p "$OUT"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

echo "== 1. rule evaluation cost"
cargo bench -p tidewatch-alerts 2>/dev/null | grep -v '^$'

echo "== 2. condition → event on /events/stream under $RATE messages/s"
cargo build --release -p tidewatch
BIN=target/release/tidewatch
FEED="$OUT/feed-alerts.nmea"
if [ ! -s "$FEED" ]; then
  echo "(encoding a 400,000-message background feed with pyais, once)"
  python3 "$TOOLS/ais_replay.py" --vessels 5000 --rate 1e9 --count 400000 --duration 1e9 \
    --bbox 121.5,28.8,122.4,29.7 --seed 11 --file "$FEED"
fi
# Every moment is night, so one slow report beside an idle pier completes an approach.
cat > "$OUT/alerts-bench.toml" <<TOML
[alerts.approach]
night = "00:00-23:59"
TOML
"$BIN" serve --config "$OUT/alerts-bench.toml" --listen "127.0.0.1:$PORT" \
  --nmea-tcp "127.0.0.1:$NMEA_PORT" > "$OUT/server-alerts.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; kill $bg 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.1; done
pier=$(python3 -c "
import json
f = next(f for f in json.load(open('data/demo/piers.geojson'))['features'] if f['properties']['idle'])
print('%f,%f' % tuple(f['geometry']['coordinates']))")
"$BIN" replay "$FEED" --to "tcp://127.0.0.1:$NMEA_PORT" --rate "$RATE" > "$OUT/replay-alerts.log" 2>&1 &
bg=$!
sleep 2
python3 bench/alerts_latency.py --http "127.0.0.1:$PORT" --nmea "127.0.0.1:$NMEA_PORT" --pier "$pier" --markers 300
echo "background lines accepted so far: $(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^tidewatch_nmea_lines_total\{.*result="accepted"/ {s += $2} END {print s + 0}')"
