// Taskhub dashboard: a single-page view of one task hub over the HTTP management API.
// Security rules kept throughout this file:
//  - the key lives in sessionStorage and travels only in the x-functions-key header (never in a URL);
//  - every text from the server is put into the page with textContent or DOM properties, never as HTML;
//  - links are built from '?' + URLSearchParams, so no data can become a javascript: URL.
'use strict';

const BASE = document.querySelector('meta[name="taskhub-base-path"]').content;
const KEY_STORE = 'taskhub.dashboard.key';
const STATUSES = ['Pending', 'Running', 'Suspended', 'ContinuedAsNew', 'Completed', 'Failed', 'Terminated'];
const FINISHED = ['Completed', 'Failed', 'Terminated'];
const OPERATIONS = ['terminate', 'suspend', 'resume', 'rewind', 'restart', 'raise-event', 'purge'];
const REFRESH_MS = 5000;

let session = null;          // {taskHub, access, authentication} from the whoami route
let timers = [];             // intervals of the current view, cleared on every navigation
let renderCount = 0;         // a view that finishes loading after the next navigation draws nothing
const paging = {filter: null, tokens: [null], index: 0};          // the instance list's continuation tokens
const quarantinePaging = {filter: null, tokens: [null], index: 0};

// ---- DOM helpers -------------------------------------------------------------------------------------------------

/** An element: props are DOM properties (text = textContent, class = className, on* = listeners), children text or nodes. */
function h(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = String(v);
    else if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k in e && k !== 'list' && k !== 'form') e[k] = v;
    else e.setAttribute(k, String(v));
  }
  append(e, children);
  return e;
}

function append(parent, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return parent;
}

function clear(e) {
  while (e.firstChild) e.removeChild(e.firstChild);
  return e;
}

const $ = (id) => document.getElementById(id);

/** A link to a view of the dashboard: a real href (open in new tab works) that navigates in place on a plain click. */
function link(text, query, props) {
  const q = new URLSearchParams(query);
  return h('a', Object.assign({href: '?' + q.toString(), text, onclick: (ev) => {
    if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    go(q);
  }}, props || {}));
}

function instanceLink(id, props) {
  return link(id, {view: 'instance', id}, props);
}

function statusBadge(status) {
  return h('span', {class: 'status ' + (STATUSES.includes(status) ? status : ''), text: status});
}

function notify(text, isError) {
  const d = h('div', {class: isError ? 'error' : '', text});
  $('toast').appendChild(d);
  setTimeout(() => d.remove(), isError ? 12000 : 6000);
}

function pad(n) { return String(n).padStart(2, '0'); }

function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':'
    + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}

function timeCell(iso) {
  return h('td', {text: fmtTime(iso), title: iso || ''});
}

function fmtDuration(ms) {
  if (ms < 1000) return Math.round(ms) + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
  if (ms < 3600000) return Math.floor(ms / 60000) + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
  return Math.floor(ms / 3600000) + ' h ' + Math.round((ms % 3600000) / 60000) + ' min';
}

/** datetime-local value (local time) from an ISO instant, and back. */
function toLocalInput(iso) {
  const d = new Date(iso);
  if (!iso || isNaN(d)) return '';
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
}

function fromLocalInput(value) {
  if (!value) return '';
  const d = new Date(value);
  return isNaN(d) ? '' : d.toISOString();
}

function pretty(value) {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

function jsonBlock(value, id) {
  return h('pre', {id, text: value === null || value === undefined ? 'null' : pretty(value)});
}

// ---- the API ------------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

function key() { return sessionStorage.getItem(KEY_STORE) || ''; }

/** Calls the management API with the key in the header; answers {status, json, headers}; throws ApiError unless 2xx. */
async function api(method, path, options) {
  const {query, body, token} = options || {};
  const url = new URL(BASE + path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const headers = {};
  if (key()) headers['x-functions-key'] = key();
  if (token) headers['x-ms-continuation-token'] = token;
  const init = {method, headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer'};
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, 'The server did not answer (' + e.message + '). Is taskhub serve still running?');
  }
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = text; }
  if (!res.ok) {
    const message = json && typeof json === 'object' && json.message ? json.message : (text || res.statusText);
    if (res.status === 401 && session) {
      // the key stopped working (e.g. the server restarted with another key): ask for it again
      sessionStorage.removeItem(KEY_STORE);
      session = null;
      setTimeout(render, 0);
    } else if (res.status === 401) {
      sessionStorage.removeItem(KEY_STORE);
    }
    throw new ApiError(res.status, res.status + ': ' + message);
  }
  return {status: res.status, json, headers: res.headers};
}

const enc = encodeURIComponent;

function canAct() {
  return session && session.access !== 'read-only';
}

// ---- navigation ---------------------------------------------------------------------------------------------------

function go(query, replace) {
  const q = query instanceof URLSearchParams ? query : new URLSearchParams(query);
  const s = q.toString();
  window.history[replace ? 'replaceState' : 'pushState'](null, '', s ? '?' + s : location.pathname);
  render();
}

window.addEventListener('popstate', render);

function stopTimers() {
  timers.forEach(clearInterval);
  timers = [];
}

async function render() {
  stopTimers();
  const mine = ++renderCount;
  const main = $('main');
  const q = new URLSearchParams(location.search);
  if (!session) {
    const hadKey = !!key();
    try {
      session = (await api('GET', '/taskhub/whoami')).json;
    } catch (e) {
      if (mine !== renderCount) return;
      renderLogin(main, !hadKey ? '' : e.status === 401 ? 'The key was refused: check it and enter it again.' : e.message);
      return;
    }
  }
  if (mine !== renderCount) return;
  $('nav').hidden = false;
  $('sign-out').hidden = !session.authentication;
  $('identity').textContent = 'Task hub ' + session.taskHub + (session.access === 'read-only' ? ' · read-only key' : '');
  const view = q.get('view') || 'list';
  for (const [id, v] of [['nav-instances', 'list'], ['nav-jobs', 'jobs'], ['nav-stuck', 'stuck'], ['nav-quarantine', 'quarantine']]) {
    $(id).className = view === v || (v === 'jobs' && view === 'job') ? 'active' : '';
  }
  clear(main);
  const views = {list: renderList, instance: renderInstance, jobs: renderJobs, job: renderJob, stuck: renderStuck,
    quarantine: renderQuarantine};
  const fn = views[view];
  if (!fn) {
    main.appendChild(h('p', {class: 'error', text: 'Unknown view "' + view + '".'}));
    return;
  }
  try {
    await fn(main, q, () => mine === renderCount);
  } catch (e) {
    if (mine === renderCount) main.appendChild(h('p', {class: 'error', id: 'view-error', text: e.message}));
  }
}

function renderLogin(main, message) {
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('identity').textContent = '';
  clear(main);
  const input = h('input', {type: 'password', id: 'key-input', autocomplete: 'off', placeholder: 'system key or read-only key'});
  main.appendChild(h('form', {class: 'card login', id: 'login', onsubmit: (ev) => {
    ev.preventDefault();
    if (!input.value) return;
    sessionStorage.setItem(KEY_STORE, input.value);
    session = null;
    render();
  }},
  h('h1', {text: 'Sign in'}),
  h('p', {text: 'Enter the key that taskhub serve printed (or the read-only key). It is kept in this browser tab only '
    + '(sessionStorage) and sent in the x-functions-key header.'}),
  h('label', {}, 'Key', input),
  h('p', {}, h('button', {type: 'submit', class: 'primary', id: 'key-submit', text: 'Open dashboard'})),
  message ? h('p', {class: 'error', id: 'login-error', text: message}) : null,
  h('p', {class: 'muted'}, 'API description: ', h('a', {href: BASE + '/openapi.json', text: BASE + '/openapi.json'}))));
  input.focus();
}

$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORE);
  session = null;
  render();
});

// ---- dialog -------------------------------------------------------------------------------------------------------

/**
 * Asks for confirmation, with optional fields; resolves to the field values (JSON fields parsed) or null when
 * cancelled. fields: [{name, label, type: text|textarea|select|checkbox, value, options, json, required}].
 */
function ask(spec) {
  const dialog = $('dialog');
  $('dialog-title').textContent = spec.title;
  $('dialog-text').textContent = spec.text || '';
  $('dialog-error').textContent = '';
  const box = clear($('dialog-fields'));
  const inputs = {};
  for (const f of spec.fields || []) {
    let input;
    if (f.type === 'textarea') input = h('textarea', {name: f.name, value: f.value || '', placeholder: f.placeholder || ''});
    else if (f.type === 'select') input = h('select', {name: f.name}, f.options.map((o) => h('option', {value: o, text: o, selected: o === f.value})));
    else if (f.type === 'checkbox') input = h('input', {type: 'checkbox', name: f.name, checked: !!f.value});
    else input = h('input', {type: 'text', name: f.name, value: f.value || '', placeholder: f.placeholder || ''});
    input.id = 'field-' + f.name;
    inputs[f.name] = input;
    box.appendChild(h('label', {}, f.label, input));
  }
  const confirm = $('dialog-confirm');
  confirm.textContent = spec.confirm || 'Confirm';
  confirm.className = spec.danger ? 'danger' : 'primary';
  return new Promise((resolve) => {
    const done = (value) => {
      $('dialog-form').onsubmit = null;
      $('dialog-cancel').onclick = null;
      dialog.oncancel = null;
      if (dialog.open) dialog.close();
      resolve(value);
    };
    $('dialog-form').onsubmit = (ev) => {
      ev.preventDefault();
      const values = {};
      for (const f of spec.fields || []) {
        const input = inputs[f.name];
        let v = f.type === 'checkbox' ? input.checked : input.value.trim();
        if (f.required && v === '') {
          $('dialog-error').textContent = f.label + ' is required.';
          input.focus();
          return;
        }
        if (f.json && v !== '') {
          try { v = JSON.parse(v); } catch (e) {
            $('dialog-error').textContent = f.label + ' is not valid JSON: ' + e.message
              + '. Strings need quotes, e.g. "hello".';
            input.focus();
            return;
          }
        } else if (f.json) {
          v = undefined;
        }
        values[f.name] = v;
      }
      done(values);
    };
    $('dialog-cancel').onclick = () => done(null);
    dialog.oncancel = () => done(null);
    dialog.showModal();
    const first = box.querySelector('input,textarea,select');
    (first || confirm).focus();
  });
}

/** Runs an action after confirmation, reports the outcome, and then calls after(result). */
async function act(spec, call, after) {
  const values = await ask(spec);
  if (values === null) return;
  try {
    const result = await call(values);
    notify(spec.done || (spec.title + ': done.'));
    if (after) await after(result, values);
  } catch (e) {
    notify(spec.title + ' failed: ' + e.message, true);
  }
}

// ---- instance list ------------------------------------------------------------------------------------------------

function listFilters(q) {
  const statuses = q.getAll('status').flatMap((s) => s.split(',')).filter((s) => STATUSES.includes(s));
  return {
    statuses,
    name: q.get('name') || '',
    from: q.get('from') || '',
    to: q.get('to') || '',
    prefix: q.get('prefix') || '',
    sort: q.get('sort') === 'asc' ? 'asc' : 'desc',
    top: Math.min(1000, Math.max(1, parseInt(q.get('top') || '50', 10) || 50)),
    refresh: q.get('refresh') === '1',
  };
}

function filtersQuery(f) {
  const q = new URLSearchParams();
  f.statuses.forEach((s) => q.append('status', s));
  for (const k of ['name', 'from', 'to', 'prefix']) if (f[k]) q.set(k, f[k]);
  if (f.sort !== 'desc') q.set('sort', f.sort);
  if (f.top !== 50) q.set('top', String(f.top));
  if (f.refresh) q.set('refresh', '1');
  return q;
}

function apiFilters(f) {
  return {runtimeStatus: f.statuses, createdTimeFrom: f.from, createdTimeTo: f.to, instanceIdPrefix: f.prefix};
}

async function renderList(main, q, current) {
  const f = listFilters(q);
  const filterKey = filtersQuery(Object.assign({}, f, {refresh: false})).toString();
  if (paging.filter !== filterKey) {
    paging.filter = filterKey;
    paging.tokens = [null];
    paging.index = 0;
  }
  const statusBoxes = STATUSES.map((s) => h('label', {}, h('input', {type: 'checkbox', id: 'status-' + s, value: s,
    checked: f.statuses.includes(s)}), s));
  const name = h('input', {type: 'text', id: 'f-name', value: f.name, placeholder: 'exact orchestration name'});
  const from = h('input', {type: 'datetime-local', id: 'f-from', value: toLocalInput(f.from)});
  const to = h('input', {type: 'datetime-local', id: 'f-to', value: toLocalInput(f.to)});
  const prefix = h('input', {type: 'text', id: 'f-prefix', value: f.prefix, placeholder: 'id prefix'});
  const sort = h('select', {id: 'f-sort'}, h('option', {value: 'desc', text: 'Newest first', selected: f.sort === 'desc'}),
    h('option', {value: 'asc', text: 'Oldest first', selected: f.sort === 'asc'}));
  const top = h('select', {id: 'f-top'}, [20, 50, 100, 500].map((n) => h('option', {value: String(n), text: String(n), selected: f.top === n})));
  const form = h('form', {class: 'card filters', id: 'filters', onsubmit: (ev) => {
    ev.preventDefault();
    go(filtersQuery({statuses: statusBoxes.map((l) => l.firstChild).filter((c) => c.checked).map((c) => c.value),
      name: name.value.trim(), from: fromLocalInput(from.value), to: fromLocalInput(to.value), prefix: prefix.value.trim(),
      sort: sort.value, top: parseInt(top.value, 10), refresh: f.refresh}));
  }},
  h('fieldset', {class: 'statuses'}, h('legend', {class: 'muted', text: 'Status'}), statusBoxes),
  h('label', {}, 'Name', name), h('label', {}, 'Created from', from), h('label', {}, 'Created to', to),
  h('label', {}, 'Instance id prefix', prefix), h('label', {}, 'Sort by created', sort), h('label', {}, 'Page size', top),
  h('button', {type: 'submit', class: 'primary', id: 'f-apply', text: 'Apply'}),
  h('button', {type: 'button', id: 'f-clear', text: 'Clear', onclick: () => go({})}));

  const counts = h('div', {class: 'counts', id: 'counts'});
  const auto = h('input', {type: 'checkbox', id: 'auto-refresh', checked: f.refresh, onchange: () => {
    go(filtersQuery(Object.assign({}, f, {refresh: auto.checked})), true);
  }});
  const tbody = h('tbody', {id: 'rows'});
  const info = h('span', {id: 'page-info', class: 'muted'});
  const prev = h('button', {type: 'button', id: 'page-prev', text: '‹ Previous', disabled: true});
  const next = h('button', {type: 'button', id: 'page-next', text: 'Next ›', disabled: true});
  const first = h('button', {type: 'button', id: 'page-first', text: 'First page', disabled: true});
  const toolbar = h('div', {class: 'toolbar'},
    canAct() ? h('button', {type: 'button', id: 'start-new', class: 'primary', text: 'Start new instance', onclick: () => startNew()}) : null,
    canAct() ? h('button', {type: 'button', id: 'bulk', text: 'Bulk operation on this filter…', onclick: () => bulk(f)}) : null,
    h('button', {type: 'button', id: 'refresh', text: 'Refresh', onclick: () => load()}),
    h('label', {class: 'inline'}, h('span', {}, auto, ' Auto refresh (5 s)')),
    h('span', {class: 'spacer'}), first, prev, info, next);
  const charts = h('div', {id: 'page-charts-body'});
  append(main, [h('h1', {text: 'Instances'}), form, counts, toolbar,
    h('details', {class: 'card', id: 'page-charts'}, h('summary', {text: 'Charts of this page: instances created over time, and a Gantt of their runs'}), charts),
    h('table', {id: 'instances'}, h('thead', {}, h('tr', {}, ['Instance id', 'Name', 'Status', 'Created', 'Last updated']
      .map((t) => h('th', {text: t})))), tbody),
    session.access === 'read-only' ? h('p', {class: 'muted', id: 'read-only-note', text: 'This key is read-only: actions are hidden.'}) : null]);

  prev.onclick = () => { paging.index--; load(); };
  next.onclick = () => { paging.index++; load(); };
  first.onclick = () => { paging.index = 0; load(); };

  async function load() {
    const [page, c] = await Promise.all([
      api('GET', '/instances', {query: Object.assign({top: f.top}, apiFilters(f)), token: paging.tokens[paging.index]}),
      api('GET', '/taskhub/counts', {query: apiFilters(f)}).catch((e) => ({error: e})),
    ]);
    if (!current()) return;
    const token = page.headers.get('x-ms-continuation-token');
    paging.tokens.length = paging.index + 1;
    if (token) paging.tokens.push(token);
    let rows = page.json || [];
    const total = rows.length;
    if (f.name) rows = rows.filter((i) => i.name === f.name);
    rows.sort((a, b) => (f.sort === 'asc' ? 1 : -1) * String(a.createdTime).localeCompare(String(b.createdTime)));
    clear(tbody);
    for (const i of rows) {
      tbody.appendChild(h('tr', {dataset: {instanceId: i.instanceId}},
        h('td', {class: 'id'}, instanceLink(i.instanceId)), h('td', {text: i.name}), h('td', {}, statusBadge(i.runtimeStatus)),
        timeCell(i.createdTime), timeCell(i.lastUpdatedTime)));
    }
    if (rows.length === 0) tbody.appendChild(h('tr', {}, h('td', {colSpan: 5, class: 'muted', text: 'No instances on this page.'})));
    clear(charts).appendChild(pageCharts(rows));
    info.textContent = 'Page ' + (paging.index + 1) + ' · ' + rows.length + ' shown'
      + (f.name ? ' (' + total + ' on the page before the name filter)' : '');
    prev.disabled = paging.index === 0;
    first.disabled = paging.index === 0;
    next.disabled = !token;
    clear(counts);
    if (c.error) {
      counts.appendChild(h('span', {class: 'error', text: 'Counts: ' + c.error.message}));
    } else {
      const byStatus = f.name ? (c.json.byName[f.name] || {}) : c.json.byStatus;
      const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
      counts.appendChild(h('span', {class: 'count', id: 'count-total', onclick: () => go(filtersQuery(Object.assign({}, f, {statuses: []})))},
        'Total', h('b', {text: String(total)})));
      for (const s of STATUSES) {
        if (!byStatus[s]) continue;
        counts.appendChild(h('span', {class: 'count', id: 'count-' + s, dataset: {status: s},
          onclick: () => go(filtersQuery(Object.assign({}, f, {statuses: [s]})))}, statusBadge(s), h('b', {text: String(byStatus[s])})));
      }
    }
  }

  await load();
  if (f.refresh) timers.push(setInterval(() => load().catch((e) => notify(e.message, true)), REFRESH_MS));
}

/** The start dialog; "start like this one" fills in an instance's name and input. */
/** A histogram of the page's creation times and a Gantt chart of each instance from created to last updated (or now). */
function pageCharts(rows) {
  if (rows.length === 0) return h('p', {class: 'muted', text: 'No instances on this page.'});
  const now = Date.now();
  const spans = rows.map((i) => {
    const start = Date.parse(i.createdTime);
    const live = !FINISHED.includes(i.runtimeStatus);
    return {i, start, end: Math.max(start, live ? now : Date.parse(i.lastUpdatedTime) || start), live};
  }).filter((x) => !isNaN(x.start)).sort((a, b) => a.start - b.start);
  const min = Math.min(...spans.map((x) => x.start));
  const created = Math.max(...spans.map((x) => x.start));
  const buckets = 30;
  const width = Math.max(1000, created - min + 1) / buckets;
  const tally = new Array(buckets).fill(0);
  for (const x of spans) tally[Math.min(buckets - 1, Math.floor((x.start - min) / width))]++;
  const most = Math.max(...tally);
  const histogram = h('div', {class: 'histogram', id: 'histogram'}, tally.map((n, k) => {
    const from = new Date(min + k * width).toISOString();
    const to = new Date(min + (k + 1) * width).toISOString();
    const bar = h('div', {class: 'hbar', title: n + ' created from ' + fmtTime(from) + ' to ' + fmtTime(to), dataset: {count: String(n)}});
    bar.style.height = (n === 0 ? 0 : Math.max(4, (n / most) * 100)) + '%';
    return bar;
  }));
  const end = Math.max(...spans.map((x) => x.end), min + 1);
  const span = end - min;
  const gantt = h('div', {class: 'gantt', id: 'page-gantt'}, spans.map((x) => {
    const left = ((x.start - min) / span) * 100;
    const bar = h('div', {class: 'bar status-' + x.i.runtimeStatus + (x.live ? ' open' : ''),
      title: x.i.instanceId + ' · ' + x.i.runtimeStatus + ' · ' + fmtDuration(x.end - x.start) + (x.live ? ' so far' : '')});
    bar.style.left = Math.min(left, 99.5) + '%';
    bar.style.width = Math.max(0.3, Math.min(((x.end - x.start) / span) * 100, 100 - left)) + '%';
    return h('div', {class: 'row'}, h('div', {class: 'label'}, instanceLink(x.i.instanceId)), h('div', {class: 'track'}, bar));
  }));
  return h('div', {},
    h('h2', {text: 'Created over time'}),
    h('div', {class: 'axis'}, h('span', {text: fmtTime(new Date(min).toISOString())}), h('span', {text: fmtTime(new Date(created).toISOString())})),
    histogram,
    h('h2', {text: 'Runs'}),
    h('div', {class: 'axis'}, h('span', {text: fmtTime(new Date(min).toISOString())}), h('span', {text: fmtDuration(span)}),
      h('span', {text: fmtTime(new Date(end).toISOString())})),
    gantt);
}

function startNew(like) {
  act({title: 'Start new instance', confirm: 'Start', fields: [
    {name: 'name', label: 'Orchestrator name', required: true, value: like ? like.name : ''},
    {name: 'instanceId', label: 'Instance id (empty for a random one)'},
    {name: 'input', label: 'Input (JSON)', type: 'textarea', json: true, placeholder: '{"city": "Tokyo"}',
      value: like && like.input !== null && like.input !== undefined ? pretty(like.input) : ''}],
  done: 'Instance started.'},
  (v) => api('POST', '/orchestrators/' + enc(v.name) + (v.instanceId ? '/' + enc(v.instanceId) : ''), {body: v.input === undefined ? null : v.input}),
  (r) => go({view: 'instance', id: r.json.id}));
}

/** A bulk operation on the list's filter: a dry run counts the matches, a second confirmation starts the job. */
async function bulk(f) {
  const values = await ask({title: 'Bulk operation', confirm: 'Count matching instances',
    text: 'Applies to every instance that matches the current filter: ' + describeFilter(f) + '.',
    fields: [
      {name: 'operation', label: 'Operation', type: 'select', options: OPERATIONS, value: 'terminate'},
      {name: 'reason', label: 'Reason'},
      {name: 'eventName', label: 'Event name (raise-event)'},
      {name: 'eventData', label: 'Event data (JSON, raise-event)', type: 'textarea', json: true}]});
  if (values === null) return;
  const request = {operation: values.operation, runtimeStatus: f.statuses, createdTimeFrom: f.from || null,
    createdTimeTo: f.to || null, instanceIdPrefix: f.prefix || null, name: f.name || null, reason: values.reason || null,
    eventName: values.eventName || null};
  if (values.eventData !== undefined) request.eventData = values.eventData;
  let matched;
  try {
    matched = (await api('POST', '/taskhub/jobs', {query: {dryRun: true}, body: request})).json.matched;
  } catch (e) {
    notify('Dry run failed: ' + e.message, true);
    return;
  }
  const ok = await ask({title: 'Start bulk ' + values.operation + '?', danger: true,
    text: matched + ' instance(s) match now (dry run). Start a job that will ' + values.operation + ' them?',
    confirm: 'Start job (' + matched + ')'});
  if (ok === null) return;
  try {
    const job = (await api('POST', '/taskhub/jobs', {body: request})).json;
    notify('Bulk job ' + job.jobId + ' started.');
    go({view: 'job', id: job.jobId});
  } catch (e) {
    notify('Starting the job failed: ' + e.message, true);
  }
}

function describeFilter(f) {
  const parts = [];
  if (f.statuses.length) parts.push('status ' + f.statuses.join(' or '));
  if (f.name) parts.push('name ' + f.name);
  if (f.prefix) parts.push('id starting with ' + f.prefix);
  if (f.from) parts.push('created from ' + fmtTime(f.from));
  if (f.to) parts.push('created to ' + fmtTime(f.to));
  return parts.length ? parts.join(', ') : 'all instances';
}

// ---- instance page -------------------------------------------------------------------------------------------------

async function renderInstance(main, q, current) {
  const id = q.get('id') || '';
  const r = await api('GET', '/instances/' + enc(id), {query: {showHistory: true, showHistoryOutput: true, showInput: true}});
  if (!current()) return;
  const s = r.json;
  const events = s.historyEvents || [];
  const started = events.find((e) => e.EventType === 'ExecutionStarted');
  const parent = started && started.ParentInstanceId;

  append(main, [
    h('p', {class: 'muted'}, link('← Instances', {})),
    h('h1', {id: 'instance-id', text: s.instanceId}),
    h('div', {class: 'card'}, h('dl', {class: 'fields'},
      h('dt', {text: 'Status'}), h('dd', {id: 'instance-status'}, statusBadge(s.runtimeStatus)),
      h('dt', {text: 'Name'}), h('dd', {id: 'instance-name', text: s.name}),
      h('dt', {text: 'Created'}), h('dd', {text: fmtTime(s.createdTime), title: s.createdTime}),
      h('dt', {text: 'Last updated'}), h('dd', {text: fmtTime(s.lastUpdatedTime), title: s.lastUpdatedTime}),
      parent ? [h('dt', {text: 'Parent'}), h('dd', {}, instanceLink(parent, {id: 'parent-link'}))] : null)),
    canAct() ? instanceActions(s) : h('p', {class: 'muted', id: 'read-only-note', text: 'This key is read-only: actions are hidden.'}),
    h('div', {class: 'grid2'},
      h('div', {}, h('h2', {text: 'Input'}), jsonBlock(s.input, 'instance-input')),
      h('div', {}, h('h2', {text: 'Output'}), jsonBlock(s.output, 'instance-output')),
      h('div', {}, h('h2', {text: 'Custom status'}), jsonBlock(s.customStatus, 'instance-custom-status')),
      s.failureDetails ? h('div', {}, h('h2', {text: 'Failure details'}), jsonBlock(s.failureDetails, 'instance-failure')) : null)]);

  const panes = {
    timeline: () => gantt(events, s),
    history: () => historyTable(events),
    json: () => rawJson(s),
  };
  const pane = h('div', {id: 'pane'});
  const tabs = h('div', {class: 'tabs'});
  const show = (name) => {
    for (const b of tabs.children) b.className = b.dataset.tab === name ? 'active' : '';
    clear(pane).appendChild(panes[name]());
    const now = new URLSearchParams(location.search);
    if ((now.get('tab') || 'timeline') !== name) {
      now.set('tab', name);
      window.history.replaceState(null, '', '?' + now.toString()); // a refresh keeps the tab
    }
  };
  for (const [name, label] of [['timeline', 'Timeline'], ['history', 'History (' + events.length + ')'], ['json', 'JSON']]) {
    tabs.appendChild(h('button', {type: 'button', id: 'tab-' + name, dataset: {tab: name}, text: label, onclick: () => show(name)}));
  }
  const live = !FINISHED.includes(s.runtimeStatus);
  const auto = h('input', {type: 'checkbox', id: 'instance-auto-refresh', checked: q.get('refresh') === '1', onchange: () => {
    const now = new URLSearchParams(location.search);
    if (auto.checked) now.set('refresh', '1'); else now.delete('refresh');
    go(now, true);
  }});
  append(main, [h('div', {class: 'toolbar'}, tabs, h('span', {class: 'spacer'}),
    h('button', {type: 'button', id: 'instance-refresh', text: 'Refresh', onclick: () => render()}),
    h('label', {class: 'inline'}, h('span', {}, auto, ' Auto refresh (5 s)'))), h('div', {class: 'card'}, pane)]);
  show(q.get('tab') && panes[q.get('tab')] ? q.get('tab') : 'timeline');
  if (live && q.get('refresh') === '1') {
    timers.push(setInterval(() => { if (!$('dialog').open) render(); }, REFRESH_MS));
  }
}

function instanceActions(s) {
  const id = s.instanceId;
  const st = s.runtimeStatus;
  const live = ['Pending', 'Running', 'Suspended', 'ContinuedAsNew'].includes(st);
  const reload = () => render();
  const reason = {name: 'reason', label: 'Reason'};
  const button = (key, label, enabled, spec, call, after) => h('button', {type: 'button', id: 'action-' + key, text: label,
    class: spec.danger ? 'danger' : '', disabled: !enabled, onclick: () => act(spec, call, after || reload)});
  const text = (verb) => verb + ' instance ' + id + ' (' + s.name + ')?';
  return h('div', {class: 'toolbar', id: 'actions'},
    button('raise-event', 'Raise event', live, {title: 'Raise event', text: 'Send an event to instance ' + id + '.', confirm: 'Raise event',
      fields: [{name: 'eventName', label: 'Event name', required: true}, {name: 'data', label: 'Event data (JSON)', type: 'textarea', json: true}]},
    (v) => api('POST', '/instances/' + enc(id) + '/raiseEvent/' + enc(v.eventName), {body: v.data === undefined ? null : v.data})),
    button('terminate', 'Terminate', live, {title: 'Terminate', text: text('Terminate'), danger: true, confirm: 'Terminate',
      fields: [reason, {name: 'recursive', label: 'Also terminate sub-orchestrations', type: 'checkbox'}]},
    (v) => api('POST', '/instances/' + enc(id) + '/terminate', {query: {reason: v.reason, recursive: v.recursive ? 'true' : ''}})),
    button('suspend', 'Suspend', st === 'Running' || st === 'Pending', {title: 'Suspend', text: text('Suspend'), confirm: 'Suspend', fields: [reason]},
      (v) => api('POST', '/instances/' + enc(id) + '/suspend', {query: {reason: v.reason}})),
    button('resume', 'Resume', st === 'Suspended', {title: 'Resume', text: text('Resume'), confirm: 'Resume', fields: [reason]},
      (v) => api('POST', '/instances/' + enc(id) + '/resume', {query: {reason: v.reason}})),
    button('rewind', 'Rewind', st === 'Failed', {title: 'Rewind', text: text('Rewind') + ' Failed activities run again.', confirm: 'Rewind', fields: [reason]},
      (v) => api('POST', '/instances/' + enc(id) + '/rewind', {query: {reason: v.reason}})),
    button('restart', 'Restart', true, {title: 'Restart', text: 'Start ' + s.name + ' again with the same input?', confirm: 'Restart',
      fields: [{name: 'newId', label: 'Under a new instance id', type: 'checkbox', value: true}]},
    (v) => api('POST', '/instances/' + enc(id) + '/restart', {query: {restartWithNewInstanceId: v.newId ? 'true' : 'false'}}),
    (r) => go({view: 'instance', id: r.json.id})),
    button('purge', 'Purge', FINISHED.includes(st), {title: 'Purge', text: 'Delete instance ' + id + ' and its history for good?',
      danger: true, confirm: 'Purge'},
    () => api('DELETE', '/instances/' + enc(id)), () => go({})),
    h('button', {type: 'button', id: 'action-start-like', text: 'Start like this one…', onclick: () => startNew(s)}));
}

/** Activities, sub-orchestrations and timers as bars from start to end; events as marks. */
function timelineItems(history, s) {
  const items = [];
  const timers = {};
  const now = Date.now();
  const t = (iso) => (iso ? Date.parse(iso) : NaN);
  for (const e of history) {
    const ts = t(e.Timestamp);
    switch (e.EventType) {
      case 'TaskCompleted': case 'TaskFailed':
        items.push({kind: 'activity', label: e.FunctionName || 'activity', start: t(e.ScheduledTime) || ts, end: ts,
          failed: e.EventType === 'TaskFailed', detail: e.Reason});
        break;
      case 'TaskScheduled':
        items.push({kind: 'activity', label: e.FunctionName || 'activity', start: ts, end: null, detail: 'scheduled, no result yet'});
        break;
      case 'SubOrchestrationInstanceCompleted': case 'SubOrchestrationInstanceFailed':
        items.push({kind: 'suborchestration', label: e.FunctionName || 'sub-orchestration', instanceId: e.InstanceId,
          start: t(e.ScheduledTime) || ts, end: ts, failed: e.EventType === 'SubOrchestrationInstanceFailed', detail: e.Reason});
        break;
      case 'SubOrchestrationInstanceCreated':
        items.push({kind: 'suborchestration', label: e.FunctionName || 'sub-orchestration', instanceId: e.InstanceId, start: ts, end: null,
          detail: 'running'});
        break;
      case 'TimerCreated': {
        const item = {kind: 'timer', label: 'Timer', start: ts, end: null, fireAt: t(e.FireAt), detail: 'fires at ' + fmtTime(e.FireAt)};
        if (e.EventId !== undefined) timers[e.EventId] = item;
        items.push(item);
        break;
      }
      case 'TimerFired': {
        const item = timers[e.TimerId !== undefined ? e.TimerId : e.TaskScheduledId];
        if (item) item.end = ts;
        else items.push({kind: 'timer', label: 'Timer', start: ts, end: ts});
        break;
      }
      case 'EventRaised':
        items.push({kind: 'event', label: 'Event ' + (e.Name || ''), start: ts, end: ts, detail: 'received'});
        break;
      case 'EventSent':
        items.push({kind: 'event', label: 'Sent ' + (e.Name || '') + ' → ' + (e.InstanceId || ''), instanceId: e.InstanceId, start: ts, end: ts});
        break;
      default:
        items.push({kind: 'event', label: e.EventType, start: ts, end: ts, failed: e.EventType === 'ExecutionCompleted'
          && e.OrchestrationStatus === 'Failed', detail: e.Reason || e.OrchestrationStatus});
    }
  }
  const live = !FINISHED.includes(s.runtimeStatus);
  for (const i of items) {
    if (i.end === null) {
      i.open = true;
      i.end = i.kind === 'timer' && !isNaN(i.fireAt) ? Math.min(i.fireAt, live ? now : t(s.lastUpdatedTime))
        : (live ? now : t(s.lastUpdatedTime));
    }
  }
  return items.filter((i) => !isNaN(i.start));
}

function gantt(history, s) {
  const items = timelineItems(history, s);
  if (items.length === 0) return h('p', {class: 'muted', text: 'No history.'});
  const start = Math.min(...items.map((i) => i.start));
  const end = Math.max(...items.map((i) => Math.max(i.end, i.start)), start + 1);
  const span = end - start;
  const rows = items.map((i) => {
    const left = ((i.start - start) / span) * 100;
    const width = i.kind === 'event' ? 0 : Math.max(0.3, ((i.end - i.start) / span) * 100);
    const bar = h('div', {class: 'bar ' + i.kind + (i.failed ? ' failed' : '') + (i.open ? ' open' : ''),
      title: i.label + ' · ' + fmtTime(new Date(i.start).toISOString()) + ' · ' + fmtDuration(i.end - i.start)
        + (i.open ? ' (still open)' : '') + (i.detail ? ' · ' + i.detail : '')});
    bar.style.left = Math.min(left, 99.5) + '%';
    if (i.kind !== 'event') bar.style.width = Math.min(width, 100 - left) + '%';
    const took = i.kind === 'event' ? null : h('span', {class: 'muted', text: ' ' + fmtDuration(i.end - i.start) + (i.open ? '…' : '')});
    const label = i.instanceId && i.kind === 'suborchestration'
      ? h('div', {class: 'label'}, i.label + ' ', instanceLink(i.instanceId, {class: 'child-link'}), took)
      : h('div', {class: 'label', title: i.label}, i.label, took);
    return h('div', {class: 'row ' + i.kind}, label, h('div', {class: 'track'}, bar));
  });
  return h('div', {id: 'timeline'},
    h('div', {class: 'legend'}, h('span', {class: 'activity', text: 'activity'}), h('span', {class: 'suborchestration', text: 'sub-orchestration'}),
      h('span', {class: 'timer', text: 'timer'}), h('span', {class: 'event', text: 'event'}), h('span', {class: 'failed', text: 'failed'})),
    h('div', {class: 'axis'}, h('span', {text: fmtTime(new Date(start).toISOString())}), h('span', {text: fmtDuration(span)}),
      h('span', {text: fmtTime(new Date(end).toISOString())})),
    h('div', {class: 'gantt'}, rows));
}

function historyTable(history) {
  const known = ['EventType', 'Timestamp', 'FunctionName', 'Name', 'InstanceId', 'ParentInstanceId'];
  return h('table', {id: 'history'},
    h('thead', {}, h('tr', {}, ['#', 'Time', 'Event', 'Name', 'Instance', 'Details'].map((x) => h('th', {text: x})))),
    h('tbody', {}, history.map((e, n) => {
      const rest = {};
      for (const [k, v] of Object.entries(e)) if (!known.includes(k)) rest[k] = v;
      const other = e.InstanceId || e.ParentInstanceId;
      return h('tr', {}, h('td', {text: String(n + 1)}), timeCell(e.Timestamp), h('td', {text: e.EventType}),
        h('td', {text: e.FunctionName || e.Name || ''}), h('td', {class: 'id'}, other ? instanceLink(other) : ''),
        h('td', {}, Object.keys(rest).length ? h('pre', {text: pretty(rest)}) : ''));
    })));
}

function rawJson(s) {
  const text = pretty(s);
  return h('div', {},
    h('div', {class: 'toolbar'}, h('button', {type: 'button', id: 'download-json', text: 'Download JSON', onclick: () => {
      const url = URL.createObjectURL(new Blob([text], {type: 'application/json'}));
      const a = h('a', {href: url, download: 'instance-' + s.instanceId.replace(/[^A-Za-z0-9._-]/g, '_') + '.json'});
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    }})),
    h('pre', {id: 'raw-json', text}));
}

// ---- bulk jobs ------------------------------------------------------------------------------------------------------

function progressBar(job) {
  const p = job.progress;
  const handled = p.done + p.skipped + p.failed;
  const of = p.expected >= 0 ? Math.max(p.expected, handled) : p.matched;
  const bar = h('div', {});
  bar.style.width = (of > 0 ? Math.min(100, (handled / of) * 100) : (job.state === 'Completed' ? 100 : 0)) + '%';
  return h('div', {class: 'progress', title: handled + ' of ' + of}, bar);
}

function jobSummary(job) {
  const p = job.progress;
  return p.done + ' done, ' + p.skipped + ' skipped, ' + p.failed + ' failed of ' + (p.expected >= 0 ? p.expected : p.matched);
}

async function renderJobs(main, q, current) {
  const r = await api('GET', '/taskhub/jobs');
  if (!current()) return;
  append(main, [h('h1', {text: 'Bulk jobs'}),
    h('p', {class: 'muted', text: 'Start one from the instance list: filter, then "Bulk operation on this filter".'}),
    h('table', {id: 'jobs'}, h('thead', {}, h('tr', {}, ['Job', 'Operation', 'State', 'Progress', '', 'Created'].map((x) => h('th', {text: x})))),
      h('tbody', {}, (r.json || []).map((job) => h('tr', {}, h('td', {class: 'id'}, link(job.jobId, {view: 'job', id: job.jobId})),
        h('td', {text: job.request.operation}), h('td', {text: job.state}), h('td', {}, progressBar(job)),
        h('td', {text: jobSummary(job)}), timeCell(job.createdTime)))))]);
}

async function renderJob(main, q, current) {
  const id = q.get('id') || '';
  const box = h('div', {});
  append(main, [h('p', {class: 'muted'}, link('← Bulk jobs', {view: 'jobs'})), h('h1', {text: 'Bulk job ' + id}), box]);
  const load = async () => {
    const job = (await api('GET', '/taskhub/jobs/' + enc(id))).json;
    if (!current()) return;
    const finished = ['Completed', 'Canceled', 'Failed'].includes(job.state);
    const change = (verb) => act({title: verb[0].toUpperCase() + verb.substring(1) + ' job', text: verb + ' bulk job ' + id + '?', confirm: verb},
      () => api('POST', '/taskhub/jobs/' + enc(id) + '/' + verb), () => load());
    const req = job.request;
    clear(box);
    append(box, [h('div', {class: 'card'}, h('dl', {class: 'fields'},
      h('dt', {text: 'State'}), h('dd', {id: 'job-state', text: job.state}),
      h('dt', {text: 'Operation'}), h('dd', {text: req.operation}),
      h('dt', {text: 'Filter'}), h('dd', {text: describeFilter({statuses: req.runtimeStatus || [], name: req.name, prefix: req.instanceIdPrefix,
        from: req.createdTimeFrom, to: req.createdTimeTo})}),
      h('dt', {text: 'Progress'}), h('dd', {}, progressBar(job), h('span', {id: 'job-progress', text: jobSummary(job)})),
      h('dt', {text: 'Created'}), h('dd', {text: fmtTime(job.createdTime)}),
      h('dt', {text: 'Updated'}), h('dd', {text: fmtTime(job.lastUpdatedTime)}),
      job.message ? [h('dt', {text: 'Message'}), h('dd', {text: job.message})] : null)),
    canAct() && !finished ? h('div', {class: 'toolbar'},
      job.state === 'Paused' ? h('button', {type: 'button', id: 'job-resume', text: 'Resume', onclick: () => change('resume')})
        : h('button', {type: 'button', id: 'job-pause', text: 'Pause', onclick: () => change('pause')}),
      h('button', {type: 'button', id: 'job-cancel', class: 'danger', text: 'Cancel', onclick: () => change('cancel')})) : null,
    job.progress.issues.length ? [h('h2', {text: 'Instances skipped or failed'}),
      h('table', {}, h('tbody', {}, job.progress.issues.map((i) => h('tr', {}, h('td', {class: 'id'}, instanceLink(i.instanceId)),
        h('td', {text: i.outcome}), h('td', {text: i.reason})))))] : null]);
    if (finished) stopTimers();
  };
  await load();
  timers.push(setInterval(() => load().catch((e) => notify(e.message, true)), 1000));
}

// ---- stuck instances and quarantine ----------------------------------------------------------------------------------

async function renderStuck(main, q, current) {
  const threshold = q.get('threshold') || '5m';
  const input = h('input', {type: 'text', id: 'stuck-threshold', value: threshold});
  append(main, [h('h1', {text: 'Stuck instances'}),
    h('form', {class: 'card filters', onsubmit: (ev) => { ev.preventDefault(); go({view: 'stuck', threshold: input.value.trim()}); }},
      h('label', {}, 'Stuck for longer than (e.g. 30s, 5m, PT1H)', input), h('button', {type: 'submit', class: 'primary', text: 'Find'}))]);
  const r = await api('GET', '/taskhub/stuck', {query: {threshold}});
  if (!current()) return;
  const list = r.json.instances || [];
  append(main, [h('p', {class: 'muted', text: list.length + ' instance(s) stuck as of ' + fmtTime(r.json.asOf) + (r.json.more ? ' (more not shown)' : '')
    + '. Examined: ' + (r.json.examined || []).join(', ') + '.'}),
  h('table', {id: 'stuck'}, h('thead', {}, h('tr', {}, ['Instance id', 'Name', 'Status', 'Reasons', 'Created', 'Oldest due', 'Lock expired', 'Deliveries']
    .map((x) => h('th', {text: x})))),
  h('tbody', {}, list.map((i) => h('tr', {}, h('td', {class: 'id'}, instanceLink(i.instanceId)), h('td', {text: i.name}),
    h('td', {}, statusBadge(i.runtimeStatus)), h('td', {text: (i.reasons || []).join(', ')}), timeCell(i.createdTime),
    timeCell(i.oldestDueTime), timeCell(i.lockExpiredTime), h('td', {text: String(i.deliveryCount)})))))]);
}

async function renderQuarantine(main, q, current) {
  const instanceId = q.get('instanceId') || '';
  const kind = q.get('kind') || '';
  const filterKey = instanceId + '\u0000' + kind;
  if (quarantinePaging.filter !== filterKey) {
    quarantinePaging.filter = filterKey;
    quarantinePaging.tokens = [null];
    quarantinePaging.index = 0;
  }
  const idInput = h('input', {type: 'text', id: 'q-instance', value: instanceId});
  const kindSelect = h('select', {id: 'q-kind'}, ['', 'Orchestration', 'Activity'].map((k) => h('option', {value: k, text: k || 'any', selected: k === kind})));
  const tbody = h('tbody', {id: 'quarantine-rows'});
  const detail = h('div', {id: 'quarantine-detail'});
  const prev = h('button', {type: 'button', text: '‹ Previous', disabled: true});
  const next = h('button', {type: 'button', text: 'Next ›', disabled: true});
  append(main, [h('h1', {text: 'Quarantine'}),
    h('p', {class: 'muted', text: 'Work items that failed too often are set aside here. Replay puts their messages back to work; discard drops them for good.'}),
    h('form', {class: 'card filters', onsubmit: (ev) => {
      ev.preventDefault();
      const nq = {view: 'quarantine'};
      if (idInput.value.trim()) nq.instanceId = idInput.value.trim();
      if (kindSelect.value) nq.kind = kindSelect.value;
      go(nq);
    }}, h('label', {}, 'Instance id', idInput), h('label', {}, 'Kind', kindSelect), h('button', {type: 'submit', class: 'primary', text: 'Apply'})),
    h('div', {class: 'toolbar'}, h('span', {class: 'spacer'}), prev, next),
    h('table', {id: 'quarantine'}, h('thead', {}, h('tr', {}, ['Record', 'Instance id', 'Kind', 'Deliveries', 'Reason', 'Quarantined', '']
      .map((x) => h('th', {text: x})))), tbody), detail]);
  prev.onclick = () => { quarantinePaging.index--; load(); };
  next.onclick = () => { quarantinePaging.index++; load(); };
  const load = async () => {
    const r = await api('GET', '/taskhub/quarantine', {query: {instanceId, kind, top: 50}, token: quarantinePaging.tokens[quarantinePaging.index]});
    if (!current()) return;
    const token = r.headers.get('x-ms-continuation-token');
    quarantinePaging.tokens.length = quarantinePaging.index + 1;
    if (token) quarantinePaging.tokens.push(token);
    prev.disabled = quarantinePaging.index === 0;
    next.disabled = !token;
    clear(tbody);
    for (const rec of r.json || []) {
      const show = async () => {
        const full = (await api('GET', '/taskhub/quarantine/' + enc(rec.id))).json;
        clear(detail).appendChild(h('div', {class: 'card'}, h('h2', {text: 'Record ' + rec.id}), jsonBlock(full, 'quarantine-record')));
      };
      tbody.appendChild(h('tr', {dataset: {recordId: rec.id}}, h('td', {class: 'id', text: rec.id}), h('td', {class: 'id'}, instanceLink(rec.instanceId)),
        h('td', {text: rec.kind}), h('td', {text: String(rec.deliveryCount)}), h('td', {text: rec.reason}), timeCell(rec.quarantinedTime),
        h('td', {}, h('button', {type: 'button', class: 'q-show', text: 'Show', onclick: () => show().catch((e) => notify(e.message, true))}),
          canAct() ? [' ', h('button', {type: 'button', class: 'q-replay', text: 'Replay', onclick: () => act({title: 'Replay quarantined work',
            text: 'Put the messages of record ' + rec.id + ' (instance ' + rec.instanceId + ') back to work?', confirm: 'Replay', done: 'Replayed.'},
          () => api('POST', '/taskhub/quarantine/' + enc(rec.id) + '/replay'), () => load())}),
          ' ', h('button', {type: 'button', class: 'q-discard danger', text: 'Discard', onclick: () => act({title: 'Discard quarantined work',
            text: 'Drop the messages of record ' + rec.id + ' (instance ' + rec.instanceId + ') for good?', confirm: 'Discard', danger: true, done: 'Discarded.'},
          () => api('DELETE', '/taskhub/quarantine/' + enc(rec.id)), () => load())})] : null)));
    }
    if (!tbody.firstChild) tbody.appendChild(h('tr', {}, h('td', {colSpan: 7, class: 'muted', text: 'Nothing in quarantine.'})));
  };
  await load();
}

render();
