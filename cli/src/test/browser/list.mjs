// The instance list: counts, paging through the continuation token, sort, filters kept in the URL (reload and back
// button), name and created-range filters, auto refresh, and the other views' navigation.
import { assert, base, rowIds, waitRows, visit, screenshot, api } from './lib.mjs';

export default async function (b) {
  const { page, data } = b;
  await b.login(process.env.DASHBOARD_KEY);
  assert.equal(await page.evaluate(() => location.search), '', 'the key is not in the URL');
  assert.ok(!page.url().includes(process.env.DASHBOARD_KEY));

  // counts by status for a prefix
  await visit(page, 'prefix=list-');
  await waitRows(page, data.completed.length);
  await page.waitForSelector('#count-total');
  assert.equal(await page.textContent('#count-total b'), String(data.completed.length));
  assert.equal(await page.textContent('#count-Completed b'), String(data.completed.length));

  // paging: 3 per page through the continuation token, then back
  await visit(page, 'prefix=list-&top=3');
  const seen = [];
  seen.push(...await waitRows(page, 3));
  assert.ok(await page.isDisabled('#page-prev'));
  await page.click('#page-next');
  await page.waitForFunction(() => document.querySelector('#page-info').textContent.startsWith('Page 2'));
  seen.push(...await rowIds(page));
  await page.click('#page-next');
  await page.waitForFunction(() => document.querySelector('#page-info').textContent.startsWith('Page 3'));
  seen.push(...await rowIds(page));
  assert.ok(await page.isDisabled('#page-next'), 'no page after the last');
  assert.deepEqual([...new Set(seen)].sort(), [...data.completed].sort(), 'the pages hold every instance once');
  await page.click('#page-prev');
  await page.waitForFunction(() => document.querySelector('#page-info').textContent.startsWith('Page 2'));
  await page.click('#page-first');
  await page.waitForFunction(() => document.querySelector('#page-info').textContent.startsWith('Page 1'));

  // sort by created time, both ways
  for (const [sort, sign] of [['asc', 1], ['desc', -1]]) {
    await visit(page, 'prefix=list-&sort=' + sort);
    await waitRows(page, data.completed.length);
    const created = await page.$$eval('#rows tr td:nth-child(4)', (tds) => tds.map((td) => td.title));
    const sorted = [...created].sort((a, b) => sign * a.localeCompare(b));
    assert.deepEqual(created, sorted, 'sorted ' + sort);
  }

  // the page's charts: every instance once in the histogram and in the Gantt
  await page.click('#page-charts summary');
  await page.waitForSelector('#page-gantt');
  assert.equal(await page.locator('#page-gantt .row').count(), data.completed.length);
  const tallied = await page.$$eval('#histogram .hbar', (bars) => bars.reduce((n, b) => n + Number(b.dataset.count), 0));
  assert.equal(tallied, data.completed.length);
  assert.equal(await page.locator('#page-gantt .bar.status-Completed').count(), data.completed.length);
  await page.locator('#page-charts').scrollIntoViewIfNeeded();
  await screenshot(page, 'dashboard-list-charts.png');

  // filters through the form land in the URL
  await visit(page, '');
  await page.waitForSelector('#page-info:not(:empty)');
  await page.fill('#f-prefix', 'ctr-list-');
  await page.check('#status-Running');
  await page.click('#f-apply');
  await waitRows(page, data.running.length);
  let query = new URLSearchParams(new URL(page.url()).search);
  assert.equal(query.get('prefix'), 'ctr-list-');
  assert.deepEqual(query.getAll('status'), ['Running']);
  await page.waitForSelector('#count-Running');
  assert.equal(await page.textContent('#count-Running b'), String(data.running.length));

  await page.uncheck('#status-Running');
  await page.check('#status-Completed');
  await page.click('#f-apply');
  await waitRows(page, 0);
  assert.deepEqual(new URLSearchParams(new URL(page.url()).search).getAll('status'), ['Completed']);

  // the back button restores the previous filter, the form included; forward again
  await page.goBack();
  await waitRows(page, data.running.length);
  assert.ok(await page.isChecked('#status-Running'));
  assert.ok(!await page.isChecked('#status-Completed'));
  assert.equal(await page.inputValue('#f-prefix'), 'ctr-list-');
  await page.goBack();
  await page.waitForSelector('#page-info:not(:empty)');
  assert.equal(await page.inputValue('#f-prefix'), '');
  await page.goForward();
  await waitRows(page, data.running.length);

  // a shared URL (reloaded) shows the same filtered list
  const shared = page.url();
  await page.goto(shared);
  await waitRows(page, data.running.length);

  // name (exact) and created range
  await visit(page, 'prefix=ctr-list-&name=E3_Counter');
  await waitRows(page, data.running.length);
  await visit(page, 'prefix=ctr-list-&name=E1_HelloSequence');
  await waitRows(page, 0);
  const future = new Date(Date.now() + 86400000).toISOString();
  const past = new Date(Date.now() - 86400000).toISOString();
  await visit(page, 'prefix=list-&from=' + encodeURIComponent(future));
  await waitRows(page, 0);
  await visit(page, 'prefix=list-&from=' + encodeURIComponent(past) + '&to=' + encodeURIComponent(future));
  await waitRows(page, data.completed.length);
  assert.ok((await page.inputValue('#f-from')).length > 0, 'the created-from field shows the URL value');

  // auto refresh picks up a new instance without a click
  await visit(page, 'prefix=late-');
  await waitRows(page, 0);
  await page.check('#auto-refresh');
  await page.waitForFunction(() => location.search.includes('refresh=1'));
  const started = await api('POST', '/orchestrators/E1_HelloSequence/late-1', null);
  assert.equal(started.status, 202);
  await page.waitForFunction(() => document.querySelectorAll('#rows tr[data-instance-id]').length === 1, null, { timeout: 15000 });

  // a row's link opens the instance page
  await visit(page, 'prefix=list-');
  await waitRows(page, data.completed.length);
  await page.click('#rows tr:first-child td.id a');
  await page.waitForSelector('#instance-id');
  await page.goBack();
  await waitRows(page, data.completed.length);

  // the other views render
  await page.click('#nav-stuck');
  await page.waitForSelector('table#stuck');
  await page.click('#nav-quarantine');
  await page.waitForSelector('table#quarantine');
  await page.click('#nav-jobs');
  await page.waitForSelector('table#jobs');

  await visit(page, '');
  await page.waitForSelector('#count-total');
  await page.waitForSelector('#page-info:not(:empty)');
  await screenshot(page, 'dashboard-list.png');
}
