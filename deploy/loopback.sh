#!/usr/bin/env bash
# The docker-compose.yml topology without Docker, from Debian packages on loopback:
# PostgreSQL + PostGIS (scripts/setup --postgis), N Tidewatch instances, nginx in front.
#
#   deploy/loopback.sh up          migrate, load the demo data if the database has no
#                                  layers, start every instance and nginx; wait until healthy
#   deploy/loopback.sh down        stop nginx and every instance
#   deploy/loopback.sh status      what runs, with pids and ports
#   deploy/loopback.sh stop N      stop instance N (SIGTERM; KILL=1 for SIGKILL)
#   deploy/loopback.sh start N     start instance N again and wait until it is healthy
#
# Settings (environment):
#   DATABASE_URL       the shared database [default: what scripts/setup --postgis prints]
#   TIDEWATCH_BIN      the binary [default: target/release/tidewatch, else target/debug]
#   DEPLOY_DIR         logs, pids and nginx's files [default: target/deploy]
#   DEPLOY_PORT        nginx's port [default: 8080]; instance N listens on DEPLOY_PORT+N
#                      (HTTP) and DEPLOY_PORT+100+N (NMEA over TCP)
#   DEPLOY_INSTANCES   how many instances [default: 2]
#   TIDEWATCH_*        passed on to every instance (TIDEWATCH_ADMIN_TOKEN, …)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DIR=${DEPLOY_DIR:-$ROOT/target/deploy}
PORT=${DEPLOY_PORT:-8080}
N=${DEPLOY_INSTANCES:-2}
KILL=${KILL:-0}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

log() { printf '[loopback] %s\n' "$*"; }
die() { printf '[loopback] ERROR: %s\n' "$*" >&2; exit 1; }

bin() {
  if [ -n "${TIDEWATCH_BIN:-}" ]; then echo "$TIDEWATCH_BIN"; return; fi
  local target=${CARGO_TARGET_DIR:-$ROOT/target}
  for b in "$target/release/tidewatch" "$target/debug/tidewatch"; do
    [ -x "$b" ] && { echo "$b"; return; }
  done
  die "no tidewatch binary: cargo build --release -p tidewatch (or set TIDEWATCH_BIN)"
}

database_url() {
  if [ -n "${DATABASE_URL:-}" ]; then echo "$DATABASE_URL"; return; fi
  local f
  f=$(mktemp)
  TIDEWATCH_DATABASE_URL_FILE=$f scripts/setup --postgis >&2
  cat "$f"
  rm -f "$f"
}

# wait_healthy URL SECONDS
wait_healthy() {
  local deadline=$((SECONDS + $2))
  until curl -fs -o /dev/null --max-time 2 "$1/health"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_instance() {
  local i=$1 url=$2
  local pidf=$DIR/instance-$i.pid http=$((PORT + i)) nmea=$((PORT + 100 + i))
  if alive "$pidf"; then log "instance $i already runs (pid $(cat "$pidf"))"; return; fi
  DATABASE_URL=$url nohup "$(bin)" serve --listen "127.0.0.1:$http" \
    --nmea-tcp "127.0.0.1:$nmea" >>"$DIR/instance-$i.log" 2>&1 &
  echo $! >"$pidf"
  wait_healthy "http://127.0.0.1:$http" 60 ||
    die "instance $i did not become healthy; see $DIR/instance-$i.log: $(tail -5 "$DIR/instance-$i.log")"
  log "instance $i: http://127.0.0.1:$http (NMEA tcp 127.0.0.1:$nmea), pid $(cat "$pidf")"
}

stop_instance() {
  local i=$1 pidf=$DIR/instance-$1.pid
  alive "$pidf" || { rm -f "$pidf"; return 0; }
  local pid
  pid=$(cat "$pidf")
  if [ "$KILL" = 1 ]; then kill -KILL "$pid"; else kill -TERM "$pid"; fi
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$pidf"
  log "instance $i stopped"
}

write_nginx_conf() {
  mkdir -p "$DIR/nginx/tmp"
  chmod 0777 "$DIR/nginx/tmp" # the workers (nobody, under a root master) write request bodies here
  {
    echo "upstream tidewatch {"
    for i in $(seq "$N"); do
      echo "    server 127.0.0.1:$((PORT + i)) max_fails=1 fail_timeout=5s;"
    done
    echo "    keepalive 64;"
    echo "}"
  } >"$DIR/nginx/upstream.conf"
  sed "s/listen 8080;/listen 127.0.0.1:$PORT;/" deploy/nginx/tidewatch.conf >"$DIR/nginx/tidewatch.conf"
  cat >"$DIR/nginx/nginx.conf" <<EOF
# Written by deploy/loopback.sh; the server block is deploy/nginx/tidewatch.conf.
worker_processes auto;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $DIR/nginx/tmp/body;
    proxy_temp_path $DIR/nginx/tmp/proxy;
    fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
    uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
    scgi_temp_path $DIR/nginx/tmp/scgi;
    include $DIR/nginx/upstream.conf;
    include $DIR/nginx/tidewatch.conf;
}
EOF
}

up() {
  command -v nginx >/dev/null || die "nginx is missing: scripts/setup --test installs it (apt install nginx-light)"
  command -v curl >/dev/null || die "curl is missing (apt install curl)"
  local url
  url=$(database_url)
  log "database: ${url//:*@/:***@}"
  # Migrates, and loads the demo data when the database holds no layers.
  "$(bin)" demo --load --if-empty --database-url "$url"
  echo "$url" >"$DIR/database_url"
  for i in $(seq "$N"); do start_instance "$i" "$url"; done
  write_nginx_conf
  if alive "$DIR/nginx/nginx.pid"; then
    nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -s reload
  else
    nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf"
  fi
  wait_healthy "http://127.0.0.1:$PORT" 10 || die "nginx does not answer; see $DIR/nginx/error.log"
  log "up: http://127.0.0.1:$PORT/ (nginx) in front of $N instances"
}

down() {
  if alive "$DIR/nginx/nginx.pid"; then
    nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -s quit || true
    for _ in $(seq 50); do alive "$DIR/nginx/nginx.pid" || break; sleep 0.1; done
    log "nginx stopped"
  fi
  for f in "$DIR"/instance-*.pid; do
    [ -e "$f" ] || continue
    local i=${f##*/instance-}
    stop_instance "${i%.pid}"
  done
}

status() {
  if alive "$DIR/nginx/nginx.pid"; then
    log "nginx: http://127.0.0.1:$PORT/ (pid $(cat "$DIR/nginx/nginx.pid"))"
  else
    log "nginx: not running"
  fi
  for i in $(seq "$N"); do
    if alive "$DIR/instance-$i.pid"; then
      log "instance $i: http://127.0.0.1:$((PORT + i)) (pid $(cat "$DIR/instance-$i.pid"))"
    else
      log "instance $i: not running"
    fi
  done
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  stop) [ -n "${2:-}" ] || die "stop which instance?"; stop_instance "$2" ;;
  start)
    [ -n "${2:-}" ] || die "start which instance?"
    [ -f "$DIR/database_url" ] || die "not up: run deploy/loopback.sh up first"
    start_instance "$2" "$(cat "$DIR/database_url")"
    ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
