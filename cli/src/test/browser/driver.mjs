// Runs the dashboard's browser scenarios in one Chromium: reads one JSON line per scenario from stdin,
// {"scenario": "list", "data": {...}}, runs ./list.mjs in a fresh browser context and answers one line,
// "PASSED list <ms> <result JSON>" or "FAILED list <error JSON>". Ends with stdin.
import readline from 'node:readline';
import { launch, openContext } from './lib.mjs';

const browser = await launch();
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const { scenario, data } = JSON.parse(line);
  const started = Date.now();
  let b = null;
  try {
    const run = (await import('./' + scenario + '.mjs')).default;
    b = await openContext(browser, data || {});
    await run(b);
    const answer = b.answer();
    await b.close();
    console.log('PASSED ' + scenario + ' ' + (Date.now() - started) + ' ' + JSON.stringify(answer));
  } catch (e) {
    if (b) await b.context.close().catch(() => {});
    console.log('FAILED ' + scenario + ' ' + JSON.stringify(e && e.stack ? e.stack : String(e)));
  }
}
await browser.close();
