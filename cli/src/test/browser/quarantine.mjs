// The quarantine view: a record's details, replay (its messages go back to work) and discard, each confirmed.
// The test checks storage afterwards.
import { assert, visit, toast } from './lib.mjs';

export default async function (b) {
  const { page, data } = b;
  await b.login(process.env.DASHBOARD_KEY);
  await page.click('#nav-quarantine');
  await page.waitForSelector('#quarantine-rows tr[data-record-id]');
  const ids = await page.$$eval('#quarantine-rows tr[data-record-id]', (rows) => rows.map((r) => r.dataset.recordId));
  for (const id of [data.replayRecord, data.discardRecord]) assert.ok(ids.includes(id), id + ' listed in ' + ids);
  assert.ok((await page.textContent('#quarantine-rows')).includes('<b>boom</b>'), 'the reason shows as text');

  await visit(page, 'view=quarantine&instanceId=' + encodeURIComponent(data.replayed));
  await page.waitForSelector('#quarantine-rows tr[data-record-id]');
  assert.equal(await page.locator('#quarantine-rows tr[data-record-id]').count(), 1);
  await page.click('.q-show');
  await page.waitForSelector('#quarantine-record');
  const record = JSON.parse(await page.textContent('#quarantine-record'));
  assert.equal(record.id, data.replayRecord);
  assert.equal(record.instanceId, data.replayed);
  await page.click('.q-replay');
  assert.ok((await page.textContent('#dialog-text')).includes(data.replayRecord));
  await page.click('#dialog-confirm');
  await toast(page, 'Replayed.');
  await page.waitForFunction(() => document.querySelectorAll('#quarantine-rows tr[data-record-id]').length === 0);

  await visit(page, 'view=quarantine&instanceId=' + encodeURIComponent(data.discarded));
  await page.waitForSelector('#quarantine-rows tr[data-record-id]');
  await page.click('.q-discard');
  assert.match(await page.textContent('#dialog-text'), /for good/);
  await page.click('#dialog-confirm');
  await toast(page, 'Discarded.');
  await page.waitForFunction(() => document.querySelectorAll('#quarantine-rows tr[data-record-id]').length === 0);
}
