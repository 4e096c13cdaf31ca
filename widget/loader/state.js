// The page's state: the edge's config answer (the notice), whether the
// browser sends Global Privacy Control, and the choice in force (its latest
// event). The engine (../pkg/glue.js) holds the rules; this module hands it
// the notice and the stored choice, and keeps what it writes.
//
// DOM-free: it needs storage, the outbox, `crypto`, `location` and the clock.
import * as W from "../pkg/glue.js";
import { read, write } from "./storage.js";
import { enqueue } from "./outbox.js";
import { asking, chosen, plan, planned } from "./engine.js";
import { uuid } from "./ids.js";

export { accepts } from "./engine.js";

// `engine()`: the engine, started (see `begin`).
export var config, gpc, current, engine;
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

// `start()`'s promise, kept once asked for; forgotten if it fails, so the
// next call starts again.
export function once(start) {
  var p;
  return () => p || (p = start().catch((e) => {
    p = null;
    throw e;
  }));
}

// Takes up the notice of `answer` for `site` and the stored choice; whether
// to ask (before a choice, or while one leaves purposes undecided).
// A first visit (no stored choice) is answered from the edge's plan
// (`answer.first`), and no engine is fetched; otherwise the engine is
// started first (a promise then). `wasm()` promises the engine's compiled
// module.
export function begin(site, answer, privacyControl, wasm) {
  gpc = privacyControl;
  // Local storage first; else the choice the edge kept in its own cookie
  // (first-party edges only), which outlives script-written storage caps.
  var event = (e) => e && e.subject && e.decisions && e;
  var stored = event(read(""));
  if (!stored && (stored = event(answer.choice))) write("", stored);
  current = stored;
  var first = answer.first;
  // The engine, started once when first needed: the notice handed over,
  // then the choice in force, which it takes up (0: current and answered;
  // 1: current, but the banner still asks; 2: not current, asked afresh).
  // Resolves with whether to ask.
  engine = once(() => wasm().then((module) => {
    W.initSync({ module: module });
    answer.notice.purposes.forEach((p) => {
      W.purpose(p.id, !!p.required, !!p.sale_or_sharing);
      p.services.forEach((s) => { W.service(s.id); });
    });
    if (!W.start(site, location.origin, answer.notice_version, answer.language, answer.notice_hash, answer.notice.consent_lifetime_days, gpc)) {
      throw new Error("no notice");
    }
    planned(null);
    config = answer;
    if (!current) return true;
    mark(current.decisions, false);
    mark(current.services, true);
    var r = W.restore(String(current.subject), String(current.notice?.version || ""), +current.client_time_ms || 0, Date.now(), !current.unanswered);
    if (r > 1) current = null;
    return r > 0;
  }));
  if (stored || !first) return engine();
  planned({ run: first.before });
  config = answer;
  return true;
}

// Records a choice (see the engine's `record` for `name`): the event goes to
// the outbox before anything else can fail, then it is stored as the choice
// in force, with `unanswered` beside it while the banner must still ask (an
// embed's allow answers for its own purpose only). Null when nothing was
// recorded. Before the engine is in, only the first layer's buttons can
// record: their events are the plan's, with the page's own fields added.
export function record(name, inPanel, purpose, service) {
  var first = config.first, e, now = Date.now(),
    // Under Global Privacy Control, the choice as GPC makes it where it differs.
    c = plan && !plan.event && !inPanel && ((gpc && first.gpc[name]) || first.choices[name]);
  if (c) {
    e = { ...c.event, event_id: uuid(), subject: uuid(now), client_time_ms: now, gpc, page: { origin: location.origin, path: location.pathname } };
    planned(c);
  } else {
    var json = W.record(name, !!inPanel, purpose || "", service || "", now,
      crypto.getRandomValues(new Uint8Array(32)), location.pathname);
    if (!json) return null;
    e = JSON.parse(json);
  }
  hooks.e && hooks.e(e);
  enqueue(e);
  current = e;
  write("", { ...e, unanswered: asking() });
  return e;
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
