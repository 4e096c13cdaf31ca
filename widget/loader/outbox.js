// The outbox: every consent event waits in storage (":outbox") until the edge
// has answered for it, so none is lost to a closed tab or a network fault.
//
// Strictly in order, one at a time: the edge takes the choice in force as the
// last event in log order and checks each event's action against the
// subject's previous one (a `refuse` after a `give` is `action_mismatch`).
// So the oldest event goes first, and the next only once the edge has
// acknowledged it (2xx: its receipt kept) or refused it for good (a 4xx other
// than 408/425/429; the engine's `delivery` classifies). Faults (a network
// error, a 5xx, no answer within 20 s) retry with
// exponential backoff and jitter, capped at 60 s, and at once when the
// browser comes back `online`. Every request is sent with `keepalive`, so
// the one in flight survives the page; on `pagehide` only the oldest event
// may start, and only when none is in flight: anything more could overtake
// it. The rest waits in storage for the next visit.
//
// DOM-free: it needs `fetch`, `setTimeout` and storage.
import { key, list, write } from "./storage.js";

// What the edge's answer with `status` (0: the network failed) means for the
// event: 0 acknowledged, 1 refused for good, 2 send again later, 3 its
// subject is gone (erased). Core's rule (`api::outcome`), written here
// because the outbox runs before any engine is fetched (a first visit fetches
// none); tests/loader/client.test.mjs holds it to core's answer for every
// status.
export var outcome = (s) => (s > 199 && s < 300 ? 0 : s == 410 ? 3 : s > 399 && s < 500 && s != 408 && s != 425 && s != 429 ? 1 : 2);

var url, inFlight, retryMs = 0;

// Where events go: the edge's events endpoint of the site.
export function sendTo(events) {
  url = events;
}

export function enqueue(e) {
  write(":outbox", list(":outbox").concat([e]));
  flush();
}

// Sends the oldest event, unless one is in flight (its answer sends the next).
export function flush() {
  if (inFlight) return;
  var e = list(":outbox").filter((e) => e && e.event_id)[0];
  if (!e) return;
  var id = (inFlight = e.event_id);
  // An edge that takes the request and never answers would hold the
  // outbox: after 20 s the request is a fault like any other and the same
  // event is tried again (the edge stores an event id once).
  var stop = new AbortController(),
    limit = setTimeout(() => stop.abort(), 2e4);
  fetch(url, {
    signal: stop.signal,
    method: "POST",
    mode: "cors",
    credentials: "include", // a first-party edge keeps the choice in its own cookie
    keepalive: true,
    headers: { "content-type": "application/json", "assent-key": key() },
    body: JSON.stringify(e),
  })
    .then((r) => r.text().then((body) => [r.status, body]))
    .catch(() => [0])
    .then((answer) => { clearTimeout(limit); delivered(id, answer[0], answer[1]); });
}

function delivered(id, status, body) {
  inFlight = null;
  var o = outcome(status);
  if (o == 2) {
    retryMs = Math.min(Math.max(retryMs * 2, 1000), 60000);
    setTimeout(flush, retryMs + Math.random() * retryMs * 0.3);
    return;
  }
  // What has no id can never be sent: it goes too.
  write(":outbox", list(":outbox").filter((e) => e && e.event_id && e.event_id != id));
  // Erased: the choice is forgotten, so the next page asks afresh (a new subject).
  if (o == 3) write("", null);
  if (o) console.warn("assent: event refused by the edge");
  else {
    try {
      var receipt = JSON.parse(body).receipt;
      if (typeof receipt == "string") write(":receipts", list(":receipts").concat([receipt]));
    } catch (e) {}
  }
  retryMs = 0;
  flush();
}
