// The HTTP API of the real worker: bad input gets its stable code and changes
// nothing; a repeated event id is stored once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { startEdge, adminRecords, siteConfig, demoEvent } from "./harness.mjs";

let edge, en;
before(async () => {
  edge = await startEdge({ rateLimit: false }); // a dev-only config without the limiter; limits.test.mjs covers the limit;
  en = await siteConfig(edge, "en");
});
after(async () => edge?.stop());

const event = (overrides) => demoEvent(en, overrides);

function post(body, headers = {}) {
  return fetch(`${edge.url}/v1/sites/demo/events`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function total() {
  return (await adminRecords(edge)).total;
}

test("a valid event is stored once: 201, then 200 with the same body", async () => {
  const e = event();
  const before = await total();
  const first = await post(e, { "sec-gpc": "1" });
  assert.equal(first.status, 201);
  const body1 = await first.json();
  // The demo is a TCF site: the edge gave the event, sent without one, the
  // TC string of its choice (tcf-cmp.test.mjs decodes such strings).
  const { tc_string, ...sent } = body1.record.event;
  assert.deepEqual(sent, e);
  assert.match(tc_string, /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/);
  assert.equal(body1.record.sec_gpc, true);
  assert.equal(typeof body1.log.index, "number");
  const again = await post(e);
  assert.equal(again.status, 200);
  assert.deepEqual(await again.json(), body1);
  assert.equal(await total(), before + 1);

  const conflict = await post({ ...e, action: "give", decisions: { ...e.decisions, analytics: true } });
  assert.equal(conflict.status, 409);
  assert.equal((await conflict.json()).error.code, "event_id_conflict");
  assert.equal(await total(), before + 1);
});

const bad = [
  ["unknown purpose", () => event({ decisions: { ...event().decisions, telemetry: false } }), 400, "purpose_unknown"],
  ["wrong notice hash", () => event({ notice: { ...event().notice, hash: "0".repeat(64) } }), 400, "notice_hash_mismatch"],
  ["outdated notice", () => event({ notice: { ...event().notice, version: "2020-01-01" } }), 400, "notice_outdated"],
  ["refused required purpose", () => event({ decisions: { ...event().decisions, necessary: false } }), 400, "required_purpose_refused"],
  ["missing decision", () => { const e = event(); delete e.decisions.marketing; return e; }, 400, "decision_missing"],
  ["malformed JSON", () => "{\"event_id\": ", 400, "event_malformed"],
  ["unknown field", () => ({ ...event(), ip: "203.0.113.9" }), 400, "event_malformed"],
  ["malformed event id", () => event({ event_id: "not-a-uuid" }), 400, "event_id_invalid"],
  ["client clock two days ahead", () => event({ client_time_ms: Date.now() + 2 * 86_400_000 }), 400, "client_time_skew"],
  ["page on another origin", () => event({ page: { origin: "https://evil.example", path: "/" } }), 403, "origin_not_allowed"],
  ["event for another site", () => event({ site: "other" }), 400, "site_mismatch"],
  ["service of another site", () => event({ services: { youtube: false, tiktok: false } }), 400, "service_unknown"],
  ["service granted under a refused purpose", () => event({ services: { matomo: true } }), 400, "service_outside_purpose"],
  ["GPC and accept all granting advertising", () => event({
    gpc: true, action: "give", ui: { surface: "banner", control: "accept_all" },
    decisions: { necessary: true, analytics: true, marketing: true, personalisation: true },
  }), 400, "gpc_conflict"],
  ["1 MB body", () => JSON.stringify({ ...event(), widget_version: "x".repeat(1024 * 1024) }), 413, "body_too_large"],
  ["malformed subject id", () => event({ subject: "ABC" }), 400, "subject_id_invalid"],
  ["malformed purpose id", () => event({ decisions: { ...event().decisions, "Bad Id": false } }), 400, "purpose_id_invalid"],
  ["language the site does not offer", () => event({ notice: { ...event().notice, language: "tlh" } }), 400, "language_unknown"],
  ["page origin that is not an origin", () => event({ page: { origin: "https://demo.assent.example/path", path: "/" } }), 400, "origin_invalid"],
  ["page path over 1024 characters", () => event({ page: { origin: event().page.origin, path: "/" + "a".repeat(1024) } }), 400, "field_too_long"],
];

test("every error code docs/api.md lists is answered over HTTP by some request of the e2e suite", async () => {
  const { readFileSync, readdirSync } = await import("node:fs");
  const readme = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");
  const start = readme.indexOf("Error codes:");
  const listed = readme.slice(start, readme.indexOf("\n\n", start));
  const codes = [...listed.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).filter((c) => c.includes("_") || c === "internal");
  assert.ok(codes.length > 25, `found ${codes.length} codes`);
  const dir = new URL("./", import.meta.url);
  const suite = readdirSync(dir).filter((f) => f.endsWith(".test.mjs")).map((f) => readFileSync(new URL(f, dir), "utf8")).join("\n");
  const untested = codes.filter((c) => !suite.includes(`"${c}"`));
  assert.deepEqual(untested, [], "codes no e2e test asserts");
});

for (const [name, make, status, code] of bad) {
  test(`bad input is refused with its code and stores nothing: ${name}`, async () => {
    const before = await total();
    const r = await post(make());
    assert.equal(r.status, status);
    const body = await r.json();
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, "string");
    assert.equal(await total(), before, "the store changed");
  });
}

test("a disallowed Origin is refused, on the event and on its preflight", async () => {
  const before = await total();
  const r = await post(event(), { origin: "https://evil.example" });
  assert.equal(r.status, 403);
  assert.equal((await r.json()).error.code, "origin_not_allowed");
  assert.equal(r.headers.get("access-control-allow-origin"), null);
  const pre = await fetch(`${edge.url}/v1/sites/demo/events`, {
    method: "OPTIONS",
    headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
  });
  assert.equal(pre.status, 403);
  assert.equal(await total(), before);
});

test("an allowed Origin gets CORS headers and a preflight answer", async () => {
  const origin = "https://demo.assent.example";
  const pre = await fetch(`${edge.url}/v1/sites/demo/events`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), origin);
  assert.match(pre.headers.get("access-control-allow-methods"), /POST/);
  assert.match(pre.headers.get("access-control-allow-headers"), /content-type/);

  const r = await post(event({ page: { origin, path: "/news" } }), { origin });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get("access-control-allow-origin"), origin);
  // Errors reach the page too, so the widget can read the code.
  const bad = await post("nope", { origin });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get("access-control-allow-origin"), origin);
});

test("the admin API needs the admin key and pages newest first", async () => {
  const none = await fetch(`${edge.url}/v1/admin/sites/demo/events`);
  assert.equal(none.status, 401);
  assert.equal((await none.json()).error.code, "unauthorized");
  const wrong = await fetch(`${edge.url}/v1/admin/sites/demo/events`, { headers: { authorization: "Bearer nope" } });
  assert.equal(wrong.status, 401);

  for (let i = 0; i < 3; i++) assert.equal((await post(event())).status, 201);
  const auth = { authorization: `Bearer ${edge.adminKey}` };
  // The demo's log has shards: paging is per shard (these events' UUIDv4 subjects are home).
  const p1 = await (await fetch(`${edge.url}/v1/admin/sites/demo/events?limit=2&shard=0`, { headers: auth })).json();
  assert.equal(p1.records.length, 2);
  assert.ok(p1.records[0].index > p1.records[1].index, "newest first");
  const p2 = await (await fetch(`${edge.url}/v1/admin/sites/demo/events?limit=2&shard=0&before=${p1.next_before}`, { headers: auth })).json();
  assert.ok(p2.records[0].index < p1.records[1].index, "the next page continues");
  const badLimit = await fetch(`${edge.url}/v1/admin/sites/demo/events?limit=0`, { headers: auth });
  assert.equal(badLimit.status, 400);
  assert.equal((await badLimit.json()).error.code, "query_invalid");
});

test("unknown sites, routes and methods answer JSON errors", async () => {
  const cases = [
    [`/v1/sites/nope/config`, "GET", 404, "site_unknown"],
    [`/v1/sites/Not_A_Site/config`, "GET", 400, "site_id_invalid"],
    [`/v1/nothing`, "GET", 404, "not_found"],
    [`/v1/sites/demo/config`, "DELETE", 405, "method_not_allowed"],
  ];
  for (const [path, method, status, code] of cases) {
    const r = await fetch(edge.url + path, { method });
    assert.equal(r.status, status, path);
    assert.equal((await r.json()).error.code, code, path);
  }
});

test("stored records hold no IP address and no user agent", async () => {
  // CF-Connecting-IP is the address the edge reads (for the rate limit;
  // limits.test.mjs shows it is read): it must not reach a record, an answer
  // or the export.
  const r = await post(event(), { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) TestAgent/1.0", "cf-connecting-ip": "203.0.113.77" });
  assert.equal(r.status, 201);
  const answer = await r.text();
  const exported = await (await fetch(`${edge.url}/v1/admin/sites/demo/export`, {
    headers: { authorization: `Bearer ${edge.adminKey}` },
  })).text();
  for (const text of [answer, exported]) {
    assert.ok(!text.includes("203.0.113.77"), "an IP address was stored");
    assert.ok(!text.includes("TestAgent"), "a user agent was stored");
  }
});

test("the demo site speaks the 24 official EU languages (and Arabic), each with its own notice hash", async () => {
  const eu = ["bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it",
    "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv"];
  const hashes = new Set();
  for (const lang of [...eu, "ar"]) {
    const c = await siteConfig(edge, lang);
    assert.equal(c.language, lang);
    assert.ok(c.notice.texts.reject_all.length > 0);
    hashes.add(c.notice_hash);
  }
  assert.equal(hashes.size, 25);
});

test("the config is served in the negotiated language with its notice hash", async () => {
  const de = await siteConfig(edge, "de-AT,en;q=0.5");
  assert.equal(de.language, "de");
  assert.equal(de.notice.language, "de");
  assert.match(de.notice_hash, /^[0-9a-f]{64}$/);
  const fallback = await siteConfig(edge, "ja");
  assert.equal(fallback.language, "en");
});

test("the consent cookie: set only for same-site requests, read back only when well-formed and for this site", async () => {
  const crossSite = await post(event(), { "sec-fetch-site": "cross-site" });
  assert.equal(crossSite.status, 201);
  assert.equal(crossSite.headers.get("set-cookie"), null, "a third-party edge must not set a cookie");
  assert.equal((await post(event())).headers.get("set-cookie"), null, "no Sec-Fetch-Site, no cookie");

  const e = event({ action: "give", decisions: { ...event().decisions, analytics: true } });
  const sameOrigin = await post(e, { "sec-fetch-site": "same-origin" });
  const cookie = sameOrigin.headers.get("set-cookie");
  assert.match(cookie, /^assent_demo=[\w-]+\.[\w-]+\.[\w-]+; Path=\/v1\/sites\/demo; Max-Age=15724800; SameSite=Lax; HttpOnly$/);
  const kept = cookie.split(";")[0];
  assert.equal(kept.split("=")[1], (await sameOrigin.json()).receipt, "the cookie is the signed receipt");

  // The choice in force is the last in log order, whatever the visitor's
  // clock says: a give stamped 23 hours ahead, then a real withdrawal.
  const receiptIn = (r) => r.headers.get("set-cookie").split(";")[0].split("=")[1];
  const ahead = event({ action: "give", decisions: { ...event().decisions, analytics: true },
    client_time_ms: Date.now() + 23 * 3600_000 });
  const key = { "assent-key": randomUUID() }; // the subject's key, drawn by its widget
  assert.equal((await post(ahead, { "sec-fetch-site": "same-origin", ...key })).status, 201);
  const newer = event({ subject: ahead.subject, action: "withdraw" });
  const next = await post(newer, { "sec-fetch-site": "same-site", ...key });
  assert.equal(next.status, 201);
  assert.equal(receiptIn(next), (await next.json()).receipt, "the withdrawal is the choice in force");
  assert.equal(next.headers.get("x-assent-latest-receipt"), null, "no side-channel header");
  // The give sent again: the same answer, and no cookie (it is no longer in force).
  const replay = await post(ahead, { "sec-fetch-site": "same-origin", ...key });
  assert.equal(replay.status, 200);
  assert.equal(replay.headers.get("set-cookie"), null, "a replayed older event must not become the cookie");

  // Knowing a subject id is no credential: an event posted for it without
  // the subject's key is refused, stores nothing and sets no cookie.
  const before = await total();
  const intruder = await post(event({ subject: e.subject, action: "update",
    decisions: { ...event().decisions, analytics: true, marketing: true } }), { "sec-fetch-site": "same-origin" });
  assert.equal(intruder.status, 401);
  assert.equal((await intruder.json()).error.code, "subject_key_invalid");
  assert.equal(intruder.headers.get("set-cookie"), null);
  assert.equal(await total(), before);

  const config = (headers) => fetch(`${edge.url}/v1/sites/demo/config?lang=en`, { headers });
  const withCookie = await config({ cookie: kept });
  assert.equal(withCookie.headers.get("cache-control"), "private, no-store");
  // The choice as recorded: the event, with the TC string the edge gave it (the demo is a TCF site).
  const recorded = ({ tc_string, ...event }) => (assert.equal(typeof tc_string, "string"), event);
  assert.deepEqual(recorded((await withCookie.json()).choice), e);
  // Two cookies of the name (other paths): the later in log order that verifies wins.
  const both = await config({ cookie: `assent_demo=${receiptIn(next)}; assent_demo=${(await (await post(ahead, key)).json()).receipt}` });
  assert.deepEqual(recorded((await both.json()).choice), newer);
  assert.match(withCookie.headers.get("vary"), /Cookie/);
  const [h, p] = kept.split("=")[1].split(".");
  const forged = `assent_demo=${h}.${p}.${"A".repeat(86)}`; // right shape, wrong signature
  for (const bad of ["assent_demo=%%%", "assent_demo=e30", forged, "assent_other=" + kept.split("=")[1]]) {
    const answer = await config({ cookie: bad });
    assert.equal(answer.status, 200, bad);
    assert.equal((await answer.json()).choice, undefined, bad);
    // The demo has jurisdiction rules: its answers are per place, never shared.
    assert.equal(answer.headers.get("cache-control"), "private, max-age=60");
  }
  // A site without rules (example) answers the same to every place: shared for a minute.
  const shared = await fetch(`${edge.url}/v1/sites/example/config?lang=en`);
  assert.equal(shared.headers.get("cache-control"), "public, max-age=60");
  assert.equal((await shared.json()).regime, undefined);
});

test("Accept-Language weights decide the language, not only their order", async () => {
  const lang = async (header) =>
    (await (await fetch(`${edge.url}/v1/sites/demo/config`, { headers: { "accept-language": header } })).json()).language;
  assert.equal(await lang("de;q=0.2, fr"), "fr");
  assert.equal(await lang("de, fr;q=0.5"), "de");
  assert.equal(await lang("de;q=0, fr;q=0.1"), "fr", "q=0 means not acceptable");
});
