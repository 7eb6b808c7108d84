// Drives VS Code (code-server) in headless Chromium through puppeteer-core:
// opens a recipe with a wrong triple, waits for 5rc-lsp's squiggle and its
// Problems entry, applies the quick fix, sees the error go, and hovers the
// method to read its card; the recipe, fixed, shows its cost code lens.
// Leaves screenshots at $SCREENSHOT (the end) and *-diagnostic.png (the error).
//
// Environment: CODE_SERVER_PREFIX (tools/install_code_server.sh's folder),
// CHROMIUM, WORKSPACE (holds wrong_triple.5r), USER_DATA_DIR, EXTENSIONS_DIR,
// SCREENSHOT, LOG_DIR.
'use strict';
const childProcess = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const prefix = env('CODE_SERVER_PREFIX');
const puppeteer = require(path.join(prefix, 'node_modules/puppeteer-core'));
const workspace = env('WORKSPACE');
const screenshot = env('SCREENSHOT');
const logDir = env('LOG_DIR');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startCodeServer(port) {
  const log = fs.openSync(path.join(logDir, 'code-server.log'), 'w');
  const child = childProcess.spawn(
    process.execPath,
    [path.join(prefix, 'node_modules/code-server/out/node/entry.js'),
     '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
     '--user-data-dir', env('USER_DATA_DIR'), '--extensions-dir', env('EXTENSIONS_DIR'),
     '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
     '--disable-getting-started-override', '--ignore-last-opened'],
    { stdio: ['ignore', log, log], detached: true });
  // Up when it answers HTTP.
  for (let i = 0; i < 300; ++i) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return child;
    } catch (e) { /* not yet */ }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server did not start; see ${logDir}/code-server.log`);
}

let step = 'starting';
const steps = [];
function begin(name) {
  step = name;
  steps.push([name, Date.now()]);
  console.log(`vscode-e2e: ${name}`);
}

async function pressWith(page, modifiers, key) {
  for (const m of modifiers) await page.keyboard.down(m);
  await page.keyboard.press(key);
  for (const m of modifiers.reverse()) await page.keyboard.up(m);
}

// Text of every element matching `selector`, joined; the editor renders
// spaces as no-break spaces.
async function textOf(page, selector) {
  return page.$$eval(selector,
    (els) => els.map((e) => e.textContent.replace(/\u00a0/g, ' ')).join('\n'));
}

async function waitForText(page, selector, needle, timeout) {
  await page.waitForFunction(
    (sel, n) => [...document.querySelectorAll(sel)]
      .some((e) => e.textContent.replace(/\u00a0/g, ' ').includes(n)),
    { timeout, polling: 200 }, selector, needle);
}

// The centre of the first token on screen that reads `word`.
async function tokenCenter(page, word) {
  return page.evaluate((w) => {
    for (const span of document.querySelectorAll('.monaco-editor .view-line span span')) {
      if (span.textContent !== w) continue;
      const r = span.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }
    return null;
  }, word);
}

async function run(page, port) {
  begin('open the workbench');
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });

  begin('open wrong_triple.5r');
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
  await waitForText(page, '.explorer-folders-view .monaco-list-row', 'wrong_triple.5r', 30000);
  const row = await page.waitForSelector('.explorer-folders-view .monaco-list-row[aria-label*="wrong_triple.5r"]');
  await row.click();
  await waitForText(page, '.monaco-editor .view-lines', 'reorder model_parameters', 30000);

  begin('wait for the language server\'s squiggle');
  await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 60000 });

  begin('read the Problems panel');
  await pressWith(page, ['Control', 'Shift'], 'KeyM');
  await waitForText(page, '.markers-panel .monaco-list-row', 'E0200', 30000);
  const problem = await textOf(page, '.markers-panel .monaco-list-row');
  if (!problem.includes("method 'ema' is declared as 'retrofit model_parameters dynamic domain'"))
    throw new Error(`unexpected Problems entry: ${problem}`);
  if (!/\[Ln 7, Col 3\]/.test(problem)) throw new Error(`Problems entry not at 7:3: ${problem}`);
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-diagnostic.png') });

  begin('apply the quick fix');
  const wrong = await tokenCenter(page, 'reorder');
  if (!wrong) throw new Error('no `reorder` token on screen');
  await page.mouse.click(wrong.x, wrong.y);
  await pressWith(page, ['Control'], 'Period');
  await waitForText(page, '.action-widget', 'retrofit model_parameters dynamic domain', 30000);
  await page.keyboard.press('Enter');
  await waitForText(page, '.monaco-editor .view-lines', 'retrofit model_parameters dynamic domain ema', 10000);

  begin('see the error disappear');
  await page.waitForFunction(() => !document.querySelector('.monaco-editor .squiggly-error'),
    { timeout: 30000, polling: 200 });
  await page.waitForFunction(
    () => ![...document.querySelectorAll('.markers-panel .monaco-list-row')]
      .some((e) => e.textContent.includes('E0200')), { timeout: 30000, polling: 200 });

  begin('see the cost code lens over the recipe');
  await waitForText(page, '.monaco-editor .codelens-decoration', 'the unchanged model', 30000);

  begin('hover the method and read its card');
  const box = await tokenCenter(page, 'ema');
  if (!box) throw new Error('no `ema` token on screen');
  await page.mouse.move(box.x - 40, box.y);
  await page.mouse.move(box.x, box.y, { steps: 5 });
  await waitForText(page, '.monaco-hover', 'method ema : retrofit model_parameters dynamic domain', 30000);
  await page.screenshot({ path: screenshot });
}

(async () => {
  fs.mkdirSync(logDir, { recursive: true });
  const port = await freePort();
  const codeServer = await startCodeServer(port);
  const browser = await puppeteer.launch({
    executablePath: env('CHROMIUM'),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1400,900'],
  });
  let failed = null;
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: 1400, height: 900 });
    await run(page, port);
  } catch (e) {
    failed = e;
    try { await page.screenshot({ path: screenshot }); } catch (ignored) { /* page gone */ }
  }
  await browser.close();
  try { process.kill(-codeServer.pid, 'SIGTERM'); } catch (ignored) { /* already gone */ }
  const start = steps.length ? steps[0][1] : Date.now();
  for (const [name, at] of steps) console.log(`  ${((at - start) / 1000).toFixed(1)} s  ${name}`);
  if (failed) {
    console.error(`vscode-e2e: FAILED while trying to ${step}: ${failed.message}`);
    console.error(`  screenshot ${screenshot}, logs in ${logDir}`);
    process.exit(1);
  }
  console.log(`vscode-e2e: squiggle, Problems entry, quick fix and hover card as expected; screenshot ${screenshot}`);
})();
