// The read-only key: the dashboard shows the data without any action, and the server refuses the actions anyway.
import { assert, visit, waitRows, readOnlyKey, apiBase } from './lib.mjs';

export default async function (b) {
  const { page, data } = b;
  await b.login(readOnlyKey);
  assert.match(await page.textContent('#identity'), /read-only key/);
  await visit(page, 'prefix=ro-');
  await waitRows(page, 1);
  for (const action of ['#start-new', '#bulk']) assert.equal(await page.$(action), null, action + ' is hidden');
  await page.waitForSelector('#read-only-note');

  await visit(page, 'view=instance&id=' + encodeURIComponent(data.running));
  await page.waitForSelector('#timeline');
  assert.equal(await page.$('#actions'), null, 'no instance actions');
  assert.equal(await page.locator('button[id^="action-"]').count(), 0);
  await page.waitForSelector('#read-only-note');

  await visit(page, 'view=quarantine&instanceId=' + encodeURIComponent(data.running));
  await page.waitForSelector('#quarantine-rows tr[data-record-id]');
  assert.equal(await page.locator('.q-show').count(), 1, 'a record can be shown');
  assert.equal(await page.locator('.q-replay, .q-discard').count(), 0, 'but not replayed or discarded');

  // the server refuses what the page does not offer, for a request made with the key from the page itself
  const answers = await page.evaluate(async ({ apiBase, id, record }) => {
    const key = sessionStorage.getItem('taskhub.dashboard.key');
    const call = async (method, path, body) => {
      const r = await fetch(apiBase + path, { method, headers: { 'x-functions-key': key, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: r.status, message: (await r.json()).message };
    };
    return [
      await call('POST', '/instances/' + encodeURIComponent(id) + '/terminate?reason=x'),
      await call('POST', '/instances/' + encodeURIComponent(id) + '/raiseEvent/operation', 'stop'),
      await call('DELETE', '/instances/' + encodeURIComponent(id)),
      await call('POST', '/orchestrators/E3_Counter/ro-new', 1),
      await call('POST', '/taskhub/jobs', { operation: 'terminate', instanceIdPrefix: 'ro-' }),
      await call('POST', '/taskhub/quarantine/' + encodeURIComponent(record) + '/replay'),
      await call('DELETE', '/taskhub/quarantine/' + encodeURIComponent(record)),
    ];
  }, { apiBase, id: data.running, record: data.record });
  for (const a of answers) {
    assert.equal(a.status, 403, JSON.stringify(a));
    assert.match(a.message, /read-only key/);
  }
}
