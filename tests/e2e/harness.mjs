// Test harness: the real worker under `wrangler dev` (workerd, SQLite-backed
// Durable Objects, fresh state on free ports) and Debian's Chromium. Starting
// the edge, Chromium and the CLI lives in scripts/wrangler-dev.mjs (shared
// with the benchmarks); the helpers below are the tests' own.
export {
  CHROMIUM_ARGS, startEdge, newSigningKey, launchChromium, siteConfig, demoEvent, assent, assentToFile, scratch, storedRows,
} from "../../scripts/wrangler-dev.mjs";

/** Every stored record of a site, newest first, through the admin API. */
export async function adminRecords(edge, site = "demo") {
  const r = await fetch(`${edge.url}/v1/admin/sites/${site}/events?limit=500`, {
    headers: { authorization: `Bearer ${edge.adminKey}` },
  });
  if (r.status !== 200) throw new Error(`admin API answered ${r.status}: ${await r.text()}`);
  return r.json();
}

/** The stored records of one subject of the demo site, newest first. */
export async function recordsOf(edge, subject) {
  return (await adminRecords(edge)).records.filter((r) => r.record.event.subject === subject);
}

/** Waits until `subject` has at least `n` stored records; returns them, newest first. */
export async function waitForRecordsOf(edge, subject, n = 1) {
  for (let i = 0; i < 150; i++) {
    const found = await recordsOf(edge, subject);
    if (found.length >= n) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${n} records for ${subject}`);
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
  if (r.status !== 201) throw new Error(`submission answered ${r.status}: ${await r.text()}`);
  const answer = await r.json();
  if (!confirm) return answer;
  const mails = (await (await ownerCall(edge, `/v1/admin/sites/${site}/mail?limit=100`, edge.adminKey)).json()).mails;
  const mail = mails.find((m) => m.event_id === body.event.event_id);
  const confirmed = await fetch(mail.mail.link, { method: "POST" });
  if (confirmed.status !== 200) throw new Error(`confirmation answered ${confirmed.status}`);
  return answer;
}
