// A bulk operation on the filtered list: the dry run counts the matches, the job runs, its page shows the progress.
import { assert, visit, waitRows } from './lib.mjs';

export default async function (b) {
  const { page, data } = b;
  await b.login(process.env.DASHBOARD_KEY);
  await visit(page, 'prefix=bulk-&status=Running');
  await waitRows(page, data.targets.length);

  await page.click('#bulk');
  assert.match(await page.textContent('#dialog-text'), /status Running, id starting with bulk-/);
  await page.selectOption('#field-operation', 'terminate');
  await page.fill('#field-reason', 'bulk from the dashboard');
  await page.click('#dialog-confirm');
  await page.waitForFunction(() => document.querySelector('#dialog-title').textContent === 'Start bulk terminate?');
  assert.match(await page.textContent('#dialog-text'), new RegExp('^' + data.targets.length + ' instance\\(s\\) match'));
  await page.click('#dialog-confirm');

  await page.waitForFunction(() => new URLSearchParams(location.search).get('view') === 'job');
  await page.waitForFunction(() => document.querySelector('#job-state') && document.querySelector('#job-state').textContent === 'Completed',
    null, { timeout: 30000 });
  assert.match(await page.textContent('#job-progress'), new RegExp('^' + data.targets.length + ' done, 0 skipped, 0 failed'));

  await page.click('text=← Bulk jobs');
  await page.waitForSelector('table#jobs tbody tr');
  assert.match(await page.textContent('table#jobs tbody'), /terminate/);
  await visit(page, 'prefix=bulk-&status=Running');
  await waitRows(page, 0);
}
