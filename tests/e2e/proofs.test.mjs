// Proofs end to end: receipts from the widget in Chromium verify with the
// `assent` CLI against the running worker's JWKS and signed log; tampering,
// unknown keys and rewritten history are caught; keys rotate without
// breaking old proofs.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, readFileSync, mkdirSync, symlinkSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { join, resolve } from "node:path";
import { jwtVerify, createLocalJWKSet } from "jose";
import canonicalize from "canonicalize";
import { ASSENT_CLI, siteConfig, demoEvent, assent, scratch, newSigningKey, storedRows } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

useEdgeAndChromium({ rateLimit: false }); // a dev-only config without the limiter; limits.test.mjs covers the limit
const ROOT = resolve(import.meta.dirname, "../..");
let dir, en, widgetReceipt;
before(() => {
  dir = scratch();
});

const post = (body) =>
  fetch(`${edge.url}/v1/sites/demo/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const file = (name, text) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const checkpoint = async () => (await fetch(`${edge.url}/v1/sites/demo/log/checkpoint`)).text();
const jwksUrl = () => `${edge.url}/.well-known/jwks.json`;

test("an empty log has no checkpoint yet", async () => {
  const r = await fetch(`${edge.url}/v1/sites/demo/log/checkpoint`);
  assert.equal(r.status, 404);
  assert.equal((await r.json()).error.code, "log_empty");
  en = await siteConfig(edge, "en");
});

test("a choice in Chromium yields a receipt the CLI verifies, and its inclusion in the signed log", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(edge.url + "/");
  await page.click("#assent-host >> section.banner button[data-act=accept_all]");
  let receipts = [];
  for (let i = 0; i < 100 && receipts.length === 0; i++) {
    await page.waitForTimeout(100);
    receipts = await page.evaluate(() => window.assent.receipts());
  }
  assert.equal(receipts.length, 1, "the widget keeps the receipt");
  // The receipt survives a reload: it is the visitor's to keep.
  await page.reload();
  await page.locator("#assent-host >> button[data-act=choices]").waitFor();
  assert.deepEqual(await page.evaluate(() => window.assent.receipts()), receipts);
  await context.close();

  widgetReceipt = receipts[0];
  const path = file("receipt.jws", receipts[0]);
  const v = assent(["verify", "receipt", "--edge", edge.url, path]);
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /^VALID receipt: event [0-9a-f-]{36} .*\(give\)/);
  const inc = assent(["verify", "inclusion", "--edge", edge.url, "--site", "demo", path]);
  assert.equal(inc.status, 0, inc.stderr);
  assert.match(inc.stdout, /^VALID inclusion: .* leaf 0 of 1 /);

  // Any single changed character of the receipt is caught.
  const jws = receipts[0];
  for (const at of [5, jws.indexOf(".") + 20, jws.length - 5]) {
    const flipped = jws.slice(0, at) + (jws[at] === "A" ? "B" : "A") + jws.slice(at + 1);
    const r = assent(["verify", "receipt", file("bad.jws", flipped), "--jwks", jwksUrl()]);
    assert.equal(r.status, 1, `change at ${at} went unnoticed`);
    assert.match(r.stderr, /INVALID/);
  }
});

/** RFC 8785 by an independent implementation (npm `canonicalize`, cyberphone's reference). */
const canonical = (v) => canonicalize(v);

test("the widget's receipt verifies with an independent JWT library and the edge's JWKS", async () => {
  // jose (npm): EdDSA over the compact JWS, the key found by kid in the JWKS.
  const jwks = createLocalJWKSet(await (await fetch(`${edge.url}/.well-known/jwks.json`)).json());
  const { payload, protectedHeader } = await jwtVerify(widgetReceipt, jwks, { algorithms: ["EdDSA"] });
  assert.equal(protectedHeader.alg, "EdDSA");
  assert.equal(payload.iss, edge.url);
  assert.equal(payload.jti, payload.record.event.event_id);
  assert.equal(payload.sub, payload.record.event.subject);
  // The leaf hash is SHA-256(0x00 || RFC 8785 bytes of the record).
  const leaf = createHash("sha256").update(Buffer.concat([Buffer.from([0]), Buffer.from(canonical(payload.record))])).digest("base64");
  assert.equal(payload.log.leaf_hash, leaf);
  // One flipped byte of the signature: jose refuses it too.
  const [h, p, sig] = widgetReceipt.split(".");
  const bad = Buffer.from(sig, "base64url");
  bad[0] ^= 1;
  await assert.rejects(jwtVerify(`${h}.${p}.${bad.toString("base64url")}`, jwks, { algorithms: ["EdDSA"] }));
});

/** Signs a receipt with the edge's own key, as a compromised or buggy edge could. */
function forgeReceipt(claims) {
  const seed = Buffer.from(edge.keys.signingKey, "base64url");
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const key = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  const jwk = createPublicKey(key).export({ format: "jwk" });
  const thumb = createHash("sha256").update(`{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`).digest("base64url");
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${b64({ alg: "EdDSA", kid: thumb, typ: "JWT" })}.${b64(claims)}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString("base64url")}`;
}

test("a receipt verifies only with keys the user pinned, never with keys its own iss names", async () => {
  const claims = JSON.parse(Buffer.from(widgetReceipt.split(".")[1], "base64url"));
  // A forger re-signs the receipt with their own key and points iss at a
  // folder holding that key's JWKS.
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x;
  const kid = createHash("sha256").update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest("base64url");
  const forgerSite = join(dir, "forger");
  mkdirSync(join(forgerSite, ".well-known"), { recursive: true });
  writeFileSync(join(forgerSite, ".well-known/jwks.json"), JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x, kid }] }));
  claims.iss = forgerSite;
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${b64({ alg: "EdDSA", kid, typ: "JWT" })}.${b64(claims)}`;
  const forged = file("forger.jws", `${input}.${sign(null, Buffer.from(input), privateKey).toString("base64url")}`);

  const unpinned = assent(["verify", "receipt", forged]);
  assert.doesNotMatch(unpinned.stdout, /VALID/);
  assert.equal(unpinned.status, 2, unpinned.stderr);
  assert.match(unpinned.stderr, /no pinned key/);
  const pinned = assent(["verify", "receipt", "--edge", edge.url, forged]);
  assert.equal(pinned.status, 1);
  assert.match(pinned.stderr, /key_unknown/);
  // The genuine receipt: valid with the edge pinned, by URL or by a saved JWKS.
  const genuine = file("genuine.jws", widgetReceipt);
  assert.equal(assent(["verify", "receipt", genuine]).status, 2, "no key pinned, even for a genuine receipt");
  assert.equal(assent(["verify", "receipt", "--edge", edge.url, genuine]).status, 0);
  const saved = file("jwks.json", await (await fetch(jwksUrl())).text());
  assert.equal(assent(["verify", "receipt", "--jwks", saved, genuine]).status, 0);
});

test("a validly signed receipt whose record is not in the log is rejected", async () => {
  const real = await (await post(demoEvent(en))).json();
  const claims = JSON.parse(Buffer.from(real.receipt.split(".")[1], "base64url"));
  // The same position in the log, but a record that was never appended there.
  claims.record.event.decisions.marketing = true;
  claims.record.event.action = "give";
  const leaf = createHash("sha256").update(Buffer.concat([Buffer.from([0]), Buffer.from(canonical(claims.record))])).digest("base64");
  claims.log.leaf_hash = leaf;
  const path = file("forged.jws", forgeReceipt(claims));
  const sig = assent(["verify", "receipt", "--edge", edge.url, path]);
  assert.equal(sig.status, 0, "the signature and leaf hash are right: " + sig.stderr);
  const inc = assent(["verify", "inclusion", "--edge", edge.url, "--site", "demo", path]);
  assert.equal(inc.status, 1);
  assert.match(inc.stderr, /proof_invalid/);
  const other = assent(["verify", "inclusion", "--edge", edge.url, "--site", "other", file("real.json", JSON.stringify(real))]);
  assert.equal(other.status, 1);
  assert.match(other.stderr, /not site other/);
});

test("the export rebuilds the signed root; a changed, missing or reordered record is pinpointed", async () => {
  for (let i = 0; i < 20; i++) assert.equal((await post(demoEvent(en))).status, 201);
  // The demo's log has shards: every shard's checkpoint, as the edge lists them.
  const cpPath = file("cp.json", await (await fetch(`${edge.url}/v1/sites/demo/log/checkpoints`)).text());
  const exported = assent(["export", "--edge", edge.url, "--site", "demo", "--admin-key", edge.adminKey]);
  assert.equal(exported.status, 0, exported.stderr);
  const lines = exported.stdout.trim().split("\n");
  assert.equal(lines.length, 22);
  // The 21 events posted here have UUIDv4 subjects: home, first in the export.
  const home = lines.filter((l) => !l.startsWith('{"shard"')).length;
  assert.ok(home >= 21, `${home} home records`);
  const good = file("export.jsonl", exported.stdout);
  const ok = assent(["verify", "log", "--export", good, "--checkpoint", cpPath, "--jwks", jwksUrl()]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`^VALID log: ${home} records rebuild the root of the signed checkpoint of [^ ]+/demo at size ${home}$`, "m"));
  assert.match(ok.stderr, /verified 22 records/);

  // One granted purpose flipped in record 13: found with the edge's proofs.
  const tampered = lines.map((l, i) => (i === 13 ? l.replace('"analytics":false', '"analytics":true') : l));
  assert.notEqual(tampered[13], lines[13]);
  const bad = file("tampered.jsonl", tampered.join("\n") + "\n");
  const located = assent(["verify", "log", "--export", bad, "--checkpoint", cpPath, "--jwks", jwksUrl(), "--edge", edge.url]);
  assert.equal(located.status, 1);
  assert.match(located.stderr, /first bad record: index 13/);
  const offline = assent(["verify", "log", "--export", bad, "--checkpoint", cpPath, "--jwks", jwksUrl()]);
  assert.equal(offline.status, 1);
  assert.match(offline.stderr, /does not rebuild the signed root/);

  const missing = file("missing.jsonl", lines.filter((_, i) => i !== 7).join("\n") + "\n");
  const gap = assent(["verify", "log", "--export", missing, "--checkpoint", cpPath, "--jwks", jwksUrl()]);
  assert.equal(gap.status, 1);
  assert.match(gap.stderr, /first bad record: index 7/);
});

test("a checkpoint signed by an unknown key is rejected", async () => {
  const stranger = { keys: [] };
  const keyFile = file("stranger.json", JSON.stringify(stranger));
  const cpPath = file("cp2.txt", await checkpoint());
  const exported = assent(["export", "--edge", edge.url, "--site", "demo", "--admin-key", edge.adminKey]);
  const r = assent(["verify", "log", "--export", file("e2.jsonl", exported.stdout), "--checkpoint", cpPath, "--jwks", keyFile]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /key_unknown/);
});

test("checkpoints are consistent as the log grows; swapped or forged ones are not", async () => {
  const old = file("old.txt", await checkpoint());
  let size;
  for (let i = 0; i < 5; i++) {
    const r = await post(demoEvent(en));
    assert.equal(r.status, 201);
    size = (await r.json()).log.index + 1;
  }
  // The Durable Object's alarm signs the grown log by itself: its checkpoint
  // is in storage before anything reads one (a read would sign on demand).
  const signed = () => storedRows(edge, `SELECT note FROM checkpoints WHERE size = ${size}`);
  for (let i = 0; i < 100 && signed().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(signed().length, 1, `no checkpoint of size ${size} was signed by the alarm`);
  const fresh = await checkpoint();
  assert.equal(fresh, signed()[0].note, "the read answers the alarm's checkpoint");
  const newer = file("new.txt", fresh);
  assert.notEqual(readFileSync(old, "utf8"), fresh, "a new checkpoint was signed");
  const ok = assent(["verify", "consistency", old, newer, "--edge", edge.url]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^VALID consistency/);
  const swapped = assent(["verify", "consistency", newer, old, "--edge", edge.url]);
  assert.equal(swapped.status, 1);
  // A checkpoint with another root for the same size: a rewritten history. Its
  // signature breaks; the CLI says so.
  const lines = fresh.split("\n");
  lines[2] = Buffer.alloc(32, 7).toString("base64");
  const forged = assent(["verify", "consistency", old, file("forged.txt", lines.join("\n")), "--edge", edge.url]);
  assert.equal(forged.status, 1);
});

test("the proof routes refuse bad queries with stable codes", async () => {
  const cases = [
    ["/v1/sites/demo/log/inclusion?index=5&size=0", "query_invalid"],
    ["/v1/sites/demo/log/inclusion?index=9&size=3", "query_invalid"],
    ["/v1/sites/demo/log/inclusion?index=0&size=999999", "query_invalid"],
    ["/v1/sites/demo/log/consistency?from=5&to=2", "query_invalid"],
    ["/v1/sites/demo/log/consistency?from=x&to=2", "query_invalid"],
  ];
  for (const [path, code] of cases) {
    const r = await fetch(edge.url + path);
    assert.equal(r.status, 400, path);
    assert.equal((await r.json()).error.code, code, path);
  }
  const ok = await fetch(`${edge.url}/v1/sites/demo/log/inclusion?index=0&size=3`);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("access-control-allow-origin"), "*");
  assert.equal((await ok.json()).hashes.length, 2);
});

test("rotating the signing key keeps old receipts and checkpoints verifiable", async () => {
  const before = await (await post(demoEvent(en))).json();
  const oldReceipt = file("old-receipt.json", JSON.stringify(before));
  const oldCp = file("old-cp.txt", await checkpoint());
  const oldKid = JSON.parse(Buffer.from(before.receipt.split(".")[0], "base64url")).kid;
  const oldJwks = await (await fetch(jwksUrl())).json();
  const oldX = oldJwks.keys[0].x;

  await edge.restart({ signingKey: newSigningKey(), retiredKeys: oldX });

  const jwks = await (await fetch(jwksUrl())).json();
  assert.equal(jwks.keys.length, 2);
  assert.notEqual(jwks.keys[0].kid, oldKid, "a new key signs");
  assert.equal(jwks.keys[0].status, undefined);
  assert.deepEqual({ kid: jwks.keys[1].kid, status: jwks.keys[1].status }, { kid: oldKid, status: "retired" });

  const after = await (await post(demoEvent(en))).json();
  const newKid = JSON.parse(Buffer.from(after.receipt.split(".")[0], "base64url")).kid;
  assert.equal(newKid, jwks.keys[0].kid);
  assert.equal(assent(["verify", "receipt", "--edge", edge.url, oldReceipt]).status, 0, "an old receipt still verifies");
  assert.equal(assent(["verify", "receipt", "--edge", edge.url, file("new-receipt.json", JSON.stringify(after))]).status, 0);
  assert.equal(assent(["verify", "inclusion", "--edge", edge.url, "--site", "demo", oldReceipt]).status, 0);
  const newCp = file("new-cp.txt", await checkpoint());
  const c = assent(["verify", "consistency", oldCp, newCp, "--edge", edge.url]);
  assert.equal(c.status, 0, c.stderr);
});

test("the auditor's commands of docs/proofs.md run as written against the edge", async () => {
  const readme = readFileSync(join(ROOT, "docs/proofs.md"), "utf8");
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes("assent verify log"));
  assert.ok(block, "docs/proofs.md has the auditor's block");
  // The one difference: this edge listens on a free port, not 8787.
  const edgeLine = /^export EDGE=http:\/\/127\.0\.0\.1:8787\b.*$/m;
  assert.match(block, edgeLine);
  const script = block.replace(edgeLine, `export EDGE=${edge.url}`);
  // A folder laid out like the repository after `make cli` and `make dev`,
  // with the visitor's receipt where docs/proofs.md says to save it.
  const repo = scratch();
  mkdirSync(join(repo, "target/audit"), { recursive: true });
  // The CLI the suite runs (`make cli`'s, or ASSENT_CLI) where `make cli` puts it.
  mkdirSync(join(repo, "target/release"), { recursive: true });
  symlinkSync(ASSENT_CLI, join(repo, "target/release/assent"));
  writeFileSync(join(repo, ".dev.vars"), `ADMIN_KEY=${edge.adminKey}\n`);
  writeFileSync(join(repo, "target/audit/receipt.jws"), widgetReceipt);
  const env = { ...process.env };
  delete env.ASSENT_ADMIN_KEY;
  const r = spawnSync("bash", ["-euo", "pipefail", "-c", script], { cwd: repo, env, encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  for (const line of [/^VALID receipt/m, /^VALID inclusion/m, /^VALID notice/m, /^VALID log/m, /^VALID consistency/m, /"secret": "/]) {
    assert.match(r.stdout, line);
  }
});
