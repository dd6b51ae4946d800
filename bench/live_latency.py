#!/usr/bin/env python3
"""Latency from an AIS message to its appearance in /vessels and on the /live stream.

Sends --markers position reports (type 1, pyais-encoded, a fresh MMSI each, inside the
stream's box) over their own TCP connection to the server's NMEA port, one every 20 ms,
while whatever load the caller runs keeps going. A thread reads /live (Server-Sent Events)
and notes when each marker arrives; the main thread polls GET /vessels/{mmsi} until it
answers 200. Prints p50/p90/p99/max of both in milliseconds, as one JSON line."""
import argparse, http.client, json, socket, threading, time
from pyais.encode import encode_dict

ap = argparse.ArgumentParser()
ap.add_argument("--http", required=True, help="host:port of the HTTP API")
ap.add_argument("--nmea", required=True, help="host:port of an NMEA TCP listener")
ap.add_argument("--markers", type=int, default=200)
# Fresh MMSIs per run: a database-backed server remembers earlier runs' vessels.
ap.add_argument("--mmsi-base", type=int, default=900_000_000 + int(time.time()) % 90_000 * 1_000)
a = ap.parse_args()
host, port = a.http.rsplit(":", 1)
BBOX = "121.90,29.10,121.95,29.15"
arrived, sent = {}, {}

def read_stream():
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    conn.request("GET", f"/live?bbox={BBOX}", headers={"Accept": "text/event-stream"})
    resp = conn.getresponse()
    event = None
    while True:
        line = resp.fp.readline()
        if not line:
            return
        line = line.decode().rstrip("\r\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "positions":
            now = time.monotonic()
            for p in json.loads(line[6:]):
                arrived.setdefault(p["id"], now)

threading.Thread(target=read_stream, daemon=True).start()
time.sleep(0.5)
feed = socket.create_connection((host if a.nmea.startswith(host) else a.nmea.rsplit(":", 1)[0], int(a.nmea.rsplit(":", 1)[1])))
api = http.client.HTTPConnection(host, int(port), timeout=30)
to_vessels = []
for i in range(a.markers):
    mmsi = a.mmsi_base + i
    lines = encode_dict({"msg_type": 1, "mmsi": mmsi, "lon": 121.92, "lat": 29.12, "speed": 3.0,
                         "course": 90.0, "heading": 90}, talker_id="AI", radio_channel="A")
    t0 = time.monotonic()
    feed.sendall("".join(l + "\r\n" for l in lines).encode())
    sent[str(mmsi)] = t0
    while True:
        api.request("GET", f"/vessels/{mmsi}")
        r = api.getresponse(); r.read()
        if r.status == 200:
            to_vessels.append(time.monotonic() - t0)
            break
        if time.monotonic() - t0 > 10:
            to_vessels.append(float("inf"))
            break
        time.sleep(0.002)
    time.sleep(0.02)
time.sleep(2)
to_stream = sorted(arrived[m] - t for m, t in sent.items() if m in arrived)
missing = len(sent) - len(to_stream)

def pct(xs, p):
    xs = sorted(xs)
    return round(1000 * xs[min(len(xs) - 1, int(p * len(xs)))], 1) if xs else None

print(json.dumps({
    "markers": len(sent),
    "vessels_ms": {"p50": pct(to_vessels, .5), "p90": pct(to_vessels, .9), "p99": pct(to_vessels, .99), "max": pct(to_vessels, 1)},
    "live_ms": {"p50": pct(to_stream, .5), "p90": pct(to_stream, .9), "p99": pct(to_stream, .99), "max": pct(to_stream, 1)},
    "live_missing": missing,
}))
