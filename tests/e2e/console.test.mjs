// The owner's console (`/admin`) in real Chromium against the real worker:
// sign-in with a site key (a wrong one is refused), charts whose numbers
// equal a recount of the exported log, the request queue with deadlines and
// an erasure done from it, a subject found by email with history and
// receipts, the checkpoint; axe-clean, no page errors, no sideways scroll on
// a phone.
import { test, after } from "node:test";
import { startReceiver } from "../../scripts/dev-receiver.mjs";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";
import { eventually, assent, pageErrors, optIn, ownerCall, siteConfig, siteKey } from "./harness.mjs";

// The CRM's stand-in of `make dev` (scripts/dev-receiver.mjs) receives the
// demo's webhook, as under make dev.
const HOOK_SECRET = "whsec_" + Buffer.from("assent-dev-receiver-test-secret!").toString("base64");
const receiver = await startReceiver({ secret: HOOK_SECRET });
after(() => receiver.close());
useEdgeAndChromium({ rateLimit: false, vars: { DEMO_CRM_WEBHOOK_URL: receiver.hook, DEMO_CRM_WEBHOOK_SECRET: HOOK_SECRET } });
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const createKey = (name, scopes, site = "example") => siteKey(edge, name, scopes, site).key;

/** A banner choice on the example site: `grant` the optional purposes or not. */
async function bannerChoice(grant) {
  const en = await siteConfig(edge, "en", "example");
  const decisions = Object.fromEntries(en.notice.purposes.map((p) => [p.id, p.required || grant]));
  const r = await fetch(`${edge.url}/v1/sites/example/events`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({
      event_id: crypto.randomUUID(), site: "example", subject: crypto.randomUUID(), action: grant ? "give" : "refuse", decisions,
      notice: { version: en.notice_version, language: en.language, hash: en.notice_hash },
      ui: { surface: "banner", control: grant ? "accept_all" : "reject_all" }, client_time_ms: Date.now(), gpc: false,
      page: { origin: "https://shop.assent.example", path: "/" }, widget_version: "test",
    }),
  });
  assert.equal(r.status, 201, await r.text());
}

/** Files an erasure request through the privacy center's pages, as a visitor would. */
async function askErasure(email) {
  const form = (fields) => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
  await fetch(`${edge.url}/v1/sites/example/privacy/link`, form({ email }));
  const mails = (await (await ownerCall(edge, "/v1/admin/sites/example/mail?limit=100", edge.adminKey)).json()).mails;
  const link = mails.find((m) => m.mail.subject === "Your privacy center" && m.mail.to === email).mail.link;
  const center = await (await fetch(link, { method: "POST" })).text();
  const session = center.match(/name="session" value="([^"]+)"/)[1];
  const asked = await fetch(`${edge.url}/v1/sites/example/privacy/act`, form({ session, action: "request", kind: "erasure", confirm: "yes" }));
  assert.equal(asked.status, 200);
}

async function signIn(page, key, site = "example") {
  await page.goto(`${edge.url}/admin/`);
  await page.fill("#site", site);
  await page.fill("#key", key);
  await page.click("#signin button[type=submit]");
}

/** The cells of a console table's row whose first cell is `first`. */
const row = (page, table, first) =>
  page.locator(`table[${table}] tr`, { has: page.locator(`td:first-child:text-is("${first}")`) }).locator("td").allTextContents();

test("the console: sign-in, charts that match the log, the queue, a subject, the checkpoint", async () => {
  await optIn(edge, "una@example.com", { ticked: ["email:newsletter", "post:catalogue"] });
  const { record } = await optIn(edge, "vic@example.com");
  for (const grant of [true, true, false]) await bannerChoice(grant);
  await askErasure("vic@example.com");
  const desk = createKey("console desk", "read,export,write");

  const page = await browser.newPage();
  const errors = pageErrors(page);
  // A wrong key is refused with its code and nothing opens.
  await signIn(page, desk.slice(0, -1) + (desk.endsWith("A") ? "B" : "A"));
  await page.locator("#signin-error:not(:empty)").waitFor();
  assert.match(await page.locator("#signin-error").textContent(), /unauthorized/);
  assert.equal(await page.locator("#panel").count(), 0);

  await signIn(page, desk);
  await page.locator("#panel[data-ready=overview]").waitFor();

  // The numbers under the charts are the log's: recount the exported log.
  const exported = await (await ownerCall(edge, "/v1/admin/sites/example/export", edge.adminKey)).text();
  const today = new Date().toISOString().slice(0, 10);
  const records = exported.trim().split("\n").map((l) => JSON.parse(l).record)
    .filter((r) => new Date(r.received_at_ms).toISOString().slice(0, 10) === today);
  const submissions = records.filter((r) => r.event.ui.control === "submit");
  const ticked = (offer) => submissions.filter((r) => r.event.form.offers[offer]).length;
  const pct = (n, of) => `${Math.round((n / of) * 100)}%`;
  const offersHead = await page.locator("table[data-table=offers] thead th").allTextContents();
  const offersToday = await row(page, "data-table=offers", today);
  for (const offer of ["email:newsletter", "post:catalogue"]) {
    assert.equal(offersToday[offersHead.indexOf(offer)], pct(ticked(offer), submissions.length), offer);
  }
  const splitHead = await page.locator("table[data-table=split] thead th").allTextContents();
  const splitToday = await row(page, "data-table=split", today);
  assert.equal(splitToday[splitHead.indexOf("accept all")], String(records.filter((r) => r.event.ui.control === "accept_all").length));
  assert.equal(splitToday[splitHead.indexOf("reject all")], String(records.filter((r) => r.event.ui.control === "reject_all").length));
  assert.deepEqual(await row(page, "data-breakdown=surface", "form"), ["form", String(records.filter((r) => r.event.ui.surface === "form").length)]);
  assert.equal(await page.locator("[data-chart=offers] canvas").count(), 1, "uPlot drew the chart");

  // Accessible: axe finds nothing on the overview.
  // (Through the debugger: the console's CSP rightly refuses inline scripts.)
  await page.evaluate(`${AXE}\n;undefined`);
  const violations = await page.evaluate(async () => (await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] })).violations.map((v) => v.id));
  assert.deepEqual(violations, []);

  // The queue: the erasure request with its deadline, done from here.
  await page.click("button[data-section=requests]");
  await page.locator("#panel[data-ready=requests]").waitFor();
  const req = (await (await ownerCall(edge, "/v1/admin/sites/example/requests", desk)).json()).requests.find((r) => r.subject === record.event.subject);
  const queued = await page.locator("table[data-requests] tr", { hasText: record.event.subject }).locator("td").allTextContents();
  assert.equal(queued[0], "erasure");
  assert.equal(queued[3], req.due_at.slice(0, 10));
  await page.click(`button[data-fulfil="${req.id}"]`);
  await page.locator("table[data-requests] tr", { hasText: "fulfilled by console desk" }).waitFor();

  // A subject by email: state, history with receipts.
  await page.click("button[data-section=subjects]");
  await page.fill("#q", "una@example.com");
  await page.click("text=Find");
  await page.locator("section[data-subject]").waitFor();
  assert.equal(await page.locator("section[data-subject] h2").textContent(), "una@example.com");
  assert.equal(await page.locator("table[data-history] tbody tr").count(), 2);
  assert.match(await page.locator("table[data-history] code.receipt").first().textContent(), /^eyJ/);
  assert.deepEqual((await row(page, "data-state", "post:catalogue")).slice(0, 2), ["post:catalogue", "granted"]);
  // The erased one shows no identity.
  await page.fill("#q", record.event.subject);
  await page.click("text=Find");
  await page.locator("section[data-subject] h2:text-is('Erased subject')").waitFor();

  // This site has no recycle bin (the demo site has one: see below).
  await page.click("button[data-section=subjects]");
  await page.locator("section[data-recycle-bin]", { hasText: "This site has no recycle bin" }).waitFor();

  // Retention: this site has no policy (the demo site has one; see rights.test.mjs).
  await page.click("button[data-section=retention]");
  await page.locator("#panel[data-ready=retention]").waitFor();
  assert.match(await page.locator("#panel").textContent(), /This site has no retention policy/);
  assert.equal(await page.locator("[data-retention]").textContent(), "Nothing is due now.");

  // The checkpoint.
  await page.click("button[data-section=log]");
  await page.locator("#panel[data-ready=log]").waitFor();
  const note = await (await fetch(`${edge.url}/v1/sites/example/log/checkpoint`)).text();
  assert.equal(await page.locator("[data-size]").textContent(), note.split("\n")[1]);
  // Verify: core's own check, in wasm; then a grown log extends the first.
  await page.click("text=Verify");
  await page.locator("[data-verified=yes]").waitFor();
  assert.match(await page.locator("[data-verified]").textContent(), /signed by the edge's key, \d+ records; this browser will check/);
  await bannerChoice(false);
  let grown = note;
  while (grown === note) grown = await (await fetch(`${edge.url}/v1/sites/example/log/checkpoint`)).text();
  await page.click("button[data-section=overview]");
  await page.click("button[data-section=log]");
  await page.locator("#panel[data-ready=log]").waitFor();
  await page.click("text=Verify");
  await page.locator("[data-verified=yes]").waitFor();
  assert.match(await page.locator("[data-verified]").textContent(), new RegExp(`extending the ${note.split("\n")[1]} this browser verified before`));
  // A remembered checkpoint that was tampered with does not verify.
  await page.evaluate(() => {
    const k = "assent-console-checkpoint:example";
    const lines = localStorage.getItem(k).split("\n");
    lines[2] = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
    localStorage.setItem(k, lines.join("\n"));
  });
  await page.click("text=Verify");
  await page.locator("[data-verified=no]").waitFor();
  assert.match(await page.locator("[data-verified]").textContent(), /^Does not verify: /);

  // On a phone: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click("button[data-section=overview]");
  await page.locator("#panel[data-ready=overview]").waitFor();
  assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth <= 390), "no sideways scroll");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the section asked for last is the one shown, however late an earlier one's answers come", async () => {
  const page = await browser.newPage();
  await signIn(page, createKey("console race", "read"));
  await page.locator("#panel[data-ready=overview]").waitFor();
  // The owner's API held back: the overview asked for again waits, while
  // the log section (public checkpoints) draws at once.
  let release;
  const held = new Promise((r) => (release = r));
  const answered = [];
  await page.route("**/v1/admin/sites/example/**", async (route) => {
    await held;
    await route.continue();
    answered.push(route.request().url());
  });
  await page.click("button[data-section=overview]");
  await page.click("button[data-section=log]");
  await page.locator("#panel[data-ready=log]").waitFor();
  release();
  await eventually(() => answered.length > 0, "the overview's answers");
  await page.waitForLoadState("networkidle");
  assert.equal(await page.locator("#panel").getAttribute("data-ready"), "log", "the late overview was drawn over the log");
  assert.equal(await page.locator("#panel h1").textContent(), "Log and exports");
  await page.close();
});

test("a key without the scope sees a clear refusal, not data", async () => {
  const reader = createKey("console reader", "read");
  const page = await browser.newPage();
  await signIn(page, reader);
  await page.locator("#panel[data-ready=overview]").waitFor();
  await page.click("button[data-section=subjects]");
  await page.fill("#q", "una@example.com");
  await page.click("text=Find");
  await page.locator("[role=alert]").waitFor();
  assert.match(await page.locator("[role=alert]").textContent(), /may not do this/);
  assert.equal(await page.locator("section[data-subject]").count(), 0);
  await page.close();
});

test("an opt-out list imported from the console: progress, the report per reason and row, the suppressions stored", async () => {
  const { writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { scratch, storedRows } = await import("./harness.mjs");
  const rows = ["email"];
  for (let i = 0; i < 12_000; i++) rows.push(`list${i}@example.net`);
  rows[101] = "=cmd|' /C calc'!A0";      // a formula: an invalid address
  rows[5001] = "x".repeat(6000);         // a long line: never sent
  rows[7002] = "list5@example.net";      // a duplicate of row 7
  const file = join(scratch(), "optouts.csv");
  writeFileSync(file, rows.join("\n") + "\n");
  const desk = createKey("import desk", "read,write");
  const page = await browser.newPage();
  await signIn(page, desk);
  await page.locator("#panel[data-ready=overview]").waitFor();
  await page.click("button[data-section=import]");
  await page.setInputFiles("#list", file);
  await page.click("#panel button[type=submit]");
  await page.locator("[data-import-done]").waitFor({ timeout: 120_000 });
  assert.equal(await page.locator("[data-import-done]").textContent(), "12000 rows: 11997 suppressed, 1 already on the list, 2 rejected.");
  assert.deepEqual(await row(page, "data-import-codes", "email_invalid"), ["email_invalid", "1"]);
  assert.deepEqual(await row(page, "data-import-codes", "line_too_long"), ["line_too_long", "1"]);
  assert.deepEqual(await row(page, "data-import-errors", "102"), ["102", "email_invalid"], "the file's own row numbers");
  assert.deepEqual(await row(page, "data-import-errors", "5002"), ["5002", "line_too_long"]);
  assert.equal(await page.locator("progress").evaluate((p) => p.value === p.max), true);
  const stored = storedRows(edge, "SELECT count(*) AS n FROM suppressions WHERE kind = 'opt_out'").reduce((a, r) => a + r.n, 0);
  assert.ok(stored >= 11_997);
  await page.close();
});

test("lists in the console: an opt-out list of email withdraws it, the address is found, exported and taken off again", async () => {
  const { writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { scratch, storedRows } = await import("./harness.mjs");
  const { record } = await optIn(edge, "lia@example.com", { ticked: ["email:newsletter", "post:catalogue"] });
  const subject = record.event.subject;
  const file = join(scratch(), "lia.csv");
  writeFileSync(file, "lia@example.com\n");
  const desk = createKey("lists desk", "read,write");
  const state = async () => (await (await ownerCall(edge, `/v1/admin/sites/example/subjects/${subject}/state`, desk)).json()).offers;
  const page = await browser.newPage();
  const errors = pageErrors(page);
  page.on("dialog", (d) => d.accept());
  await signIn(page, desk);
  await page.locator("#panel[data-ready=overview]").waitFor();
  await page.click("button[data-section=import]");
  await page.locator("#panel[data-ready=import]").waitFor();
  await page.setInputFiles("#list", file);
  await page.selectOption("#kind", "opt_out");
  await page.check("#ch-email");
  await page.click("#panel form:has(#list) button[type=submit]");
  await page.locator("[data-import-done]").waitFor();
  assert.equal(await page.locator("[data-import-withdrawn]").textContent(), "1 contacts' consent withdrawn, each by an event the CRM is told of.");
  const now = await state();
  assert.equal(now["email:newsletter"].state, "withdrawn");
  assert.equal(now["post:catalogue"].state, "granted", "only the channel ticked");

  // Found by address; exported; taken off.
  await page.fill("#lists-q", "Lia@Example.com");
  await page.click("#panel form:has(#lists-q) button[type=submit]");
  await page.locator("table[data-lists] caption:text-is('The address on the lists')").waitFor();
  assert.equal(await page.locator("table[data-lists] tbody tr").count(), 1);
  assert.equal(await page.locator("table[data-lists] tbody td").nth(1).textContent(), "opt_out");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-lists-export]")]);
  const { readFileSync } = await import("node:fs");
  const csv = readFileSync(await download.path(), "utf8");
  assert.equal(csv.split("\n")[0], "lookup,kind,since,event_id");
  await page.click("table[data-lists] [data-unlist]");
  await page.locator("[data-unlisted]").waitFor();
  await page.locator("[data-lists-empty]").waitFor();
  const left = storedRows(edge, "SELECT count(*) AS n FROM entries WHERE json_extract(record, '$.event.action') = 'unlist'").reduce((a, r) => a + r.n, 0);
  assert.equal(left, 1, "the removal is a record");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the recycle bin (the demo site): an erasure from a subject's view waits in the bin, and is restored from its list", async () => {
  const desk = createKey("bin desk", "read,export,write", "demo");
  const { record } = await optIn(edge, "ona@example.com", { site: "demo" });
  const subject = record.event.subject;
  const state = async () => (await ownerCall(edge, `/v1/admin/sites/demo/subjects/${subject}/state`, desk)).json();
  const page = await browser.newPage();
  const errors = pageErrors(page);
  page.on("dialog", (d) => d.accept());
  await signIn(page, desk, "demo");
  await page.locator("#panel[data-ready=overview]").waitFor();
  await page.click("button[data-section=subjects]");
  await page.locator("p[data-bin]:text-is('The recycle bin is empty.')").waitFor();
  await page.fill("#q", subject);
  await page.click("text=Find");
  await page.locator(`section[data-subject="${subject}"]`).waitFor();
  await page.click(`section[data-subject="${subject}"] button.danger`);
  const said = await page.locator(`section[data-subject="${subject}"] strong[role=status]`).textContent();
  const { deleted } = await state();
  assert.equal(said, `In the recycle bin: erased on ${deleted.purge_at.slice(0, 10)} unless restored.`);
  // The bin on the same page lists it at once, without a reload.
  await page.locator("table[data-bin] tr", { hasText: subject }).waitFor({ timeout: 5000 });
  // Found again: the section lists it, and the view says so.
  await page.click("button[data-section=overview]");
  await page.locator("#panel[data-ready=overview]").waitFor();
  await page.click("button[data-section=subjects]");
  await page.locator("table[data-bin] tr", { hasText: subject }).waitFor();
  await page.fill("#q", subject);
  await page.click("text=Find");
  await page.locator(`section[data-subject="${subject}"] [data-deleted]`).waitFor();
  assert.equal(await page.locator(`section[data-subject="${subject}"] h2`).textContent(), "Subject in the recycle bin");
  const listed = await page.locator("table[data-bin] tr", { hasText: subject }).locator("td").allTextContents();
  assert.deepEqual(listed.slice(0, 4), [subject, deleted.at.slice(0, 10), deleted.purge_at.slice(0, 10), "bin desk"]);
  await page.evaluate(`${AXE}\n;undefined`);
  const violations = await page.evaluate(async () => (await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] })).violations.map((v) => v.id));
  assert.deepEqual(violations, []);
  await page.click(`button[data-restore="${subject}"]`);
  await page.locator(`section[data-recycle-bin] [role=status]:text-is("Restored ${subject}.")`).waitFor();
  assert.equal(await page.locator("table[data-bin]").count(), 0, "the bin is empty again");
  assert.equal((await state()).deleted, null);
  assert.equal((await state()).offers["email:newsletter"].state, "granted", "as before");
  assert.deepEqual(errors, []);
  await page.close();
});

test("webhooks without their address say \"not configured\" in the console, with what to set", async () => {
  // This edge has no EXAMPLE_CRM_WEBHOOK_URL: the CRM's deliveries wait.
  await optIn(edge, "unset-hook@example.com");
  const reader = createKey("hook reader", "read");
  const page = await browser.newPage();
  await signIn(page, reader);
  await page.locator("#panel[data-ready=overview]").waitFor();
  // The first try is the alarm's: shown again until it has run.
  const row = page.locator("table[data-deliveries] tr", { hasText: "not configured" }).first();
  for (let i = 0; i < 50 && !(await row.count()); i++) {
    await page.click("button[data-section=overview]");
    await page.click("button[data-section=deliveries]");
    await page.locator("#panel[data-ready=deliveries]").waitFor();
    await new Promise((ok) => setTimeout(ok, 200));
  }
  assert.equal(await row.locator("[data-delivery-state]").getAttribute("data-delivery-state"), "not_configured");
  assert.equal(await row.locator("[data-delivery-state]").textContent(), "not configured");
  assert.match(await row.textContent(), /not configured: set EXAMPLE_CRM_WEBHOOK_URL and EXAMPLE_CRM_WEBHOOK_SECRET/);
  await page.close();
});

test("keys and the audit trail in the console: the operator creates a key with its scopes (shown once), it works, is revoked and refused; a site key is told keys are the operator's; the trail filters by who, operation and outcome", async () => {
  const page = await browser.newPage();
  const errors = pageErrors(page);
  page.on("dialog", (d) => d.accept());
  await signIn(page, edge.adminKey);
  await page.locator("#panel[data-ready=overview]").waitFor();
  await page.click("button[data-section=access]");
  await page.locator("#panel[data-ready=access]").waitFor();
  await page.fill("#key-name", "privacy desk");
  await page.check("input[name=scope][value=read]");
  await page.check("input[name=scope][value=write]");
  await page.click("[data-key-create] button[type=submit]");
  const secret = await page.locator("[data-key-secret]").textContent();
  assert.match(secret, /^ask\.example\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/, "the new key, shown once");
  const listed = page.locator("table[data-key-list] tr", { hasText: "privacy desk" });
  await listed.locator("td").first().waitFor();
  assert.deepEqual((await listed.locator("td").allTextContents()).slice(0, 2), ["privacy desk", "read, write"]);
  // It works with what it was given, and no more.
  assert.equal((await ownerCall(edge, "/v1/admin/sites/example/requests", secret)).status, 200);
  assert.equal((await ownerCall(edge, "/v1/admin/sites/example/export", secret)).status, 403, "no export scope");
  // Revoked in the console: refused from then on.
  await listed.locator("button[data-revoke]").click();
  await page.locator("[role=status]", { hasText: 'Revoked "privacy desk".' }).waitFor();
  await page.locator("table[data-key-list] tr", { hasText: "privacy desk" }).filter({ hasText: "revoked" }).waitFor();
  const refused = await ownerCall(edge, "/v1/admin/sites/example/requests", secret);
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).error.code, "key_revoked");
  // The trail: the desk's call, allowed, and the one its scopes refused.
  await page.click("button[data-section=overview]");
  await page.click("button[data-section=access]");
  await page.locator("#panel[data-ready=access]").waitFor();
  await page.selectOption("#audit-who", "privacy desk");
  const rows = page.locator("table[data-audit-list] tbody tr");
  const outcomes = await page.locator("table[data-audit-list] [data-allowed]").allTextContents();
  assert.ok(outcomes.includes("allowed") && outcomes.includes("refused"), outcomes.join(","));
  assert.ok((await rows.count()) >= 2, "the desk's calls");
  await page.selectOption("#audit-allowed", "false");
  assert.ok((await page.locator("table[data-audit-list] [data-allowed]").allTextContents()).every((o) => o === "refused"));
  await page.evaluate(`${AXE}\n;undefined`);
  const violations = await page.evaluate(async () => (await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] })).violations.map((v) => v.id));
  assert.deepEqual(violations, []);
  // A site key (even with every scope) manages no keys: said in words.
  const dpo = createKey("dpo", "read,export,write");
  const other = await browser.newPage();
  await signIn(other, dpo);
  await other.locator("#panel[data-ready=overview]").waitFor();
  await other.click("button[data-section=access]");
  await other.locator("#panel[data-ready=access]").waitFor();
  assert.equal(await other.locator("[data-keys-refused]").getAttribute("data-keys-refused"), "operator_only");
  assert.ok(Number(await other.locator("[data-audit-count]").getAttribute("data-audit-count")) > 0, "the trail is the DPO's to read");
  assert.deepEqual(errors, []);
  await other.close();
  await page.close();
});

test("make dev's stand-ins: a confirmation mail in the console's Mailbox, its link opened and confirmed; the CRM receiver shows the opt-in, its signature checked", async () => {
  const { said } = await optIn(edge, "evaluator@example.com", { site: "demo", confirm: false });
  assert.equal(said.outcome, "pending");
  const page = await browser.newPage();
  const errors = pageErrors(page);
  await signIn(page, edge.adminKey, "demo");
  await page.locator("#panel[data-ready=overview]").waitFor();
  await page.click("button[data-section=mailbox]");
  await page.locator("#panel[data-ready=mailbox]").waitFor();
  const row = page.locator("table[data-mails] tr", { hasText: "evaluator@example.com" });
  assert.match(await row.textContent(), /What you chose:\n- Email me the weekly newsletter/);
  await page.evaluate(`${AXE}\n;undefined`);
  assert.deepEqual(await page.evaluate(async () => (await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] })).violations.map((v) => v.id)), []);
  await row.locator("a[data-mail-link]").click();
  await page.locator("main[data-outcome=confirm]").waitFor();
  await page.click("button[type=submit]");
  await page.locator("main[data-outcome=confirmed]").waitFor();
  // The receiver got it, signed as the docs say to check it.
  await eventually(async () => {
    const { received } = await (await fetch(`${receiver.url}/received.json`)).json();
    return received.some((r) => r.valid && r.payload.type === "opt_in.confirmed" && r.payload.offers["email:newsletter"].state === "granted");
  }, "the CRM receiver got the confirmed opt-in", { within: 20_000 });
  await page.goto(`${receiver.url}/`);
  assert.ok(await page.locator("tr[data-valid=true]", { hasText: "opt_in.confirmed" }).count() >= 1);
  assert.deepEqual(errors, []);
  await page.close();
});
