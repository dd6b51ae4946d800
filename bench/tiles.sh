#!/usr/bin/env bash
# Tile throughput of the embedded demo server, measured the way the foundation issue asks:
# release build, wrk -t2 -c16 over every z6–z14 tile of the county (shuffled), composite of
# all demo layers, with the tile cache off and on; plus server start to first tile.
# Usage: bench/tiles.sh [seconds-per-run]   (results printed as JSON lines and a summary)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-20}
PORT=${PORT:-18181}
TOOLS=../shared/tools
OUT=bench/out
mkdir -p "$OUT"
command -v wrk >/dev/null || apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk
cargo build --release -p tidewatch
BIN=target/release/tidewatch
LAYERS=land,coastline,piers,barriers,cameras,radars,tide_stations,places
python3 "$TOOLS/tile_urls.py" "/tiles/$LAYERS/{z}/{x}/{y}.mvt" --zoom 6-14 \
  --bbox=121.5,28.8,122.35,29.65 --shuffle > "$OUT/urls.txt"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
echo "tiles in the URL list: $(wc -l < "$OUT/urls.txt")"

# Starts the server, prints milliseconds from spawn to the first tile served.
start_server() {
  python3 - "$BIN" "$PORT" "$1" <<'PY'
import subprocess, sys, time, urllib.request
binary, port, cache = sys.argv[1:]
t0 = time.monotonic()
p = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--tile-cache-mb", cache],
                     stdout=open("bench/out/server.log", "w"), stderr=subprocess.STDOUT)
url = f"http://127.0.0.1:{port}/tiles/land,piers/10/858/425.mvt"
while True:
    try:
        with urllib.request.urlopen(url) as r:
            r.read()
            break
    except Exception:
        if p.poll() is not None:
            sys.exit("server exited; see bench/out/server.log")
        time.sleep(0.005)
print(f"{(time.monotonic() - t0) * 1000:.0f}")
open("bench/out/server.pid", "w").write(str(p.pid))
PY
}
stop_server() { kill "$(cat "$OUT/server.pid")" 2>/dev/null || true; sleep 0.5; }
trap stop_server EXIT

for cache in 0 256; do
  ms=$(start_server "$cache")
  echo "cache ${cache} MiB: server start to first tile: ${ms} ms"
  if [ "$cache" != 0 ]; then
    # Warm the cache with one pass over every URL.
    wrk -t2 -c16 -d"${DURATION}s" -s "$TOOLS/tiles.lua" "http://127.0.0.1:$PORT" -- "$OUT/urls.txt" > /dev/null
  fi
  result=$(wrk -t2 -c16 -d"${DURATION}s" -s "$TOOLS/tiles.lua" "http://127.0.0.1:$PORT" -- "$OUT/urls.txt" | tail -1)
  echo "cache ${cache} MiB: $result"
  stop_server
done
