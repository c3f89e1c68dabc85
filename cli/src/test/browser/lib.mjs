// Shared helpers of the dashboard's browser scenarios, run by driver.mjs (started by DashboardBrowserTest) with:
//   DASHBOARD_URL            the dashboard's address (http://127.0.0.1:port/)
//   DASHBOARD_KEY            the system key; DASHBOARD_READ_ONLY_KEY the read-only key
//   TASKHUB_PLAYWRIGHT_HOME  a folder whose node_modules holds playwright-core
//   TASKHUB_CHROMIUM         the Chromium executable (Debian's /usr/bin/chromium)
//   SCREENSHOT_DIR           where to write screenshots (optional)
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import path from 'node:path';

export { assert };
export const base = process.env.DASHBOARD_URL;
export const key = process.env.DASHBOARD_KEY;
export const readOnlyKey = process.env.DASHBOARD_READ_ONLY_KEY;
export const apiBase = base.replace(/\/$/, '') + '/runtime/webhooks/durabletask';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** Launches Chromium once (a fresh temporary profile); each scenario gets its own browser context. */
export async function launch() {
  const require = createRequire(path.join(process.env.TASKHUB_PLAYWRIGHT_HOME, 'package.json'));
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath: process.env.TASKHUB_CHROMIUM || '/usr/bin/chromium', headless: true, args: ARGS });
}

/**
 * A fresh context (own sessionStorage, downloads allowed) and page for one scenario; close() fails on any script
 * error or browser dialog (alert, confirm) that happened in the page.
 */
export async function openContext(browser, data) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, acceptDownloads: true, timezoneId: 'UTC', locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('dialog', (d) => { problems.push('unexpected browser dialog: ' + d.message()); d.dismiss().catch(() => {}); });
  let answer = null;
  return {
    page, context, problems, data,
    result(value) { answer = value; },
    answer() { return answer; },
    async login(k) {
      await page.goto(base);
      await page.fill('#key-input', k);
      await page.click('#key-submit');
      await page.waitForSelector('#instances');
    },
    async close() {
      await context.close();
      assert.deepEqual(problems, [], 'no script errors or browser dialogs in the page');
    },
  };
}

export function screenshot(page, name) {
  const dir = process.env.SCREENSHOT_DIR;
  return dir ? page.screenshot({ path: path.join(dir, name), fullPage: false }) : Promise.resolve();
}

/** The instance ids of the list's rows, in order, once the list has loaded. */
export async function rowIds(page) {
  await page.waitForSelector('#page-info:not(:empty)');
  return page.$$eval('#rows tr[data-instance-id]', (rows) => rows.map((r) => r.dataset.instanceId));
}

/** Waits until the list shows exactly n rows (auto refresh or paging), answers the ids. */
export async function waitRows(page, n) {
  await page.waitForFunction((n) => document.querySelector('#page-info') && document.querySelector('#page-info').textContent !== ''
    && document.querySelectorAll('#rows tr[data-instance-id]').length === n, n);
  return rowIds(page);
}

/** Navigates to a dashboard URL (query string) in this tab. */
export async function visit(page, query) {
  await page.goto(base + (query ? '?' + query : ''));
}

/** Waits for a toast that contains the text. */
export async function toast(page, text) {
  await page.waitForFunction((t) => [...document.querySelectorAll('#toast div')].some((d) => d.textContent.includes(t)), text);
}

/** Reloads the instance page until its status is the expected one. */
export async function waitStatus(page, status) {
  for (let i = 0; i < 60; i++) {
    await page.waitForSelector('#instance-status');
    if ((await page.textContent('#instance-status')) === status) return;
    await page.waitForTimeout(250);
    await page.reload();
  }
  assert.equal(await page.textContent('#instance-status'), status);
}

/** Calls the management API from Node (outside the page). */
export async function api(method, pathAndQuery, body, k) {
  const res = await fetch(apiBase + pathAndQuery, {
    method, headers: { 'x-functions-key': k || key, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}
