// Consent taken offline, lawful bases and objections, against the real
// worker, the built `assent` CLI and (for the person's page) real Chromium:
// a key with scope `attest` records consent given by phone, which every
// view marks as the owner's word (the record's facts, the export and its
// CSV, the audit trail, the person's privacy center) while the note stays
// sealed beside the log; a `write` key cannot; a legacy CRM's file goes in
// with `assent attest --file`, each row once however often it is run, the
// refused ones named by row; another basis holds without being consent; an
// objection holds where nothing was granted, the owner's word cannot
// override it, and only the person's own confirmed opt-in lifts it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";
import { auditLog } from "../../scripts/wrangler-dev.mjs";
import { assent, optIn, ownerCall, pageErrors, scratch, siteKey, storedRows } from "./harness.mjs";

useEdgeAndChromium({ rateLimit: false });

const BASE = "/v1/admin/sites/example";
const owner = (key) => ["--edge", edge.url, "--site", "example", "--admin-key", key];
const attest = (key, body) => ownerCall(edge, `${BASE}/attestations`, key, {
  method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
});
const state = async (subject) => (await (await ownerCall(edge, `${BASE}/subjects/${subject}/state`, edge.adminKey)).json()).offers;
const deliveries = async (subject) => (await (await ownerCall(edge, `${BASE}/webhooks`, edge.adminKey)).json()).deliveries
  .filter((d) => d.subject === subject).map((d) => d.kind);
const subjectOf = async (email) =>
  (await (await ownerCall(edge, `${BASE}/subjects?email=${encodeURIComponent(email)}`, edge.adminKey)).json()).subjects[0]?.subject ?? null;
const NOTE = "Called 2 Nov about order 1182; agreed to the newsletter and the catalogue.";

test("consent by phone: the owner's word, marked as such in the record, the export, the audit trail and the person's privacy center", async () => {
  const caller = siteKey(edge, "call centre", "attest");
  const desk = siteKey(edge, "desk", "read,write");
  const body = {
    form: "newsletter", email: "Bob@Example.com", name: "Bob Stone", offers: ["email:newsletter", "post:catalogue"],
    source: "phone", given_on: "2026-11-02", note: NOTE, evidence_sha256: "5e".repeat(32), event_id: crypto.randomUUID(),
  };
  // `write` does not imply the owner's word.
  const refused = await attest(desk.key, body);
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).error.code, "scope_missing");
  assert.equal(await subjectOf("bob@example.com"), null, "nothing stored");

  const recorded = await attest(caller.key, body);
  assert.equal(recorded.status, 201);
  const answer = await recorded.json();
  assert.match(answer.receipt, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const again = await attest(caller.key, body);
  assert.equal(again.status, 200, "the same event id again");
  assert.equal((await again.json()).receipt, answer.receipt);

  const subject = await subjectOf("bob@example.com");
  const s = await state(subject);
  assert.equal(s["email:newsletter"].state, "granted");
  assert.equal(s["post:catalogue"].state, "granted");
  assert.equal(s["sms:offers"], undefined, "not attested");
  assert.deepEqual(await deliveries(subject), ["opt_in.granted"], "the CRM is told");

  // The log: the owner's word with who and when; neither the address nor the note.
  const [row] = storedRows(edge, `SELECT record FROM entries WHERE event_id = '${body.event_id}'`);
  const record = JSON.parse(row.record);
  assert.deepEqual(record.event.ui, { surface: "owner", control: "attest" });
  assert.deepEqual(record.form.attested, {
    basis: "consent", source: "phone", given_on: "2026-11-02", by: caller.id, evidence_sha256: "5e".repeat(32),
  });
  assert.ok(!row.record.includes("bob@") && !row.record.includes("order 1182"), "no address or note in the log");
  const vault = storedRows(edge, "SELECT hex(sealed) AS bytes FROM identities").map((r) => Buffer.from(r.bytes, "hex").toString("latin1"));
  assert.ok(vault.length > 0 && vault.every((b) => !b.includes("order 1182")), "the note is sealed");

  // The export: the note with the identity, the owner's word per record, in JSON and CSV.
  const exported = await (await ownerCall(edge, `${BASE}/subjects/${subject}/export`, edge.adminKey)).json();
  assert.equal(exported.identity.note, NOTE);
  assert.equal(exported.identity.name, "Bob Stone");
  assert.equal(exported.records[0].record.form.attested.source, "phone");
  assert.equal(exported.records[0].ts27560.collection_method, "owner/attest");
  const csv = await (await ownerCall(edge, `${BASE}/subjects/${subject}/export?format=csv`, edge.adminKey)).text();
  const [header, first] = csv.trim().split("\n");
  const cell = (name) => first.split(",")[header.split(",").indexOf(name)];
  assert.equal(cell("recorded_by_owner"), `consent; phone; 2026-11-02; by ${caller.id}; document sha256 ${"5e".repeat(32)}`);
  assert.ok(first.includes(NOTE), "the note column");

  // The audit trail names the key that recorded it, and the refused one.
  const audit = await (await ownerCall(edge, `${BASE}/audit`, edge.adminKey)).json();
  const ops = audit.entries.map((e) => `${e.op} ${e.who} ${e.allowed}`);
  for (const op of ["consent.attest call centre true", "consent.attest desk false"]) assert.ok(ops.includes(op), op);

  // A note about Bob: sealed, his to read too.
  const noted = await ownerCall(edge, `${BASE}/subjects/${subject}/notes`, desk.key, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "Prefers the catalogue in large print" }),
  });
  assert.equal(noted.status, 201);
  assert.equal((await noted.json()).by, "desk");
  const notesVault = storedRows(edge, "SELECT hex(sealed) AS bytes FROM notes").map((r) => Buffer.from(r.bytes, "hex").toString("latin1"));
  assert.ok(notesVault.length === 1 && !notesVault[0].includes("large print"), "the note is sealed");

  // The person's privacy center says whose word it is, and shows the note.
  const page = await browser.newPage();
  const errors = pageErrors(page);
  await page.goto(`${edge.url}/v1/sites/example/privacy`);
  await page.fill("#email", "bob@example.com");
  await page.click("button[type=submit]");
  const mails = (await (await ownerCall(edge, `${BASE}/mail?limit=100`, edge.adminKey)).json()).mails;
  const link = mails.find((m) => m.mail.to === "bob@example.com" && m.mail.link.includes("/privacy/open")).mail.link;
  await page.goto(link);
  await page.click("button[type=submit]");
  assert.equal(await page.locator("[data-attested]").textContent(),
    "Recorded by the site owner, not by you here: consent you gave by phone on 2026-11-02.");
  assert.match(await page.locator("[data-note]").textContent(), /^\d{4}-\d\d-\d\d: Prefers the catalogue in large print$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("what the owner's word cannot do: a broken field, a day to come, an address on a list, a channel the person objected to", async () => {
  const caller = siteKey(edge, "call centre 2", "attest");
  const base = { form: "newsletter", email: "cleo@example.com", offers: ["email:newsletter"], source: "paper", given_on: "2026-10-01" };
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  for (const [edit, status, code] of [
    [{ given_on: tomorrow }, 400, "attestation_invalid"],
    [{ given_on: "01/10/2026" }, 400, "attestation_invalid"],
    [{ offers: ["email:other"] }, 400, "attestation_invalid"],
    [{ offers: ["sms:offers"] }, 400, "attestation_invalid"],
    [{ source: "rumour" }, 400, "attestation_invalid"],
    [{ basis: "vital_interests" }, 400, "attestation_invalid"],
    [{ evidence_sha256: "xyz" }, 400, "attestation_invalid"],
    [{ note: "line\u0000break" }, 400, "attestation_invalid"],
    [{ surprise: true }, 400, "attestation_invalid"],
    [{ form: "nope" }, 404, "form_unknown"],
    [{ email: "cleo" }, 400, "email_invalid"],
  ]) {
    const r = await attest(caller.key, { ...base, ...edit });
    assert.equal(r.status, status, JSON.stringify(edit));
    assert.equal((await r.json()).error.code, code, JSON.stringify(edit));
  }
  // A duplicate key is refused, never resolved.
  const dup = await ownerCall(edge, `${BASE}/attestations`, caller.key, {
    method: "POST", headers: { "content-type": "application/json" },
    body: '{"form":"newsletter","email":"cleo@example.com","email":"x@example.com","offers":["email:newsletter"],"source":"paper","given_on":"2026-10-01"}',
  });
  assert.equal(dup.status, 400);
  assert.equal(await subjectOf("cleo@example.com"), null, "nothing stored");

  // On the site's opt-out list: the list says the person said no.
  const listed = join(scratch(), "opt-out.csv");
  writeFileSync(listed, "dan@example.com\n");
  assert.equal(assent(["import", ...owner(edge.adminKey), listed]).status, 0);
  const r = await attest(caller.key, { ...base, email: "dan@example.com" });
  assert.equal(r.status, 409);
  assert.equal((await r.json()).error.code, "address_listed");
});

test("legacy consent from a CRM's file: `assent attest --file` records each row once, names the refused rows, and a second run records nothing new", async () => {
  const caller = siteKey(edge, "migration", "attest");
  const file = join(scratch(), "legacy.csv");
  writeFileSync(file, [
    "email,name,phone,offers,given_on,note",
    "eva@example.com,Eva Lind,,email:newsletter,2019-05-04,Signed up at the 2019 fair",
    "finn@example.com,,+44 20 7946 0958,email:newsletter;sms:offers,2021-01-12,",
    "gus@example.com,,,sms:offers,2021-01-12,",
    "not an address,,,email:newsletter,2021-01-12,",
    "hana@example.com,,,,2020-02-02,",
  ].join("\n") + "\n");
  const run = () => {
    const r = assent(["attest", ...owner(caller.key), "--form", "newsletter", "--source", "legacy_crm", "--offers", "post:catalogue", "--file", file]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const first = run();
  assert.deepEqual({ ...first, errors: first.errors.map((e) => [e.row, e.code]) },
    { rows: 5, recorded: 3, repeated: 0, refused: 2, errors: [[4, "attestation_invalid"], [5, "email_invalid"]] });
  const second = run();
  assert.deepEqual([second.recorded, second.repeated, second.refused], [0, 3, 2], "each row once");

  const finn = await subjectOf("finn@example.com");
  const s = await state(finn);
  assert.equal(s["sms:offers"].state, "granted", "the number came with the owner's word");
  assert.equal((await state(await subjectOf("hana@example.com")))["post:catalogue"].state, "granted", "--offers where the cell is empty");
  const exported = await (await ownerCall(edge, `${BASE}/subjects/${await subjectOf("eva@example.com")}/export`, edge.adminKey)).json();
  assert.equal(exported.identity.note, "Signed up at the 2019 fair");
  assert.equal(exported.records[0].record.form.attested.given_on, "2019-05-04");
});

test("another basis and an objection: legitimate interests hold without consent; an objection holds where nothing was granted, the owner cannot override it, and the person's own confirmed opt-in lifts it", async () => {
  const caller = siteKey(edge, "sales", "attest");
  const desk = siteKey(edge, "dpo desk", "read,write");
  // An existing customer, held under legitimate interests for the catalogue.
  const basis = await attest(caller.key, {
    form: "newsletter", email: "ida@example.com", offers: ["post:catalogue"], basis: "legitimate_interests",
    source: "customer", given_on: "2026-09-30",
  });
  assert.equal(basis.status, 201);
  const ida = await subjectOf("ida@example.com");
  assert.equal((await state(ida))["post:catalogue"].state, "legitimate_interests");
  assert.deepEqual(await deliveries(ida), ["basis.recorded"], "no opt-in: the CRM is told the basis");

  // Ida says "never by post" on the phone; the owner records her objection.
  const object = (subject, channel) => ownerCall(edge, `${BASE}/subjects/${subject}/objection`, desk.key, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ channel }),
  });
  const objected = await object(ida, "post");
  assert.equal(objected.status, 201);
  const first = await objected.json();
  let s = await state(ida);
  assert.equal(s["post:catalogue"].state, "objected");
  assert.equal(s["post:*"].state, "objected");
  assert.deepEqual(await deliveries(ida), ["subject.objected", "basis.recorded"], "newest first");
  const again = await object(ida, "post");
  assert.equal(again.status, 200);
  assert.equal((await again.json()).receipt, first.receipt, "the record that made it");
  // Nothing was ever granted on SMS, and the objection holds all the same.
  assert.equal((await object(ida, "sms")).status, 201);
  assert.equal((await state(ida))["sms:offers"].state, "objected");

  // The owner's word cannot override it.
  const over = await attest(caller.key, { form: "newsletter", email: "ida@example.com", offers: ["post:catalogue"], source: "phone", given_on: "2026-10-05" });
  assert.equal(over.status, 409);
  assert.equal((await over.json()).error.code, "objected");

  // Ida herself ticks the catalogue: it waits for her link, and her confirmation lifts the objection.
  await optIn(edge, "ida@example.com", { ticked: ["post:catalogue"], confirm: false });
  assert.equal((await state(ida))["post:catalogue"].state, "pending");
  const mails = (await (await ownerCall(edge, `${BASE}/mail?limit=100`, edge.adminKey)).json()).mails;
  const link = mails.find((m) => m.mail.to === "ida@example.com" && m.mail.link.includes("/confirm")).mail.link;
  assert.equal((await fetch(link, { method: "POST" })).status, 200);
  s = await state(ida);
  assert.equal(s["post:catalogue"].state, "granted");
  assert.equal(s["post:*"], undefined, "her own opt-in lifted the channel's objection");
  assert.equal(s["sms:offers"].state, "objected", "another channel's stays");
  const exported = await (await ownerCall(edge, `${BASE}/subjects/${ida}/export`, edge.adminKey)).json();
  assert.ok(exported.records.some((r) => r.ts27560.event_type === "objected"), "the export shows the objection");
});

test("the log with the owner's records (attestations, objections) verifies with the CLI", async () => {
  const actions = storedRows(edge, "SELECT json_extract(record, '$.event.action') AS a FROM entries").map((r) => r.a);
  for (const a of ["give", "object"]) assert.ok(actions.includes(a), a);
  const { valid, stderr, doubled } = await auditLog(edge, "example", new Set(), 1);
  assert.equal(doubled, 0);
  assert.ok(valid, stderr);
});

test("from the console: consent given on paper recorded with its document's hash (the file stays in the browser), marked in the subject's history, and an objection recorded there", async () => {
  const key = siteKey(edge, "front desk", "read,export,write,attest");
  const page = await browser.newPage();
  const errors = pageErrors(page);
  await page.goto(`${edge.url}/admin/`);
  await page.fill("#site", "example");
  await page.fill("#key", key.key);
  await page.click("#signin button[type=submit]");
  await page.click("button[data-section=offline]");
  await page.fill("#offline-email", "jo@example.com");
  await page.fill("#offline-name", "Jo Park");
  await page.check("#offer-email-newsletter");
  await page.selectOption("#offline-source", "paper");
  await page.fill("#offline-given_on", "2026-11-20");
  await page.fill("#offline-note", "Signed form at the Leeds fair");
  const scan = Buffer.from("%PDF-1.4 a signed form\n");
  await page.setInputFiles("#offline-document", { name: "form.pdf", mimeType: "application/pdf", buffer: scan });
  await page.click("form[data-offline] button[type=submit]");
  await page.locator("[data-recorded]").waitFor();

  const jo = await subjectOf("jo@example.com");
  const [row] = storedRows(edge, `SELECT record FROM entries WHERE json_extract(record, '$.event.subject') = '${jo}'`);
  const attested = JSON.parse(row.record).form.attested;
  const { createHash } = await import("node:crypto");
  assert.deepEqual(attested, {
    basis: "consent", source: "paper", given_on: "2026-11-20", by: key.id,
    evidence_sha256: createHash("sha256").update(scan).digest("hex"),
  });

  await page.click("button[data-section=subjects]");
  await page.fill("#q", "jo@example.com");
  await page.click("button:text-is('Find')");
  await page.locator("table[data-history] [data-attested]").waitFor();
  assert.equal(await page.locator("table[data-history] [data-attested]").textContent(),
    `Recorded by the owner (key ${key.id}): consent, on paper, given 2026-11-20`);
  await page.selectOption("#objection-channel", "post");
  await page.click("form[data-objection] button[type=submit]");
  await page.locator("table[data-state] tr", { has: page.locator("td:text-is('post:*')") }).waitFor();
  assert.equal((await state(jo))["post:*"].state, "objected");
  await page.fill("#note-text", "Wants the spring catalogue only");
  await page.click("section[data-notes] button[type=submit]");
  await page.locator("[data-note]").waitFor();
  assert.match(await page.locator("[data-note]").textContent(), /front desk: Wants the spring catalogue only$/);
  const exported = await (await ownerCall(edge, `${BASE}/subjects/${jo}/export`, edge.adminKey)).json();
  assert.deepEqual(exported.notes.map((n) => [n.by, n.text]), [["front desk", "Wants the spring catalogue only"]]);
  const audit = await (await ownerCall(edge, `${BASE}/audit`, edge.adminKey)).json();
  assert.ok(audit.entries.some((e) => e.op === "subject.note" && e.who === "front desk" && e.target === jo), "audited");
  assert.deepEqual(errors, []);
  await page.close();
});
