#!/usr/bin/env bash
# CPU cost per tile from PostGIS, without load: the server and PostgreSQL CPU time (from /proc)
# spent while the tiles of a URL list are requested one at a time over one keep-alive
# connection. Steadier than wrk on a busy host, and it splits the cost between the two sides.
# Needs DATABASE_URL (after `tidewatch demo --load`); run as a user that can read the
# postgres processes' /proc/PID/stat (root, or the postgres user).
# Usage: bench/tile_cpu.sh BINARY URL_LIST [REPEATS]
#   e.g. bench/tile_cpu.sh target/release/tidewatch bench/out/urls.txt 1
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL}"
BIN=$1
URLS=$2
REPEATS=${3:-5}
PORT=${PORT:-18192}
"$BIN" serve --listen "127.0.0.1:$PORT" --tile-cache-mb 0 --database-url "$DATABASE_URL" > /dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/health" > /dev/null; do sleep 0.1; done

# Requests every URL REPEATS times, one at a time; prints how many.
fetch() {
  python3 - "$PORT" "$URLS" "$1" <<'PY'
import http.client, sys
port, path, repeats = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
urls = [l.strip() for l in open(path) if l.strip()]
conn = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(repeats):
    for u in urls:
        conn.request("GET", u, headers={"Accept-Encoding": "gzip"})
        r = conn.getresponse()
        r.read()
        assert r.status in (200, 204), (u, r.status)
print(len(urls) * repeats)
PY
}
# CPU ticks (utime + stime) of a set of processes.
ticks() { for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat" 2> /dev/null || true; done | awk '{t += $1} END {print t + 0}'; }
hz=$(getconf CLK_TCK)

fetch 1 > /dev/null # warm: connections, prepared statements, caches
s0=$(ticks "$server")
p0=$(ticks $(pgrep postgres))
n=$(fetch "$REPEATS")
s1=$(ticks "$server")
p1=$(ticks $(pgrep postgres))
awk -v n="$n" -v s="$((s1 - s0))" -v p="$((p1 - p0))" -v hz="$hz" 'BEGIN {
  printf "%d tiles: server %.3f ms, PostgreSQL %.3f ms CPU per tile\n", n, s * 1000 / hz / n, p * 1000 / hz / n }'
