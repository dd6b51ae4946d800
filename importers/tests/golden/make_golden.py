#!/usr/bin/env python3
"""Golden reprojection values for the importers' tests, computed with pyproj.

Writes reprojection.csv beside this script: 21 points across Xiangshan County (a 5 x 4
grid over the area of interest, 121.55-122.35 E, 28.80-29.63 N, plus Shipu) in both
directions for each CRS the importers must handle:

  forward: WGS84 lon/lat -> CRS easting/northing
  inverse: CRS easting/northing (the forward result rounded to whole metres) -> lon/lat

Run: python3 -m pip install pyproj && python3 importers/tests/golden/make_golden.py
"""
import csv
import os

import pyproj
from pyproj import Transformer

CRSS = [4549, 4550, 32651, 3857]
LONS = [121.55, 121.75, 121.95, 122.15, 122.35]
LATS = [28.80, 29.0766667, 29.3533333, 29.63]
SHIPU = (121.95, 29.20)


def main():
    points = [(lon, lat) for lat in LATS for lon in LONS] + [SHIPU]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reprojection.csv")
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["direction", "epsg", "in_x", "in_y", "out_x", "out_y"])
        for code in CRSS:
            fwd = Transformer.from_crs("EPSG:4326", f"EPSG:{code}", always_xy=True)
            inv = Transformer.from_crs(f"EPSG:{code}", "EPSG:4326", always_xy=True)
            for lon, lat in points:
                x, y = fwd.transform(lon, lat)
                w.writerow(["forward", code, f"{lon:.7f}", f"{lat:.7f}", f"{x:.4f}", f"{y:.4f}"])
            for lon, lat in points:
                x, y = (round(v) for v in fwd.transform(lon, lat))
                lon2, lat2 = inv.transform(x, y)
                w.writerow(["inverse", code, f"{x:.1f}", f"{y:.1f}", f"{lon2:.10f}", f"{lat2:.10f}"])
    print(f"wrote {out} with pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str})")


if __name__ == "__main__":
    main()
