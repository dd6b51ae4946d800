#!/usr/bin/env bash
# Scale-out benchmarks for docs/benchmarks.md (needs DATABASE_URL; scripts/setup --postgis
# prepares one): tiles/s through nginx with one and with two instances on one PostGIS
# (the PostGIS issue's wrk method, tile cache off), then with two instances the latency
# of cache invalidation (import through A → B's tile changes) and of live positions (AIS
# to A → B's /vessels and /live), and the bare transports (PostgreSQL NOTIFY vs NATS).
# The topology is deploy/loopback.sh's, on ports 18280–18402.
# Usage: bench/scaleout.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL (scripts/setup --postgis prints one)}"
DURATION=${1:-15}
TOOLS=../shared/tools
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -p tidewatch
export TIDEWATCH_BIN=$PWD/target/release/tidewatch DEPLOY_DIR=$PWD/$OUT/deploy DEPLOY_PORT=18280
export TIDEWATCH_ADMIN_TOKEN=bench-token
LAYERS=land,coastline,piers,barriers,cameras,radars,tide_stations,places
python3 "$TOOLS/tile_urls.py" "/tiles/$LAYERS/{z}/{x}/{y}.mvt" --zoom 6-14 \
  --bbox=121.5,28.8,122.35,29.65 --shuffle > "$OUT/urls.txt"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(nginx -v 2>&1); $(psql "$DATABASE_URL" -Atc 'select version()' | cut -d, -f1)"
trap 'deploy/loopback.sh down > /dev/null 2>&1 || true' EXIT

for n in 1 2; do
  echo "== $n instance(s) behind nginx, tile cache off"
  DEPLOY_INSTANCES=$n TIDEWATCH_TILE_CACHE_MB=0 deploy/loopback.sh up > /dev/null
  wrk -t2 -c16 -d"${DURATION}s" -s "$TOOLS/tiles.lua" "http://127.0.0.1:$DEPLOY_PORT" -- "$OUT/urls.txt" | tail -1
  echo "   the same tiles from instance 1 directly (no nginx)"
  wrk -t2 -c16 -d"${DURATION}s" -s "$TOOLS/tiles.lua" "http://127.0.0.1:$((DEPLOY_PORT + 1))" -- "$OUT/urls.txt" | tail -1
  DEPLOY_INSTANCES=$n deploy/loopback.sh down > /dev/null
done

echo "== two instances: cross-instance latency"
DEPLOY_INSTANCES=2 deploy/loopback.sh up > /dev/null
echo "-- import through A → B's cached tile changes"
python3 bench/invalidation_latency.py --a "127.0.0.1:$((DEPLOY_PORT + 1))" --b "127.0.0.1:$((DEPLOY_PORT + 2))" \
  --token "$TIDEWATCH_ADMIN_TOKEN" --rounds 100
echo "-- AIS to A → B's /vessels and /live"
python3 bench/live_latency.py --http "127.0.0.1:$((DEPLOY_PORT + 2))" --nmea "127.0.0.1:$((DEPLOY_PORT + 101))" --markers 300
deploy/loopback.sh down > /dev/null

echo "== the transports alone (pip install psycopg[binary] nats-py)"
python3 bench/transport_latency.py --pg "$DATABASE_URL" --messages 2000
