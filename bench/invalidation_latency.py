#!/usr/bin/env python3
"""Cross-instance cache invalidation: from an import through instance A to a changed tile
on instance B. Each round imports a one-point layer through A (POST /admin/layers/…/import,
the point moved a little each time) and polls B's tile of that point every 2 ms until its
bytes change; B has the old tile cached before each import. Prints, as one JSON line,
p50/p90/p99/max in milliseconds of: the import request itself (A's answer, sent after its
commit), the time from sending the import to B's changed tile, and from A's answer to B's
changed tile (B may already have changed then: 0). The poll interval bounds the
resolution (±2 ms)."""
import argparse, http.client, json, statistics, time

ap = argparse.ArgumentParser()
ap.add_argument("--a", required=True, help="host:port of instance A (imports go here)")
ap.add_argument("--b", required=True, help="host:port of instance B (tiles read here)")
ap.add_argument("--token", required=True, help="admin token")
ap.add_argument("--rounds", type=int, default=50)
a = ap.parse_args()

def conn(addr):
    h, p = addr.rsplit(":", 1)
    return http.client.HTTPConnection(h, int(p), timeout=30)

TILE = "/tiles/bench_probe/10/858/425.mvt"
ca, cb = conn(a.a), conn(a.b)

def tile():
    cb.request("GET", TILE)
    r = cb.getresponse()
    return r.read()

def imp(i):
    body = json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"round": i}, "geometry": {"type": "Point", "coordinates": [121.90 + i * 1e-4, 29.2]}}]})
    ca.request("POST", "/admin/layers/bench_probe/import?filename=probe.geojson", body=body,
               headers={"Authorization": f"Bearer {a.token}", "Content-Type": "application/geo+json"})
    r = ca.getresponse()
    r.read()
    assert r.status == 200, r.status

imp(0)
time.sleep(1)
imports, changed, after_answer = [], [], []
for i in range(1, a.rounds + 1):
    before = tile()
    t0 = time.monotonic()
    imp(i)
    t1 = time.monotonic()
    while tile() == before:
        if time.monotonic() - t0 > 10:
            raise SystemExit(f"round {i}: B's tile never changed")
        time.sleep(0.002)
    t2 = time.monotonic()
    imports.append((t1 - t0) * 1000)
    changed.append((t2 - t0) * 1000)
    after_answer.append((t2 - t1) * 1000)

def stats(ms):
    ms = sorted(ms)
    q = lambda p: round(ms[min(len(ms) - 1, int(p * len(ms)))], 1)
    return {"p50": q(0.5), "p90": q(0.9), "p99": q(0.99), "max": round(ms[-1], 1),
            "mean": round(statistics.mean(ms), 1)}

print(json.dumps({"rounds": len(changed), "import_request_ms": stats(imports),
                  "sent_to_b_changed_ms": stats(changed), "answer_to_b_changed_ms": stats(after_answer)}))
