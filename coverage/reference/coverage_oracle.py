#!/usr/bin/env python3
"""Reference coverage for the geometry-oracle test (tests/geometry.rs), computed independently
with shapely + pyproj: a synthetic coastline off Shipu and four all-round sensors, no land.

Each sensor's range circle is built as a true geodesic circle (buffer of the point in an
azimuthal equidistant projection centred on the sensor, 1,024 segments), the circles are
unioned in lon/lat, and covered/gap lengths of the coastline are geodesic lengths on WGS84.

    pip install shapely pyproj
    python3 coverage/reference/coverage_oracle.py > coverage/tests/data/coverage_oracle.json
"""
import json

from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point
from shapely.ops import transform, unary_union

GEOD = Geod(ellps="WGS84")

# A zig-zag coastline about 40 km long and a short island-like second line.
COAST = [
    [(121.90, 29.10), (121.95, 29.14), (121.98, 29.13), (122.02, 29.18), (122.06, 29.17), (122.10, 29.22)],
    [(121.92, 29.25), (121.96, 29.26), (121.99, 29.24)],
]
# id, lon, lat, range in metres
SENSORS = [
    ("s1", 121.93, 29.115, 3000.0),
    ("s2", 122.00, 29.16, 2500.0),
    ("s3", 122.08, 29.20, 4000.0),
    ("s4", 121.955, 29.245, 1500.0),
]


def geodesic_circle(lon, lat, radius):
    aeqd = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m"
    to_ll = Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True).transform
    return transform(to_ll, Point(0, 0).buffer(radius, quad_segs=256))


def main():
    seen = unary_union([geodesic_circle(lon, lat, r) for _, lon, lat, r in SENSORS])
    total = covered = 0.0
    for part in COAST:
        line = LineString(part)
        total += GEOD.geometry_length(line)
        covered += GEOD.geometry_length(line.intersection(seen))
    print(json.dumps({
        "source": "coverage/reference/coverage_oracle.py (shapely + pyproj, geodesic circles)",
        "coastline": COAST,
        "sensors": [{"id": i, "lon": lon, "lat": lat, "range_m": r} for i, lon, lat, r in SENSORS],
        "coastline_m": total,
        "covered_m": covered,
        "gap_m": total - covered,
    }, indent=1))


if __name__ == "__main__":
    main()
