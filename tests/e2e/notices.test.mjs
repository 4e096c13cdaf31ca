// The notice archive of the real worker (issue 13): every notice the edge
// serves is answered by its hash with the exact bytes; a record's notice is
// kept in the log object's SQLite with the record, before anyone asks, and
// is still answered after a worker restart; an unknown hash is 404
// `notice_unknown`, a malformed one 400 `notice_hash_invalid`; `assent verify
// notice` accepts a real record's notice and refuses a tampered answer.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ASSENT_CLI, startEdge, siteConfig, demoEvent, assent, scratch, storedRows, optIn } from "./harness.mjs";

let edge, dir, en, banner, form;
before(async () => {
  edge = await startEdge({ rateLimit: false }); // many requests from one client
  dir = scratch();
  en = await siteConfig(edge, "en");
});
after(async () => {
  await edge?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const archive = (site, hash, init) => fetch(`${edge.url}/v1/sites/${site}/notices/${hash}`, init);
const kept = (hash) => storedRows(edge, `SELECT hash, version, language, first_ms, length(bytes) AS n FROM notices WHERE hash = '${hash}'`);

test("a record's notice is kept with the record, before anyone asks the archive", async () => {
  assert.deepEqual(kept(en.notice_hash), [], "not kept before a record refers to it");
  const r = await fetch(`${edge.url}/v1/sites/demo/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(demoEvent(en)),
  });
  assert.equal(r.status, 201);
  banner = await r.json();
  const [row] = kept(en.notice_hash);
  assert.ok(row, "kept with the record");
  assert.equal(row.first_ms, banner.record.received_at_ms);
  assert.deepEqual([row.version, row.language], [en.notice_version, "en"]);

  // A form's record keeps its form's notice.
  const served = await (await fetch(`${edge.url}/v1/sites/example/forms/newsletter?lang=en`)).json();
  assert.deepEqual(kept(served.notice_hash), []);
  form = await optIn(edge, `archive-${Date.now()}@example.com`, { confirm: false });
  assert.equal(form.record.event.notice.hash, served.notice_hash);
  const [formRow] = kept(served.notice_hash);
  assert.equal(formRow?.first_ms, form.record.received_at_ms);
});

test("a TCF site's notice names what it discloses of the vendor list; the archive answers that hash with the list's own declarations", async () => {
  const notice = JSON.parse(await (await archive("demo", en.notice_hash)).text());
  const tcf = notice.tcf;
  assert.deepEqual([tcf.vendor_list_version, tcf.vendors], [7, { "google-ads": [755], programmatic: [21, 32, 52] }]);
  assert.deepEqual(kept(tcf.disclosure), [], "not kept before it is asked for");
  const r = await archive("demo", tcf.disclosure);
  assert.equal(r.status, 200);
  const bytes = Buffer.from(await r.arrayBuffer());
  assert.equal(sha256(bytes), tcf.disclosure, "the bytes the notice's hash covers");
  const shown = JSON.parse(bytes);
  assert.deepEqual(shown.vendors.map((v) => [v.id, v.name]), [
    [21, "The UK Trade Desk Ltd"], [32, "Xandr, Inc."], [52, "Magnite, Inc. "], [755, "Google Advertising Products"],
  ], "in id order, the names as the list has them");
  // Every declaration a CMP must show, as gvl/vendor-list.json has it.
  const google = shown.vendors.find((v) => v.id === 755);
  assert.deepEqual([google.purposes, google.legIntPurposes, google.specialPurposes], [[1, 3, 4], [2, 7, 9, 10], [1, 2]]);
  assert.deepEqual(google.dataRetention, { stdRetention: 548, purposes: { 3: 180, 4: 180 }, specialPurposes: { 1: 1096 } });
  assert.deepEqual(Object.keys(shown.purposes).map(Number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(Object.keys(shown.special_purposes).map(Number), [1, 2], "only what the vendors declare");
  const [row] = kept(tcf.disclosure);
  assert.deepEqual([row?.version, row?.language], [en.notice_version, "en"], "kept from the first time asked");
});

test("the archive answers the hash of every notice served, in every language, with its exact bytes", async () => {
  assert.ok(en.languages.length >= 20, `${en.languages.length} languages`);
  for (const language of en.languages) {
    const served = await siteConfig(edge, language);
    assert.equal(served.language, language);
    const r = await archive("demo", served.notice_hash);
    assert.equal(r.status, 200, language);
    assert.equal(r.headers.get("content-type"), "application/json");
    assert.equal(r.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(r.headers.get("access-control-allow-origin"), "*");
    const bytes = Buffer.from(await r.arrayBuffer());
    assert.equal(sha256(bytes), served.notice_hash, `${language}: the bytes are the hash's`);
    assert.deepEqual(JSON.parse(bytes.toString("utf8")), served.notice, `${language}: the served notice`);
  }
  // The form route's notice too, on its own site.
  const served = await (await fetch(`${edge.url}/v1/sites/example/forms/newsletter?lang=en`)).json();
  const r = await archive("example", served.notice_hash);
  assert.equal(r.status, 200);
  const bytes = Buffer.from(await r.arrayBuffer());
  assert.equal(sha256(bytes), served.notice_hash);
  assert.deepEqual(JSON.parse(bytes.toString("utf8")), served.notice);
  // Asked for, a served notice is kept from then on.
  const de = await siteConfig(edge, "de");
  assert.equal(kept(de.notice_hash).length, 1);
  // A HEAD and a preflight from any origin.
  const head = await archive("demo", de.notice_hash, { method: "HEAD" });
  assert.equal(head.status, 200);
  const preflight = await archive("demo", de.notice_hash, { method: "OPTIONS", headers: { origin: "https://auditor.example" } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
});

test("an unknown hash is 404 notice_unknown, a malformed one 400 notice_hash_invalid", async () => {
  const unknown = await archive("demo", "0".repeat(64));
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.code, "notice_unknown");
  assert.equal(unknown.headers.get("cache-control"), "no-store");
  assert.deepEqual(kept("0".repeat(64)), [], "nothing kept for it");
  // Another site's notice is not this site's.
  const other = await archive("demo", form.record.event.notice.hash);
  assert.equal(other.status, 404);
  assert.equal((await other.json()).error.code, "notice_unknown");
  for (const bad of [en.notice_hash.toUpperCase(), en.notice_hash.slice(1), `${en.notice_hash}0`, "x".repeat(64), "%20"]) {
    const r = await archive("demo", bad);
    assert.equal(r.status, 400, bad);
    assert.equal((await r.json()).error.code, "notice_hash_invalid", bad);
  }
  const cases = [
    [archive("nowhere", en.notice_hash), 404, "site_unknown"],
    [archive("demo", `${en.notice_hash}?lang=en`), 400, "query_invalid"],
    [archive("demo", `${en.notice_hash}/more`), 404, "not_found"],
    [archive("demo", en.notice_hash, { method: "POST", body: "{}" }), 405, "method_not_allowed"],
  ];
  for (const [pending, status, code] of cases) {
    const r = await pending;
    assert.equal(r.status, status, code);
    assert.equal((await r.json()).error.code, code);
  }
});

test("a record's notice is still answered after a worker restart", async () => {
  await edge.restart();
  for (const [site, hash] of [["demo", banner.record.event.notice.hash], ["example", form.record.event.notice.hash]]) {
    const r = await archive(site, hash);
    assert.equal(r.status, 200, site);
    assert.equal(sha256(Buffer.from(await r.arrayBuffer())), hash);
  }
});

test("assent verify notice accepts a real record's notice and refuses a tampered archive", async () => {
  const answer = join(dir, "answer.json");
  writeFileSync(answer, JSON.stringify(banner));
  const saved = join(dir, "notice.json");
  const ok = assent(["verify", "notice", "--edge", edge.url, "--site", "demo", "--out", saved, answer]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^VALID notice: [0-9a-f]{64} is the banner's notice of site demo/);
  const formAnswer = join(dir, "form.json");
  writeFileSync(formAnswer, JSON.stringify(form));
  const okForm = assent(["verify", "notice", "--edge", edge.url, formAnswer]);
  assert.equal(okForm.status, 0, okForm.stderr);
  assert.match(okForm.stdout, /the notice of form newsletter of site example/);

  // A stand-in archive serving a modified copy of the notice.
  const jwks = join(dir, "jwks.json");
  writeFileSync(jwks, await (await fetch(`${edge.url}/.well-known/jwks.json`)).text());
  const real = Buffer.from(await (await archive("demo", banner.record.event.notice.hash)).arrayBuffer()).toString("utf8");
  const forged = real.replace('"equal_prominence":true', '"equal_prominence":false');
  assert.notEqual(forged, real);
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(forged);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  try {
    const fake = `http://127.0.0.1:${server.address().port}`;
    // spawnSync would block the server's event loop: run the CLI asynchronously.
    const { spawn } = await import("node:child_process");
    const run = (args) => new Promise((ok) => {
      const child = spawn(ASSENT_CLI, args);
      let stdout = "", stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (status) => ok({ status, stdout, stderr }));
    });
    const bad = await run(["verify", "notice", "--edge", fake, "--jwks", jwks, answer]);
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stderr, /INVALID: \[notice_mismatch\]/);
  } finally {
    server.close();
  }
});
