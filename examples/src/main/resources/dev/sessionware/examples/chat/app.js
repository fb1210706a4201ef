"use strict";
// The session id lives in the URL (?session=...), so a reload resumes the conversation; the last
// event id lives in sessionStorage, so the reloaded stream resumes where this page left off. The
// access token comes once in the URL's fragment (#token=..., never sent to the server) or from the
// login form, and lives in sessionStorage; every API call and the event stream send it as a bearer
// token. The stream is read with fetch (an EventSource cannot send a header), as Server-Sent Events.
const TOKEN_KEY = "sessionware.token";
const log = document.getElementById("log");
const statusLine = document.getElementById("status");
let sessionId = new URLSearchParams(location.search).get("session");
let streaming = null;   // the assistant element the current answer streams into
let source = null;      // the open stream: {close()}
let shownTurn = null;   // after a snapshot: the stored turn it showed, whose late events are no news

// an event of the turn a snapshot already showed (it ended between the snapshot's ordinal and its read)
function alreadyShown(e) {
  return shownTurn !== null && e.data && JSON.parse(e.data).meta?.turn_id === shownTurn;
}

function show(role, text) {
  const div = document.createElement("div");
  div.className = "message " + role;
  div.textContent = text;
  log.appendChild(div);
  return div;
}

function takeTokenFromFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("token");
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, "", location.pathname + location.search); // out of the address bar and history
  }
}

function authorized(headers) {
  return Object.assign({"Authorization": "Bearer " + (sessionStorage.getItem(TOKEN_KEY) || "")}, headers || {});
}

class Unauthorized extends Error {}

async function api(method, path, body, headers) {
  const response = await fetch(path, {
    method, headers: authorized(Object.assign({"Content-Type": "application/json"}, headers || {})),
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const data = await response.json();
  if (response.status === 401) {
    throw new Unauthorized(data.error ? data.error.message : "unauthorized");
  }
  if (!response.ok && response.status !== 202) {
    const error = new Error(data.error ? data.error.message : ("HTTP " + response.status));
    error.status = response.status;
    throw error;
  }
  return {status: response.status, data};
}

function askForToken(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  statusLine.textContent = message || "";
  document.getElementById("login").hidden = false;
  document.getElementById("token").focus();
}

async function openSession() {
  if (!sessionStorage.getItem(TOKEN_KEY)) {
    askForToken();
    return;
  }
  document.getElementById("login").hidden = true;
  if (sessionId) {
    try {
      await api("GET", "/api/sessions/" + encodeURIComponent(sessionId));
    } catch (e) {
      if (e instanceof Unauthorized || e.status !== 404) throw e;
      await api("POST", "/api/sessions", {session_id: sessionId});
    }
  } else {
    sessionId = (await api("POST", "/api/sessions")).data.session_id;
    history.replaceState(null, "", "?session=" + encodeURIComponent(sessionId));
  }
  document.getElementById("session").textContent = "session " + sessionId;
  linkInspector().catch(() => {});
  // a turn carries the conversation so far: the newest final one is the whole history
  const turns = (await api("GET", "/api/sessions/" + encodeURIComponent(sessionId) + "/turns?phase=final&limit=1")).data.turns;
  for (const turn of turns) {
    for (const m of turn.messages || []) show(m.role, m.text);
  }
  connect();
  refreshApprovals().catch(() => {});
}

// what each event type does; e is {data, lastEventId}
function handlers(remember) {
  let callText = ""; // canonical events: the text of the provider call's finished segments
  const ended = (type) => (e) => {
    if (!e.data) return;
    remember(e);
    if (alreadyShown(e)) return;
    if (streaming) { streaming.remove(); streaming = null; }
    show("note", type === "interrupt" ? "(cancelled)" : "(the model failed)");
    refreshState();
  };
  return {
    start: (e) => { remember(e); if (!alreadyShown(e)) streaming = show("assistant", ""); },
    partial: (e) => {
      remember(e);
      if (alreadyShown(e)) return;
      const event = JSON.parse(e.data);
      if (!streaming) streaming = show("assistant", "");
      streaming.textContent = event.completion !== undefined ? event.completion : streaming.textContent + (event.delta || "");
    },
    final: (e) => {
      remember(e);
      if (alreadyShown(e)) return;
      const event = JSON.parse(e.data);
      if (!streaming) streaming = show("assistant", "");
      if (event.text !== undefined) streaming.textContent = event.text;
      streaming = null;
      refreshState();
    },
    // the same answer in geppetto's canonical vocabulary (a server started with codec(EventCodec.canonical())):
    // a bubble per provider call, text-delta carrying its segment's text, the call's segments one after another
    "provider-call-started": (e) => {
      remember(e);
      callText = "";
      if (!alreadyShown(e)) streaming = show("assistant", "");
    },
    "text-delta": (e) => {
      remember(e);
      if (alreadyShown(e)) return;
      const event = JSON.parse(e.data);
      if (!streaming) streaming = show("assistant", "");
      streaming.textContent = callText + (event.text !== undefined ? event.text : event.delta || "");
    },
    "text-segment-finished": (e) => {
      remember(e);
      if (alreadyShown(e)) return;
      callText += JSON.parse(e.data).text || "";
      if (streaming) streaming.textContent = callText;
    },
    "provider-call-finished": (e) => {
      remember(e);
      if (alreadyShown(e)) return;
      if (!JSON.parse(e.data).has_tool_calls) { // the answer: the last call of the inference
        streaming = null;
        refreshState();
      }
    },
    // the model stopped before tool calls that wait for a person; a decision (here or on another
    // instance) continues the turn, and its events arrive on this stream like any other
    "tool-approval-request": (e) => {
      remember(e);
      if (alreadyShown(e)) return;
      if (streaming && !streaming.textContent) { streaming.remove(); }
      streaming = null;
      refreshApprovals().catch(() => {});
    },
    info: (e) => { remember(e); approvals.replaceChildren(); },
    error: ended("error"),
    interrupt: ended("interrupt"),
    // further behind than the server keeps events: the conversation as it stands, then live events
    snapshot: (e) => {
      remember(e);
      const snapshot = JSON.parse(e.data);
      log.replaceChildren();
      for (const m of snapshot.messages) show(m.role, m.text);
      shownTurn = snapshot.turn_id;
      streaming = snapshot.running ? show("assistant", snapshot.running.text) : null;
      refreshState();
    },
    replaced: () => { // this session opened more streams than the server keeps
      source.close();
      statusLine.textContent = "This conversation is open in too many places; reload to follow it here.";
    }
  };
}

// when the session inspector runs beside the server (--inspector-port), link this session to it
async function linkInspector() {
  const answer = await api("GET", "/api/inspector");
  const link = document.getElementById("inspect");
  link.href = answer.data.url + "#/session/" + encodeURIComponent(sessionId);
  link.hidden = false;
}

function connect() {
  const key = "sessionware.last_event_id." + sessionId;
  const controller = new AbortController();
  let retry = 1000;
  const stream = {closed: false, close() { this.closed = true; controller.abort(); }};
  source = stream;
  const on = handlers((e) => { if (e.lastEventId) sessionStorage.setItem(key, e.lastEventId); });
  const dispatch = (type, data, id) => {
    const handler = on[type];
    if (handler && !stream.closed) handler({data, lastEventId: id});
  };
  const last = sessionStorage.getItem(key);
  const url = "/api/sessions/" + encodeURIComponent(sessionId) + "/events" + (last ? "?last_event_id=" + last : "");
  (async () => {
    const response = await fetch(url, {headers: authorized({"Accept": "text/event-stream"}), signal: controller.signal});
    if (response.status === 401) {
      stream.closed = true;
      askForToken("Your access token was refused; enter it again.");
      return;
    }
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      statusLine.textContent = data.error ? data.error.message : "the stream failed: HTTP " + response.status;
      if (response.status !== 503) stream.closed = true;
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "", type = "message", data = [], id = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.search(/\r\n|\n|\r/)) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith("\r\n", end) ? 2 : 1));
        if (line === "") {
          if (data.length) dispatch(type, data.join("\n"), id);
          type = "message"; data = [];
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          let text = colon < 0 ? "" : line.slice(colon + 1);
          if (text.startsWith(" ")) text = text.slice(1);
          if (field === "event") type = text;
          else if (field === "data") data.push(text);
          else if (field === "id") id = text;
          else if (field === "retry" && /^\d+$/.test(text)) retry = Number(text);
        }
      }
    }
  })().catch(() => {}).finally(() => {
    if (!stream.closed) setTimeout(() => { if (source === stream && !stream.closed) connect(); }, retry); // as an EventSource does
  });
}

// tool calls that wait for a person: shown with their arguments and approve / deny buttons; the
// conversation goes on (on the stream) once each is decided, on this instance or another
const approvals = document.getElementById("approvals");

async function refreshApprovals() {
  const answer = (await api("GET", "/api/sessions/" + encodeURIComponent(sessionId) + "/approvals")).data;
  const waiting = answer.calls.filter((c) => c.state === "waiting");
  approvals.replaceChildren();
  if (waiting.length === 0) return;
  const title = document.createElement("div");
  title.textContent = "The model wants to call " + (waiting.length === 1 ? "a tool" : waiting.length + " tools")
      + ". Approve?";
  approvals.appendChild(title);
  for (const call of answer.calls) {
    const div = document.createElement("div");
    div.className = "call";
    div.dataset.callId = call.call_id;
    const name = document.createElement("strong");
    name.textContent = call.tool;
    const args = document.createElement("pre");
    args.className = "arguments";
    args.textContent = call.arguments;
    div.append(name, args);
    if (call.state === "waiting") {
      const approve = document.createElement("button");
      approve.className = "approve";
      approve.textContent = "Approve";
      approve.addEventListener("click", () => decide(call.call_id, {decision: "approve"}));
      const reason = document.createElement("input");
      reason.className = "reason";
      reason.placeholder = "reason (optional)";
      const deny = document.createElement("button");
      deny.className = "deny";
      deny.textContent = "Deny";
      deny.addEventListener("click", () => decide(call.call_id,
          reason.value ? {decision: "deny", reason: reason.value} : {decision: "deny"}));
      div.append(approve, " ", reason, " ", deny);
    } else {
      const decided = document.createElement("span");
      decided.className = "decided";
      decided.textContent = call.state + " by " + call.principal + (call.reason ? ": " + call.reason : "");
      div.appendChild(decided);
    }
    approvals.appendChild(div);
  }
}

async function decide(callId, body) {
  try {
    await api("POST", "/api/sessions/" + encodeURIComponent(sessionId) + "/approvals/" + encodeURIComponent(callId), body);
  } catch (error) {
    statusLine.textContent = error.message;
  }
  refreshApprovals().catch(() => {});
}

let recheck = null;
async function refreshState() {
  const state = (await api("GET", "/api/sessions/" + encodeURIComponent(sessionId))).data;
  statusLine.textContent = state.state === "running"
      ? "answering" + (state.queue_depth ? ", " + state.queue_depth + " waiting" : "")
      : state.state === "awaiting_approval" ? "waiting for your approval" : "";
  if (state.state !== "running") refreshApprovals().catch(() => {});
  // an answer's last event reaches the page just before the server records its end, and an answer
  // may end before the POST that asked for it returns: while nothing streams, look again until it idles
  clearTimeout(recheck);
  recheck = state.state === "running" && !streaming ? setTimeout(refreshState, 500) : null;
}

document.getElementById("form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = document.getElementById("prompt");
  const prompt = input.value;
  input.value = "";
  show("user", prompt);
  try {
    const answer = await api("POST", "/api/sessions/" + encodeURIComponent(sessionId) + "/messages", {prompt},
        {"Idempotency-Key": crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()});
    statusLine.textContent = answer.data.status === "queued"
        ? "queued at position " + answer.data.queue_position : "answering";
    if (!streaming) refreshState(); // its answer may have streamed and ended already
  } catch (error) {
    show("note", "(" + error.message + ")");
  }
});

document.getElementById("cancel").addEventListener("click", async () => {
  try {
    await api("DELETE", "/api/sessions/" + encodeURIComponent(sessionId) + "/inference");
  } catch (error) {
    statusLine.textContent = error.message;
  }
});

document.getElementById("login").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value.trim());
  document.getElementById("token").value = "";
  start();
});

function start() {
  openSession().catch((error) => {
    if (error instanceof Unauthorized) askForToken("Your access token was refused; enter it again.");
    else show("note", "(" + error.message + ")");
  });
}

takeTokenFromFragment();
start();
