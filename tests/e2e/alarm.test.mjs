// The log object's alarm killed in the middle of its work, against the real
// worker: a purge of the recycle bin that takes two runs (100 a run), a
// retention run that takes two (200 a run), and the batches of webhook
// deliveries (20 a run, one at a time) that tell the CRM, stopped with a
// delivery in flight. workerd is killed with SIGKILL (no shutdown runs) and
// started again on the same state. What must hold: the alarm resumes by
// itself, every subject due is erased exactly once (one `erase` record,
// one `subject.erased` to the CRM), no delivery the CRM acknowledged before
// the crash is sent again, and the one in flight is sent again with the
// same id (at-least-once, deduplicated by `webhook-id`), nothing skipped.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { startEdge, optIn, ownerCall, eventually, storedRows, siteConfig, demoEvent } from "./harness.mjs";

// The demo site's CRM. `holdAt(n)`: the n-th `subject.erased` (counted from
// when it is set) gets no answer until `release()`; the rest 204 at once.
const received = []; // {id, type, subject, answered}
let holdAt = Infinity, released, release, receiver;
let erasedSeen = 0;
function startReceiver() {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      const message = JSON.parse(body);
      const seen = { id: req.headers["webhook-id"], type: message.type, subject: message.subject, answered: false };
      received.push(seen);
      if (message.type === "subject.erased" && ++erasedSeen === holdAt) await released;
      // The answer to a request the crash cut off reaches no one: the test
      // reads `answered` for it before it is released.
      if (res.destroyed || req.socket.destroyed) return;
      res.writeHead(204).end();
      seen.answered = true;
    });
  });
  return new Promise((ok) => receiver.listen(0, "127.0.0.1", () => ok(`http://127.0.0.1:${receiver.address().port}/crm`)));
}

let edge;
before(async () => {
  const hook = await startReceiver();
  const secret = "whsec_" + Buffer.from("assent-alarm-test-secret-0123456").toString("base64");
  edge = await startEdge({ rateLimit: false, vars: { DEMO_CRM_WEBHOOK_URL: hook, DEMO_CRM_WEBHOOK_SECRET: secret } });
});
after(async () => {
  await edge?.stop();
  receiver?.close();
});

const N = 110; // more than one purge run (100)
const erasure = (subject) => ownerCall(edge, `/v1/admin/sites/demo/subjects/${subject}/erasure`, edge.adminKey, { method: "POST" });
const bin = async () => (await (await ownerCall(edge, "/v1/admin/sites/demo/recycle-bin?limit=500", edge.adminKey)).json()).subjects;

/** Arms the CRM to hang on the third `subject.erased` from now; returns
 *  where the CRM's list stood. */
function holdThird() {
  erasedSeen = 0;
  holdAt = 3;
  released = new Promise((r) => (release = r));
  return received.length;
}

/** Waits for the held delivery, kills workerd there (SIGKILL), and answers
 *  what the CRM had acknowledged and what was in flight. */
async function crashAtThird(before) {
  await eventually(() => erasedSeen >= 3, "the third subject.erased to reach the CRM");
  await edge.crash();
  const firstRun = received.slice(before).filter((m) => m.type === "subject.erased");
  const acknowledged = firstRun.filter((m) => m.answered).map((m) => m.id);
  const inFlight = firstRun.filter((m) => !m.answered).map((m) => m.id);
  assert.equal(acknowledged.length, 2);
  assert.equal(inFlight.length, 1);
  return { acknowledged, inFlight };
}

/** The subjects erased in the log by `surface` (each as often as it was). */
const erasedIn = (surface) => storedRows(edge, `SELECT json_extract(record, '$.event.subject') AS subject FROM entries WHERE json_extract(record, '$.event.action') = 'erase' AND json_extract(record, '$.event.ui.surface') = '${surface}'`).map((r) => r.subject);

/** Started again and asked nothing (the alarm resumes on its own: workerd
 *  keeps it with the object's state), until the CRM has acknowledged a
 *  `subject.erased` for every one of `due`; then what the CRM must have
 *  seen: each subject told once under one id, nothing acknowledged sent
 *  again, the message in flight at the crash sent again under its id. */
async function resumesAndTellsEachOnce(before, due, { acknowledged, inFlight }, moreVars) {
  release();
  await edge.up(moreVars);
  const told = (m) => m.type === "subject.erased" && due.includes(m.subject);
  await eventually(() => new Set(received.slice(before).filter((x) => told(x) && x.answered).map((x) => x.subject)).size >= due.length,
    "a subject.erased acknowledged for every subject due", { every: 500 });
  const all = received.slice(before).filter((m) => m.type === "subject.erased");
  const sent = all.filter(told);
  const times = (id) => all.filter((x) => x.id === id).length;
  for (const id of acknowledged) assert.equal(times(id), 1, `${id}, acknowledged before the crash, was sent again`);
  assert.equal(times(inFlight[0]), 2, "the message in flight at the crash is sent again, under its id");
  for (const subject of due) assert.equal(new Set(sent.filter((x) => x.subject === subject).map((x) => x.id)).size, 1, subject);
  assert.equal(new Set(sent.map((x) => x.id)).size, due.length);
}

test("the alarm killed in the middle of a purge and a webhook batch resumes: each subject erased once, nothing acknowledged sent twice, nothing skipped", async () => {
  // N confirmed contacts of the demo's newsletter, and one more.
  const subjects = [];
  for (let i = 0; i <= N; i++) {
    const answer = await optIn(edge, `alarm-${i}@example.com`, { site: "demo" });
    subjects.push(answer.record.event.subject);
  }
  const [spare, ...due] = [subjects.pop(), ...subjects];
  // Into the recycle bin (30 days on the demo site).
  for (const s of due) assert.equal((await erasure(s)).status, 202, `erasure of ${s}`); // into the bin
  assert.equal((await bin()).length, N);

  // Due now: the bin's purge time moved to the past while the worker is down.
  await edge.down();
  const past = Date.now() - 60_000;
  const changed = edge.sql(`UPDATE recycle_bin SET purge_ms = ${past}; SELECT changes() AS n;`);
  assert.equal(changed.reduce((n, r) => n + r.n, 0), N);
  const before = holdThird();
  await edge.up();
  // One more erasure: its request sets the alarm for the earliest thing due (the bin, now).
  assert.equal((await erasure(spare)).status, 202);

  // The alarm's first run purged 100 (one batch) and is delivering their
  // messages one by one: two acknowledged, the third in flight. Kill it there.
  const crashed = await crashAtThird(before);
  assert.equal(erasedIn("api").length, 100, "the first run's purge batch is durable, and only it");

  await resumesAndTellsEachOnce(before, due, crashed);
  // Every due subject erased exactly once, in the log.
  assert.deepEqual(erasedIn("api").sort(), [...due].sort());
  assert.deepEqual((await bin()).map((e) => e.subject), [spare], "only the subject not yet due is left");
  const sent = received.slice(before).filter((x) => x.type === "subject.erased");
  assert.deepEqual(sent.filter((x) => !due.includes(x.subject)), [], "told of a subject not purged");
});

test("the alarm killed between the batches of a retention run resumes: each contact anonymised once, by the schedule, and the CRM told once", async () => {
  // The demo site anonymises a contact 730 days after their last record.
  // R confirmed contacts, more than one run's batch (200).
  const R = 210;
  const due = [];
  for (let i = 0; i < R; i++) due.push((await optIn(edge, `kept-${i}@example.com`, { site: "demo" })).record.event.subject);

  // The alarm's jobs now run as if 731 days on (dev mode only): every one
  // of them is due. The one in the bin since the first test is purged, not
  // anonymised: retention leaves the bin to its purge.
  await edge.down();
  const before = holdThird();
  const twoYears = 731 * 86_400_000;
  await edge.up({ ASSENT_DEV_ALARM_AHEAD_MS: twoYears });
  // A banner choice: the log grew, so the alarm rings within a second.
  const en = await siteConfig(edge, "en");
  const grew = await fetch(`${edge.url}/v1/sites/demo/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(demoEvent(en)) });
  assert.equal(grew.status, 201);

  // The first run anonymised 200 (one batch); the next runs tell the CRM,
  // 20 at a time. Killed with the third of them in flight.
  const crashed = await crashAtThird(before);
  assert.equal(erasedIn("schedule").length, 200, "the first retention batch is durable, and only it");

  await resumesAndTellsEachOnce(before, due, crashed, { ASSENT_DEV_ALARM_AHEAD_MS: twoYears });
  assert.deepEqual(erasedIn("schedule").sort(), [...due].sort(), "each contact anonymised exactly once, by the schedule");
  const identities = edge.sql(`SELECT count(*) AS n FROM contacts WHERE subject IN (${due.map((s) => `'${s}'`).join(",")})`);
  assert.equal(identities.reduce((n, r) => n + r.n, 0), 0, "no identity of theirs is left");
});
