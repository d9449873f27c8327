// callscribe's page: the call log, and one call with its recording and transcripts.
// Plain DOM, no framework, no build step. Everything it shows comes from /api/*.
"use strict";

const POLL_MS = 2000; // while a job runs
const IDLE_POLL_MS = 5000; // the call log, when nothing runs: new calls come in
const FINISHED = new Set(["done", "gave_up"]);
const STATUS_LABELS = {
  waiting_for_recording: "waiting for recording",
  downloading: "downloading",
  transcribing: "transcribing",
  done: "done",
  gave_up: "gave up",
};
const TOKEN_KEY = "callscribe.api_token";

let pollTimer = null;
let view = null; // what is on screen: {kind: "list"} or {kind: "call", sid, ...}

// --- small helpers ---------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function clock(seconds) {
  if (seconds === null || seconds === undefined || seconds < 0) return "—";
  const s = Math.floor(seconds);
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, "0")}`;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "—";
}

function statusBadge(status) {
  return el("span", { class: `status ${status}` }, STATUS_LABELS[status] || status);
}

// Puts `nodes` in <main>, skipping the absent ones (replaceChildren would print "null").
function show(...nodes) {
  document.getElementById("main").replaceChildren(...nodes.filter((n) => n !== null && n !== undefined));
}

function setActivity(text) {
  document.getElementById("activity").textContent = text;
}

function schedule(fn, ms = POLL_MS) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(fn, ms);
}

// --- the API, with the token when the service asks for one ------------------------------------

class Unauthorized extends Error {}

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { ...authHeaders(), ...(options.headers || {}) },
  });
  if (response.status === 401) {
    askForToken(sessionStorage.getItem(TOKEN_KEY) !== null);
    throw new Unauthorized();
  }
  if (!response.ok) {
    let message = `${response.status}`;
    try { message = (await response.json()).error || message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

function askForToken(refused) {
  const dialog = document.getElementById("token-dialog");
  document.getElementById("token-error").hidden = !refused;
  if (!dialog.open) dialog.showModal();
}

document.getElementById("token-form").addEventListener("submit", () => {
  sessionStorage.setItem(TOKEN_KEY, document.getElementById("token-input").value.trim());
  route();
});

// The recording for the player. Without a token the download route is the source: the browser
// streams it and seeks with Range requests. An <audio> element cannot send an Authorization
// header, so with a token the recording is fetched once with the header and played from a blob
// URL (seekable too; a call recording is a few MB). No token ever goes into a URL.
async function recordingSource(call) {
  if (!sessionStorage.getItem(TOKEN_KEY)) return call.recording.download_url;
  const blob = await (await api(call.recording.download_url)).blob();
  return URL.createObjectURL(blob);
}

async function download(call) {
  const link = el("a", { download: `${call.call_sid}` });
  if (sessionStorage.getItem(TOKEN_KEY)) {
    link.href = URL.createObjectURL(await (await api(call.recording.download_url)).blob());
  } else {
    link.href = call.recording.download_url;
  }
  document.body.append(link);
  link.click();
  link.remove();
}

// --- the call log ------------------------------------------------------------------------------

// The start of the transcript the webhook carries (or will), with where it came from.
function preview(call) {
  const text = call.transcript_source === "realtime" || (!call.final_transcript && call.realtime_transcript)
    ? call.realtime_transcript : call.final_transcript;
  if (!text) return el("span", { class: "muted" }, call.transcript_source === "none" ? "none" : "—");
  const flat = text.replace(/\s+/g, " ").trim();
  return el("span", { title: flat },
    call.transcript_source ? el("span", { class: "source" }, call.transcript_source) : null,
    flat.length > 90 ? `${flat.slice(0, 90)}…` : flat);
}

// The list's search and filters live in the URL's fragment (#/?q=refund&status=done), so that
// reloading, the back button and a shared link keep them.
const FILTERS = ["q", "status", "source", "since", "until", "number"];

function listParams() {
  const at = location.hash.indexOf("?");
  const all = new URLSearchParams(at < 0 ? "" : location.hash.slice(at + 1));
  const params = new URLSearchParams();
  for (const name of [...FILTERS, "offset"]) {
    const value = (all.get(name) || "").trim();
    if (value) params.set(name, value);
  }
  return params;
}

function searchForm(params) {
  const field = (name, control) => { control.name = name; control.id = `filter-${name}`; return control; };
  const options = (name, choices) => field(name, el("select", { "aria-label": name },
    choices.map(([value, label]) => el("option", { value, selected: params.get(name) === value }, label))));
  const form = el("form", { class: "search", id: "search", role: "search" },
    field("q", el("input", { type: "search", placeholder: "Search transcripts", value: params.get("q") || "",
      "aria-label": "Search transcripts", maxlength: "200" })),
    options("status", [["", "any status"], ...Object.entries(STATUS_LABELS)]),
    options("source", [["", "any transcript"], ["offline", "offline"], ["realtime", "realtime"]]),
    el("label", {}, "from ", field("since", el("input", { type: "date", value: params.get("since") || "" }))),
    el("label", {}, "to ", field("until", el("input", { type: "date", value: params.get("until") || "" }))),
    field("number", el("input", { type: "text", inputmode: "tel", placeholder: "number", pattern: "\\+?[0-9]*",
      title: "digits, optionally a leading +", value: params.get("number") || "", "aria-label": "phone number" })),
    el("button", { type: "submit" }, "Search"),
    el("a", { href: "#/", class: "clear" }, "clear"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const name of FILTERS) {
      const value = form.elements[name].value.trim();
      if (value) next.set(name, value);
    }
    const query = next.toString();
    location.hash = query ? `#/?${query}` : "#/";
  });
  return form;
}

// A search hit's excerpt: the matched words in <mark>, every piece as text (never as HTML).
function snippetView(pieces) {
  return el("span", { class: "snippet" },
    pieces.map((piece) => (piece.match ? el("mark", {}, piece.text) : piece.text)));
}

async function showList() {
  const params = listParams();
  const query = params.toString();
  // The form stays while the results are polled, so that typing in it is never lost.
  if (!(view && view.kind === "list" && view.query === query && document.getElementById("search"))) {
    view = { kind: "list", query };
    show(searchForm(params), el("div", { id: "results" }, el("p", { class: "muted" }, "Loading…")));
  }
  const state = view;
  const results = document.getElementById("results");
  const searching = params.has("q");
  let answer;
  try {
    // A search page is smaller: each hit's excerpt is made by the database.
    answer = await (await api(`/api/calls?limit=${searching ? 50 : 100}${query ? `&${query}` : ""}`)).json();
  } catch (error) {
    if (error instanceof Unauthorized || view !== state) throw error;
    results.replaceChildren(el("p", { class: "error" }, error.message));
    setActivity("");
    return;
  }
  if (view !== state) return;
  const { calls, webhook_configured } = answer;
  const open = (sid) => () => { location.hash = `#/calls/${sid}`; };
  const rows = calls.map((c) =>
    el("tr", { onclick: open(c.call_sid), "data-sid": c.call_sid, "data-status": c.status },
      el("td", { class: "sid" }, el("a", { href: `#/calls/${c.call_sid}` }, c.call_sid),
        c.from || c.to ? el("div", { class: "parties" }, `${c.from || "?"} → ${c.to || "?"}`) : null),
      el("td", {}, statusBadge(c.status)),
      el("td", { class: "when" }, when(c.created_at)),
      el("td", { class: "duration" }, clock(c.recording.duration_s)),
      el("td", { class: "preview" }, c.snippet ? snippetView(c.snippet) : preview(c)),
      el("td", { class: "webhook-cell" }, webhookState({ ...c, webhook_configured }))));
  let more = null;
  if (searching && answer.next_offset !== null) {
    const next = new URLSearchParams(params);
    next.set("offset", answer.next_offset);
    more = el("p", {}, el("a", { href: `#/?${next}`, id: "next-page" }, "More results →"));
  }
  const empty = query ? "No calls match." : "No calls yet. They appear here when Twilio's callbacks arrive.";
  results.replaceChildren(...[
    calls.length === 0
      ? el("p", { class: "muted" }, empty)
      : el("table", { class: "calls" },
          el("thead", {}, el("tr", {},
            ["call", "status", "created", "duration", searching ? "match" : "transcript", "webhook"]
              .map((h) => el("th", {}, h)))),
          el("tbody", {}, rows)),
    more].filter(Boolean));
  const busy = calls.filter((c) => !FINISHED.has(c.status)).length;
  setActivity(busy ? `${busy} in progress…` : "");
  schedule(refresh, busy ? POLL_MS : IDLE_POLL_MS);
}

// --- one call --------------------------------------------------------------------------------

function segmentList(transcript, audio) {
  return el("ol", { class: "segments" }, transcript.segments.map((s) =>
    el("li", { "data-start": s.start },
      el("button", {
        class: "time", type: "button", title: "Play from here",
        onclick: () => { audio.currentTime = s.start; audio.play().catch(() => {}); },
      }, clock(s.start)),
      el("span", {}, s.speaker ? el("span", { class: "speaker" }, `${s.speaker}:`) : null, s.text))));
}

function highlightCurrent(audio, list) {
  let current = null;
  for (const item of list.querySelectorAll("li")) {
    if (Number(item.dataset.start) <= audio.currentTime) current = item;
  }
  for (const item of list.querySelectorAll("li.current")) item.classList.remove("current");
  if (current) current.classList.add("current");
}

function transcriptsView(call, transcript, audio) {
  const winner = (source) =>
    call.transcript_source === source ? el("span", { class: "winner" }, "chosen") : null;
  let offline;
  audio.ontimeupdate = null; // the element outlives redraws: one handler, for the list on screen
  if (transcript && transcript.segments.length) {
    offline = segmentList(transcript, audio);
    audio.ontimeupdate = () => highlightCurrent(audio, offline);
  } else if (FINISHED.has(call.status)) {
    offline = el("p", { class: "muted" }, call.last_error || "No offline transcript.");
  } else {
    offline = el("p", { class: "muted" }, `Not yet: ${STATUS_LABELS[call.status]}…`);
  }
  const realtime = call.realtime_transcript
    ? el("p", { class: "realtime" }, call.realtime_transcript)
    : el("p", { class: "muted" }, "No realtime transcript for this call.");
  return el("div", { class: "transcripts" },
    el("section", { id: "offline" }, el("h2", {}, "Offline", winner("offline")), offline),
    el("section", { id: "realtime" }, el("h2", {}, "Realtime", winner("realtime")),
      el("div", { id: "realtime-body" }, realtime)));
}

// While the call is live, its live transcript (Twilio's transcription, or callscribe's own from
// the call's media stream) grows in the realtime section: the final utterances, then what each
// speaker is saying now, which may still be revised.
function drawLive(live) {
  const box = document.getElementById("realtime-body");
  if (!box || live.final || (!live.transcript && !live.partials.length)) return;
  box.replaceChildren(
    live.transcript ? el("p", { class: "realtime" }, live.transcript) : "",
    ...live.partials.map((p) =>
      el("p", { class: "partial" }, el("span", { class: "speaker" }, `${p.speaker}:`), ` ${p.text}…`)));
}

// Listens to GET /api/calls/{sid}/live as Server-Sent Events until the live transcript is final
// or the view changes. Read with fetch, not EventSource, which cannot send the API token's
// header. When the stream breaks, the next refresh of the view listens again.
async function listenLive(sid, state) {
  if (state.live) return;
  const live = { controller: new AbortController(), last: null };
  state.live = live;
  try {
    const response = await api(`/api/calls/${sid}/live`, {
      headers: { Accept: "text/event-stream" }, signal: live.controller.signal,
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let pending = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (view !== state) { live.controller.abort(); break; }
      pending += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = pending.indexOf("\n\n")) >= 0) {
        const data = pending.slice(0, end).split("\n")
          .filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).join("\n");
        pending = pending.slice(end + 2);
        if (!data) continue; // a keep-alive comment
        live.last = JSON.parse(data);
        drawLive(live.last);
      }
    }
  } catch (_) {
    // Aborted, or the connection broke: the next refresh listens again while the call is live.
  } finally {
    if (state.live === live) state.live = null;
  }
}

// What happened to the call's webhook, from its outbox rows (the newest last).
function webhookState(call) {
  const last = call.webhooks[call.webhooks.length - 1];
  if (!last) {
    if (!call.webhook_configured) return "not configured (CALLSCRIBE_WEBHOOK_URL)";
    return FINISHED.has(call.status) ? "none" : "sent once the transcript is saved";
  }
  const error = last.last_error ? ` — last error: ${last.last_error}` : "";
  if (last.state === "delivered") return `delivered ${when(last.delivered_at)}`;
  if (last.state === "failed") return `failed after ${last.attempts} attempt(s)${error}`;
  return `pending, next attempt ${when(last.next_attempt_at)}${error}`;
}

async function showCall(sid) {
  const first = !(view && view.kind === "call" && view.sid === sid);
  if (first) view = { kind: "call", sid, audio: null, shown: null };
  const state = view;
  const call = await (await api(`/api/calls/${sid}`)).json();
  if (view !== state) return;

  // Redraw only when something changed, so the player keeps playing while the job runs.
  const signature = JSON.stringify([call.status, call.updated_at, call.transcript_source]);
  if (signature !== state.shown) {
    state.shown = signature;
    let transcript = null;
    if (call.status === "done" && call.final_transcript) {
      transcript = await (await api(`/api/calls/${sid}/transcript?format=json`)).json();
    }
    if (view !== state) return;
    if (!state.audio) state.audio = el("audio", { controls: true, preload: "metadata" });
    const audio = state.audio;
    if (call.recording.on_disk && !audio.getAttribute("src")) {
      audio.setAttribute("src", await recordingSource(call));
    }
    const retranscribe = el("button", {
      type: "button", class: "secondary", id: "retranscribe",
      onclick: async () => {
        retranscribe.disabled = true;
        await api(`/api/calls/${sid}/retranscribe`, {
          method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
        });
        state.shown = null;
        refresh();
      },
    }, "Re-transcribe");
    show(
      el("p", {}, el("a", { href: "#/" }, "← all calls")),
      el("div", { class: "call-head" }, el("h1", { class: "sid" }, call.call_sid), statusBadge(call.status)),
      el("ul", { class: "facts" },
        el("li", {}, "created ", when(call.created_at)),
        call.from || call.to
          ? el("li", { id: "parties" }, `${call.from || "?"} → ${call.to || "?"}`,
            call.direction ? ` (${call.direction})` : "")
          : null,
        call.call_status
          ? el("li", {}, "call ", call.call_status,
            call.call_duration_s !== null ? `, ${clock(call.call_duration_s)}` : "")
          : null,
        el("li", {}, "recording ", clock(call.recording.duration_s)),
        el("li", {}, "transcript chosen: ", call.transcript_source || "—"),
        el("li", { id: "webhook" }, "webhook: ", webhookState(call)),
        call.recording.channels ? el("li", {}, `${call.recording.channels} channel(s)`) : null),
      el("div", { class: "player" },
        call.recording.on_disk ? audio : el("p", { class: "muted" }, "The recording is not on disk yet."),
        call.recording.on_disk
          ? el("button", { type: "button", id: "download", onclick: () => download(call) }, "Download")
          : null,
        retranscribe),
      call.last_error && !FINISHED.has(call.status) ? el("p", { class: "error" }, call.last_error) : null,
      transcriptsView(call, transcript, audio));
  }
  const busy = !FINISHED.has(call.status);
  if (busy && !call.realtime_source) {
    if (state.live && state.live.last) drawLive(state.live.last); // the view may have been redrawn
    listenLive(sid, state);
  }
  setActivity(busy ? `${STATUS_LABELS[call.status]}…` : "");
  if (busy) schedule(refresh);
}

// --- routing -----------------------------------------------------------------------------------

async function route() {
  clearTimeout(pollTimer);
  const match = location.hash.match(/^#\/calls\/(CA[0-9a-fA-F]{32})$/);
  try {
    if (match) await showCall(match[1]);
    else await showList();
  } catch (error) {
    if (error instanceof Unauthorized) return;
    setActivity("");
    show(
      el("p", { class: "error" }, `Could not load: ${error.message}`),
      el("button", { type: "button", onclick: route }, "Try again"));
  }
}

function refresh() {
  route();
}

window.addEventListener("hashchange", () => {
  if (view && view.live) view.live.controller.abort();
  view = null;
  route();
});
route();
