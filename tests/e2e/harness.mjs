// Test harness: the real worker under `wrangler dev` (workerd, SQLite-backed
// Durable Objects, fresh state on free ports) and Debian's Chromium. Starting
// the edge, Chromium and the CLI lives in scripts/wrangler-dev.mjs (shared
// with the benchmarks); the helpers below are the tests' own.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { PAGE_WAIT_MS, assent } from "../../scripts/wrangler-dev.mjs";

export {
  PAGE_WAIT_MS, ASSENT_CLI, CHROMIUM_ARGS, startEdge, newSigningKey, launchChromium, siteConfig, demoEvent, uuidv7, assent, assentToFile, scratch, storedRows,
} from "../../scripts/wrangler-dev.mjs";

/** Every stored record of a site, newest first, through the admin API. */
export async function adminRecords(edge, site = "demo") {
  const r = await fetch(`${edge.url}/v1/admin/sites/${site}/events?limit=500`, {
    headers: { authorization: `Bearer ${edge.adminKey}` },
  });
  if (r.status !== 200) throw new Error(`admin API answered ${r.status}: ${await r.text()}`);
  return r.json();
}

/**
 * What the log holds for an event, as the site's owner reads it (a form's
 * public answer carries none of it): `{index, record, receipt, log}`.
 */
export async function stored(edge, site, eventId) {
  const hit = (await adminRecords(edge, site)).records.find((r) => r.record.event.event_id === eventId);
  if (!hit) throw new Error(`event ${eventId} is not in the log`);
  const subject = hit.record.event.subject;
  const r = await fetch(`${edge.url}/v1/admin/sites/${site}/subjects/${subject}/export`, { headers: { authorization: `Bearer ${edge.adminKey}` } });
  if (r.status !== 200) throw new Error(`export answered ${r.status}: ${await r.text()}`);
  const exported = (await r.json()).records.find((e) => e.record.event.event_id === eventId);
  return { index: hit.index, record: exported.record, receipt: exported.receipt, log: { index: exported.index, leaf_hash: exported.leaf_hash } };
}

/** The stored records of one subject of the demo site, newest first. */
export async function recordsOf(edge, subject) {
  return (await adminRecords(edge)).records.filter((r) => r.record.event.subject === subject);
}

/**
 * Polls `check` (async; done when it answers something truthy, which is
 * returned) every `every` ms in real time (a page's clock may be fake),
 * until it is done. The bound only catches a hang: on a busy machine what
 * is awaited comes late, not never, so it is the page waits' bound.
 */
export async function eventually(check, what, { every = 100, within = PAGE_WAIT_MS } = {}) {
  for (const start = Date.now(); Date.now() - start < within;) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until `subject` has at least `n` stored records; returns them, newest first. */
export function waitForRecordsOf(edge, subject, n = 1) {
  // Every 250 ms: the owner's routes are limited (300 a minute).
  return eventually(async () => {
    const found = await recordsOf(edge, subject);
    return found.length >= n && found;
  }, `${n} records for ${subject}`, { every: 250 });
}

/** Waits until a TCF site's CMP (which loads off the banner path) has loaded in `page`. */
export function cmpLoaded(page) {
  return eventually(() => page.evaluate(() => new Promise((done) => {
    window.__tcfapi("ping", 2, (ping) => done(ping.cmpStatus === "loaded"));
  })), "the page's CMP");
}

/** Collects the page's uncaught errors from now on: a test asserts the array stays empty. */
export function pageErrors(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** The pseudonymous subject the widget keeps in a page's storage (demo site). */
export function subjectOf(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem("assent:demo")).subject);
}

/** The owner's API with a bearer key. */
export function ownerCall(edge, path, key, init = {}) {
  return fetch(`${edge.url}${path}`, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers ?? {}) } });
}

/**
 * Opts `email` in to a site's newsletter form (`example` unless said)
 * through the form API (`ticked` offers on) and, unless `confirm` is false,
 * confirms it through the mailed link; returns the submission's answer.
 */
export async function optIn(edge, email, { identity = {}, ticked = ["email:newsletter"], confirm = true, site = "example" } = {}) {
  const form = await (await fetch(`${edge.url}/v1/sites/${site}/forms/newsletter?lang=en`)).json();
  const offers = Object.fromEntries(form.notice.offers.map((o) => [o.key, ticked.includes(o.key)]));
  const body = {
    event: {
      event_id: crypto.randomUUID(), site, subject: crypto.randomUUID(), action: "give", decisions: {},
      form: { id: "newsletter", offers },
      notice: { version: form.notice.notice_version, language: form.language, hash: form.notice_hash },
      ui: { surface: "form", control: "submit" }, client_time_ms: Date.now(), gpc: false,
      page: { origin: site === "demo" ? "https://demo.assent.example" : "https://shop.assent.example", path: "/newsletter" },
      widget_version: "test",
    },
    identity: { email, ...identity },
    age: 1990,
  };
  const r = await fetch(`${edge.url}/v1/sites/${site}/forms/newsletter/submissions`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  if (r.status !== 202) throw new Error(`submission answered ${r.status}: ${await r.text()}`);
  // The public answer is the same for every address; what was stored (the
  // subject, the record, its receipt) is the owner's to read.
  const said = await r.json();
  const answer = { said, ...said, ...(await stored(edge, site, body.event.event_id)) };
  if (!confirm) return answer;
  const mails = (await (await ownerCall(edge, `/v1/admin/sites/${site}/mail?limit=100`, edge.adminKey)).json()).mails;
  const mail = mails.find((m) => m.event_id === body.event.event_id);
  const confirmed = await fetch(mail.mail.link, { method: "POST" });
  if (confirmed.status !== 200) throw new Error(`confirmation answered ${confirmed.status}`);
  return answer;
}

/**
 * Opens `email`'s privacy center as the person does: asks for a link, takes
 * it from the dev mailbox, spends it; resolves to the session the center's
 * forms carry.
 */
export async function centerSession(edge, site, email) {
  const asked = await fetch(`${edge.url}/v1/sites/${site}/privacy/link`, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ email }),
  });
  if (asked.status !== 200) throw new Error(`privacy link answered ${asked.status}`);
  const mails = (await (await ownerCall(edge, `/v1/admin/sites/${site}/mail?limit=100`, edge.adminKey)).json()).mails;
  const mail = mails.find((m) => m.mail.to === email && m.mail.link.includes("/privacy/open"));
  if (!mail) throw new Error(`no privacy center link for ${email}`);
  const page = await (await fetch(mail.mail.link, { method: "POST" })).text();
  const session = page.match(/name="session" value="([^"]+)"/)?.[1];
  if (!session) throw new Error("the center page carries no session");
  return session;
}

/** A form of the person's privacy center (`act`), with their session. */
export function centerAct(edge, site, session, fields) {
  return fetch(`${edge.url}/v1/sites/${site}/privacy/act`, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ session, ...fields }),
  });
}

/** A new site key made with the CLI under the operator's key: `{id, name, scopes, key, ...}`. */
export function siteKey(edge, name, scopes, site = "example") {
  const r = assent(["keys", "admin", "create", "--edge", edge.url, "--site", site, "--admin-key", edge.adminKey, "--name", name, "--scopes", scopes]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The site's lookup key of an address, as the site can compute it from its FORM_SECRET. */
export function lookupKey(edge, email, site = "example") {
  const secret = Buffer.from(edge.keys.formSecret, "base64url");
  const lookup = createHmac("sha256", secret).update("assent/form-secret/v1\0lookup").digest();
  return createHmac("sha256", lookup).update(`assent/lookup/v1\0${site}\0${email}`).digest("hex");
}
