// Only the person writes their record, against the real worker: what an
// outside review did as an attacker, each now refused. A stranger who knows
// an address submits the public form for it and gets nothing that opens the
// contact; the form answers alike for a new, known, erased, binned and
// listed address; an unconfirmed submission renames nobody; mails count
// against the address they go to; an erased subject takes no new event.
// (The subject key on events and on /subjects/me is privacy.test.mjs and
// api.test.mjs; the lookup's suppression is rights.test.mjs and
// import.test.mjs.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEdge, adminRecords, assent, scratch, siteConfig, optIn, ownerCall, stored } from "./harness.mjs";

let edge, form, dir;
before(async () => {
  edge = await startEdge({ rateLimit: false });
  form = await (await fetch(`${edge.url}/v1/sites/example/forms/newsletter?lang=en`)).json();
  dir = scratch();
});
after(async () => {
  await edge?.stop();
});

const owner = (path, init) => ownerCall(edge, path, edge.adminKey, init);
const total = async () => (await adminRecords(edge, "example")).total;
const mails = async () => (await (await owner("/v1/admin/sites/example/mail?limit=100")).json()).mails;
const subjectOfEmail = async (email) =>
  (await (await owner(`/v1/admin/sites/example/subjects?email=${encodeURIComponent(email)}`)).json()).subjects[0]?.subject;

/** An object's JSON with its keys in order (answers compared as sets). */
const sorted = (o) => JSON.stringify(o, Object.keys(o).sort());

/** A public form submission for `email` (nothing ticked unless said). */
function submission(email, { ticked = [], identity = {}, age = 1990 } = {}) {
  const offers = Object.fromEntries(form.notice.offers.map((o) => [o.key, ticked.includes(o.key)]));
  return {
    event: {
      event_id: randomUUID(), site: "example", subject: randomUUID(), action: ticked.length ? "give" : "refuse", decisions: {},
      form: { id: "newsletter", offers },
      notice: { version: form.notice.notice_version, language: form.language, hash: form.notice_hash },
      ui: { surface: "form", control: "submit" }, client_time_ms: Date.now(), gpc: false,
      page: { origin: "https://shop.assent.example", path: "/newsletter" }, widget_version: "test",
    },
    identity: { email, ...identity },
    age,
  };
}
const submit = (body) =>
  fetch(`${edge.url}/v1/sites/example/forms/newsletter/submissions`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });

/** A banner choice on the example site, with the subject's key. */
async function bannerEvent({ subject = randomUUID(), key = randomUUID(), action = "give", grant = true } = {}) {
  const en = await siteConfig(edge, "en", "example");
  const decisions = Object.fromEntries(en.notice.purposes.map((p) => [p.id, p.required || grant]));
  const r = await fetch(`${edge.url}/v1/sites/example/events`, {
    method: "POST", headers: { "content-type": "application/json", "assent-key": key },
    body: JSON.stringify({
      event_id: randomUUID(), site: "example", subject, action, decisions,
      notice: { version: en.notice_version, language: en.language, hash: en.notice_hash },
      ui: { surface: "banner", control: grant ? "accept_all" : "reject_all" }, client_time_ms: Date.now(), gpc: false,
      page: { origin: "https://shop.assent.example", path: "/" }, widget_version: "test",
    }),
  });
  return { r, subject, key };
}

test("a stranger who knows an address: the form's answer opens nothing, and the person's opt-ins stay theirs", async () => {
  await optIn(edge, "victim@example.com", { ticked: ["email:newsletter"] });
  const subject = await subjectOfEmail("victim@example.com");
  const before = await total();
  // The stranger ticks what the person never chose: it waits for a link
  // only the person receives.
  const body = submission("victim@example.com", { ticked: ["post:catalogue"] });
  const r = await submit(body);
  assert.equal(r.status, 202);
  const answer = await r.json();
  assert.deepEqual(Object.keys(answer).sort(), ["event_id", "outcome", "status"]);
  assert.ok(!JSON.stringify(answer).includes(subject), "the contact's subject is not in the answer");
  assert.ok(!/eyJ/.test(JSON.stringify(answer)), "no receipt in the answer");
  assert.equal(await total(), before + 1, "the submission itself is recorded");
  // With what the answer gave (nothing) and a guessed key, nothing opens.
  for (const headers of [{ "assent-subject": subject, "assent-key": randomUUID() }, { authorization: `Bearer ${answer.event_id}` }]) {
    assert.equal((await fetch(`${edge.url}/v1/sites/example/subjects/me/state`, { headers })).status, 401);
    const w = await fetch(`${edge.url}/v1/sites/example/subjects/me/withdraw`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "{}" });
    assert.equal(w.status, 401);
  }
  const state = await (await owner(`/v1/admin/sites/example/subjects/${subject}/state`)).json();
  assert.equal(state.offers["email:newsletter"].state, "granted", "still the person's opt-in");
  assert.equal(state.offers["post:catalogue"].state, "pending", "the stranger's tick grants nothing");
  assert.equal(await total(), before + 1, "no withdrawal stored");
});

test("the form answers alike for a new, a known, an erased and an opt-out-listed address (the bin: rights.test.mjs)", async () => {
  // Known (confirmed), erased, and listed by an import.
  await optIn(edge, "known@example.com");
  await optIn(edge, "erased@example.com");
  const erased = await subjectOfEmail("erased@example.com");
  assert.ok([200, 201].includes((await owner(`/v1/admin/sites/example/subjects/${erased}/erasure`, { method: "POST" })).status));
  const list = join(dir, "optouts.csv");
  writeFileSync(list, "email\nlisted@example.com\n");
  const imported = assent(["import", "--edge", edge.url, "--site", "example", "--admin-key", edge.adminKey, list]);
  assert.equal(imported.status, 0, imported.stderr);

  const shapes = [];
  for (const email of ["brand-new@example.com", "known@example.com", "erased@example.com", "listed@example.com"]) {
    for (const ticked of [[], ["email:newsletter"]]) {
      const body = submission(email, { ticked });
      const r = await submit(body);
      const answer = await r.json();
      if (r.status === 202) assert.equal(answer.event_id, body.event.event_id);
      const { error, ...rest } = answer;
      shapes.push(sorted({ http: r.status, cache: r.headers.get("cache-control"), ...rest, ...(error ? { code: error.code } : {}), event_id: "-" }));
    }
  }
  // Two answers in all (nothing ticked: nothing stored; one ticked), never which address.
  const expected = (outcome) => sorted({ http: 202, cache: "no-store", status: "received", event_id: "-", outcome });
  const nothing = sorted({ http: 400, cache: "no-store", code: "nothing_chosen", event_id: "-" });
  assert.deepEqual([...new Set(shapes)].sort(), [expected("pending"), nothing].sort(), shapes.join("\n"));
  assert.ok(shapes.every((s) => !s.includes("readds") && !s.includes("prev_event_id")), "no history in the answer");
});

test("an unconfirmed submission with another name renames nobody; the person's confirmation does", async () => {
  await optIn(edge, "named@example.com", { identity: { name: "Nia Real" } });
  const subject = await subjectOfEmail("named@example.com");
  const identity = async () => (await (await owner(`/v1/admin/sites/example/subjects/${subject}/export`)).json()).identity;
  assert.equal((await identity()).name, "Nia Real");
  const forged = submission("named@example.com", { ticked: ["email:newsletter"], identity: { name: "Mallory" } });
  assert.equal((await submit(forged)).status, 202);
  assert.equal((await identity()).name, "Nia Real", "the owner's export keeps the confirmed name");
  // The person confirms a change of their own: it holds.
  const own = submission("named@example.com", { ticked: ["email:newsletter"], identity: { name: "Nia Wed" } });
  assert.equal((await submit(own)).status, 202);
  const mail = (await mails()).find((m) => m.event_id === own.event.event_id);
  assert.equal((await fetch(mail.mail.link, { method: "POST" })).status, 200);
  assert.equal((await identity()).name, "Nia Wed");
});

test("mails count against the address they go to: five children naming one parent send that parent three", async () => {
  const year = new Date().getUTCFullYear() - 13;
  const before = (await mails()).filter((m) => m.mail.to === "guardian@example.com").length;
  for (let n = 0; n < 5; n++) {
    const r = await submit(submission(`child${n}@example.com`, { ticked: ["email:newsletter"], age: year, identity: { parent_email: "Guardian@Example.com" } }));
    assert.equal(r.status, 202);
    assert.equal((await r.json()).outcome, "parental_consent_required");
  }
  const toParent = (await mails()).filter((m) => m.mail.to === "guardian@example.com");
  assert.equal(toParent.length - before, 3, "three a day to one address, whoever types it");
  // The privacy center's link counts against the address too.
  await optIn(edge, "busy@example.com", { confirm: false });
  await optIn(edge, "busy@example.com", { confirm: false });
  await optIn(edge, "busy@example.com", { confirm: false });
  const links = async () => (await mails()).filter((m) => m.mail.to === "busy@example.com").length;
  assert.equal(await links(), 3);
  const asked = await fetch(`${edge.url}/v1/sites/example/privacy/link`, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ email: "busy@example.com" }),
  });
  assert.equal(asked.status, 200);
  assert.equal(await links(), 3, "no fourth mail, and the page reads as for anyone");
});

test("an erased subject takes no new event: 410 subject_erased, nothing stored", async () => {
  const { r, subject, key } = await bannerEvent();
  assert.equal(r.status, 201, await r.text());
  const erased = await owner(`/v1/admin/sites/example/subjects/${subject}/erasure`, { method: "POST" });
  assert.ok([200, 201].includes(erased.status), await erased.text());
  const before = await total();
  for (const [action, grant] of [["give", true], ["refuse", false], ["update", true]]) {
    const again = await bannerEvent({ subject, key, action, grant });
    assert.equal(again.r.status, 410, action);
    assert.equal((await again.r.json()).error.code, "subject_erased", action);
  }
  assert.equal(await total(), before, "nothing chained to the erasure");
});

test("probes beyond the review: guessed keys, swapped headers, another site's key, a form contact written as a banner subject, a replayed event id under another subject", async () => {
  const records = async (subject) =>
    (await adminRecords(edge, "example")).records.filter((r) => r.record.event.subject === subject).length;
  const state = (site, headers) => fetch(`${edge.url}/v1/sites/${site}/subjects/me/state`, { headers });
  const a = await bannerEvent();
  const b = await bannerEvent();
  assert.equal(a.r.status, 201);
  assert.equal(b.r.status, 201);
  assert.equal((await state("example", { "assent-subject": a.subject, "assent-key": a.key })).status, 200, "the key's holder reads");
  // A banner visitor has no form offer to withdraw: the key opens, and nothing is stored.
  const held = await records(a.subject);
  const w = await fetch(`${edge.url}/v1/sites/example/subjects/me/withdraw`, {
    method: "POST", headers: { "assent-subject": a.subject, "assent-key": a.key, "content-type": "application/json" }, body: "{}",
  });
  assert.equal(w.status, 400);
  assert.equal((await w.json()).error.code, "nothing_to_withdraw");
  assert.equal(await records(a.subject), held, "nothing stored");

  // 200 guessed keys for a real subject, and 100 random subjects: all one refusal.
  let refused = 0;
  for (let i = 0; i < 200; i++) refused += (await state("example", { "assent-subject": a.subject, "assent-key": randomUUID() })).status === 401;
  for (let i = 0; i < 100; i++) refused += (await state("example", { "assent-subject": randomUUID(), "assent-key": a.key })).status === 401;
  assert.equal(refused, 300);
  // Swapped: b's key for a; a's subject on the other site; another spelling
  // of the id; a control character inside the key (HTTP trims only the ends).
  for (const [site, headers] of [
    ["example", { "assent-subject": a.subject, "assent-key": b.key }],
    ["demo", { "assent-subject": a.subject, "assent-key": a.key }],
    ["example", { "assent-subject": a.subject.toUpperCase(), "assent-key": a.key }],
    ["example", { "assent-subject": a.subject, "assent-key": a.key.replace("-", "\t") }],
  ]) {
    const r = await state(site, headers);
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.equal((await r.json()).error.code, "subject_key_invalid");
  }

  // A form contact's subject (as the CRM or an export shows it) written as a
  // banner subject, with a key of the writer's own: refused, nothing chained.
  await optIn(edge, "contact@example.com");
  const contact = await subjectOfEmail("contact@example.com");
  const before = await records(contact);
  const forged = await bannerEvent({ subject: contact, action: "give", grant: true });
  assert.equal(forged.r.status, 401);
  assert.equal(await records(contact), before);

  // A form submission that names a banner subject: the edge files it under
  // the address's contact; the banner subject's history is untouched.
  const bannerBefore = await records(a.subject);
  const body = submission("someone@example.com", { ticked: ["email:newsletter"] });
  body.event.subject = a.subject;
  assert.equal((await submit(body)).status, 202);
  assert.equal(await records(a.subject), bannerBefore);
  assert.notEqual((await stored(edge, "example", body.event.event_id)).record.event.subject, a.subject);

  // An event id already stored, replayed under another subject (with that
  // subject's key): a conflict, never a second record or the first's receipt.
  const en = await siteConfig(edge, "en", "example");
  const first = (await adminRecords(edge, "example")).records.find((r) => r.record.event.subject === b.subject).record.event;
  const replay = { ...first, subject: a.subject, action: "update", client_time_ms: Date.now(), notice: { version: en.notice_version, language: en.language, hash: en.notice_hash } };
  const r = await fetch(`${edge.url}/v1/sites/example/events`, {
    method: "POST", headers: { "content-type": "application/json", "assent-key": a.key }, body: JSON.stringify(replay),
  });
  assert.equal(r.status, 409);
  assert.equal((await r.json()).error.code, "event_id_conflict");
});
