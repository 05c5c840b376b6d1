// Opens one HTML file in headless Chromium the way a person would (file://, no server) and prints, as
// JSON, what a test needs to judge it: each .chart element's state, console errors, uncaught page
// errors, dialogs, and every request the page made beyond its own file.
//
// Usage: node open-page.mjs PAGE.html [--screenshot OUT.png]
// CHROMIUM overrides /usr/bin/chromium (Debian's package; Playwright's own download cannot work here).
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [page_path, flag, screenshot] = process.argv.slice(2);
if (!page_path || (flag && flag !== '--screenshot') || (flag && !screenshot)) {
  console.error('usage: node open-page.mjs PAGE.html [--screenshot OUT.png]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  // Without the background-networking flags Chromium keeps trying the network, which is closed here.
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  const url = pathToFileURL(page_path).href;
  const seen = { consoleErrors: [], pageErrors: [], dialogs: [], requests: [] };
  page.on('console', m => { if (m.type() === 'error') seen.consoleErrors.push(m.text()); });
  page.on('pageerror', e => seen.pageErrors.push(String(e)));
  page.on('dialog', d => { seen.dialogs.push(d.message()); d.dismiss(); });
  // Anything beyond the page itself is recorded and refused: the page must work offline.
  await page.route('**/*', route => {
    const request = route.request().url();
    if (request === url) return route.continue();
    seen.requests.push(request);
    return route.abort();
  });

  await page.goto(url);
  // Every chart ends drawn (data-drawn) or failed (data-error); a page whose script never ran times out here.
  await page.waitForFunction(
    () => [...document.querySelectorAll('.chart')].every(c => c.dataset.drawn || c.dataset.error),
    null, { timeout: 30000 });
  const charts = await page.$$eval('.chart', elements => elements.map(c => ({
    id: c.id,
    drawn: c.dataset.drawn === 'true',
    error: c.dataset.error ?? null,
    // The marks Vega drew: one path per bar, one line path per series.
    bars: c.querySelectorAll('g.mark-rect path').length,
    lines: c.querySelectorAll('g.mark-line path').length,
    // Points drawn on the lines, or alone: one per (bucket, event type) in the chart's data.
    points: c.querySelectorAll('g.mark-symbol.role-mark path').length,
  })));
  // Wider than the window: something the reader must scroll sideways to see.
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  const tables = await page.$$eval('table', tables => tables.map(t => t.rows.length - 1));
  const title = await page.title();
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ title, charts, tables, scrollWidth, ...seen }));
} finally {
  await browser.close();
}
