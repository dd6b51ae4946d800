#!/usr/bin/env python3
"""Writes the import benchmark inputs into OUT (default bench/out), deterministically:
points_1m2.csv -- 1,200,000 AIS-like positions around the real Xiangshan coast (lon, lat, mmsi, sog_kn);
polygons_100k.gpkg -- 100,000 small squares (fish-farm plots) near the coast, EPSG:4326, made by GDAL's ogr2ogr."""
import json, os, random, subprocess, sys

out = sys.argv[1] if len(sys.argv) > 1 else "bench/out"
os.makedirs(out, exist_ok=True)
here = os.path.dirname(os.path.abspath(__file__))
coast = json.load(open(os.path.join(here, "..", "data", "demo", "coastline.geojson")))
vertices = [c for line in coast["features"][0]["geometry"]["coordinates"] for c in line]
rng = random.Random(988)

points = os.path.join(out, "points_1m2.csv")
if not os.path.exists(points):
    with open(points, "w") as f:
        f.write("lon,lat,mmsi,sog_kn\n")
        for i in range(1_200_000):
            lon, lat = rng.choice(vertices)
            f.write(f"{lon + rng.uniform(-0.03, 0.03):.6f},{lat + rng.uniform(-0.025, 0.025):.6f},"
                    f"{412000000 + i % 90000},{rng.uniform(0, 15):.1f}\n")

gpkg = os.path.join(out, "polygons_100k.gpkg")
if not os.path.exists(gpkg):
    wkt = os.path.join(out, "polygons_100k.csv")
    with open(wkt, "w") as f:
        f.write("wkt,plot,owner\n")
        for i in range(100_000):
            lon, lat = rng.choice(vertices)
            lon += rng.uniform(-0.02, 0.02); lat += rng.uniform(-0.02, 0.02); d = 0.0005
            ring = [(lon, lat), (lon + d, lat), (lon + d, lat + d), (lon, lat + d), (lon, lat)]
            f.write('"POLYGON((' + ",".join(f"{x:.6f} {y:.6f}" for x, y in ring) + f'))",{i},farm {i % 500}\n')
    subprocess.run(["ogr2ogr", "-f", "GPKG", gpkg, wkt, "-oo", "GEOM_POSSIBLE_NAMES=wkt", "-oo", "KEEP_GEOM_COLUMNS=NO",
                    "-a_srs", "EPSG:4326", "-nln", "plots"], check=True)
    os.remove(wkt)
print(f"inputs in {out}")
