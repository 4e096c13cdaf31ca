// The page's state: the edge's config answer (the notice), whether the
// browser sends Global Privacy Control, and the choice in force (its latest
// event). The engine (../pkg/glue.js) holds the rules; this module hands it
// the notice and the stored choice, and keeps what it writes.
//
// DOM-free: it needs storage, the outbox, `crypto`, `location` and the clock.
import * as W from "../pkg/glue.js";
import { read, write } from "./storage.js";
import { enqueue } from "./outbox.js";
import { asking, chosen } from "./engine.js";

export var config, gpc, current;
// What a part loaded later adds (assent-tcf.js sets them): `hooks.e(event)`
// runs on each event before it is queued (the TC string); `hooks.g(signals)`
// on each Consent Mode update (Google's reading of the string), which waits
// for `hooks.t` (boot.js: the part's start, settled either way; on a site
// without TCF it settles once the config is in).
export var hooks = {};

// Before start (undefined), starting or failed (null), started (the answer).
export function configure(answer) {
  config = answer;
}

// Marks a map of decisions (`{id: boolean}`, purposes or, with `service`,
// services) for the engine's next call that reads them.
export function mark(decisions, service) {
  Object.keys(Object(decisions)).forEach((k) => {
    W.mark(k, decisions[k] === true, service);
  });
}

// Hands the notice and the stored choice to the engine for `site`; whether to
// ask (the engine's answer: before a choice, or while one leaves purposes
// undecided).
export function begin(site, answer, privacyControl) {
  config = answer;
  gpc = privacyControl;
  var n = answer.notice;
  n.purposes.forEach((p) => {
    W.purpose(p.id, !!p.required, !!p.sale_or_sharing);
    p.services.forEach((s) => { W.service(s.id); });
  });
  if (!W.start(site, location.origin, answer.notice_version, answer.language, answer.notice_hash, n.consent_lifetime_days, gpc)) {
    throw new Error("no notice");
  }
  // Local storage first; else the choice the edge kept in its own cookie
  // (first-party edges only), which outlives script-written storage caps.
  var event = (e) => e && e.subject && e.decisions && e;
  var stored = event(read(""));
  if (!stored && (stored = event(answer.choice))) write("", stored);
  if (!stored) return true;
  mark(stored.decisions, false);
  mark(stored.services, true);
  // 0: current and answered; 1: current, but the banner still asks; 2: not current.
  var r = W.restore(String(stored.subject), String(stored.notice?.version || ""), +stored.client_time_ms || 0, Date.now(), !stored.unanswered);
  current = r < 2 ? stored : null;
  return r > 0;
}

// Records a choice (see the engine's `record` for `name`): the event goes to
// the outbox before anything else can fail, then it is stored as the choice
// in force, with `unanswered` beside it while the banner must still ask (an
// embed's allow answers for its own purpose only). Null when nothing was
// recorded.
export function record(name, inPanel, purpose, service) {
  var json = W.record(name, !!inPanel, purpose || "", service || "", Date.now(),
    crypto.getRandomValues(new Uint8Array(32)), location.pathname);
  if (!json) return null;
  var e = JSON.parse(json);
  hooks.e && hooks.e(e);
  enqueue(e);
  write("", { ...e, unanswered: asking() });
  return (current = e);
}

// `{purpose: boolean}` of the choice in force, as the engine reads it; null
// before one.
export function get() {
  var d = null;
  if (current) {
    d = {};
    config.notice.purposes.forEach((p) => { d[p.id] = chosen(p.id); });
  }
  return d;
}

// Whether `purpose` (and `service` under it, if given) may run now.
export function accepts(purpose, service) {
  return W.accepted("" + purpose, service ? "" + service : "");
}
