// Work on many contacts against the real worker, the built `assent` CLI and
// (for the console) real Chromium: the contact list's filters select what
// they say in the API, the CLI and the console, page by page; bulk work on
// a selection is each subject's own act (restricted, erased: an event
// each), confirmed before it changes anything; and the site's closing
// (the end of a contract) anonymises every contact from its day on, by the
// alarm, after the operator alone set it and could still take it back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assent, eventually, optIn, ownerCall, pageErrors, scratch, siteKey, startEdge, storedRows } from "./harness.mjs";

useEdgeAndChromium({ rateLimit: false });

const BASE = "/v1/admin/sites/example";
const owner = (key) => ["--edge", edge.url, "--site", "example", "--admin-key", key];
const list = async (q, key = edge.adminKey) => {
  const r = await ownerCall(edge, `${BASE}/contacts?${new URLSearchParams(q)}`, key);
  return { status: r.status, body: await r.json() };
};
const subjects = async (q) => (await list(q)).body.contacts.map((c) => c.subject).sort();
const actionsOf = (subject) => storedRows(edge, `SELECT json_extract(record, '$.event.action') AS a FROM entries WHERE json_extract(record, '$.event.subject') = '${subject}' ORDER BY idx`).map((r) => r.a);

let people;
test("the contact list: each filter selects what it says, page by page, as JSON, CSV and from the CLI; a bad filter is refused", async () => {
  const subjectOf = async (p) => (await p).record.event.subject;
  people = {
    ana: await subjectOf(optIn(edge, "ana@example.com", { ticked: ["email:newsletter"] })),
    bob: await subjectOf(optIn(edge, "bob@example.com", { ticked: ["email:newsletter", "post:catalogue"], confirm: false })),
    cy: await subjectOf(optIn(edge, "cy@example.com", { ticked: ["post:catalogue"] })),
  };
  const caller = siteKey(edge, "sales", "attest");
  const li = await ownerCall(edge, `${BASE}/attestations`, caller.key, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ form: "newsletter", email: "dee@example.com", offers: ["post:catalogue"], basis: "legitimate_interests", source: "customer", given_on: "2026-10-01" }),
  });
  assert.equal(li.status, 201);
  people.dee = (await (await ownerCall(edge, `${BASE}/subjects?email=dee@example.com`, edge.adminKey)).json()).subjects[0].subject;
  const all = Object.values(people).sort();
  const sorted = (...s) => s.sort();

  assert.deepEqual(await subjects({}), all);
  assert.deepEqual(await subjects({ offer: "email:newsletter", state: "granted" }), [people.ana]);
  assert.deepEqual(await subjects({ offer: "email:newsletter", state: "pending" }), [people.bob]);
  assert.deepEqual(await subjects({ offer: "post:catalogue" }), all, "in any state: Ana's unticked box is `refused`");
  assert.deepEqual(await subjects({ offer: "post:catalogue", state: "refused" }), [people.ana]);
  assert.deepEqual(await subjects({ state: "legitimate_interests" }), [people.dee]);
  assert.deepEqual(await subjects({ parental: "true" }), []);
  const today = new Date().toISOString().slice(0, 10);
  assert.deepEqual(await subjects({ created_from: today }), all);
  assert.deepEqual(await subjects({ created_before: today }), []);
  const [row] = (await list({ offer: "email:newsletter", state: "granted" })).body.contacts;
  assert.deepEqual(Object.keys(row).sort(), ["country", "created_at", "created_ms", "in_recycle_bin", "last_activity_at", "last_activity_ms", "offers", "parental", "regime", "restricted", "subject"]);
  assert.ok(!JSON.stringify(row).includes("@"), "a row names a subject, never a person");

  // Pages of one, each saying where the next goes on.
  const seen = [];
  let after = "";
  do {
    const page = (await list({ limit: "1", ...(after ? { after } : {}) })).body;
    assert.ok(page.contacts.length <= 1);
    seen.push(...page.contacts.map((c) => c.subject));
    after = page.next;
  } while (after);
  assert.deepEqual(seen.sort(), all);

  // CSV, and a read key may list; a key without read may not.
  const csv = await (await ownerCall(edge, `${BASE}/contacts?state=granted&format=csv`, siteKey(edge, "analyst", "read").key)).text();
  const [header, ...rows] = csv.trim().split("\n");
  assert.equal(header, "subject,created_at,last_activity_at,country,regime,parental,restricted,in_recycle_bin,offers");
  assert.deepEqual(rows.map((r) => r.split(",")[0]).sort(), sorted(people.ana, people.cy));
  assert.equal((await list({}, siteKey(edge, "mailer", "export").key)).status, 403);
  for (const q of [{ state: "sleepy" }, { country: "de" }, { created_from: "2026-13-01" }, { parental: "yes" }, { offer: "newsletter" }, { surprise: "1" }, { limit: "0" }, { limit: "1001" }, { after: "nope" }]) {
    const r = await list(q);
    assert.equal(r.status, 400, JSON.stringify(q));
    assert.equal(r.body.error.code, "query_invalid", JSON.stringify(q));
  }

  // The CLI: the same selection.
  const cli = assent(["contacts", "list", ...owner(edge.adminKey), "--offer", "post:catalogue", "--state", "granted"]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.deepEqual(cli.stdout.trim().split("\n").map((l) => JSON.parse(l).subject), [people.cy]);
  assert.equal(assent(["contacts", "list", ...owner(edge.adminKey), "--state", "sleepy"]).status, 2, "checked before anything is sent");
});

test("bulk work from the CLI: a selection restricted and exported; an erasure waits for --yes, then erases each, an event each", async () => {
  const write = siteKey(edge, "bulk desk", "read,export,write").key;
  const restrict = assent(["contacts", "restrict", ...owner(write), "--offer", "post:catalogue", "--yes"]);
  assert.equal(restrict.status, 0, restrict.stderr);
  assert.deepEqual(JSON.parse(restrict.stdout), { selected: 4, done: 4, refused: [] });
  assert.deepEqual(await subjects({ restricted: "true" }), Object.values(people).sort());
  for (const s of Object.values(people)) assert.equal(actionsOf(s).at(-1), "restrict", "an event each");

  const exported = assent(["contacts", "export", ...owner(write), "--restricted", "true"]);
  assert.equal(exported.status, 0, exported.stderr);
  const exports = exported.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(exports.map((x) => x.identity.email).sort(), ["ana@example.com", "bob@example.com", "cy@example.com", "dee@example.com"]);

  const unconfirmed = assent(["contacts", "erase", ...owner(write), "--offer", "email:newsletter", "--state", "pending"]);
  assert.equal(unconfirmed.status, 2, "nothing changes without --yes");
  assert.match(unconfirmed.stderr, /1 contacts selected; add --yes/);
  assert.deepEqual(actionsOf(people.bob).filter((a) => a === "erase"), []);
  const erased = assent(["contacts", "erase", ...owner(write), "--offer", "email:newsletter", "--state", "pending", "--yes"]);
  assert.equal(erased.status, 0, erased.stderr);
  assert.equal(actionsOf(people.bob).at(-1), "erase");
  assert.ok(!(await subjects({})).includes(people.bob), "an erased contact is no longer listed");
  const lift = assent(["contacts", "lift", ...owner(write), "--restricted", "true", "--yes"]);
  assert.equal(JSON.parse(lift.stdout).done, 3);
  assert.deepEqual(await subjects({ restricted: "true" }), []);
});

test("the console's Contacts: a filter, the selection counted, and 'Restrict all' with its progress", async () => {
  const key = siteKey(edge, "console desk", "read,write").key;
  const page = await browser.newPage();
  const errors = pageErrors(page);
  await page.goto(`${edge.url}/admin/`);
  await page.fill("#site", "example");
  await page.fill("#key", key);
  await page.click("#signin button[type=submit]");
  await page.click("button[data-section=contacts]");
  await page.fill("#contacts-offer", "post:catalogue");
  await page.selectOption("#contacts-state", "granted");
  await page.click("form[data-contacts] button[type=submit]");
  await page.locator("[data-count]").waitFor();
  assert.equal(await page.locator("[data-count]").textContent(), "1 contacts selected.");
  assert.equal(await page.locator("table[data-contacts-list] code").textContent(), people.cy);
  await page.click("button[data-bulk=restrict]");
  await page.locator("[data-done]").waitFor();
  assert.equal(await page.locator("[data-done]").textContent(), "1 done.");
  assert.deepEqual(await subjects({ restricted: "true" }), [people.cy]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the breach register: an incident with its 72-hour clock, the contacts it affects found from the list, a late notice that must say why, closed once both notices are decided; audited; in the console", async () => {
  const dpo = siteKey(edge, "dpo desk", "read,write");
  const reader = siteKey(edge, "breach reader", "read");
  const post = (path, body, key = dpo.key) => ownerCall(edge, `${BASE}/breaches${path}`, key, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  const minute = (ms) => new Date(ms).toISOString().slice(0, 16) + "Z";
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const now = Date.now();
  // Aware 80 hours ago: the authority's 72 hours have run out.
  // (Half a minute more, so its minute is never this one's: whole hours left are -9.)
  const aware = now - 80 * 3600e3 - 30e3;
  const body = { title: "Catalogue list mailed to a printer in error", description: "The post:catalogue list (names, postal addresses) went to the wrong printer.", aware_at: minute(aware), from: day(aware), to: day(now), offer: "post:catalogue" };

  // Who may: write records, read only reads; bad bodies change nothing.
  for (const [b, key, status, code] of [
    [body, reader.key, 403, "scope_missing"],
    [body, null, 401, "unauthorized"],
    [{ ...body, aware_at: minute(now + 3600e3) }, dpo.key, 400, "breach_invalid"],
    [{ ...body, from: day(now + 86400e3) }, dpo.key, 400, "breach_invalid"],
    [{ ...body, title: "a\u0007b" }, dpo.key, 400, "breach_invalid"],
    [{ ...body, severity: "high" }, dpo.key, 400, "breach_invalid"],
  ]) {
    const r = await post("", b, key);
    assert.equal(r.status, status, JSON.stringify(b).slice(0, 60));
    assert.equal((await r.json()).error.code, code);
  }
  assert.deepEqual((await (await ownerCall(edge, `${BASE}/breaches`, reader.key)).json()).breaches, [], "nothing recorded");

  const made = await post("", body);
  assert.equal(made.status, 201);
  const incident = await made.json();
  assert.match(incident.id, /^b[0-9a-f]{16}$/);
  assert.equal(incident.deadline, new Date(Math.floor(aware / 60e3) * 60e3 + 72 * 3600e3).toISOString());
  assert.equal(incident.overdue, true);
  assert.equal(incident.hours_left, -9, "8 hours and some seconds past: whole hours, rounded down");
  assert.equal(incident.recorded_by, "dpo desk");
  // The contacts affected: those the contact list finds with the incident's own filter.
  const listed = (await list(Object.fromEntries(new URLSearchParams(incident.contacts_query)))).body.contacts;
  assert.ok(listed.length >= 2, "the catalogue list has contacts");
  assert.equal(incident.affected, listed.length);
  assert.equal(incident.contacts_query, `created_before=${day(now + 86400e3)}&offer=post%3Acatalogue`);

  // A contact who joined the list since: a recount finds them.
  await optIn(edge, "eve@example.com", { ticked: ["post:catalogue"] });
  const recounted = await (await post(`/${incident.id}`, { recount: true })).json();
  assert.equal(recounted.affected, incident.affected + 1);

  // Told late: refused without the reasons for the delay (unchanged), taken with them.
  const late = await post(`/${incident.id}`, { authority: { status: "notified", at: minute(now), reference: "DPC-2026-114" } });
  assert.equal(late.status, 400);
  assert.match((await late.json()).error.message, /delay_reason/);
  const held = await (await ownerCall(edge, `${BASE}/breaches/${incident.id}`, reader.key)).json();
  assert.equal(held.authority.status, "pending", "a refused update changes nothing");
  const told = await (await post(`/${incident.id}`, { authority: { status: "notified", at: minute(now), reference: "DPC-2026-114", delay_reason: "the printer confirmed the copy only on day 4" } })).json();
  assert.deepEqual([told.authority.status, told.authority.late, told.authority.reference, told.hours_left, told.closed], ["notified", true, "DPC-2026-114", null, null]);
  const closed = await (await post(`/${incident.id}`, { subjects: { status: "not_required", reason: "the printer destroyed the copy unread" } })).json();
  assert.ok(closed.closed, "both decided: closed");
  const again = await post(`/${incident.id}`, { measures: "more" });
  assert.equal(again.status, 409);
  assert.equal((await again.json()).error.code, "breach_closed");
  for (const path of ["/b0000000000000000", "/not-an-id"]) {
    const r = await ownerCall(edge, `${BASE}/breaches${path}`, reader.key);
    assert.equal(r.status, 404);
    assert.equal((await r.json()).error.code, "breach_unknown");
  }

  // Audited, with the incident's id; the register keeps no address.
  const trail = assent(["audit", ...owner(edge.adminKey)]);
  assert.equal(trail.status, 0, trail.stderr);
  const ops = trail.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((e) => e.target === incident.id).map((e) => `${e.op} ${e.who} ${e.allowed}`);
  assert.deepEqual(ops.slice(0, 2), ["breach.record dpo desk true", "breach.update dpo desk true"]);
  assert.ok(ops.includes("breach.list breach reader true"));
  assert.ok(!JSON.stringify(await (await ownerCall(edge, `${BASE}/breaches`, reader.key)).json()).includes("@"));

  // The console: record one, its clock and count shown; the notices set from its row.
  const page = await browser.newPage();
  const errors = pageErrors(page);
  await page.goto(`${edge.url}/admin/`);
  await page.fill("#site", "example");
  await page.fill("#key", dpo.key);
  await page.click("#signin button[type=submit]");
  await page.click("button[data-section=breaches]");
  await page.fill("#breach-title", "Laptop stolen");
  await page.fill("#breach-description", "An encrypted laptop with a CRM export.");
  await page.fill("#breach-from", day(now));
  await page.fill("#breach-to", day(now));
  await page.click("form[data-breach-form] button[type=submit]");
  await page.locator("[data-recorded]").waitFor();
  const all = (await list({ created_before: day(now + 86400e3) })).body.contacts.length;
  assert.match(await page.locator("[data-recorded]").textContent(), new RegExp(`^Recorded\\. ${all} contacts affected; tell the authority by `));
  const rowOf = page.locator("tr", { has: page.locator("[data-breach]", { hasText: "Laptop stolen" }) });
  assert.match(await rowOf.locator("[data-clock]").textContent(), /^7[12] h left$/);
  await rowOf.locator("form[data-notify=authority] select").selectOption("not_required");
  await rowOf.locator("form[data-notify=authority] input[name=text]").fill("encrypted at rest: unlikely to result in a risk");
  await rowOf.locator("form[data-notify=authority] button").click();
  await page.locator("tr", { has: page.locator("[data-breach]", { hasText: "Laptop stolen" }) }).locator("[data-clock]", { hasText: "not required" }).waitFor();
  const rowNow = page.locator("tr", { has: page.locator("[data-breach]", { hasText: "Laptop stolen" }) });
  await rowNow.locator("form[data-notify=subjects] select").selectOption("not_required");
  await rowNow.locator("form[data-notify=subjects] input[name=text]").fill("unlikely to result in a high risk");
  await rowNow.locator("form[data-notify=subjects] button").click();
  await page.locator("tr", { has: page.locator("[data-breach]", { hasText: "Laptop stolen" }) }).locator("[data-closed]").waitFor();
  // The older incident, closed above, is listed too, newest first.
  assert.deepEqual(await page.locator("[data-breach]").allTextContents(), ["Laptop stolen", body.title]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("backup and restore: the whole site in one file sealed to the operator's key, nothing readable in it; restored into an empty site of the same deployment, every receipt is in its log and every export reads the same", async () => {
  const dir = scratch();
  const keyFile = join(dir, "backup.key");
  const made = assent(["backup", "keygen", "--out", keyFile]);
  assert.equal(made.status, 0, made.stderr);
  const recipient = made.stdout.trim();
  assert.match(recipient, /^assent-backup-pub-[A-Za-z0-9_-]{43}$/);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600, "the secret key only the operator reads");
  assert.equal(assent(["backup", "keygen", "--out", keyFile]).status === 0, false, "an existing key file is never overwritten");

  // What the site holds now: contacts, their receipts, a breach, keys, the trail.
  const contacts = (await list({})).body.contacts.map((c) => c.subject);
  assert.ok(contacts.length >= 4);
  const exportOf = async (e, subject) => {
    const r = await (await fetch(`${e.url}${BASE}/subjects/${subject}/export`, { headers: { authorization: `Bearer ${e.adminKey}` } })).json();
    delete r.generated_at;
    return r;
  };
  const before = await Promise.all(contacts.map((c) => exportOf(edge, c)));
  const receipts = before.flatMap((x) => x.records.map((r) => r.receipt));
  const breaches = (await (await ownerCall(edge, `${BASE}/breaches`, edge.adminKey)).json()).breaches;
  assert.ok(breaches.length >= 1);

  // Only the operator backs up.
  const writer = siteKey(edge, "backup desk", "read,write,export");
  const refused = await ownerCall(edge, `${BASE}/backup`, writer.key, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ recipient, seq: 0 }) });
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).error.code, "operator_only");

  const file = join(dir, "example.assent-backup");
  const backup = assent(["backup", "create", ...owner(edge.adminKey), "--recipient", recipient, "--out", file]);
  assert.equal(backup.status, 0, backup.stderr);
  const text = readFileSync(file, "utf8");
  const [header, ...chunks] = text.trim().split("\n");
  assert.deepEqual(Object.keys(JSON.parse(header)).sort(), ["assent_backup", "created", "id", "recipient", "site"]);
  assert.equal(JSON.parse(header).recipient, recipient);
  assert.ok(chunks.length >= 3, "pages of the directory and the shard, and the end");
  // Nothing readable: no address, no subject, no key name, no incident, no receipt.
  for (const secret of ["@example.com", ...contacts, "backup desk", breaches[0].title, receipts[0].slice(0, 40), "newsletter"]) {
    assert.ok(!text.includes(secret), `not in the file: ${secret}`);
  }

  // The restore route writes nothing into a live site: no page without a restore's check.
  const forged = await ownerCall(edge, `${BASE}/restore/pages`, edge.adminKey, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ object: "shard/0", table: "entries", columns: ["rowid"], rows: [[1000000]] }),
  });
  assert.equal(forged.status, 400);
  const why = (await forged.json()).error;
  assert.equal(why.code, "backup_invalid");
  assert.match(why.message, /no restore in progress/);
  // Into a site that is not empty: refused, nothing written.
  const full = assent(["backup", "restore", ...owner(edge.adminKey), "--identity", keyFile, "--file", file]);
  assert.notEqual(full.status, 0);
  assert.match(full.stderr, /site_not_empty/);
  const check = await ownerCall(edge, `${BASE}/restore/check`, edge.adminKey, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ objects: ["directory", "shard/0"] }),
  });
  assert.equal(check.status, 409);
  assert.equal((await check.json()).error.code, "site_not_empty");
  // The refused check marked nothing: no object of the site takes a page.
  const after = await ownerCall(edge, `${BASE}/restore/pages`, edge.adminKey, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ object: "directory", table: "admin_keys", columns: ["rowid"], rows: [[1000000]] }),
  });
  assert.equal(after.status, 400);

  // An empty site of the same deployment (its secrets), fresh state.
  const target = await startEdge({ rateLimit: false, secrets: { adminKey: edge.adminKey, keys: edge.keys } });
  try {
    const to = (key) => ["--edge", target.url, "--site", "example", "--admin-key", key];
    // A file with one chunk missing, or opened with another key: refused before anything is sent.
    const cut = join(dir, "cut.assent-backup");
    writeFileSync(cut, [header, ...chunks.slice(0, 1), ...chunks.slice(2)].join("\n"));
    const r1 = assent(["backup", "restore", ...to(target.adminKey), "--identity", keyFile, "--file", cut]);
    assert.notEqual(r1.status, 0);
    assert.match(r1.stderr, /backup_invalid|does not open/);
    assert.ok(r1.stderr.includes("does not open at its place"), r1.stderr);
    const otherKey = join(dir, "other.key");
    assert.equal(assent(["backup", "keygen", "--out", otherKey]).status, 0);
    const r2 = assent(["backup", "restore", ...to(target.adminKey), "--identity", otherKey, "--file", file]);
    assert.match(r2.stderr, /another key/);
    assert.equal((await (await ownerCall(target, `${BASE}/contacts`, target.adminKey)).json()).contacts.length, 0, "nothing written");

    const restored = assent(["backup", "restore", ...to(target.adminKey), "--identity", keyFile, "--file", file]);
    assert.equal(restored.status, 0, restored.stderr);
    const report = JSON.parse(restored.stdout).restored;
    assert.deepEqual(Object.keys(report), ["directory", "shard/0"]);
    const [size, checkpoint] = report["shard/0"].log;
    assert.ok(size >= receipts.length && checkpoint <= size);

    // Every receipt the visitors hold is in the restored log, under a checkpoint it signs.
    for (const [i, receipt] of receipts.entries()) {
      const path = join(dir, `receipt-${i}.jws`);
      writeFileSync(path, receipt);
      const inc = assent(["verify", "inclusion", "--edge", target.url, "--site", "example", path]);
      assert.equal(inc.status, 0, inc.stderr);
    }
    // Every contact's export (identity opened, records, receipts) reads the same.
    assert.deepEqual(await Promise.all(contacts.map((c) => exportOf(target, c))), before);
    assert.deepEqual((await (await ownerCall(target, `${BASE}/breaches`, target.adminKey)).json()).breaches.map((b) => [b.id, b.title, b.affected]), breaches.map((b) => [b.id, b.title, b.affected]));
    // Keys made before work there; the audit trail is whole, the restore's own calls after it.
    assert.equal((await ownerCall(target, `${BASE}/contacts`, writer.key)).status, 200);
    const trail = assent(["audit", ...to(target.adminKey)]);
    assert.equal(trail.status, 0, trail.stderr);
    const ops = trail.stdout.trim().split("\n").map((l) => JSON.parse(l).op);
    assert.equal(ops.at(-1), "audit.export");
    assert.ok(ops.includes("site.backup") && ops.includes("site.restore"));
    assert.ok(ops.lastIndexOf("site.backup") < ops.indexOf("site.restore"), "the backed-up trail first");
    // Again into the now full site: refused.
    const again = assent(["backup", "restore", ...to(target.adminKey), "--identity", keyFile, "--file", file]);
    assert.match(again.stderr, /site_not_empty/);
  } finally {
    await target.stop();
  }
});

test("the site's closing: the operator alone sets it and may take it back before its day; from that day the alarm anonymises every contact", async () => {
  const close = (key, body, method = "POST") => ownerCall(edge, `${BASE}/closing`, key, {
    method, headers: { "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const reader = siteKey(edge, "closing reader", "read,write").key;
  assert.deepEqual(await (await ownerCall(edge, `${BASE}/closing`, reader)).json(), { closing: null });
  const day = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const refused = await close(reader, { anonymise_by: day(60) });
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).error.code, "operator_only");
  for (const bad of [day(0), day(400), "soon"]) {
    const r = await close(edge.adminKey, { anonymise_by: bad });
    assert.equal(r.status, 400, bad);
    assert.equal((await r.json()).error.code, "closing_invalid");
  }
  assert.equal((await close(edge.adminKey, { anonymise_by: day(60) })).status, 200);
  assert.equal((await close(edge.adminKey, null, "DELETE")).status, 200, "taken back before its day");
  assert.deepEqual(await (await ownerCall(edge, `${BASE}/closing`, reader)).json(), { closing: null });
  assert.equal((await close(edge.adminKey, null, "DELETE")).status, 404);

  const set = await close(edge.adminKey, { anonymise_by: day(2) });
  assert.equal(set.status, 200);
  const held = (await (await ownerCall(edge, `${BASE}/closing`, reader)).json()).closing;
  assert.equal(held.by, "operator");
  assert.equal(held.anonymise_by, `${day(2)}T00:00:00.000Z`);
  const left = await subjects({});
  assert.ok(left.length >= 2);

  // Three days on (the dev server's clock for the alarm): a submission
  // grows the home shard's log, the alarm rings, and everyone goes.
  await edge.down();
  await edge.up({ ASSENT_DEV_ALARM_AHEAD_MS: 3 * 86_400_000 });
  const late = (await optIn(edge, "late@example.com", { confirm: false })).record.event.subject;
  await eventually(async () => (await subjects({})).length === 0, "every contact anonymised");
  for (const s of [...left, late]) {
    const [last] = storedRows(edge, `SELECT json_extract(record, '$.event.ui.surface') AS surface, json_extract(record, '$.event.action') AS a FROM entries WHERE json_extract(record, '$.event.subject') = '${s}' ORDER BY idx DESC LIMIT 1`);
    assert.deepEqual([last.a, last.surface], ["erase", "schedule"], s);
  }
  assert.equal(edge.sql("SELECT count(*) AS n FROM contacts").reduce((n, r) => n + r.n, 0), 0, "no identity is left");
});
