// The map page itself in headless Chromium: the live vessels arrive (from /vessels, then
// pushed by /live), are drawn as arrows, and clicking one draws its track; the night
// picker draws the tide curve and lists that night's patrol zones.
// Run from a folder where `playwright-core` resolves (the maplibre-harness copy):
//   node map_page.mjs http://127.0.0.1:PORT/#12/29.2/121.95 VESSEL_ID
// Prints one JSON line; exit 0 pass, 1 fail.
import { chromium } from 'playwright-core';
import fs from 'node:fs';

const [url, vesselId] = process.argv.slice(2);
const result = { ok: false, errors: [] };
const udd = fs.mkdtempSync('/tmp/tidewatch-map-page-');
const browser = await chromium.launchPersistentContext(udd, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  viewport: { width: 900, height: 700 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--use-angle=swiftshader',
         '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
});
try {
  const page = browser.pages()[0] || await browser.newPage();
  page.on('pageerror', (e) => result.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push(m.text()); });
  await page.goto(url);
  // The vessel is drawn.
  await page.waitForFunction((id) => {
    const map = window.tidewatchMap;
    if (!map || !map.getLayer('vessels-live') || !map.loaded()) return false;
    return map.queryRenderedFeatures({ layers: ['vessels-live'] })
      .some((f) => f.properties.vessel_id === id);
  }, vesselId, { timeout: 30000 });
  result.drawn = await page.evaluate(() =>
    window.tidewatchMap.queryRenderedFeatures({ layers: ['vessels-live'] }).length);
  // It moves when a new position is pushed: the test posts one and we wait for it here.
  const before = await page.evaluate((id) => {
    const f = window.tidewatchMap.queryRenderedFeatures({ layers: ['vessels-live'] })
      .find((g) => g.properties.vessel_id === id);
    return f.geometry.coordinates;
  }, vesselId);
  console.log(JSON.stringify({ ready: true, before }));
  await page.waitForFunction(([id, b]) => {
    const f = window.tidewatchMap.queryRenderedFeatures({ layers: ['vessels-live'] })
      .find((g) => g.properties.vessel_id === id);
    return f && (Math.abs(f.geometry.coordinates[0] - b[0]) > 1e-4 || Math.abs(f.geometry.coordinates[1] - b[1]) > 1e-4);
  }, [vesselId, before], { timeout: 30000 });
  result.moved = true;
  // A click on the vessel draws its track.
  const point = await page.evaluate((id) => {
    const map = window.tidewatchMap;
    const f = map.queryRenderedFeatures({ layers: ['vessels-live'] }).find((g) => g.properties.vessel_id === id);
    const p = map.project(f.geometry.coordinates);
    return { x: p.x, y: p.y };
  }, vesselId);
  const box = await page.locator('#map canvas').boundingBox();
  await page.mouse.click(box.x + point.x, box.y + point.y);
  await page.waitForFunction(async () => {
    const data = await window.tidewatchMap.getSource('vessels-track').getData();
    return data && data.type === 'Feature' && data.geometry && data.geometry.type === 'LineString';
  }, null, { timeout: 30000 });
  result.track_points = await page.evaluate(async () =>
    (await window.tidewatchMap.getSource('vessels-track').getData()).geometry.coordinates.length);
  // Tides and patrol: pick the night of 29 November 2026 (high water near midnight).
  await page.fill('#night', '2026-11-29');
  await page.dispatchEvent('#night', 'change');
  await page.waitForFunction(() => window.tidewatchNight && window.tidewatchNight.date === '2026-11-29',
    null, { timeout: 30000 });
  result.night = await page.evaluate(() => ({
    ...window.tidewatchNight,
    curve_points: (document.querySelector('#tide-curve path.curve')?.getAttribute('d') || '').split('L').length,
    window_rects: document.querySelectorAll('#tide-curve rect.window').length,
    listed: document.querySelectorAll('#patrol-zones li').length,
    caption: document.getElementById('tide-caption').textContent,
  }));
  await page.waitForFunction(() => window.tidewatchAlerts, null, { timeout: 30000 });
  result.alerts = await page.evaluate(() => window.tidewatchAlerts);
  result.ok = result.errors.length === 0;
} catch (e) {
  result.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
