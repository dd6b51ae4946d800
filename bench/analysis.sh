#!/usr/bin/env bash
# Analysis benchmarks for docs/benchmarks.md (coverage-gaps and tides issues):
#   1. the engines alone: cargo bench of tidewatch-coverage (full recompute, what-if,
#      suggest, sea band, growth), tidewatch-tides (a year of 1-minute heights, extremes of
#      10 stations for a year) and the server's patrol plan (30 nights, whole county);
#   2. the same over HTTP on a release server with the demo data: first (cold) and cached
#      answers of /analysis/coverage, what-if with one change, suggest k=5 over 300 piers,
#      /patrol/zones for 30 nights, a year of extremes;
#   3. the Neaps (@neaps/tide-predictor) speed on the same constituents, for comparison.
# Usage: bench/analysis.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18190}
OUT=bench/out
mkdir -p "$OUT"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

echo "== 1. engines (release)"
cargo bench -p tidewatch-coverage 2>/dev/null | grep -v '^$'
cargo bench -p tidewatch-tides 2>/dev/null | grep -v '^$'
cargo bench -p tidewatch --bench patrol 2>/dev/null | grep -v '^$'

echo "== 2. over HTTP"
cargo build --release -p tidewatch
BIN=target/release/tidewatch
"$BIN" serve --listen "127.0.0.1:$PORT" > "$OUT/server-analysis.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.1; done

# timed N LABEL CURL-ARGS...: min and median of N requests (ms); fails on a non-200.
timed() {
  local n=$1 label=$2; shift 2
  local times=()
  for _ in $(seq "$n"); do
    local out
    out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$@")
    [ "${out%% *}" = 200 ] || { echo "$label: HTTP ${out%% *}" >&2; exit 1; }
    times+=("${out#* }")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v l="$label" -v n="$n" \
    '{t[NR] = $1 * 1000} END {printf "%-58s n=%-3d min %8.1f ms  median %8.1f ms\n", l, n, t[1], t[int((NR + 1) / 2)]}'
}
base="http://127.0.0.1:$PORT"
timed 1 "coverage, coast only, first request (model + baseline)" "$base/analysis/coverage?band=false"
timed 20 "coverage, coast only, cached" "$base/analysis/coverage?band=false"
timed 1 "coverage with the 1 km sea band, first request" "$base/analysis/coverage"
timed 20 "coverage with the sea band, cached" "$base/analysis/coverage"
timed 20 "what-if: fail one camera (coast)" -X POST -H 'Content-Type: application/json' \
  -d '{"fail": ["camera:17"]}' "$base/analysis/coverage/what-if"
timed 10 "what-if: fail one camera (coast + sea band)" -X POST -H 'Content-Type: application/json' \
  -d '{"fail": ["camera:17"], "band": true}' "$base/analysis/coverage/what-if"
timed 10 "what-if: fail a radar (coast + sea band)" -X POST -H 'Content-Type: application/json' \
  -d '{"fail": ["radar:1"], "band": true}' "$base/analysis/coverage/what-if"
timed 5 "suggest k=5 over 300 piers" "$base/analysis/coverage/suggest?k=5&candidates=piers"
timed 1 "patrol zones, 30 nights, first request (zones + coverage)" \
  "$base/patrol/zones?from=2026-11-28&to=2026-12-28&tz=Asia/Shanghai"
timed 20 "patrol zones, 30 nights" "$base/patrol/zones?from=2026-11-28&to=2026-12-28&tz=Asia/Shanghai"
timed 20 "patrol zones, 30 nights, iCalendar" "$base/patrol/zones.ics?from=2026-11-28&to=2026-12-28"
timed 20 "tide extremes, one year (JSON)" "$base/tides/kanmen/extremes?from=2026-01-01&to=2027-01-01"
timed 5 "tide heights, one year at 1 minute (CSV, 525,600 rows)" \
  "$base/tides/kanmen/predictions?from=2026-01-01&to=2026-12-31T23:59:00Z&step=1m&f=csv"

echo "== 3. Neaps on the same constituents (node)"
if [ -d tides/reference/node_modules ] || (cd tides/reference && npm ci --silent > /dev/null 2>&1); then
  node tides/reference/bench_reference.mjs
else
  echo "(npm registry unreachable: Neaps comparison skipped)"
fi
