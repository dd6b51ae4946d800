import * as maplibregl from '/static/maplibre-gl.mjs';
new maplibregl.Map({ container: 'map', style: '/styles/default.json' });
