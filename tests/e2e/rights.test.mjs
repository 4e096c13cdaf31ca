// Data-subject rights and the owner's access, against the real worker and
// the built `assent` CLI: site keys with scopes (created, listed and revoked
// by the operator), every refusal of a key with its code and nothing
// changed, lookup by email, the export in JSON and CSV (formula-safe), an
// erasure that destroys the vault's bytes in the Durable Object's SQLite
// files while every proof still verifies, a re-addition flagged, and the
// hash-chained audit trail of all of it. The site is `example`; the demo
// site's retention, pseudonymous mode and recycle bin (30 days, its CRM
// webhook answered by a local receiver) are tested at the end.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEdge, storedRows, assent, scratch, optIn as sharedOptIn, centerSession, centerAct } from "./harness.mjs";

// The demo site's CRM: every message is acknowledged and kept.
const hooked = []; // {type, subject, contact}
let receiver;
async function startReceiver() {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hooked.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise((ok) => receiver.listen(0, "127.0.0.1", ok));
  return `http://127.0.0.1:${receiver.address().port}/crm`;
}

let edge, form, dir;
before(async () => {
  const hook = await startReceiver();
  const secret = "whsec_" + Buffer.from("assent-rights-test-secret-01234").toString("base64");
  edge = await startEdge({ rateLimit: false, vars: { DEMO_CRM_WEBHOOK_URL: hook, DEMO_CRM_WEBHOOK_SECRET: secret } });
  form = await (await fetch(`${edge.url}/v1/sites/example/forms/newsletter?lang=en`)).json();
  dir = scratch();
});
after(async () => {
  await edge?.stop();
  receiver?.close();
});

const call = (path, key, init = {}) =>
  fetch(`${edge.url}${path}`, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers ?? {}) } });
const owner = (key, site = "example") => ["--edge", edge.url, "--site", site, "--admin-key", key];
const total = async () => (await (await call("/v1/admin/sites/example/events?limit=1", edge.adminKey)).json()).total;

/** Creates a site key with the CLI (the operator's key) and returns {id, key}. */
function createKey(name, scopes, site = "example") {
  const r = assent(["keys", "admin", "create", ...owner(edge.adminKey, site), "--name", name, "--scopes", scopes]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /shown once/);
  const created = JSON.parse(r.stdout);
  assert.match(created.key, new RegExp(`^ask\\.${site}\\.[0-9a-f]{16}\\.[A-Za-z0-9_-]{43}$`));
  return created;
}

const optIn = (email, identity = {}) => sharedOptIn(edge, email, { identity });

/** Every byte of every file of the worker's state (databases, WALs, journals). */
function everyStoredByte({ wal = true } = {}) {
  const root = join(edge.state, "persist");
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && (wal || !d.name.endsWith("-wal")))
    .map((d) => readFileSync(join(d.parentPath ?? d.path, d.name)));
}

let reader, exporter, writer;

test("the operator creates, lists and revokes site keys with the CLI; only hashes are stored", () => {
  reader = createKey("analyst", "read");
  exporter = createKey("DPO Ana", "read,export");
  writer = createKey("erasure desk", "write");
  const list = assent(["keys", "admin", "list", ...owner(edge.adminKey)]);
  assert.equal(list.status, 0, list.stderr);
  const keys = JSON.parse(list.stdout).keys;
  assert.deepEqual(keys.map((k) => [k.name, k.scopes.join(",")]), [["analyst", "read"], ["DPO Ana", "read,export"], ["erasure desk", "write"]]);
  assert.ok(keys.every((k) => /^\d{4}-\d\d-\d\dT/.test(k.created_at) && k.revoked_at === null));
  assert.ok(!list.stdout.includes(reader.key.split(".")[3]), "no secret listed");
  const rows = JSON.stringify(storedRows(edge, "SELECT data FROM admin_keys"));
  for (const k of [reader, exporter, writer]) assert.ok(!rows.includes(k.key.split(".")[3]), "no secret stored");
  // A site key may not manage keys, and bad names or scopes are refused.
  const self = assent(["keys", "admin", "list", ...owner(exporter.key)]);
  assert.equal(self.status, 2);
  assert.match(self.stderr, /403 \[operator_only\]/);
  const bad = assent(["keys", "admin", "create", ...owner(edge.adminKey), "--name", "x", "--scopes", "read,admin"]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /scope_invalid/);
});

test("a key's name and scopes are checked over HTTP, and a bad body creates nothing", async () => {
  const create = (body) => call("/v1/admin/sites/example/keys", edge.adminKey, {
    method: "POST", headers: { "content-type": "application/json" }, body,
  });
  const count = async () => (await (await call("/v1/admin/sites/example/keys", edge.adminKey)).json()).keys.length;
  const before = await count();
  for (const [body, code] of [
    [JSON.stringify({ name: "x", scopes: ["read", "admin"] }), "scope_invalid"],
    [JSON.stringify({ name: "x", scopes: [] }), "scope_invalid"],
    [JSON.stringify({ name: "x", scopes: ["read", "read"] }), "scope_invalid"],
    [JSON.stringify({ name: "operator", scopes: ["read"] }), "key_name_invalid"],
    [JSON.stringify({ name: "a\u0007b", scopes: ["read"] }), "key_name_invalid"],
    ['{"name":"x","name":"y","scopes":["read"]}', "event_malformed"],
    [JSON.stringify({ name: "x", scopes: ["read"], admin: true }), "event_malformed"],
  ]) {
    const r = await create(body);
    assert.equal(r.status, 400, body);
    assert.equal((await r.json()).error.code, code, body);
  }
  assert.equal(await count(), before, "no key was created");
});

test("every refusal has its status and code, and changes nothing", async () => {
  const answer = await optIn("refusals@example.com");
  const subject = answer.record.event.subject;
  const erase = `/v1/admin/sites/example/subjects/${subject}/erasure`;
  const exportPath = `/v1/admin/sites/example/subjects/${subject}/export`;
  const forged = reader.key.slice(0, -2) + (reader.key.endsWith("AA") ? "BB" : "AA");
  const other = createKey("demo reader", "read,export,write", "demo");
  const size = await total();
  const cases = [
    [erase, undefined, 401, "unauthorized"],
    [erase, "not-a-key", 401, "unauthorized"],
    [erase, forged, 401, "unauthorized"],
    [erase, other.key, 403, "key_other_site"],
    [erase, reader.key, 403, "scope_missing"],
    [erase, exporter.key, 403, "scope_missing"],
    [exportPath, reader.key, 403, "scope_missing"],
    ["/v1/admin/sites/example/keys", writer.key, 403, "operator_only"],
    ["/v1/admin/sites/example/export", reader.key, 403, "scope_missing"],
    ["/v1/admin/sites/example/mail", reader.key, 403, "scope_missing"],
  ];
  for (const [path, key, status, code] of cases) {
    const method = path.endsWith("erasure") ? "POST" : "GET";
    const r = await call(path, key, { method });
    assert.equal(r.status, status, `${method} ${path} with ${key?.slice(0, 20)}`);
    assert.equal((await r.json()).error.code, code, path);
  }
  assert.equal(await total(), size, "nothing was appended");
  const state = await (await call(`/v1/admin/sites/example/subjects/${subject}/state`, reader.key)).json();
  assert.equal(state.offers["email:newsletter"].state, "granted", "nothing was erased");

  // Revoked: refused from then on, and listed with its date.
  const temp = createKey("temp", "read");
  assert.equal((await call(`/v1/admin/sites/example/subjects/${subject}/state`, temp.key)).status, 200);
  const revoked = assent(["keys", "admin", "revoke", ...owner(edge.adminKey), temp.id]);
  assert.equal(revoked.status, 0, revoked.stderr);
  assert.match(JSON.parse(revoked.stdout).revoked_at, /^\d{4}-/);
  const r = await call(`/v1/admin/sites/example/subjects/${subject}/state`, temp.key);
  assert.equal(r.status, 401);
  assert.equal((await r.json()).error.code, "key_revoked");
  const unknown = await call("/v1/admin/sites/example/keys/0123456789abcdef/revoke", edge.adminKey, { method: "POST" });
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.code, "admin_key_unknown");
});

test("find by email, export as JSON and formula-safe CSV, erase: the vault's bytes leave the SQLite files, every proof still verifies, a re-addition is flagged", async () => {
  const answer = await optIn("Erin@Example.com", { name: "=cmd|' /C calc'!A0", phone: "+44 7400 123456" });
  const subject = answer.record.event.subject;
  // Find: by the normalised address.
  const found = await (await call(`/v1/admin/sites/example/subjects?email=${encodeURIComponent(" ERIN@example.COM ")}`, reader.key)).json();
  assert.deepEqual(found.subjects.map((s) => s.subject), [subject]);
  assert.equal(found.suppressed, null);
  const cliFind = assent(["subjects", "find", ...owner(reader.key), "--email", "erin@example.com"]);
  assert.equal(JSON.parse(cliFind.stdout).subjects[0].subject, subject);

  // Export, JSON: identity, both records with receipts and their 27560 terms.
  const exported = await (await call(`/v1/admin/sites/example/subjects/${subject}/export`, exporter.key)).json();
  assert.equal(exported.identity.email, "erin@example.com");
  assert.deepEqual(exported.records.map((r) => r.ts27560.event_type), ["given", "confirmed"]);
  assert.equal(exported.state["email:newsletter"].state, "granted");
  assert.equal(exported.records[0].receipt, answer.receipt);
  assert.equal(exported.records[0].ts27560.collection_method, "form/submit");
  const receiptFile = join(dir, "erin.jws");
  writeFileSync(receiptFile, answer.receipt);
  // Export, CSV: a header, a row per record, the formula neutralised.
  const csv = assent(["subjects", "export", ...owner(exporter.key), subject, "--csv"]);
  assert.equal(csv.status, 0, csv.stderr);
  const lines = csv.stdout.trim().split("\n");
  assert.match(lines[0], /^index,event_time,event_id,event_type,/);
  assert.equal(lines.length, 3);
  // Every identity field on each row, the phone among them.
  const header = lines[0].split(",");
  for (const field of ["email", "name", "phone", "parent_email"]) assert.ok(header.includes(field), field);
  // (A leading + starts a formula in a sheet: neutralised like the name.)
  assert.ok(lines.slice(1).every((l) => l.includes(",'+447400123456,")), "the phone on every row");
  assert.ok(csv.stdout.includes("'=cmd|' /C calc'!A0"), "the formula starts with a quote");
  assert.ok(!/(^|,)=cmd/m.test(csv.stdout), "no cell starts with =");

  // What erasure must destroy, read from the object's SQLite before it runs.
  const [vault] = storedRows(edge, `SELECT hex(key) AS key, hex(salt) AS salt, lookup FROM contacts WHERE subject = '${subject}'`);
  const sealed = storedRows(edge, `SELECT hex(sealed) AS sealed FROM identities WHERE subject = '${subject}'`);
  assert.ok(vault && sealed.length >= 1);
  const secrets = [vault.key, vault.salt, ...sealed.map((s) => s.sealed)].map((h) => Buffer.from(h, "hex"));
  assert.ok(everyStoredByte().some((b) => b.indexOf(secrets[0]) >= 0), "the key is on disk before");

  const erased = assent(["subjects", "erase", ...owner(writer.key), subject]);
  assert.equal(erased.status, 0, erased.stderr);
  const erasure = JSON.parse(erased.stdout);
  assert.equal(erasure.record.event.action, "erase");
  assert.equal(erasure.record.form.outcome, "erased");

  // Gone from the database at once: overwritten with zeroes, then deleted.
  const database = () => everyStoredByte({ wal: false });
  for (const secret of secrets) {
    assert.ok(database().every((b) => b.indexOf(secret) < 0), "vault bytes are gone from the database file");
  }
  // Locally, SQLite's write-ahead log keeps superseded pages until SQLite
  // writes over them (workerd offers no checkpoint to the object; see the
  // docs/rights.md's "Erasure"). The address itself was never on disk in clear.
  const bytes = everyStoredByte();
  for (const plain of ["erin@example.com", "Erin@Example.com", "calc'!A0"]) {
    assert.ok(bytes.every((b) => b.indexOf(Buffer.from(plain)) < 0), `${plain} is nowhere on disk`);
  }
  assert.equal(storedRows(edge, `SELECT count(*) AS n FROM contacts WHERE subject = '${subject}'`)[0].n, 0);
  assert.equal(storedRows(edge, `SELECT event_id FROM suppressions WHERE lookup = '${vault.lookup}'`)[0].event_id, erasure.record.event.event_id);

  // The export names no one; the state says erased.
  const after = await (await call(`/v1/admin/sites/example/subjects/${subject}/export`, exporter.key)).json();
  assert.equal(after.identity, null);
  assert.equal(after.erased_by, erasure.record.event.event_id);
  assert.equal(after.state["email:newsletter"].state, "erased");
  assert.ok(!JSON.stringify(after).includes("erin@"));
  assert.ok(!JSON.stringify(after).includes("calc"));

  // Every proof still verifies with the auditor's CLI.
  const v = assent(["verify", "receipt", "--edge", edge.url, receiptFile]);
  assert.equal(v.status, 0, v.stderr);
  const inc = assent(["verify", "inclusion", "--edge", edge.url, "--site", "example", receiptFile]);
  assert.equal(inc.status, 0, inc.stderr);

  // A second erasure answers the first; the CRM is told.
  const again = await call(`/v1/admin/sites/example/subjects/${subject}/erasure`, writer.key, { method: "POST" });
  assert.equal(again.status, 200);
  assert.equal((await again.json()).receipt, erasure.receipt);
  const deliveries = (await (await call("/v1/admin/sites/example/webhooks", reader.key)).json()).deliveries;
  assert.ok(deliveries.some((d) => d.kind === "subject.erased" && d.event_id === erasure.record.event.event_id));

  // The same address again: a new subject, flagged as a re-addition.
  const back = await optIn("erin@example.com");
  assert.notEqual(back.record.event.subject, subject);
  assert.equal(back.record.form.readds, erasure.record.event.event_id);
  const refound = await (await call(`/v1/admin/sites/example/subjects?email=erin%40example.com`, reader.key)).json();
  assert.equal(refound.subjects[0].subject, back.record.event.subject);
  assert.equal(refound.suppressed.kind, "erased");
  assert.ok(Date.parse(refound.suppressed.since) <= Date.now());
  assert.ok(!JSON.stringify(refound).includes(erasure.record.event.event_id), "never which record");
  assert.ok(!JSON.stringify(refound).includes(subject), "nor which subject");
  const unknown = await call(`/v1/admin/sites/example/subjects/${randomUUID()}/export`, exporter.key);
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.code, "subject_unknown");
});

test("the audit trail names who did what to whom, refused or not, and verifies as a chain; an entry edited in the store, its own hash recomputed, breaks it", async () => {
  const r = assent(["audit", ...owner(exporter.key)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /verified as a chain/);
  const entries = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const seen = (who, op, allowed) => entries.some((e) => e.who === who && e.op === op && e.allowed === allowed);
  assert.ok(seen("operator", "key.create", true));
  assert.ok(seen("operator", "key.revoke", true));
  assert.ok(seen("erasure desk", "subject.erase", true));
  assert.ok(seen("analyst", "subject.erase", false), "a refusal for scope is recorded");
  assert.ok(seen("DPO Ana", "subject.export", true));
  assert.ok(seen("temp", "subject.state", false), "a revoked key's attempt is recorded");
  const erase = entries.find((e) => e.op === "subject.erase" && e.allowed);
  assert.match(erase.target, /^[0-9a-f-]{36}$/, "the target is a subject id");
  assert.ok(!r.stdout.includes("@"), "no address in the trail");
  assert.ok(entries.every((e, i) => e.seq === i + 1));
  const stored = storedRows(edge, "SELECT data FROM audit").filter((r) => JSON.parse(r.data).hash && entries.some((e) => e.hash === JSON.parse(r.data).hash));
  assert.equal(stored.length, entries.length, "every entry is stored as listed");

  // Tampering shows: an entry's target edited in the object's SQLite with
  // its own hash recomputed (as a careful forger would: version 2 hashes the
  // key's id and what was done to whom, not the erasable name) still breaks
  // the chain, at the next entry, whose `prev` names the old hash.
  const victim = entries[2];
  assert.equal(victim.version, 2);
  const canonical = (o) => "{" + Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(o[k])}`).join(",") + "}";
  const hashed = (e) => ({ seq: e.seq, at_ms: e.at_ms, operator: e.key === null, key: e.key, op: e.op, target: e.target, allowed: e.allowed, prev: e.prev });
  assert.equal(createHash("sha256").update("assent/audit/v2\0").update(canonical(hashed(victim))).digest("hex"), victim.hash, "the hash is what the docs say");
  const forged = { ...victim, target: "nobody" };
  forged.hash = createHash("sha256").update("assent/audit/v2\0").update(canonical(hashed(forged))).digest("hex");
  const file = readdirSync(join(edge.state, "persist/v3/do"), { recursive: true })
    .map((f) => join(edge.state, "persist/v3/do", f))
    .find((f) => /SiteDirectory\/[0-9a-f]+\.sqlite$/.test(f) && spawnSync("sqlite3", ["-readonly", f, `SELECT 1 FROM audit WHERE seq = ${victim.seq} AND data LIKE '%${victim.hash}%'`], { encoding: "utf8" }).stdout.trim() === "1");
  const original = storedRows(edge, `SELECT data FROM audit WHERE data LIKE '%${victim.hash}%'`)[0].data;
  const write = (data) => {
    const r = spawnSync("sqlite3", [file, `UPDATE audit SET data = '${data.replaceAll("'", "''")}' WHERE seq = ${victim.seq}`], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  };
  await edge.down();
  write(JSON.stringify(forged));
  await edge.up();
  const broken = assent(["audit", ...owner(exporter.key)]);
  assert.equal(broken.status, 1, `a forged entry verifies: ${broken.stderr}`);
  assert.match(broken.stderr, new RegExp(`broken at entry ${victim.seq + 1}\\b`), "the break is named at the entry after the forged one");
  // Put back, the chain verifies again.
  await edge.down();
  write(original);
  await edge.up();
  assert.equal(assent(["audit", ...owner(exporter.key)]).status, 0);
});

test("the counters the log keeps equal a recount of the exported log", async () => {
  const reader = createKey("stats reader", "read").key;
  const r = await call("/v1/admin/sites/example/stats?days=7", reader);
  assert.equal(r.status, 200);
  const stats = await r.json();
  assert.equal(stats.days.length, 7);
  assert.equal(stats.days[6], new Date().toISOString().slice(0, 10));
  const exported = await (await call("/v1/admin/sites/example/export", edge.adminKey)).text();
  const records = exported.trim().split("\n").map((l) => JSON.parse(l).record);
  const today = (key) => stats.counts[key]?.[6] ?? 0;
  const isToday = (rec) => new Date(rec.received_at_ms).toISOString().slice(0, 10) === stats.days[6];
  assert.equal(today("records"), records.filter(isToday).length);
  const submissions = records.filter((rec) => isToday(rec) && rec.event.ui.control === "submit");
  assert.ok(submissions.length > 0);
  assert.equal(today("surface:form"), submissions.length);
  assert.equal(today("offer:email:newsletter:ticked"), submissions.filter((rec) => rec.event.form.offers["email:newsletter"]).length);
  assert.equal(today("action:confirm"), records.filter((rec) => isToday(rec) && rec.event.action === "confirm").length);
  assert.equal(today("subjects:erased"), records.filter((rec) => isToday(rec) && rec.event.action === "erase").length);
  const bad = await call("/v1/admin/sites/example/stats?days=0", reader);
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, "query_invalid");
});

test("retention: the dry run lists, with a forced clock, what the run then anonymises; nothing else changes", async () => {
  const reader = createKey("retention reader", "read", "demo").key;
  const runnerDemo = createKey("retention runner", "write", "demo").key;
  // The demo site has the policy (and is pseudonymous: identities are checked in its store).
  const waiting = (await sharedOptIn(edge, "wren@example.com", { confirm: false, site: "demo" })).record.event.subject;
  const kept = (await sharedOptIn(edge, "xia@example.com", { site: "demo" })).record.event.subject;
  const day = 86_400_000;
  const dry = async (at, key = reader) => (await (await call(`/v1/admin/sites/demo/retention?as_of=${at}`, key)).json());
  const now = Date.now();
  const demoTotal = async () => (await (await call("/v1/admin/sites/demo/events?limit=1", edge.adminKey)).json()).total;
  const size = await demoTotal();
  assert.deepEqual((await dry(now)).subjects.filter((s) => [waiting, kept].includes(s.subject)), []);
  const month = await dry(now + 31 * day);
  assert.deepEqual(month.policy, { inactive_days: 730, unconfirmed_days: 30 });
  assert.deepEqual(month.subjects.filter((s) => [waiting, kept].includes(s.subject)).map((s) => [s.subject, s.reason]), [[waiting, "unconfirmed"]]);
  const later = (await dry(now + 731 * day)).subjects.filter((s) => [waiting, kept].includes(s.subject));
  assert.deepEqual(later.map((s) => s.reason).sort(), ["inactive", "inactive"]);
  assert.equal(await demoTotal(), size, "a dry run changes nothing");
  const refused = await call(`/v1/admin/sites/demo/retention/run?as_of=${now + 31 * day}`, reader, { method: "POST" });
  assert.equal(refused.status, 403);
  const ran = await (await call(`/v1/admin/sites/demo/retention/run?as_of=${now + 31 * day}`, runnerDemo, { method: "POST" })).json();
  assert.ok(ran.subjects.some((s) => s.subject === waiting));
  assert.ok(!ran.subjects.some((s) => s.subject === kept));
  const gone = await (await call(`/v1/admin/sites/demo/subjects/${waiting}/export`, edge.adminKey)).json();
  assert.equal(gone.erased_by !== null, true);
  assert.equal(gone.records.at(-1).record.event.ui.surface, "schedule");
  const contacts = (subject) => storedRows(edge, `SELECT count(*) AS n FROM contacts WHERE subject = '${subject}'`).reduce((a, r) => a + r.n, 0);
  assert.equal(contacts(waiting), 0, "anonymised");
  assert.equal(contacts(kept), 1, "kept");
  const again = await (await call(`/v1/admin/sites/demo/retention/run?as_of=${now + 31 * day}`, runnerDemo, { method: "POST" })).json();
  assert.ok(!again.subjects.some((s) => s.subject === waiting), "nothing twice");
});

test("pseudonymous mode (the demo site): the owner's export shows the subject id, never the identity", async () => {
  const answer = await sharedOptIn(edge, "yara@example.com", { site: "demo" });
  const subject = answer.record.event.subject;
  const exported = await (await call(`/v1/admin/sites/demo/subjects/${subject}/export`, edge.adminKey)).json();
  assert.equal(exported.subject, subject);
  assert.equal(exported.identity, null);
  assert.ok(!JSON.stringify(exported).includes("yara"));
  const csv = await (await call(`/v1/admin/sites/demo/subjects/${subject}/export?format=csv`, edge.adminKey)).text();
  assert.ok(!csv.includes("yara"));
  // The lookup by the address the owner already knows still finds the subject.
  const found = await (await call(`/v1/admin/sites/demo/subjects?email=yara%40example.com`, edge.adminKey)).json();
  assert.equal(found.subjects[0].subject, subject);
});

test("restriction, objection per channel and rectification are events: state, export and the CRM see them; none edits a record", async () => {
  const writer = createKey("rights desk", "write").key;
  const answer = await sharedOptIn(edge, "zoe@example.com", { ticked: ["email:newsletter", "post:catalogue"], identity: { name: "Zoe" } });
  const subject = answer.record.event.subject;
  const post = (what, body, key = writer) => call(`/v1/admin/sites/example/subjects/${subject}/${what}`, key, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  const before = await (await call("/v1/admin/sites/example/export", edge.adminKey)).text();
  const state = async () => (await (await call(`/v1/admin/sites/example/subjects/${subject}/state`, edge.adminKey)).json());

  // Restriction: an event; consent unchanged; the state and export say so.
  let r = await post("restriction", { restricted: false });
  assert.equal(r.status, 409);
  assert.equal((await r.json()).error.code, "not_restricted", "nothing to lift");
  r = await post("restriction", { restricted: true });
  assert.equal(r.status, 201);
  assert.equal((await r.json()).record.event.action, "restrict");
  assert.equal((await state()).restricted, true);
  assert.equal((await state()).offers["email:newsletter"].state, "granted");
  assert.equal((await post("restriction", { restricted: true })).status, 200, "the same state again: the first answer");
  const exported = await (await call(`/v1/admin/sites/example/subjects/${subject}/export`, edge.adminKey)).json();
  assert.equal(exported.restricted, true);
  assert.equal(exported.records.at(-1).ts27560.event_type, "restricted");
  r = await post("restriction", { restricted: false });
  assert.equal((await r.json()).record.event.action, "lift_restriction");
  assert.equal((await state()).restricted, false);
  assert.equal((await post("restriction", { restricted: "yes" })).status, 400);

  // Objection to a channel: its own action (an `object` record), its
  // offers objected, the others kept; the same again answers it.
  r = await post("objection", { channel: "post" });
  assert.equal(r.status, 201);
  const objection = await r.json();
  assert.equal(objection.record.event.action, "object");
  assert.equal((await state()).offers["post:catalogue"].state, "objected");
  assert.equal((await state()).offers["email:newsletter"].state, "granted");
  r = await post("objection", { channel: "post" });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).receipt, objection.receipt);
  assert.equal((await post("objection", { channel: "fax" })).status, 400);

  // Rectification: a new identity under a new commitment; the email stays.
  r = await post("rectification", { name: "Zoë  Quinn" });
  assert.equal(r.status, 201);
  const rectified = await r.json();
  assert.equal(rectified.record.form.outcome, "rectified");
  assert.notEqual(rectified.record.form.identity, answer.record.form.identity);
  const after = await (await call(`/v1/admin/sites/example/subjects/${subject}/export`, edge.adminKey)).json();
  assert.equal(after.identity.name, "Zoë Quinn");
  assert.equal(after.identity.email, "zoe@example.com");
  r = await post("rectification", { phone: "12" });
  assert.equal((await r.json()).error.code, "phone_invalid");
  r = await post("rectification", { email: "other@example.com" });
  assert.equal((await r.json()).error.code, "event_malformed", "the email is not rectified here");

  // Nothing stored before was edited: the old export is a prefix of the new.
  const now = await (await call("/v1/admin/sites/example/export", edge.adminKey)).text();
  assert.ok(now.startsWith(before));
  // Scope: a reader may do none of it.
  const reader = createKey("rights reader", "read").key;
  assert.equal((await post("restriction", { restricted: true }, reader)).status, 403);
  // Erased: nothing more.
  await call(`/v1/admin/sites/example/subjects/${subject}/erasure`, writer, { method: "POST" });
  r = await post("restriction", { restricted: true });
  assert.equal(r.status, 410);
  assert.equal((await r.json()).error.code, "subject_erased");
});

/** Polls `check` until it answers truthy (5 s at most). */
async function until(check, what) {
  for (let i = 0; i < 50; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("the recycle bin (the demo site, 30 days): an erasure waits there with the identity kept and nothing sent, is restored, erased again and purged on a forced clock; every proof still verifies", async () => {
  const writer = createKey("bin desk", "write", "demo").key;
  const reader = createKey("bin reader", "read", "demo").key;
  const base = "/v1/admin/sites/demo";
  const answer = await sharedOptIn(edge, "uma@example.com", { site: "demo" });
  const subject = answer.record.event.subject;
  const receiptFile = join(dir, "uma.jws");
  writeFileSync(receiptFile, answer.receipt);
  await until(() => hooked.some((h) => h.subject === subject && h.type === "opt_in.confirmed"), "the CRM's opt-in");
  const erase = (key = writer) => call(`${base}/subjects/${subject}/erasure`, key, { method: "POST" });
  const restore = (key = writer) => call(`${base}/subjects/${subject}/restore`, key, { method: "POST" });
  const purge = (at, key = writer) => call(`${base}/recycle-bin/purge${at ? `?as_of=${at}` : ""}`, key, { method: "POST" });
  const records = async () => (await (await call(`${base}/subjects/${subject}/export`, edge.adminKey)).json()).records;
  const state = async () => (await call(`${base}/subjects/${subject}/state`, reader)).json();
  const contacts = () => storedRows(edge, `SELECT count(*) AS n FROM contacts WHERE subject = '${subject}'`).reduce((a, r) => a + r.n, 0);
  const binned = async () => (await (await call(`${base}/recycle-bin`, reader)).json()).subjects.filter((e) => e.subject === subject);
  const day = 86_400_000;
  const session = await centerSession(edge, "demo", "uma@example.com");
  const logged = (await records()).length;

  // Into the bin: 202 and the entry; no erase event, the identity kept.
  let r = await erase();
  assert.equal(r.status, 202);
  const entry = await r.json();
  assert.equal(entry.subject, subject);
  assert.equal(entry.by, "bin desk");
  assert.equal(Date.parse(entry.purge_at) - Date.parse(entry.deleted_at), 30 * day);
  assert.equal((await records()).length, logged, "no erase event yet");
  assert.equal(contacts(), 1, "the identity is still there");
  const deleted = { at: entry.deleted_at, purge_at: entry.purge_at };
  assert.deepEqual((await state()).deleted, deleted);
  assert.equal((await state()).offers["email:newsletter"].state, "granted");
  const found = await (await call(`${base}/subjects?email=uma%40example.com`, reader)).json();
  assert.deepEqual(found.subjects.map((s) => [s.subject, s.deleted]), [[subject, deleted]]);
  const exported = await (await call(`${base}/subjects/${subject}/export`, edge.adminKey)).json();
  assert.deepEqual(exported.deleted, deleted);
  assert.equal(exported.erased_by, null);
  // Again: the same entry. Listed, by the API and the CLI.
  r = await erase();
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), entry);
  const list = await (await call(`${base}/recycle-bin`, reader)).json();
  assert.equal(list.days, 30);
  assert.deepEqual(await binned(), [entry]);
  const cliList = assent(["recycle-bin", "list", ...owner(reader, "demo")]);
  assert.equal(cliList.status, 0, cliList.stderr);
  assert.deepEqual(JSON.parse(cliList.stdout).subjects.filter((e) => e.subject === subject), [entry]);

  // Nothing is processed: the owner's changes wait for a restore; the
  // person's own withdrawal is recorded, and its webhook held.
  r = await call(`${base}/subjects/${subject}/restriction`, writer, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ restricted: true }) });
  assert.equal(r.status, 409);
  assert.equal((await r.json()).error.code, "subject_in_recycle_bin");
  r = await call(`${base}/subjects/${subject}/objection`, writer, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ channel: "email" }) });
  assert.equal((await r.json()).error.code, "subject_in_recycle_bin");
  // The person withdraws in their privacy center (a session they opened
  // before the erasure: in the bin, no new link is mailed to them).
  r = await centerAct(edge, "demo", session, { action: "withdraw", offer: "all" });
  assert.equal(r.status, 200);
  const withdrawal = (await records()).at(-1).record.event;
  assert.equal(withdrawal.action, "withdraw");
  // A later opt-in of someone else is delivered: the alarm has run past the
  // held delivery's time, and skipped it.
  const barrier = await sharedOptIn(edge, "barrier@example.com", { site: "demo" });
  await until(() => hooked.some((h) => h.subject === barrier.record.event.subject && h.type === "opt_in.confirmed"), "a later delivery");
  assert.ok(!hooked.some((h) => h.event_id === withdrawal.event_id), "no webhook while in the bin");
  const held = (await (await call(`${base}/webhooks`, reader)).json()).deliveries.find((d) => d.event_id === withdrawal.event_id);
  assert.deepEqual([held.state, held.attempts], ["pending", 0], "held, not dropped");

  // Access: no key, a reader's key.
  for (const [send, status, code] of [[() => restore(null), 401, "unauthorized"], [() => purge(null, null), 401, "unauthorized"], [() => restore(reader), 403, "scope_missing"], [() => purge(null, reader), 403, "scope_missing"], [() => purge(Date.now() + 31 * day, reader), 403, "scope_missing"]]) {
    const refused = await send();
    assert.equal(refused.status, status);
    assert.equal((await refused.json()).error.code, code);
  }
  assert.deepEqual(await binned(), [entry], "still in the bin");

  // Restore (the CLI): out of the bin, the held webhook goes out.
  const restored = assent(["subjects", "restore", ...owner(writer, "demo"), subject]);
  assert.equal(restored.status, 0, restored.stderr);
  assert.equal(JSON.parse(restored.stdout).subject, subject);
  assert.equal((await state()).deleted, null);
  assert.deepEqual(await binned(), []);
  await until(() => hooked.some((h) => h.event_id === withdrawal.event_id && h.type === "opt_in.withdrawn"), "the held webhook");
  r = await restore();
  assert.equal(r.status, 409);
  assert.equal((await r.json()).error.code, "not_in_recycle_bin");

  // Erased again (the CLI), then purged: not before its time, then at it.
  const again = assent(["subjects", "erase", ...owner(writer, "demo"), subject]);
  assert.equal(again.status, 0, again.stderr);
  const second = JSON.parse(again.stdout);
  assert.equal(second.subject, subject);
  const [vault] = storedRows(edge, `SELECT hex(key) AS key, hex(salt) AS salt FROM contacts WHERE subject = '${subject}'`);
  const sealed = storedRows(edge, `SELECT hex(sealed) AS sealed FROM identities WHERE subject = '${subject}'`);
  const secrets = [vault.key, vault.salt, ...sealed.map((s) => s.sealed)].map((h) => Buffer.from(h, "hex"));
  const early = await (await purge(Date.parse(second.purge_at) - day)).json();
  assert.deepEqual(early.purged, [], "not due yet");
  assert.equal(contacts(), 1);
  const purged = await (await purge(Date.parse(second.purge_at))).json();
  assert.deepEqual(purged.purged.map((e) => e.subject), [subject]);
  assert.equal(purged.as_of, second.purge_at);
  const erasure = (await records()).at(-1);
  assert.equal(erasure.record.event.action, "erase");
  assert.equal(erasure.record.event.ui.surface, "api");
  assert.equal(erasure.record.received_at_ms, Date.parse(second.purge_at));
  assert.equal(contacts(), 0);
  const database = () => everyStoredByte({ wal: false });
  for (const secret of secrets) {
    assert.ok(database().every((b) => b.indexOf(secret) < 0), "vault bytes are gone from the database file");
  }
  assert.ok(everyStoredByte().every((b) => b.indexOf(Buffer.from("uma@example.com")) < 0), "the address is nowhere on disk");
  // The CRM is told, by a delivery queued on the purge's (forced) clock.
  const told = (await (await call(`${base}/webhooks`, reader)).json()).deliveries.find((d) => d.kind === "subject.erased" && d.subject === subject);
  assert.equal(told.event_id, erasure.record.event.event_id);
  assert.equal(told.next_ms, Date.parse(second.purge_at));

  // Every proof still verifies with the auditor's CLI.
  const v = assent(["verify", "receipt", "--edge", edge.url, receiptFile]);
  assert.equal(v.status, 0, v.stderr);
  const inc = assent(["verify", "inclusion", "--edge", edge.url, "--site", "demo", receiptFile]);
  assert.equal(inc.status, 0, inc.stderr);
  const erasureFile = join(dir, "uma-erasure.jws");
  writeFileSync(erasureFile, erasure.receipt);
  const ve = assent(["verify", "inclusion", "--edge", edge.url, "--site", "demo", erasureFile]);
  assert.equal(ve.status, 0, ve.stderr);

  // Afterwards: the erasure answers, the bin is empty, a restore is too late.
  r = await erase();
  assert.equal(r.status, 200);
  assert.equal((await r.json()).record.event.event_id, erasure.record.event.event_id);
  assert.deepEqual(await binned(), []);
  r = await restore();
  assert.equal(r.status, 410);
  assert.equal((await r.json()).error.code, "subject_erased");
  // The audit trail has all of it.
  const trail = JSON.stringify((await (await call(`${base}/audit`, edge.adminKey)).json()).entries);
  for (const op of ["subject.restore", "recycle_bin.list", "recycle_bin.purge"]) assert.ok(trail.includes(`"op":"${op}"`), op);
});

test("the recycle bin: a new opt-in of a binned address completes the erasure and starts afresh; the owner empties the bin", async () => {
  const writer = createKey("bin desk 2", "write", "demo").key;
  const base = "/v1/admin/sites/demo";
  const first = (await sharedOptIn(edge, "vic@example.com", { site: "demo" })).record.event.subject;
  const other = (await sharedOptIn(edge, "wes@example.com", { site: "demo" })).record.event.subject;
  for (const s of [first, other]) {
    assert.equal((await call(`${base}/subjects/${s}/erasure`, writer, { method: "POST" })).status, 202);
  }
  const back = await sharedOptIn(edge, "vic@example.com", { site: "demo" });
  assert.deepEqual(back.said, { status: "received", event_id: back.record.event.event_id, outcome: "pending" }, "a binned address answers as any other");
  assert.notEqual(back.record.event.subject, first, "not a restore");
  const old = await (await call(`${base}/subjects/${first}/export`, edge.adminKey)).json();
  assert.equal(old.records.at(-1).record.event.action, "erase");
  assert.equal(back.record.form.readds, old.erased_by, "flagged as a re-addition of the erasure");
  assert.equal(old.deleted, null);
  // Emptying the bin (the CLI, no forced clock) erases whoever is left now.
  const emptied = assent(["recycle-bin", "purge", ...owner(writer, "demo")]);
  assert.equal(emptied.status, 0, emptied.stderr);
  assert.deepEqual(JSON.parse(emptied.stdout).purged.map((e) => e.subject), [other]);
  const gone = await (await call(`${base}/subjects/${other}/export`, edge.adminKey)).json();
  assert.ok(gone.erased_by);
  assert.equal((await (await call(`${base}/recycle-bin`, edge.adminKey)).json()).subjects.length, 0);
});
