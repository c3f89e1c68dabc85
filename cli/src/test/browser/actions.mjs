// Every action of the instance page and the start dialog, each through its confirmation dialog. The test checks
// storage afterwards.
import { assert, visit, toast, waitStatus, api } from './lib.mjs';

export default async function (b) {
  const { page, data } = b;
  await b.login(process.env.DASHBOARD_KEY);
  const instance = (id) => visit(page, 'view=instance&id=' + encodeURIComponent(id)).then(() => page.waitForSelector('#actions'));

  // start new instance, with bad JSON first: the dialog says so and stays open
  await page.click('#start-new');
  await page.fill('#field-name', 'E3_Counter');
  await page.fill('#field-instanceId', 'act-started');
  await page.fill('#field-input', '{not json');
  await page.click('#dialog-confirm');
  assert.match(await page.textContent('#dialog-error'), /not valid JSON/);
  await page.fill('#field-input', '7');
  await page.click('#dialog-confirm');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('id') === 'act-started');
  await waitStatus(page, 'Running');
  await page.waitForFunction(() => document.querySelector('#instance-custom-status').textContent === '7');

  // auto refresh on the instance page shows a change made elsewhere (the counter adds one) without a click
  await page.check('#instance-auto-refresh');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('refresh') === '1');
  assert.equal((await api('POST', '/instances/act-started/raiseEvent/operation', 'add')).status, 202);
  await page.waitForFunction(() => document.querySelector('#instance-custom-status')
    && document.querySelector('#instance-custom-status').textContent === '8', null, { timeout: 20000 });

  // "start like this one" fills in the name and input
  await page.click('#action-start-like');
  assert.equal(await page.inputValue('#field-name'), 'E3_Counter');
  assert.equal(await page.inputValue('#field-input'), '8');
  await page.click('#dialog-cancel');

  // cancel changes nothing
  await instance(data.raise);
  await page.click('#action-terminate');
  await page.click('#dialog-cancel');
  assert.equal(await page.isVisible('#dialog'), false);

  // raise event: "stop" completes the counter with its count
  await page.click('#action-raise-event');
  await page.fill('#field-eventName', 'operation');
  await page.fill('#field-data', '"stop"');
  await page.click('#dialog-confirm');
  await toast(page, 'Raise event: done.');
  await waitStatus(page, 'Completed');

  // terminate with a reason
  await instance(data.terminate);
  await page.click('#action-terminate');
  await page.fill('#field-reason', 'closed from the dashboard');
  await page.click('#dialog-confirm');
  await toast(page, 'Terminate: done.');
  await waitStatus(page, 'Terminated');

  // suspend, then resume
  await instance(data.suspend);
  await page.click('#action-suspend');
  await page.click('#dialog-confirm');
  await waitStatus(page, 'Suspended');
  await page.click('#action-resume');
  await page.click('#dialog-confirm');
  await toast(page, 'Resume: done.');
  await waitStatus(page, 'Running');

  // rewind a failed instance
  await instance(data.rewind);
  await page.click('#action-rewind');
  await page.fill('#field-reason', 'try again');
  await page.click('#dialog-confirm');
  await toast(page, 'Rewind: done.');

  // restart under a new id: the page moves to the new instance
  await instance(data.restart);
  await page.click('#action-restart');
  assert.ok(await page.isChecked('#field-newId'));
  await page.click('#dialog-confirm');
  await page.waitForFunction((old) => { const id = new URLSearchParams(location.search).get('id'); return id && id !== old; }, data.restart);
  const restarted = new URLSearchParams(new URL(page.url()).search).get('id');
  await page.waitForSelector('#instance-id');
  assert.equal(await page.textContent('#instance-name'), 'E1_HelloSequence');

  // purge: back to the list
  await instance(data.purge);
  await page.click('#action-purge');
  assert.match(await page.textContent('#dialog-text'), /for good/);
  await page.click('#dialog-confirm');
  await page.waitForSelector('#instances');
  await toast(page, 'Purge: done.');

  b.result({ restarted });
}
