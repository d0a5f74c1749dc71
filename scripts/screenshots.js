// Screenshots of the running demo (scripts/develop) for the README, in headless Chromium.
// Needs chromium (apt-get install chromium) and playwright-core:
//   npm install --prefix /tmp/shots playwright-core
// Usage: NODE_PATH=/tmp/shots/node_modules node scripts/screenshots.js '[["/yunjing-demo/building", "docs/dashboard.png", 6000]]'
const { chromium } = require('playwright-core');
(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const base = 'http://127.0.0.1:8123';
  await page.goto(base + '/', { waitUntil: 'networkidle' });
  await page.waitForTimeout(2000);
  await page.locator('input[name="username"], input[autocomplete="username"]').first().fill('admin');
  await page.locator('input[name="password"], input[type="password"]').first().fill('yunjing-demo');
  await page.keyboard.press('Enter');
  await page.waitForURL(url => !url.toString().includes('auth'), { timeout: 30000 });
  const shots = JSON.parse(process.argv[2]);
  for (const [path, file, wait] of shots) {
    await page.goto(base + path, { waitUntil: 'networkidle' });
    await page.waitForTimeout(wait || 4000);
    await page.screenshot({ path: file });
    console.log('shot', file);
  }
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
