#!/usr/bin/env node
// Decodes tiles with @mapbox/vector-tile + pbf (MapLibre's decoder) and prints, as one JSON
// line, every feature per layer per file: {"FILE": {"layer": [{"id", "type", "keys"}, ...]}}.
// Geometry is loaded too (loadGeometry + toGeoJSON), so a tile MapLibre cannot read throws.
//   node feature_ids.mjs DIR/z/x/y.mvt ...
import fs from 'node:fs';
import zlib from 'node:zlib';
import { PbfReader as Pbf } from 'pbf';
import { VectorTile } from '@mapbox/vector-tile';

const out = {};
for (const file of process.argv.slice(2)) {
  let buf = fs.readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  const m = file.match(/(\d+)\/(\d+)\/(\d+)\.mvt$/);
  const [z, x, y] = m ? [+m[1], +m[2], +m[3]] : [0, 0, 0];
  const tile = new VectorTile(new Pbf(buf));
  const layers = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    const feats = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      f.loadGeometry();
      f.toGeoJSON(x, y, z);
      feats.push({ id: f.id ?? null, type: f.type, keys: Object.keys(f.properties).sort() });
    }
    layers[name] = feats;
  }
  out[file] = layers;
}
console.log(JSON.stringify(out));
