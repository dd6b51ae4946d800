#!/usr/bin/env python3
"""Latency from the position message that completes an early-warning condition to the
event on /events/stream.

Each marker is a fresh vessel (a new MMSI) reporting once, slower than 2 kn, beside an
idle pier: with the bench's `[alerts.approach] night = "00:00-23:59"` every moment is
night there, so that one message completes a night pier approach. Markers go over their
own TCP connection to the server's NMEA port, one every 50 ms, while the caller's
background feed keeps running. A thread reads /events/stream and notes when each marker's
`opened` event arrives. Prints p50/p90/p99/max in milliseconds and how many never came,
as one JSON line."""
import argparse, http.client, json, socket, threading, time
from pyais.encode import encode_dict

ap = argparse.ArgumentParser()
ap.add_argument("--http", required=True, help="host:port of the HTTP API")
ap.add_argument("--nmea", required=True, help="host:port of an NMEA TCP listener")
ap.add_argument("--pier", required=True, help="lon,lat of an idle pier")
ap.add_argument("--markers", type=int, default=200)
a = ap.parse_args()
host, port = a.http.rsplit(":", 1)
lon, lat = (float(x) for x in a.pier.split(","))
arrived, sent = {}, {}

def read_stream():
    conn = http.client.HTTPConnection(host, int(port), timeout=300)
    conn.request("GET", "/events/stream", headers={"Accept": "text/event-stream"})
    resp = conn.getresponse()
    event = None
    while True:
        line = resp.fp.readline()
        if not line:
            return
        line = line.decode().rstrip("\r\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "opened":
            now = time.monotonic()
            for v in json.loads(line[6:]).get("vessels", []):
                arrived.setdefault(v, now)

threading.Thread(target=read_stream, daemon=True).start()
time.sleep(0.5)
nhost, nport = a.nmea.rsplit(":", 1)
feed = socket.create_connection((nhost, int(nport)))
for i in range(a.markers):
    mmsi = 998_000_000 + i
    lines = encode_dict({"msg_type": 1, "mmsi": mmsi, "lon": lon + 0.0005, "lat": lat, "speed": 0.5,
                         "course": 90.0, "heading": 90}, talker_id="AI", radio_channel="A")
    sent[str(mmsi)] = time.monotonic()
    feed.sendall("".join(l + "\r\n" for l in lines).encode())
    time.sleep(0.05)
time.sleep(3)
lat_ms = sorted((arrived[k] - t) * 1000 for k, t in sent.items() if k in arrived)
missing = len(sent) - len(lat_ms)
q = lambda p: round(lat_ms[min(len(lat_ms) - 1, int(p * len(lat_ms)))], 1) if lat_ms else None
print(json.dumps({"markers": len(sent), "missing": missing, "p50_ms": q(0.5), "p90_ms": q(0.9),
                  "p99_ms": q(0.99), "max_ms": round(lat_ms[-1], 1) if lat_ms else None}))
