// A site's log over shards, on the real worker: the demo site grew from one
// shard to four on 2026-12-01 (`log.shards` in edge/sites/demo.json). A
// banner event reaches its subject's shard (placed by the subject id alone,
// computed here independently of core: SHA-256 of the domain and the id,
// first 8 bytes, modulo the count) and is signed under that shard's origin;
// subjects drawn before the growth, and UUIDv4 subjects, stay home under
// the plain origin; the checkpoint route lists every shard; receipts,
// inclusion proofs, exports and `assent verify log` work per shard and for
// the whole site; an erasure of a subject in another shard holds there.
// (The growth of a log with records in it is core's conformance suite,
// run on the edge's SQLite store too: grows_into_shards_without_moving_anyone.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEdge, siteConfig, demoEvent, uuidv7, assent, scratch, ownerCall } from "./harness.mjs";

let edge, en, dir, host;
before(async () => {
  edge = await startEdge({ rateLimit: false });
  en = await siteConfig(edge, "en");
  dir = scratch();
});
after(async () => {
  await edge?.stop();
});

const GROWTH = Date.parse("2026-12-01T00:00:00Z");

/** The shard of a subject, as the spec in core/src/shards.rs says (written again here, on purpose). */
function shardOf(subject) {
  if (subject[14] !== "7") return 0;
  const drawn = parseInt(subject.slice(0, 8) + subject.slice(9, 13), 16);
  const count = drawn < GROWTH ? 1 : 4;
  const digest = createHash("sha256").update("assent/shard/v1\0").update(subject).digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(count));
}

const post = (event, key) =>
  fetch(`${edge.url}/v1/sites/demo/events`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { "assent-key": key } : {}) },
    body: JSON.stringify(event),
  });
const claims = (jws) => JSON.parse(Buffer.from(jws.split(".")[1], "base64url"));
const owner = (path, init) => ownerCall(edge, path, edge.adminKey, init);
const file = (name, text) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// Subjects drawn now, until every shard has three (deterministic in what it checks).
const placed = [[], [], [], []];

test("a banner event reaches its subject's shard and is signed under that shard's origin", async () => {
  // Home first: a UUIDv4 subject names the plain origin.
  const home = await post(demoEvent(en));
  assert.equal(home.status, 201);
  const origin = claims((await home.json()).receipt).log.origin;
  host = origin.slice(0, origin.lastIndexOf("/demo"));
  assert.equal(origin, `${host}/demo`);

  while (placed.some((p) => p.length < 3)) {
    const subject = uuidv7(Date.now());
    const k = shardOf(subject);
    if (placed[k].length >= 3) continue;
    const key = randomUUID();
    const r = await post(demoEvent(en, { subject }), key);
    assert.equal(r.status, 201, await r.clone().text());
    const answer = await r.json();
    const c = claims(answer.receipt);
    assert.equal(c.log.origin, k === 0 ? `${host}/demo` : `${host}/demo/${k}`, subject);
    assert.equal(answer.log.origin, c.log.origin);
    placed[k].push({ subject, key, answer });
  }
  // Each shard is its own tree: its first subjects are its first leaves.
  for (const k of [1, 2, 3]) {
    assert.deepEqual(placed[k].map((p) => p.answer.log.index), [0, 1, 2], `shard ${k}`);
  }
});

test("subjects drawn before the growth and UUIDv4 subjects stay home", async () => {
  for (const subject of [uuidv7(GROWTH - 86_400_000), uuidv7(GROWTH - 1), randomUUID()]) {
    assert.equal(shardOf(subject), 0);
    const r = await post(demoEvent(en, { subject }), randomUUID());
    assert.equal(r.status, 201);
    assert.equal(claims((await r.json()).receipt).log.origin, `${host}/demo`);
  }
  // A subject drawn more than a day ahead of the edge's clock could land in
  // a layout configured after it was first seen: refused, nothing stored.
  const ahead = uuidv7(Date.now() + 2 * 86_400_000);
  const r = await post(demoEvent(en, { subject: ahead }));
  assert.equal(r.status, 400);
  assert.equal((await r.json()).error.code, "client_time_skew");
  const list = await (await owner("/v1/admin/sites/demo/events?limit=500")).json();
  assert.ok(!list.records.some((x) => x.record.event.subject === ahead));
});

test("a subject's later events chain in its shard, with its key", async () => {
  const { subject, key, answer } = placed[2][0];
  const give = demoEvent(en, {
    subject, action: "give", decisions: { necessary: true, analytics: true, marketing: false, personalisation: false },
    ui: { surface: "banner", control: "accept_all" },
  });
  assert.equal((await post(give, randomUUID())).status, 401, "another key writes nothing");
  const r = await post(give, key);
  assert.equal(r.status, 201);
  const second = await r.json();
  assert.equal(second.log.origin, `${host}/demo/2`);
  assert.equal(second.record.prev_event_id, answer.record.event.event_id);
  // The person reads their own state with their key, from their shard.
  const state = await fetch(`${edge.url}/v1/sites/demo/subjects/me/state`, { headers: { "assent-subject": subject, "assent-key": key } });
  assert.equal(state.status, 200);
  assert.equal((await state.json()).choice.event_id, give.event_id);
});

test("the checkpoint route lists every shard; proofs and the CLI work per shard", async () => {
  const r = await fetch(`${edge.url}/v1/sites/demo/log/checkpoints`);
  assert.equal(r.status, 200);
  const { shards } = await r.json();
  assert.deepEqual(shards.map((s) => [s.shard, s.origin]), [0, 1, 2, 3].map((k) => [k, k ? `${host}/demo/${k}` : `${host}/demo`]));
  for (const s of shards) {
    assert.equal(s.checkpoint.split("\n")[0], s.origin, "each note is signed under its shard's origin");
    const one = await (await fetch(`${edge.url}/v1/sites/demo/log/checkpoint${s.shard ? `?shard=${s.shard}` : ""}`)).text();
    assert.equal(one, s.checkpoint);
  }
  // The home checkpoint reads as it did before shards.
  assert.equal(await (await fetch(`${edge.url}/v1/sites/demo/log/checkpoint`)).text(), shards[0].checkpoint);
  for (const bad of ["shard=4", "shard=64", "shard=x", "shard=1&shard=1"]) {
    const q = await fetch(`${edge.url}/v1/sites/demo/log/inclusion?index=0&size=1&${bad}`);
    assert.equal(q.status, 400, bad);
    assert.equal((await q.json()).error.code, "query_invalid", bad);
  }
  // A receipt of each shard: its inclusion in that shard's signed tree.
  for (const k of [0, 1, 2, 3]) {
    const path = file(`receipt-${k}.json`, JSON.stringify(placed[k][1].answer));
    const inc = assent(["verify", "inclusion", "--edge", edge.url, "--site", "demo", path]);
    assert.equal(inc.status, 0, inc.stderr);
    assert.match(inc.stdout, new RegExp(`in the signed checkpoint of ${host.replace(/\./g, "\\.")}/demo${k ? `/${k}` : ""} `));
  }
});

test("the owner's export holds every shard, and assent verify log verifies each", async () => {
  const cps = file("checkpoints.json", await (await fetch(`${edge.url}/v1/sites/demo/log/checkpoints`)).text());
  const exported = assent(["export", "--edge", edge.url, "--site", "demo", "--admin-key", edge.adminKey]);
  assert.equal(exported.status, 0, exported.stderr);
  const lines = exported.stdout.trim().split("\n").map((l) => JSON.parse(l));
  for (const k of [1, 2, 3]) assert.ok(lines.filter((l) => l.shard === k).length >= 3, `shard ${k} exported`);
  assert.ok(lines.every((l) => l.shard === undefined || shardOf(l.record.event.subject) === l.shard));
  const ok = assent(["verify", "log", "--export", file("all.jsonl", exported.stdout), "--checkpoint", cps, "--jwks", `${edge.url}/.well-known/jwks.json`]);
  assert.equal(ok.status, 0, ok.stderr);
  for (const k of [1, 2, 3]) assert.match(ok.stdout, new RegExp(`^VALID log: \\d+ records rebuild the root of the signed checkpoint of .*/demo/${k} at size`, "m"));
  assert.match(ok.stdout, /^VALID site: 4 shards, \d+ records/m);

  // A record moved to another shard's lines breaks that shard, named.
  const i = lines.findIndex((l) => l.shard === 3);
  const moved = lines.map((l, j) => (j === i ? { ...l, shard: 1 } : l)).map((l) => JSON.stringify(l)).join("\n") + "\n";
  const bad = assent(["verify", "log", "--export", file("moved.jsonl", moved), "--checkpoint", cps, "--jwks", `${edge.url}/.well-known/jwks.json`]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /first bad record: shard 1, index \d+/);

  // One shard alone, and the owner's merged list naming each record's shard.
  const only = await owner("/v1/admin/sites/demo/export?shard=2");
  const two = (await only.text()).trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(two.length >= 4 && two.every((l) => l.shard === 2));
  const list = await (await owner("/v1/admin/sites/demo/events?limit=500")).json();
  assert.equal(list.shards, 4);
  assert.equal(list.total, lines.length);
  assert.equal(list.next_before, null, "a merged list has no next page: paging is per shard");
  assert.deepEqual(new Set(list.records.map((r) => r.shard ?? 0)), new Set([0, 1, 2, 3]));
  const page = await (await owner("/v1/admin/sites/demo/events?shard=3&limit=2")).json();
  assert.deepEqual(page.records.map((r) => r.index), [2, 1]);
  assert.equal(page.next_before, 1);
  assert.equal((await owner("/v1/admin/sites/demo/events?before=3")).status, 400, "before names no shard");
});

test("an erasure of a subject in another shard holds in that shard", async () => {
  const { subject, key } = placed[3][0];
  const exp = await owner(`/v1/admin/sites/demo/subjects/${subject}/export`);
  assert.equal(exp.status, 200);
  const mine = await exp.json();
  assert.equal(mine.log, `${host}/demo/3`, "the export names the tree its indexes are in");
  assert.ok(mine.records.every((r) => claims(r.receipt).log.origin === `${host}/demo/3`));
  const erased = await owner(`/v1/admin/sites/demo/subjects/${subject}/erasure`, { method: "POST" });
  assert.equal(erased.status, 202, "the demo has a recycle bin");
  const bin = await (await owner("/v1/admin/sites/demo/recycle-bin")).json();
  assert.ok(bin.subjects.some((e) => e.subject === subject), "the site's bin lists it from its shard");
  const purged = await owner("/v1/admin/sites/demo/recycle-bin/purge", { method: "POST" });
  assert.equal(purged.status, 200);
  assert.ok((await purged.json()).purged.some((e) => e.subject === subject));
  const after = await post(demoEvent(en, { subject }), key);
  assert.equal(after.status, 410);
  assert.equal((await after.json()).error.code, "subject_erased");
  const records = (await (await owner(`/v1/admin/sites/demo/events?shard=3&limit=500`)).json()).records;
  const last = records.find((r) => r.record.event.subject === subject);
  assert.equal(last.record.event.action, "erase");
});
