// Opt-out and block lists that act, against the real worker and the built
// `assent` CLI (site `example`, whose CRM is told through its webhook):
// an opt-out list of email withdraws a listed contact's email consent (an
// event of its own, the CRM told) and keeps the post; their later opt-in
// waits for their link; a block list withdraws everything, and a blocked
// address's submission is answered as any other's while nothing is stored
// and no mail goes out; the owner lists, searches, exports and removes
// entries, each audited, a removal a record of its own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge, storedRows, assent, scratch, optIn, ownerCall, siteKey, lookupKey as harnessLookupKey } from "./harness.mjs";
import { auditLog } from "../../scripts/wrangler-dev.mjs";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

let edge, writer, reader, dir;
before(async () => {
  edge = await startEdge({ rateLimit: false });
  dir = scratch();
  writer = createKey("list desk", "read,write");
  reader = createKey("analyst", "read");
});
after(async () => {
  await edge?.stop();
});

const owner = (key) => ["--edge", edge.url, "--site", "example", "--admin-key", key];
const BASE = "/v1/admin/sites/example";
const createKey = (name, scopes) => siteKey(edge, name, scopes).key;
const lookupKey = (email) => harnessLookupKey(edge, email);
/** `assent import` of `emails` as a list (`--kind`, `--channels`); its report. */
function importList(name, emails, args) {
  const file = join(dir, `${name}.csv`);
  writeFileSync(file, emails.join("\n") + "\n");
  const r = assent(["import", ...owner(writer), file, ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}
const state = async (subject) => (await (await ownerCall(edge, `${BASE}/subjects/${subject}/state`, reader)).json()).offers;
const deliveries = async () => (await (await ownerCall(edge, `${BASE}/webhooks`, reader)).json()).deliveries;
const mailsTo = async (email) => (await (await ownerCall(edge, `${BASE}/mail?limit=100`, edge.adminKey)).json()).mails
  .filter((m) => m.mail.to === email);

/** A form submission of `email` as a page would send it; the answer's status and body. */
async function submit(email) {
  const form = await (await fetch(`${edge.url}/v1/sites/example/forms/newsletter?lang=en`)).json();
  const body = {
    event: {
      event_id: crypto.randomUUID(), site: "example", subject: crypto.randomUUID(), action: "give", decisions: {},
      form: { id: "newsletter", offers: { "email:newsletter": true, "sms:offers": false, "post:catalogue": false } },
      notice: { version: form.notice.notice_version, language: form.language, hash: form.notice_hash },
      ui: { surface: "form", control: "submit" }, client_time_ms: Date.now(), gpc: false,
      page: { origin: "https://shop.assent.example", path: "/newsletter" }, widget_version: "test",
    },
    identity: { email },
    age: 1990,
  };
  const r = await fetch(`${edge.url}/v1/sites/example/forms/newsletter/submissions`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  const said = await r.json();
  delete said.event_id; // the caller's own id, echoed
  return { status: r.status, said, eventId: body.event.event_id };
}

test("an opt-out list withdraws the channels it names, tells the CRM, and a later opt-in waits for its link", async () => {
  const ana = (await optIn(edge, "ana@example.com", { ticked: ["email:newsletter", "post:catalogue"] })).record.event.subject;
  assert.equal((await state(ana))["email:newsletter"].state, "granted");
  const report = importList("opt-out", ["ana@example.com", "nobody@example.com"], ["--channels", "email"]);
  assert.equal(report.accepted, 2);
  assert.equal(report.withdrawn, 1, "one listed contact had consent to withdraw");
  const after = await state(ana);
  assert.equal(after["email:newsletter"].state, "withdrawn");
  assert.equal(after["post:catalogue"].state, "granted", "post was not on the list");
  const told = (await deliveries()).filter((d) => d.subject === ana && d.kind === "opt_in.withdrawn");
  assert.equal(told.length, 1, "the CRM is told once");
  // The import record says which channels the list withdrew.
  const [imported] = storedRows(edge, `SELECT json_extract(record, '$.import') AS facts FROM entries WHERE json_extract(record, '$.event.action') = 'import'`);
  assert.deepEqual(JSON.parse(imported.facts), { kind: "opt_out", channels: ["email"], count: 2, digest: JSON.parse(imported.facts).digest });

  // Ana opts in again: her own new choice, through a link mailed to her.
  const again = await optIn(edge, "ana@example.com", { confirm: false });
  assert.equal(again.record.event.subject, ana);
  assert.equal((await state(ana))["email:newsletter"].state, "pending");
  const [mail] = await mailsTo("ana@example.com");
  assert.equal((await fetch(mail.mail.link, { method: "POST" })).status, 200);
  assert.equal((await state(ana))["email:newsletter"].state, "granted");
});

test("a block list withdraws every channel; a blocked address's submission reads as any other's and stores nothing", async () => {
  const cy = (await optIn(edge, "cy@example.com", { ticked: ["email:newsletter", "post:catalogue"] })).record.event.subject;
  const report = importList("block", ["cy@example.com", "dan@example.com"], ["--kind", "blocked"]);
  assert.deepEqual([report.accepted, report.withdrawn], [2, 1]);
  const now = await state(cy);
  assert.equal(now["email:newsletter"].state, "withdrawn");
  assert.equal(now["post:catalogue"].state, "withdrawn");

  // Dan (never seen) and Cy (known) are blocked; Eve is not. All three answers read alike.
  const entries = () => storedRows(edge, "SELECT count(*) AS n FROM entries").reduce((n, r) => n + r.n, 0);
  const contacts = (email) => storedRows(edge, `SELECT count(*) AS n FROM contacts WHERE lookup = '${lookupKey(email)}'`).reduce((n, r) => n + r.n, 0);
  const before = entries();
  const dan = await submit("dan@example.com");
  const cyAgain = await submit("cy@example.com");
  const eve = await submit("eve@example.com");
  assert.deepEqual([dan.status, cyAgain.status], [202, 202]);
  assert.deepEqual(dan.said, eve.said, "a blocked address is answered as any other");
  assert.deepEqual(cyAgain.said, eve.said);
  assert.equal(entries(), before + 1, "only Eve's submission is stored");
  assert.equal(contacts("dan@example.com"), 0, "no contact for a blocked address");
  assert.deepEqual(await mailsTo("dan@example.com"), [], "no mail to a blocked address");
  assert.equal((await mailsTo("cy@example.com")).length, 1, "only the first opt-in's mail");
  assert.equal((await state(cy))["email:newsletter"].state, "withdrawn");

  // An opt-out list never weakens a block.
  const weaker = importList("weaker", ["dan@example.com"], []);
  assert.deepEqual([weaker.accepted, weaker.duplicated], [0, 1]);
});

test("the owner lists, searches, exports and removes entries: each audited, a removal a record, a read key may only look", async () => {
  const list = async (query, key = reader) => ownerCall(edge, `${BASE}/suppressions${query}`, key);
  const all = await (await list("?limit=1000")).json();
  const byLookup = Object.fromEntries(all.entries.map((e) => [e.lookup, e]));
  assert.equal(byLookup[lookupKey("dan@example.com")].kind, "blocked");
  assert.equal(byLookup[lookupKey("nobody@example.com")].kind, "opt_out");
  assert.ok(all.entries.every((e, i) => i === 0 || all.entries[i - 1].lookup < e.lookup), "ordered by lookup key");
  assert.equal(all.next, null);
  assert.ok(!JSON.stringify(all).includes("@"), "no address in the list");
  // Paging: one at a time, to the end.
  const first = await (await list("?limit=1")).json();
  assert.equal(first.entries.length, 1);
  const second = await (await list(`?limit=1&after=${first.next}`)).json();
  assert.equal(second.entries[0].lookup, all.entries[1].lookup);
  // Of one kind; by address; as CSV.
  const blocked = await (await list("?kind=blocked")).json();
  assert.deepEqual(blocked.entries.map((e) => e.kind).sort(), ["blocked", "blocked"]);
  const found = await (await list("?email=DAN%40Example.com")).json();
  assert.deepEqual(found.entries.map((e) => e.lookup), [lookupKey("dan@example.com")]);
  assert.deepEqual((await (await list("?email=zed%40example.com")).json()).entries, []);
  const csv = await (await list("?format=csv")).text();
  assert.equal(csv.split("\n")[0], "lookup,kind,since,event_id");
  assert.equal(csv.trim().split("\n").length, all.entries.length + 1);
  for (const bad of ["?kind=erase", "?limit=0", "?limit=1001", "?after=xyz", "?email=not-an-address", "?colour=red"]) {
    assert.equal((await list(bad)).status, 400, bad);
  }

  // Removal: a read key may not; the writer may, once.
  const dan = lookupKey("dan@example.com");
  const remove = (key, lookup = dan) => ownerCall(edge, `${BASE}/suppressions/${lookup}`, key, { method: "DELETE" });
  assert.equal((await remove(reader)).status, 403);
  const removed = await remove(writer);
  assert.equal(removed.status, 200);
  const { event_id } = await removed.json();
  const [record] = storedRows(edge, `SELECT record FROM entries WHERE event_id = '${event_id}'`).map((r) => JSON.parse(r.record));
  assert.equal(record.event.action, "unlist");
  assert.equal(record.import.removed, true);
  assert.equal(record.import.kind, "blocked");
  assert.equal(record.import.count, 1);
  const gone = await remove(writer);
  assert.equal(gone.status, 404);
  assert.equal((await gone.json()).error.code, "not_listed");
  assert.equal((await remove(writer, "not-a-key")).status, 404);
  // Dan may opt in now.
  const back = await submit("dan@example.com");
  assert.equal(storedRows(edge, `SELECT count(*) AS n FROM entries WHERE event_id = '${back.eventId}'`).reduce((n, r) => n + r.n, 0), 1);

  // The same from the CLI: find, export, remove by address.
  const cliFound = assent(["lists", "find", ...owner(reader), "--email", "nobody@example.com"]);
  assert.equal(cliFound.status, 0, cliFound.stderr);
  assert.deepEqual(JSON.parse(cliFound.stdout).entries.map((e) => [e.lookup, e.kind]), [[lookupKey("nobody@example.com"), "opt_out"]]);
  const cliCsv = assent(["lists", "export", ...owner(reader)]);
  assert.equal(cliCsv.stdout.split("\n")[0], "lookup,kind,since,event_id");
  assert.ok(cliCsv.stdout.includes(lookupKey("nobody@example.com")));
  const cliRemoved = assent(["lists", "remove", ...owner(writer), "--email", "nobody@example.com"]);
  assert.equal(cliRemoved.status, 0, cliRemoved.stderr);
  assert.equal(JSON.parse(cliRemoved.stdout).removed, lookupKey("nobody@example.com"));
  assert.notEqual(assent(["lists", "remove", ...owner(writer), "--email", "nobody@example.com"]).status, 0, "on no list any more");

  // Each call is in the audit trail, under its operation.
  const audit = await (await ownerCall(edge, `${BASE}/audit`, edge.adminKey)).json();
  const ops = audit.entries.map((e) => `${e.op} ${e.who} ${e.allowed}`);
  for (const op of ["suppressions.import list desk true", "suppressions.list analyst true", "suppressions.remove list desk true", "suppressions.remove analyst false"]) {
    assert.ok(ops.includes(op), op);
  }
});

test("the log with its list records (imports, withdrawals, the removal) verifies with the CLI", async () => {
  const actions = storedRows(edge, "SELECT json_extract(record, '$.event.action') AS a FROM entries").map((r) => r.a);
  for (const a of ["import", "withdraw", "unlist"]) assert.ok(actions.includes(a), a);
  const { valid, stderr, doubled } = await auditLog(edge, "example", new Set(), 1);
  assert.equal(doubled, 0);
  assert.ok(valid, stderr);
});
