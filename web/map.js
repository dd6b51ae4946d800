// Tidewatch map page: MapLibre with the server's default style, a layer panel built from
// /catalog, and a popup with a clicked feature's properties. No framework, no build step,
// and nothing loaded from anywhere but this server (the county network has no internet).
import * as maplibregl from '/static/maplibre-gl.mjs';

const STYLE_URL = '/styles/default.json';
const CATALOG_URL = '/catalog';

// CJK ideographs are drawn by the browser from local fonts, not from glyph ranges.
const CJK_FONTS = [
  'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Source Han Sans CN',
  'Microsoft YaHei', '微软雅黑', 'PingFang SC', 'Hiragino Sans GB',
  'WenQuanYi Micro Hei', 'WenQuanYi Zen Hei', 'Droid Sans Fallback', 'SimHei', 'sans-serif',
].map((f) => (f === 'sans-serif' ? f : `'${f}'`)).join(', ');

// Legend swatches per source-layer; they mirror styles/default.json.
const LEGEND = {
  piers: [
    { zh: '闲置（走私风险）', en: 'idle (smuggling risk)', fill: '#d7191c', stroke: '#ffffff', size: 1.15 },
    { zh: '使用中', en: 'in use', fill: '#1f4e8c', stroke: '#ffffff', size: 0.85 },
  ],
  barriers: [
    { zh: '损坏', en: 'damaged', fill: '#ff8c1a', stroke: '#3a1c00' },
    { zh: '正常', en: 'working', fill: '#5b5b5b', stroke: '#ffffff', size: 0.8 },
  ],
  cameras: [
    { zh: '故障', en: 'failed', fill: '#ffffff', stroke: '#c51b7d' },
    { zh: '正常', en: 'working', fill: '#1a9850', stroke: '#ffffff', size: 0.8 },
  ],
  radars: [
    { zh: '正常', en: 'working', fill: '#5e2a91', stroke: '#ffffff', size: 1.2 },
    { zh: '故障', en: 'failed', fill: '#b8a9cf', stroke: '#c51b7d', size: 1.2 },
  ],
};

// Property names and values shown in popups, in Chinese and English.
const FIELD_LABELS = {
  name_zh: ['名称', 'Name'], name_en: ['英文名', 'English name'], kind: ['类型', 'Kind'],
  town_zh: ['乡镇', 'Town'], town_en: ['乡镇（英文）', 'Town (English)'], idle: ['闲置', 'Idle'],
  unmanned: ['无人值守', 'Unmanned'], berth_depth_m: ['泊位水深', 'Berth depth'],
  status: ['状态', 'Status'], height_limit_m: ['限高', 'Height limit'], pier_id: ['所属码头编号', 'Pier id'],
  site: ['位置', 'Site'], height_m: ['安装高度', 'Mounting height'], bearing_deg: ['朝向', 'Bearing'],
  fov_deg: ['视场角', 'Field of view'], range_day_m: ['白天视距', 'Day range'],
  range_night_m: ['夜间视距', 'Night range'], band: ['波段', 'Band'],
  antenna_height_m: ['天线高度', 'Antenna height'], rated_range_km: ['额定探测距离', 'Rated range'],
  station_id: ['站号', 'Station id'], source: ['数据来源', 'Source'], chart_datum: ['基准面', 'Chart datum'],
  constituent_count: ['分潮数', 'Tidal constituents'], name: ['名称', 'Name'],
  vessel_id: ['船舶编号', 'Vessel id (MMSI)'], speed_kn: ['航速', 'Speed'], course_deg: ['航向', 'Course'],
  heading_deg: ['船首向', 'Heading'], time: ['报告时间', 'Reported'], age_s: ['距今', 'Age'],
  ship_type: ['船舶类型', 'Ship type'], ais_class: ['AIS 等级', 'AIS class'], nav_status: ['航行状态', 'Navigation status'],
  sensor_id: ['传感器', 'Sensor'], sensor_type: ['传感器类型', 'Sensor type'], rank: ['排名', 'Rank'],
  length_m: ['长度', 'Length'], zone: ['巡逻区', 'Patrol zone'], night: ['夜晚', 'Night'],
  window_start: ['窗口开始', 'Window start'], window_end: ['窗口结束', 'Window end'],
  high_water_time: ['高潮时间', 'High water'], high_water_height_m: ['高潮潮高', 'High water height'],
  datum: ['基准面', 'Datum'], station: ['潮位站', 'Tide station'], priority: ['优先级', 'Priority'],
  reasons_zh: ['原因', 'Reasons'], reasons_en: ['原因（英文）', 'Reasons (English)'],
};
const VALUE_LABELS = {
  pier: '码头 pier', beaching_spot: '登滩点 beaching spot', working: '正常 working',
  damaged: '损坏 damaged', failed: '故障 failed', road: '道路 road', coast: '海岸 coast',
  visible: '可见光 visible', thermal: '热成像 thermal', ais: 'AIS', beidou: '北斗 Beidou',
};
const UNITS = [['_km', ' km'], ['_m', ' m'], ['_deg', '°'], ['_kn', ' kn'], ['_s', ' s']];
const NOT_SHOWN = new Set(['synthetic', 'name_zh', 'name_en']);
const ANALYSIS_LAYERS = new Set(['coverage', 'coverage_gaps', 'patrol_tonight']);

const $ = (sel) => document.querySelector(sel);
const statusEl = $('#status');
const setStatus = (text, isError = false) => {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', isError);
  statusEl.hidden = !text;
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'style') Object.assign(node.style, v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const map = new maplibregl.Map({
  container: 'map',
  style: STYLE_URL,
  localIdeographFontFamily: CJK_FONTS,
  attributionControl: false,
  hash: true,
  maxPitch: 0,
  dragRotate: false,
});
map.touchZoomRotate.disableRotation();
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
map.addControl(new maplibregl.FullscreenControl(), 'top-right');
map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 160 }), 'bottom-right');
// Shows the TileJSON `attribution` of the style's sources.
map.addControl(new maplibregl.AttributionControl({ compact: window.matchMedia('(max-width: 600px)').matches }), 'bottom-right');

let mapErrorShown = false;
map.on('error', (e) => {
  const msg = (e && e.error && (e.error.message || String(e.error))) || 'unknown error';
  console.error('map error:', msg);
  if (!mapErrorShown) {
    mapErrorShown = true;
    setStatus(`地图数据加载出错 · Map data error: ${msg}`, true);
  }
});

const styleLoaded = new Promise((resolve) => map.once('load', resolve));
const catalog = fetch(CATALOG_URL, { headers: { Accept: 'application/json' } }).then((r) => {
  if (!r.ok) throw new Error(`${CATALOG_URL}: HTTP ${r.status}`);
  return r.json();
});

// Style layers drawn from a given source-layer (the live vessels are drawn from a GeoJSON
// source the page adds itself, see the end of this file).
const LIVE_LAYERS = ['vessels-track', 'vessels-live', 'vessels-label'];
const styleLayersOf = (sourceLayer) =>
  sourceLayer === 'vessels'
    ? LIVE_LAYERS.filter((id) => map.getLayer(id))
    : map.getStyle().layers.filter((l) => l['source-layer'] === sourceLayer).map((l) => l.id);

function legendSwatch(item) {
  const s = el('span', { class: `swatch swatch-${item.shape || 'circle'}`, 'aria-hidden': 'true' });
  if (item.fill) s.style.background = item.fill;
  if (item.stroke) s.style.borderColor = item.stroke;
  if (item.size) s.style.setProperty('--scale', item.size);
  return s;
}

function layerRow(layer) {
  const id = `layer-${layer.id}`;
  const styleIds = styleLayersOf(layer.id);
  const box = el('input', { type: 'checkbox', id });
  const visible = styleIds.some((sid) => map.getLayoutProperty(sid, 'visibility') !== 'none');
  box.checked = styleIds.length > 0 && visible;
  box.disabled = styleIds.length === 0;
  box.addEventListener('change', () => {
    for (const sid of styleIds) map.setLayoutProperty(sid, 'visibility', box.checked ? 'visible' : 'none');
  });
  const count = layer.id === 'vessels' ? vesselCount() : Number(layer.feature_count ?? 0);
  const title = layer.title || {};
  // Layers computed while the server runs carry no stored feature count (the live vessels
  // count themselves from the position stream).
  const computed = layer.id !== 'vessels' && layer.feature_count == null;
  const computedText = ANALYSIS_LAYERS.has(layer.id) ? '实时分析 · computed analysis' : '实时 · live';
  const label = el('label', { for: id },
    el('span', { class: 'layer-zh' }, title.zh || layer.id),
    el('span', { class: 'layer-en' }, title.en || layer.id),
    el('span', { class: 'layer-count', id: `count-${layer.id}`, title: '要素数量 · feature count' },
      computed ? computedText
        : `${count.toLocaleString('zh-CN')} 个要素 · ${count === 1 ? 'feature' : 'features'}`),
  );
  const legend = el('ul', { class: 'legend', 'aria-label': `${title.zh || layer.id} 图例 legend` });
  for (const item of LEGEND[layer.id] || []) {
    legend.append(el('li', {}, legendSwatch(item), el('span', {}, `${item.zh} `), el('span', { class: 'en' }, item.en)));
  }
  const note = styleIds.length === 0 ? el('p', { class: 'layer-note' }, '默认样式未显示此图层 · not drawn by this style') : null;
  return el('li', { class: 'layer' }, box, el('div', { class: 'layer-text' }, label, legend.children.length ? legend : null, note));
}

Promise.all([catalog, styleLoaded]).then(([cat]) => {
  const list = $('#layers');
  list.replaceChildren(...(cat.layers || []).map(layerRow));
  setStatus(mapErrorShown ? statusEl.textContent : '', mapErrorShown);
}).catch((err) => {
  console.error(err);
  setStatus(`无法加载图层目录 · Cannot load the layer catalogue (${err.message})`, true);
});

// ---- popups
let titles = {};
catalog.then((cat) => { titles = Object.fromEntries((cat.layers || []).map((l) => [l.id, l.title || {}])); }).catch(() => {});

// Every style layer drawn from a source, except the land fill (no properties to show).
let clickable = [];
styleLoaded.then(() => {
  clickable = map.getStyle().layers.filter((l) => l.source && l['source-layer'] !== 'land').map((l) => l.id);
  clickable.push('vessels-live');
});
const interactiveLayers = () => clickable.filter((id) => map.getLayoutProperty(id, 'visibility') !== 'none');

function formatValue(key, value) {
  if (value === true) return '是 yes';
  if (value === false) return '否 no';
  if (typeof value === 'string' && VALUE_LABELS[value] && (key === 'kind' || key === 'status' || key === 'site' || key === 'source')) return VALUE_LABELS[value];
  const unit = UNITS.find(([suffix]) => key.endsWith(suffix));
  if (typeof value === 'number') return `${value.toLocaleString('zh-CN')}${unit ? unit[1] : ''}`;
  return String(value);
}

function featureContent(f) {
  const p = f.properties || {};
  const t = titles[f.sourceLayer] || {};
  const box = el('section', { class: 'feature' });
  box.append(el('p', { class: 'feature-layer' }, `${t.zh || f.sourceLayer}${t.en ? ` · ${t.en}` : ''}`));
  if (p.name_zh !== undefined || p.name_en !== undefined || p.name !== undefined) {
    box.append(el('h3', { class: 'feature-name' },
      p.name_zh !== undefined ? el('span', { lang: 'zh-CN' }, String(p.name_zh)) : null,
      p.name_en !== undefined ? el('span', { class: 'en', lang: 'en' }, String(p.name_en)) : null,
      p.name_zh === undefined && p.name_en === undefined ? String(p.name) : null));
  }
  if (p.synthetic === true || p.synthetic === 'true') {
    box.append(el('p', { class: 'synthetic' }, 'synthetic demo data / 合成演示数据'));
  }
  const dl = el('dl', { class: 'props' });
  for (const [key, value] of Object.entries(p)) {
    if (NOT_SHOWN.has(key) || (key === 'name' && p.name_zh === undefined && p.name_en === undefined)) continue;
    const [zh, en] = FIELD_LABELS[key] || [key, ''];
    dl.append(el('dt', {}, zh, en ? el('span', { class: 'en' }, ` ${en}`) : null), el('dd', {}, formatValue(key, value)));
  }
  if (dl.children.length) box.append(dl);
  return box;
}

const popup = new maplibregl.Popup({ maxWidth: 'min(26em, 90vw)', focusAfterOpen: true, className: 'tw-popup' });

function showFeatures(lngLat, features, index = 0) {
  const root = el('div', { class: 'popup-body' });
  root.append(featureContent(features[index]));
  if (features.length > 1) {
    const others = el('div', { class: 'others' }, el('p', {}, `此处共 ${features.length} 个要素 · ${features.length} features here:`));
    const ul = el('ul');
    features.forEach((f, i) => {
      const p = f.properties || {};
      const t = titles[f.sourceLayer] || {};
      const name = p.name_zh || p.name_en || p.name || t.zh || f.sourceLayer;
      const b = el('button', { type: 'button' }, `${name}（${t.zh || f.sourceLayer}）`);
      if (i === index) { b.disabled = true; b.setAttribute('aria-current', 'true'); }
      b.addEventListener('click', () => showFeatures(lngLat, features, i));
      ul.append(el('li', {}, b));
    });
    others.append(ul);
    root.append(others);
  }
  popup.setLngLat(lngLat).setDOMContent(root).addTo(map);
}

function featuresAt(point) {
  const r = 6; // pixels of slack around the pointer, so small circles are easy to hit
  const layers = interactiveLayers();
  if (!layers.length) return [];
  const seen = new Set();
  return map.queryRenderedFeatures([[point.x - r, point.y - r], [point.x + r, point.y + r]], { layers })
    .filter((f) => {
      const key = `${f.sourceLayer}/${f.id ?? JSON.stringify(f.properties)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    // the coastline only when nothing else is under the pointer
    .filter((f, _, all) => f.sourceLayer !== 'coastline' || all.every((g) => g.sourceLayer === 'coastline'))
    .slice(0, 8);
}

map.on('click', (e) => {
  const features = featuresAt(e.point);
  if (features.length) showFeatures(e.lngLat, features);
  else popup.remove();
  const vessel = features.find((f) => f.layer.id === 'vessels-live');
  showTrack(vessel ? vessel.properties.vessel_id : null);
});
map.on('mousemove', (e) => {
  map.getCanvas().style.cursor = featuresAt(e.point).length ? 'pointer' : '';
});

// ---- panel collapse (small screens start collapsed)
const toggle = $('#panel-toggle');
const panel = $('#panel');
function setPanelOpen(open) {
  panel.classList.toggle('collapsed', !open);
  toggle.setAttribute('aria-expanded', String(open));
  toggle.replaceChildren(el('span', { class: 'zh' }, open ? '收起' : '图层'), ' ', el('span', { class: 'en' }, open ? 'Hide' : 'Layers'));
}
toggle.addEventListener('click', () => setPanelOpen(panel.classList.contains('collapsed')));
if (window.matchMedia('(max-width: 600px)').matches) setPanelOpen(false);

// ---- live vessels: the current fleet from /vessels, then every position pushed by /live
// (Server-Sent Events), drawn as arrows turned to their heading (course when no heading).
const vessels = new Map();
function vesselCount() { return vessels.size; }
const vesselCollection = () => ({ type: 'FeatureCollection', features: [...vessels.values()] });
let vesselRedraw = null;
function redrawVessels() {
  if (vesselRedraw) return;
  vesselRedraw = requestAnimationFrame(() => {
    vesselRedraw = null;
    const src = map.getSource('vessels-live');
    if (src) src.setData(vesselCollection());
    const count = document.getElementById('count-vessels');
    if (count) count.textContent = `${vessels.size.toLocaleString('zh-CN')} 艘船 · vessels`;
  });
}
function putVessel(id, lon, lat, props) {
  const old = vessels.get(id);
  vessels.set(id, {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { ...(old ? old.properties : {}), ...props, vessel_id: id },
  });
}

function arrowImage() {
  const size = 32;
  const c = document.createElement('canvas');
  c.width = size; c.height = size;
  const g = c.getContext('2d');
  g.fillStyle = '#111827'; g.strokeStyle = '#ffffff'; g.lineWidth = 2.5;
  g.beginPath(); g.moveTo(16, 3); g.lineTo(26, 28); g.lineTo(16, 22); g.lineTo(6, 28); g.closePath();
  g.stroke(); g.fill();
  return g.getImageData(0, 0, size, size);
}

styleLoaded.then(() => {
  map.addImage('vessel-arrow', arrowImage(), { pixelRatio: 2, sdf: false });
  map.addSource('vessels-live', { type: 'geojson', data: vesselCollection() });
  map.addSource('vessels-track', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'vessels-track', type: 'line', source: 'vessels-track',
    paint: { 'line-color': '#e6550d', 'line-width': 2.5, 'line-dasharray': [2, 1] } });
  map.addLayer({ id: 'vessels-live', type: 'symbol', source: 'vessels-live', layout: {
    'icon-image': 'vessel-arrow', 'icon-size': ['interpolate', ['linear'], ['zoom'], 6, 0.5, 12, 1],
    'icon-rotate': ['coalesce', ['get', 'heading_deg'], ['get', 'course_deg'], 0],
    'icon-rotation-alignment': 'map', 'icon-allow-overlap': true, 'icon-ignore-placement': true } });
  map.addLayer({ id: 'vessels-label', type: 'symbol', source: 'vessels-live', minzoom: 11, layout: {
    'text-field': ['coalesce', ['get', 'name'], ['get', 'vessel_id']], 'text-font': ['Noto Sans Regular'],
    'text-size': 11, 'text-offset': [0, 1.3], 'text-anchor': 'top', 'text-optional': true },
    paint: { 'text-color': '#111827', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 } });
  return fetch('/vessels', { headers: { Accept: 'application/geo+json' } });
}).then((r) => (r.ok ? r.json() : { features: [] })).then((doc) => {
  for (const f of doc.features || []) putVessel(f.id, ...f.geometry.coordinates, f.properties);
  redrawVessels();
  const live = new EventSource('/live');
  live.addEventListener('positions', (e) => {
    for (const p of JSON.parse(e.data)) {
      const { id, lon, lat, ...rest } = p;
      putVessel(id, lon, lat, { ...rest, age_s: 0 });
    }
    redrawVessels();
  });
}).catch((err) => console.error('live vessels:', err));

// The clicked vessel's track over the last six hours.
async function showTrack(id) {
  const src = map.getSource('vessels-track');
  if (!src) return;
  if (!id) { src.setData({ type: 'FeatureCollection', features: [] }); return; }
  const from = new Date(Date.now() - 6 * 3600 * 1000).toISOString();
  const r = await fetch(`/vessels/${encodeURIComponent(id)}/track?from=${from}`);
  if (r.ok) src.setData(await r.json());
}

// ---- tides and patrol: pick a night, see the tide curve with the night and the patrol
// windows shaded, and that night's zones on the map (a GeoJSON layer over the tiles of
// `patrol_tonight`) listed by priority.
const SHANGHAI_MS = 8 * 3600 * 1000;
const localDate = (ms) => new Date(ms + SHANGHAI_MS).toISOString().slice(0, 10);
const localTime = (iso) => iso.slice(11, 16);
// Nights run from local noon to local noon; before noon it is still last night.
const tonight = () => localDate(Date.now() - 12 * 3600 * 1000);

function drawTideCurve(pred, windows, from, to) {
  const svg = document.getElementById('tide-curve');
  const ns = 'http://www.w3.org/2000/svg';
  const node = (tag, attrs) => {
    const n = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    return n;
  };
  const pts = pred.predictions.map((p) => [Date.parse(p.time), p.height_m]);
  const hs = pts.map((p) => p[1]);
  const lo = Math.floor(Math.min(...hs)), hi = Math.ceil(Math.max(...hs));
  const x = (t) => 20 + (280 * (t - from)) / (to - from);
  const y = (h) => 95 - (85 * (h - lo)) / Math.max(hi - lo, 0.1);
  const kids = [];
  for (const w of windows) {
    const ns0 = Math.max(Date.parse(w.night.start), from), ne = Math.min(Date.parse(w.night.end), to);
    kids.push(node('rect', { class: 'night', x: x(ns0), y: 5, width: Math.max(x(ne) - x(ns0), 0), height: 90 }));
    kids.push(node('rect', { class: 'window', x: x(Date.parse(w.start)), y: 5,
      width: x(Date.parse(w.end)) - x(Date.parse(w.start)), height: 90 }));
  }
  kids.push(node('path', { class: 'curve',
    d: pts.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('') }));
  for (const h of [lo, hi]) {
    const t = node('text', { class: 'axis', x: 2, y: y(h) + 3 });
    t.textContent = `${h} m`;
    kids.push(t);
  }
  for (let k = 0; k <= 24; k += 6) {
    const t = node('text', { class: 'axis', x: x(from + k * 3600e3) - 8, y: 106 });
    t.textContent = `${String((12 + k) % 24).padStart(2, '0')}:00`;
    kids.push(t);
  }
  svg.replaceChildren(...kids);
}

async function showNight(date) {
  const from = Date.parse(`${date}T12:00:00+08:00`);
  const to = from + 24 * 3600 * 1000;
  const range = `from=${encodeURIComponent(`${date}T12:00:00+08:00`)}&to=${encodeURIComponent(new Date(to).toISOString())}`;
  const caption = document.getElementById('tide-caption');
  const list = document.getElementById('patrol-zones');
  try {
    const stations = await (await fetch('/tides/stations')).json();
    const station = (stations.features || []).find((f) => f.properties.source !== 'none');
    if (!station) throw new Error('no tide station');
    const key = station.properties.station;
    const [pred, win, plan] = await Promise.all([
      fetch(`/tides/${key}/predictions?${range}&step=10m&tz=Asia/Shanghai`).then((r) => r.json()),
      fetch(`/tides/${key}/windows?${range}&tz=Asia/Shanghai`).then((r) => r.json()),
      fetch(`/patrol/zones?${range}&tz=Asia/Shanghai`).then((r) => r.json()),
    ]);
    drawTideCurve(pred, win.windows || [], from, to);
    const hw = (win.windows || []).map((w) => `${localTime(w.high_water.time)} ${w.high_water.height_m.toFixed(2)} m`);
    caption.textContent = `${station.properties.name_zh} ${station.properties.name_en} · ${pred.station.datum} · `
      + (hw.length ? `夜间高潮 night high water ${hw.join(', ')}` : '今夜无夜间高潮 · no night high water');
    const src = map.getSource('patrol-night');
    if (src) src.setData(plan);
    list.replaceChildren(...(plan.features || []).slice(0, 20).map((f) => {
      const p = f.properties;
      const li = el('li', { title: p.reasons_en }, `${p.name_zh} ${p.name_en} · ${localTime(p.window_start)}–${localTime(p.window_end)} · ${p.priority}`);
      li.addEventListener('click', () => {
        const c = f.geometry.coordinates.flat(2);
        const xs = c.map((q) => q[0]), ys = c.map((q) => q[1]);
        map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 40, maxZoom: 13 });
      });
      return li;
    }));
    window.tidewatchNight = { date, windows: (win.windows || []).length, zones: (plan.features || []).length };
  } catch (err) {
    caption.textContent = `潮汐数据不可用 · Tides unavailable: ${err.message}`;
  }
}

styleLoaded.then(() => {
  map.addSource('patrol-night', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'patrol-night-line', type: 'line', source: 'patrol-night',
    paint: { 'line-color': '#b30000', 'line-width': ['interpolate', ['linear'], ['get', 'priority'], 0, 0.5, 100, 3] } });
  const picker = document.getElementById('night');
  picker.value = tonight();
  picker.addEventListener('change', () => showNight(picker.value));
  showNight(picker.value);
});

// ---- alerts: the open early-warning events from /events/stream, drawn as rings by
// severity and listed newest first; a closed event leaves the map and greys out in the list.
const EVENT_LABELS = {
  dark_vessel: '船舶失联 dark vessel', night_pier_approach: '夜间靠近闲置码头 night pier approach',
  rendezvous: '海上过驳 rendezvous', loitering: '徘徊 loitering', repeat_visit: '重复到访 repeat visit',
};
const alerts = new Map();
function alertFeature(e) {
  return { type: 'Feature', id: e.id, geometry: { type: 'Point', coordinates: [e.lon, e.lat] },
    properties: { event_id: e.id, type: e.type, severity: e.severity, start: e.start, vessels: (e.vessels || []).join(', ') } };
}
function redrawAlerts() {
  const open = [...alerts.values()].filter((e) => e.open);
  const src = map.getSource('alerts-live');
  if (src) src.setData({ type: 'FeatureCollection', features: open.map(alertFeature) });
  const list = document.getElementById('alert-list');
  list.replaceChildren(...[...alerts.values()].reverse().slice(0, 15).map((e) => {
    const li = el('li', { class: e.open ? `alert-${e.severity}` : 'alert-closed' },
      `${localTime(new Date(Date.parse(e.start) + SHANGHAI_MS).toISOString())} ${EVENT_LABELS[e.type] || e.type} · ${(e.vessels || []).join(', ')}`);
    li.addEventListener('click', () => map.flyTo({ center: [e.lon, e.lat], zoom: Math.max(map.getZoom(), 12) }));
    return li;
  }));
  window.tidewatchAlerts = { open: open.length, total: alerts.size };
}
styleLoaded.then(() => {
  map.addSource('alerts-live', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'alerts-live', type: 'circle', source: 'alerts-live', paint: {
    'circle-radius': ['match', ['get', 'severity'], 'high', 14, 'medium', 11, 8],
    'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-width': 3,
    'circle-stroke-color': ['match', ['get', 'severity'], 'high', '#d7191c', 'medium', '#fdae61', '#ffffbf'] } });
  const stream = new EventSource('/events/stream');
  stream.addEventListener('snapshot', (m) => {
    for (const f of JSON.parse(m.data).features || []) alerts.set(f.id, { ...f.properties, open: true });
    redrawAlerts();
  });
  for (const kind of ['opened', 'severity', 'closed']) {
    stream.addEventListener(kind, (m) => {
      const e = JSON.parse(m.data);
      alerts.set(e.id, e);
      redrawAlerts();
    });
  }
});

window.tidewatchMap = map; // for debugging from the console
