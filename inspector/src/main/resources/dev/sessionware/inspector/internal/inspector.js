// The session inspector's page. Every value from the API is set as text (textContent or an
// attribute), never parsed as markup; the page is read-only and talks to its own origin only.
'use strict';
(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  let cursor = null;
  let current = null; // the open session: { id, lastOrdinal, open: Set, before, turnsFrom, generation }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function time(millis) {
    return millis === null || millis === undefined ? '' : new Date(millis).toISOString().replace('T', ' ').replace('Z', '');
  }

  function showError(message) {
    const box = $('error');
    box.textContent = message;
    box.hidden = !message;
  }

  async function api(path, params) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== null && v !== undefined && v !== '') query.set(k, v);
    }
    const response = await fetch(path + '?' + query.toString(), { credentials: 'same-origin', cache: 'no-store' });
    let body;
    try {
      body = await response.json();
    } catch (e) {
      body = { error: 'the inspector answered ' + response.status };
    }
    if (!response.ok) throw new Error(body.error || ('the inspector answered ' + response.status));
    return body;
  }

  function noteContent(shown) {
    $('content-note').textContent = shown ? 'content shown as the content policy allows, redacted'
      : 'content hidden by the content policy';
  }

  // ---- the list ----
  function isoOf(input) {
    return input.value ? new Date(input.value).toISOString() : '';
  }

  async function loadSessions(reset) {
    if (reset) {
      cursor = null;
      $('sessions').tBodies[0].replaceChildren();
    }
    try {
      const page = await api('api/sessions', {
        prefix: $('prefix').value, state: $('state').value, from: isoOf($('from')), until: isoOf($('until')),
        cursor: cursor, limit: 50 });
      showError('');
      noteContent(page.content);
      const body = $('sessions').tBodies[0];
      for (const s of page.sessions) {
        const link = el('a', { href: '#/session/' + encodeURIComponent(s.id), class: 'session-link' }, s.id);
        body.append(el('tr', { 'data-session': s.id },
          el('td', {}, link), el('td', {}, time(s.createdAt)), el('td', {}, time(s.lastActivity)),
          el('td', { class: 'num' }, s.turns), el('td', {}, el('span', { class: 'state state-' + s.state }, s.state)),
          el('td', { class: 'num' }, s.inputTokens + ' / ' + s.outputTokens)));
      }
      cursor = page.next;
      $('more').hidden = !cursor;
      $('no-sessions').hidden = body.rows.length > 0;
    } catch (e) {
      showError(e.message);
    }
  }

  // ---- one session ----
  function fact(list, name, value) {
    if (value === null || value === undefined || value === '') return;
    list.append(el('dt', {}, name), el('dd', { 'data-fact': name }, value));
  }

  function drawTimeline(inferences) {
    const chart = $('timeline');
    chart.replaceChildren();
    const rows = inferences.slice().reverse();
    const now = Date.now();
    const starts = rows.map((i) => i.startedAt).filter((t) => t !== null);
    if (starts.length === 0) {
      chart.setAttribute('height', 0);
      return;
    }
    const t0 = Math.min(...starts);
    const t1 = Math.max(...rows.map((i) => i.endedAt || (i.outcome === 'running' ? now : i.startedAt)), t0 + 1);
    const width = 800;
    const left = 10;
    const span = width - 2 * left;
    const x = (t) => left + ((t - t0) / (t1 - t0)) * span;
    const rowHeight = 14;
    chart.setAttribute('viewBox', '0 0 ' + width + ' ' + (rows.length * rowHeight + 24));
    chart.setAttribute('height', Math.min(400, rows.length * rowHeight + 24));
    rows.forEach((inference, index) => {
      const y = 4 + index * rowHeight;
      const start = inference.startedAt === null ? t0 : inference.startedAt;
      const end = inference.endedAt || (inference.outcome === 'running' ? now : start);
      const bar = svg('rect', { x: x(start), y: y, width: Math.max(2, x(end) - x(start)), height: rowHeight - 4,
        class: 'bar bar-' + inference.outcome, 'data-inference': inference.id });
      bar.append(svg('title', {}, inference.id + ' ' + inference.outcome + ' ' + (end - start) + ' ms'));
      chart.append(bar);
      if (inference.firstChunkAt) {
        chart.append(svg('line', { x1: x(inference.firstChunkAt), x2: x(inference.firstChunkAt), y1: y,
          y2: y + rowHeight - 4, class: 'chunk' }));
      }
    });
    const axisY = rows.length * rowHeight + 18;
    chart.append(svg('text', { x: left, y: axisY, class: 'axis' }, time(t0)));
    chart.append(svg('text', { x: width - left, y: axisY, class: 'axis', 'text-anchor': 'end' }, '+' + (t1 - t0) + ' ms'));
  }

  function summaryOf(inference) {
    const parts = [time(inference.startedAt), inference.outcome];
    if (inference.model) parts.push(inference.model);
    if (inference.inputTokens !== undefined) parts.push(inference.inputTokens + ' / ' + inference.outputTokens + ' tokens');
    if (inference.endedAt && inference.startedAt) parts.push((inference.endedAt - inference.startedAt) + ' ms');
    if (inference.firstChunkAt && inference.startedAt) parts.push('first chunk ' + (inference.firstChunkAt - inference.startedAt) + ' ms');
    parts.push(inference.events + ' events');
    return parts.join(' · ');
  }

  function contentCell(event, field) {
    if (event[field + 'Hidden']) return el('span', { class: 'hidden-content' }, '(' + field + ' hidden by the content policy)');
    if (event[field] === undefined) return null;
    return el('div', { class: 'content ' + field }, event[field]);
  }

  function eventRow(event) {
    const detail = el('td', { class: 'detail' });
    if (event.tool) detail.append(el('strong', {}, event.tool + ' '));
    if (event.toolCallId) detail.append(el('span', { class: 'muted' }, 'call ' + event.toolCallId + ' '));
    for (const field of ['arguments', 'result', 'text']) {
      const cell = contentCell(event, field);
      if (cell) detail.append(cell);
    }
    if (event.error) detail.append(el('div', { class: 'content error outcome-error' }, event.error));
    if (event.message) detail.append(el('div', { class: 'content message' }, (event.level ? event.level + ': ' : '') + event.message));
    const facts = [];
    if (event.model) facts.push(event.model);
    if (event.inputTokens !== undefined) facts.push(event.inputTokens + ' / ' + event.outputTokens + ' tokens');
    if (event.durationMs !== undefined) facts.push(event.durationMs + ' ms');
    if (event.stopReason) facts.push('stop: ' + event.stopReason);
    if (facts.length) detail.append(el('div', { class: 'muted' }, facts.join(' · ')));
    if (event.traceId) {
      detail.append(event.traceUrl
        ? el('a', { href: event.traceUrl, class: 'trace', rel: 'noreferrer noopener', target: '_blank' }, 'trace ' + event.traceId)
        : el('span', { class: 'muted trace' }, 'trace ' + event.traceId));
    }
    return el('tr', { 'data-ordinal': event.ordinal, class: 'event event-' + event.type },
      el('td', { class: 'num' }, event.ordinal), el('td', {}, time(event.at)), el('td', {}, event.type), detail);
  }

  async function loadEvents(inference, container) {
    const rows = [];
    let after = inference.firstOrdinal - 1;
    while (after < inference.lastOrdinal && rows.length < 1000) {
      const page = await api('api/events', { session: current.id, after: after, limit: 200 });
      if (page.events.length === 0) break;
      for (const event of page.events) {
        if (event.ordinal > inference.lastOrdinal) break;
        if (event.inference === inference.id) rows.push(eventRow(event));
      }
      after = page.last;
    }
    const table = el('table', { class: 'events' },
      el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, 'time'), el('th', {}, 'type'), el('th', {}, ''))),
      el('tbody', {}, ...rows));
    container.replaceChildren(table);
  }

  function renderInferences(inferences) {
    const list = $('inferences');
    list.replaceChildren();
    for (const inference of inferences) {
      const body = el('div', { class: 'inference-events' });
      const details = el('details', { class: 'inference', 'data-inference': inference.id },
        el('summary', {}, el('span', { class: 'outcome-' + inference.outcome }, summaryOf(inference)),
          inference.error ? el('div', { class: 'content error outcome-error' }, inference.error) : null),
        el('div', { class: 'muted' }, 'inference ' + inference.id + (inference.turnId ? ' · turn ' + inference.turnId : '')
          + ' · events ' + inference.firstOrdinal + '–' + inference.lastOrdinal),
        body);
      details.addEventListener('toggle', () => {
        if (details.open) {
          current.open.add(inference.id);
          loadEvents(inference, body).catch((e) => showError(e.message));
        } else {
          current.open.delete(inference.id);
        }
      });
      if (current.open.has(inference.id) || (inference.outcome === 'running' && !current.closed.has(inference.id))) {
        current.open.add(inference.id);
        details.open = true;
      }
      list.append(details);
    }
  }

  function blockView(block, change) {
    const node = el('div', { class: 'block ' + change, 'data-position': block.position },
      el('span', { class: 'muted' }, (change === 'added' ? '+ ' : '− ') + block.position + ' ' + block.kind
        + (block.role ? ' (' + block.role + ')' : '') + (block.name ? ' ' + block.name : '') + ' '));
    if (block.contentHidden) node.append(el('span', { class: 'hidden-content' }, '(content hidden by the content policy)'));
    else if (block.content !== undefined) node.append(el('div', { class: 'content' }, block.content));
    return node;
  }

  async function loadTurns(from, prepend, count) {
    const page = await api('api/turns', { session: current.id, from: from, count: count || 20 });
    const nodes = page.turns.map((turn) => el('div', { class: 'turn', 'data-seq': turn.seq },
      el('div', {}, el('strong', {}, 'turn ' + turn.seq), ' ', el('span', { class: 'muted' },
        (turn.id || '') + ' ' + time(turn.storedAt) + ' · ' + turn.blocks + ' blocks, kept ' + turn.kept)),
      turn.systemPromptFingerprint ? el('div', { class: 'muted' }, 'system prompt ' + turn.systemPromptFingerprint) : null,
      ...turn.removed.map((b) => blockView(b, 'removed')),
      ...turn.added.map((b) => blockView(b, 'added'))));
    const box = $('turns');
    if (prepend) box.prepend(...nodes);
    else box.replaceChildren(...nodes);
    current.turnsFrom = from;
    $('earlier-turns').hidden = from === 0;
  }

  async function renderSession(keepTurns) {
    const page = await api('api/session', { session: current.id, limit: 50 });
    noteContent(page.content);
    const s = page.session;
    $('session-title').textContent = 'Session ' + s.id;
    const facts = $('session-facts');
    facts.replaceChildren();
    fact(facts, 'state', s.state);
    fact(facts, 'created', time(s.createdAt));
    fact(facts, 'last activity', time(s.lastActivity));
    fact(facts, 'turns', s.turns);
    fact(facts, 'inferences', s.inferences);
    fact(facts, 'tokens in / out', s.inputTokens + ' / ' + s.outputTokens);
    fact(facts, 'system prompt', page.systemPromptFingerprint);
    drawTimeline(page.inferences);
    renderInferences(page.inferences);
    current.before = page.nextBefore;
    $('older').hidden = !page.nextBefore;
    $('live').hidden = s.state !== 'running';
    const last = page.inferences.reduce((m, i) => Math.max(m, i.lastOrdinal), 0);
    current.lastOrdinal = Math.max(current.lastOrdinal, last);
    if (!keepTurns) await loadTurns(Math.max(0, s.turns - 20), false);
    else if (s.turns > current.turnsFrom + $('turns').children.length) await loadTurns(current.turnsFrom, false);
  }

  async function follow(generation) {
    while (current && current.generation === generation) {
      try {
        const page = await api('api/events', { session: current.id, after: current.lastOrdinal, wait: 20, limit: 1 });
        if (!current || current.generation !== generation) return;
        if (page.events.length > 0) {
          current.lastOrdinal = page.last;
          await renderSession(true);
          // a fast stream redraws a few times a second, not once per event
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      } catch (e) {
        showError(e.message);
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }

  async function openSession(id) {
    const generation = (current ? current.generation : 0) + 1;
    current = { id: id, lastOrdinal: 0, open: new Set(), closed: new Set(), before: null, turnsFrom: 0, generation: generation };
    $('list-view').hidden = true;
    $('session-view').hidden = false;
    $('turns').replaceChildren();
    try {
      await renderSession(false);
      showError('');
      follow(generation);
    } catch (e) {
      showError(e.message);
    }
  }

  function route() {
    const hash = location.hash;
    if (hash.startsWith('#/session/')) {
      openSession(decodeURIComponent(hash.substring('#/session/'.length)));
    } else {
      if (current) current.generation = -1;
      current = null;
      $('session-view').hidden = true;
      $('list-view').hidden = false;
      loadSessions(true);
    }
  }

  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    loadSessions(true);
  });
  $('more').addEventListener('click', () => loadSessions(false));
  $('older').addEventListener('click', async () => {
    try {
      const page = await api('api/inferences', { session: current.id, before: current.before, limit: 50 });
      current.before = page.nextBefore;
      $('older').hidden = !page.nextBefore;
      const list = $('inferences');
      const kept = Array.from(list.children);
      renderInferences(page.inferences);
      list.prepend(...kept);
    } catch (e) {
      showError(e.message);
    }
  });
  $('earlier-turns').addEventListener('click', () => {
    loadTurns(Math.max(0, current.turnsFrom - 20), true, Math.min(20, current.turnsFrom)).catch((e) => showError(e.message));
  });
  window.addEventListener('hashchange', route);
  route();
})();
