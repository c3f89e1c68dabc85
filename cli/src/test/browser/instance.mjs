// The instance page: status, input, output, custom status, failure details; the timeline (activity and timer bars),
// the history table, the raw JSON and its download.
import fs from 'node:fs';
import { assert, visit, screenshot } from './lib.mjs';

export default async function (b) {
  const { page, data } = b;
  await b.login(process.env.DASHBOARD_KEY);

  await visit(page, 'view=instance&id=' + encodeURIComponent(data.approval));
  await page.waitForSelector('#timeline');
  assert.equal(await page.textContent('#instance-id'), data.approval);
  assert.equal(await page.textContent('#instance-status'), 'Completed');
  assert.equal(await page.textContent('#instance-name'), 'E4_HumanApproval');
  assert.equal(await page.textContent('#instance-input'), '1');
  assert.equal(await page.textContent('#instance-output'), '"Escalated: no approval in time"');
  assert.equal(await page.textContent('#instance-custom-status'), '"Decided"');
  assert.equal(await page.$('#instance-failure'), null, 'no failure section for a completed instance');
  assert.equal(await page.locator('.gantt .bar.activity').count(), 1, 'one activity bar');
  assert.equal(await page.locator('.gantt .bar.timer').count(), 1, 'one timer bar');
  assert.match(await page.textContent('.gantt .row.activity .label'), /E4_RequestApproval/);
  const timerWidth = await page.$eval('.gantt .bar.timer', (e) => e.getBoundingClientRect().width);
  assert.ok(timerWidth > 20, 'the one-second timer spans most of the timeline, got ' + timerWidth + ' px');
  // actions fit the status
  assert.ok(await page.isDisabled('#action-terminate'));
  assert.ok(await page.isEnabled('#action-purge'));
  assert.ok(await page.isEnabled('#action-restart'));
  await screenshot(page, 'dashboard-instance.png');

  await page.click('#tab-history');
  const types = await page.$$eval('#history tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent));
  for (const type of ['ExecutionStarted', 'TaskCompleted', 'TimerCreated', 'TimerFired', 'ExecutionCompleted']) {
    assert.ok(types.includes(type), type + ' in ' + types);
  }

  await page.click('#tab-json');
  const raw = JSON.parse(await page.textContent('#raw-json'));
  assert.equal(raw.instanceId, data.approval);
  assert.ok(Array.isArray(raw.historyEvents));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
  assert.equal(download.suggestedFilename(), 'instance-' + data.approval + '.json');
  const saved = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.deepEqual(saved, raw);

  // a failed instance: its failure details, and rewind offered
  await visit(page, 'view=instance&id=' + encodeURIComponent(data.failed) + '&tab=history');
  await page.waitForSelector('#history');
  assert.equal(await page.textContent('#instance-status'), 'Failed');
  const failure = JSON.parse(await page.textContent('#instance-failure'));
  assert.ok(failure.errorType && failure.message, 'failure details: ' + JSON.stringify(failure));
  assert.ok(await page.isEnabled('#action-rewind'));
  assert.ok(await page.isDisabled('#action-resume'));

  // a sub-orchestration: a bar that links to the child, whose page links back to the parent
  await visit(page, 'view=instance&id=' + encodeURIComponent(data.parent));
  await page.waitForSelector('#timeline');
  assert.equal(await page.locator('.gantt .bar.suborchestration').count(), 1);
  assert.equal(await page.textContent('.gantt a.child-link'), data.child);
  await page.click('.gantt a.child-link');
  await page.waitForFunction((id) => document.querySelector('#instance-id') && document.querySelector('#instance-id').textContent === id, data.child);
  assert.equal(await page.textContent('#parent-link'), data.parent);
  assert.equal(await page.locator('.gantt .bar.activity').count(), 3, 'the child ran three activities');
  await page.click('#parent-link');
  await page.waitForFunction((id) => document.querySelector('#instance-id') && document.querySelector('#instance-id').textContent === id, data.parent);
  await page.goBack();
  await page.waitForFunction((id) => document.querySelector('#instance-id') && document.querySelector('#instance-id').textContent === id, data.child);

  // an unknown id says so
  await visit(page, 'view=instance&id=no-such-instance');
  await page.waitForSelector('#view-error');
  assert.match(await page.textContent('#view-error'), /^404/);

  // back to the list by the link
  await visit(page, 'view=instance&id=' + encodeURIComponent(data.approval));
  await page.click('text=← Instances');
  await page.waitForSelector('#instances');
}
