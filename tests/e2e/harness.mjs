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
