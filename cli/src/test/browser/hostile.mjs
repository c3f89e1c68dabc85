// Ids, inputs, failure messages and event names that look like HTML are shown as text: no element is injected and
// no script runs, in the list, the instance page and its tabs.
import { assert, visit, waitRows } from './lib.mjs';

export default async function (b) {
  const { page, data } = b;
  await b.login(process.env.DASHBOARD_KEY);

  const clean = async (where) => {
    const found = await page.evaluate(() => ({
      xss: window.__xss,
      imgs: document.querySelectorAll('img').length,
      svgs: document.querySelectorAll('svg').length,
      bolds: document.querySelectorAll('main b:not(.count b), #main b[onmouseover]').length,
      scripts: document.querySelectorAll('script').length,
      handlers: document.querySelectorAll('[onerror],[onload],[onmouseover]').length,
    }));
    assert.deepEqual(found, { xss: undefined, imgs: 0, svgs: 0, bolds: 0, scripts: 1, handlers: 0 }, where);
  };

  for (const prefix of ['<img', '"><svg']) {
    await visit(page, 'prefix=' + encodeURIComponent(prefix));
    const ids = await waitRows(page, 1);
    assert.ok(ids[0] === data.failed || ids[0] === data.running);
    assert.equal(await page.textContent('#rows td.id a'), ids[0]);
    assert.equal(await page.inputValue('#f-prefix'), prefix);
    await clean('list ' + prefix);
  }

  for (const id of [data.failed, data.running]) {
    await visit(page, 'view=instance&id=' + encodeURIComponent(id));
    await page.waitForSelector('#timeline');
    assert.equal(await page.textContent('#instance-id'), id);
    await clean('timeline of ' + id);
    await page.click('#tab-history');
    await clean('history of ' + id);
    await page.click('#tab-json');
    assert.ok((await page.textContent('#raw-json')).includes(id.replace(/"/g, '\\"')));
    await clean('json of ' + id);
  }
  // the failed one shows its input as text
  await visit(page, 'view=instance&id=' + encodeURIComponent(data.failed));
  await page.waitForSelector('#instance-input');
  assert.equal(await page.textContent('#instance-input'), '"<script>window.__xss=2</script>"');
  // the event name and data are in the history as text
  await visit(page, 'view=instance&id=' + encodeURIComponent(data.running) + '&tab=history');
  await page.waitForSelector('#history');
  assert.ok((await page.textContent('#history')).includes('<img src=x onerror=window.__xss=4>'));
  await clean('event in history');

  // a hostile view name or id in the URL is text too
  await visit(page, 'view=' + encodeURIComponent('<img src=x onerror=window.__xss=6>'));
  await page.waitForSelector('#main p.error');
  await clean('unknown view');
  await visit(page, 'view=instance&id=' + encodeURIComponent('<img src=x onerror=window.__xss=7>'));
  await page.waitForSelector('#view-error');
  await clean('unknown instance');
  // an action dialog shows the id as text
  await visit(page, 'view=instance&id=' + encodeURIComponent(data.running));
  await page.waitForSelector('#actions');
  await page.click('#action-terminate');
  assert.ok((await page.textContent('#dialog-text')).includes(data.running));
  await clean('dialog');
  await page.click('#dialog-cancel');
}
