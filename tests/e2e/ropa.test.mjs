// The record of processing (GDPR Art. 30), generated from the site's
// configuration, against the real worker and the built `assent` CLI: the
// JSON names every purpose of the demo site's notice with its legal basis and
// services, and the form's purposes; the CSV has a row per purpose and
// service; the HTML page runs no script (CSP, nothing to run); the CLI prints
// the same; who may read it (a `read` key, not an `export`-only one, not
// no one) and an unknown format are refused with their codes; every read is
// in the audit trail. The site is `demo`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge, siteConfig, assent, ownerCall } from "./harness.mjs";

let edge, notice, form;
before(async () => {
  edge = await startEdge({ rateLimit: false });
  notice = (await siteConfig(edge, "en")).notice;
  form = await (await fetch(`${edge.url}/v1/sites/demo/forms/newsletter?lang=en`)).json();
});
after(async () => {
  await edge?.stop();
});

const PATH = "/v1/admin/sites/demo/processing-record";
const call = (query, key) =>
  fetch(`${edge.url}${PATH}${query}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
const owner = (key) => ["--edge", edge.url, "--site", "demo", "--admin-key", key];

/** RFC 4180 CSV: rows of cells (quoted cells may hold commas, quotes and newlines). */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; }
    else cell += c;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

const HEADER = [
  "controller", "controller_contact", "collected_by", "purpose_id", "purpose_name", "purpose_description",
  "legal_basis", "required", "sale_or_sharing", "channels", "service_id", "service_name", "provider", "storage", "retention",
  "dpo", "eu_representative",
];

let json;

test("JSON: every purpose of the notice with its legal basis and services, the form's purposes, and the Art. 30 items", async () => {
  const r = await call("", edge.adminKey);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "application/json");
  assert.equal(r.headers.get("cache-control"), "no-store");
  json = await r.json();
  assert.equal(json.site, "demo");
  assert.equal(json.language, "en");
  assert.equal(json.notice_version, notice.notice_version);
  assert.deepEqual(json.controller, notice.controller);

  // The notice's purposes, one for one, in order.
  assert.deepEqual(json.purposes.map((p) => p.id), notice.purposes.map((p) => p.id));
  assert.ok(json.purposes.length >= 4);
  for (const [i, p] of notice.purposes.entries()) {
    const got = json.purposes[i];
    assert.equal(got.name, p.name, p.id);
    assert.equal(got.description, p.description, p.id);
    assert.equal(got.legal_basis, p.legal_basis, p.id);
    assert.equal(got.required, p.required, p.id);
    assert.equal(got.sale_or_sharing, p.sale_or_sharing ?? false, p.id);
    assert.deepEqual(
      got.services.map((s) => ({ id: s.id, name: s.name, provider: s.provider, cookies: s.storage })),
      p.services.map((s) => ({ id: s.id, name: s.name, provider: s.provider, cookies: s.cookies })),
      p.id,
    );
  }
  const necessary = json.purposes.find((p) => p.id === "necessary");
  assert.equal(necessary.legal_basis, "legitimate_interests");
  assert.equal(json.purposes.find((p) => p.id === "marketing").sale_or_sharing, true);
  const ga = json.purposes.flatMap((p) => p.services).find((s) => s.id === "google-analytics");
  assert.deepEqual(ga.storage.map((c) => [c.name, c.duration_days]), [["_ga", 395], ["_ga_*", 395]]);

  // The form: its purposes with their channels, the fields it asks, its confirmation window.
  const f = json.forms.find((x) => x.id === "newsletter");
  assert.deepEqual(
    f.purposes.map((p) => [p.id, p.name, p.legal_basis, p.channels]),
    form.notice.offers.map((o) => [o.purpose, o.purpose_name, "consent", [o.channel]]),
  );
  assert.deepEqual(f.identity_fields.map((x) => x.field), ["email", "name", "phone", "birth_year", "parent_email"]);
  assert.equal(f.confirm_within_hours, form.notice.confirm_within_hours);

  // (c) subjects and data, (d) recipients, (e) transfers, (f) retention, (g) measures.
  assert.deepEqual(json.data_subjects.map((c) => c.id), ["website_visitors", "form_submitters", "parents"]);
  const data = json.personal_data.map((c) => c.id);
  for (const id of ["subject_id", "consent_decisions", "time", "country_hint", "gpc_signal", "email", "name", "phone", "birth_year"]) {
    assert.ok(data.includes(id), `${id} in ${data}`);
  }
  assert.ok(!data.includes("age"), "the demo form asks the birth year, not the age");
  const recipients = json.recipients.map((x) => x.name);
  const providers = [...new Set(notice.purposes.flatMap((p) => p.services.map((s) => s.provider)))];
  assert.deepEqual(recipients, [...providers, "CRM webhook crm"]);
  const google = json.recipients.find((x) => x.name === "Google Ireland Ltd");
  assert.deepEqual(google.services, ["google-analytics", "google-ads", "youtube"]);
  assert.equal(json.recipients.find((x) => x.name === "Assent Demo Publishing GmbH").controller_itself, true);
  // Art. 30(1)(a) and (e): the DPO the notice also shows, and where the
  // records are kept (the demo's data_location is eu).
  assert.deepEqual(json.controller.dpo, notice.controller.dpo);
  assert.equal(json.controller.dpo.contact, "dpo@demo.assent.example");
  assert.equal(json.controller.eu_representative, undefined, "the demo controller is in the EU");
  assert.match(json.international_transfers, /restricted to the European Union jurisdiction \(data_location: eu\)/);
  const retention = Object.fromEntries(json.retention.map((x) => [x.data, x]));
  assert.equal(retention.consent_choice.days, 182);
  assert.equal(retention.pending_submission.hours, 72);
  assert.ok(retention.proof_record.period.includes("append-only log"));
  const measures = json.security_measures.join("\n");
  for (const m of ["XChaCha20-Poly1305", "HMAC", "pseudonymous", "Merkle", "checkpoints", "hashes", "hash-chained audit trail"]) {
    assert.ok(measures.includes(m), m);
  }
});

test("CSV: the header and one row per purpose and service (and per form purpose), an attachment", async () => {
  const r = await call("?format=csv", edge.adminKey);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.equal(r.headers.get("content-disposition"), 'attachment; filename="assent-demo-processing-record.csv"');
  assert.equal(r.headers.get("cache-control"), "no-store");
  const [header, ...rows] = parseCsv(await r.text());
  assert.deepEqual(header, HEADER);
  const col = (name) => HEADER.indexOf(name);
  const banner = rows.filter((x) => x[col("collected_by")] === "banner");
  const expected = notice.purposes.flatMap((p) =>
    p.services.length ? p.services.map((s) => [p.id, p.legal_basis, s.id, s.provider]) : [[p.id, p.legal_basis, "", ""]]);
  assert.deepEqual(banner.map((x) => [x[col("purpose_id")], x[col("legal_basis")], x[col("service_id")], x[col("provider")]]), expected);
  const forms = rows.filter((x) => x[col("collected_by")] === "form newsletter");
  assert.deepEqual(forms.map((x) => [x[col("purpose_id")], x[col("channels")]]), form.notice.offers.map((o) => [o.purpose, o.channel]));
  assert.equal(rows.length, expected.length + form.notice.offers.length);
  for (const x of rows) {
    assert.equal(x.length, HEADER.length);
    assert.equal(x[col("controller")], notice.controller.name);
    assert.equal(x[col("dpo")], "Dr. Lena Vogt, Data Protection Officer (dpo@demo.assent.example)");
    assert.equal(x[col("eu_representative")], "");
  }
  const ga = rows.find((x) => x[col("service_id")] === "google-analytics");
  assert.equal(ga[col("storage")], "cookie _ga (395 days); cookie _ga_* (395 days)");
  assert.match(ga[col("retention")], /182 days/);
});

test("HTML: a printable page that runs no script, with the record's content", async () => {
  const r = await call("?format=html", edge.adminKey);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "text/html; charset=utf-8");
  // No script at all, and the page's one stylesheet allowed by its hash (csp.test.mjs renders it).
  assert.match(r.headers.get("content-security-policy"), /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; /);
  assert.equal(r.headers.get("cache-control"), "no-store");
  const html = await r.text();
  assert.ok(html.startsWith("<!doctype html>"));
  assert.ok(!/<script/i.test(html), "no script");
  assert.ok(!/<link|\ssrc=/i.test(html), "loads nothing");
  assert.match(html, /<style>[^<]*@media print/);
  for (const h of ["1. Controller", "2. Purposes of processing", "5. Recipients", "6. Transfers to third countries", "7. Time limits for erasure"]) {
    assert.ok(html.includes(`<h2>${h}</h2>`), h);
  }
  for (const p of notice.purposes) {
    assert.ok(html.includes(`<code>${p.id}</code>`), p.id);
    for (const s of p.services) assert.ok(html.includes(`<code>${s.id}</code>`), s.id);
  }
  assert.ok(html.includes("<code>_pk_id.*</code>"));
  assert.ok(html.includes("legitimate_interests"));
  assert.ok(html.includes("<dt>Data protection officer</dt><dd>Dr. Lena Vogt, Data Protection Officer (dpo@demo.assent.example)</dd>"));
  assert.ok(html.includes("<dt>Representative in the Union</dt><dd>none stated in the configuration</dd>"));
  assert.ok(html.includes("stored and processed only in the EU"));
});

test("the CLI prints the same record; a bad --format is a usage error", () => {
  const r = assent(["processing-record", ...owner(edge.adminKey), "--format", "json"]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), json);
  const csv = assent(["processing-record", ...owner(edge.adminKey), "--format", "csv"]);
  assert.equal(csv.status, 0, csv.stderr);
  assert.deepEqual(parseCsv(csv.stdout)[0], HEADER);
  const html = assent(["processing-record", ...owner(edge.adminKey), "--format", "html"]);
  assert.equal(html.status, 0, html.stderr);
  assert.ok(html.stdout.includes("<h2>1. Controller</h2>") && !html.stdout.includes("<script"));
  const bad = assent(["processing-record", ...owner(edge.adminKey), "--format", "xml"]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /json, csv or html/);
  assert.equal(bad.stdout, "");
});

test("who may read it: a read key yes; no key, a wrong key or an export-only key no; an unknown format or parameter is query_invalid; each read is audited", async () => {
  const create = (name, scopes) => {
    const r = assent(["keys", "admin", "create", ...owner(edge.adminKey), "--name", name, "--scopes", scopes]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const reader = create("ropa reader", "read");
  const exporter = create("ropa exporter", "export");

  const read = await call("?format=json", reader.key);
  assert.equal(read.status, 200);
  assert.deepEqual(await read.json(), json);
  const cli = assent(["processing-record", ...owner(reader.key)]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.deepEqual(JSON.parse(cli.stdout), json);

  for (const [query, key, status, code] of [
    ["", undefined, 401, "unauthorized"],
    ["?format=html", "not-a-key", 401, "unauthorized"],
    ["", exporter.key, 403, "scope_missing"],
    ["?format=xml", edge.adminKey, 400, "query_invalid"],
    ["?format=xml", reader.key, 400, "query_invalid"],
    ["?format=json&format=csv", reader.key, 400, "query_invalid"],
    ["?lang=de", reader.key, 400, "query_invalid"],
  ]) {
    const r = await call(query, key);
    assert.equal(r.status, status, `${query} with ${key?.slice(0, 16)}`);
    assert.equal((await r.json()).error.code, code, `${query} with ${key?.slice(0, 16)}`);
  }
  const refused = assent(["processing-record", ...owner(exporter.key)]);
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /scope_missing/);

  // The audit trail names each read: the reader allowed, the export-only key refused.
  const trail = assent(["audit", ...owner(edge.adminKey)]);
  assert.equal(trail.status, 0, trail.stderr);
  const entries = trail.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((e) => e.op === "processing.record");
  assert.ok(entries.some((e) => e.who === "ropa reader" && e.allowed === true), "the reader's read");
  assert.ok(entries.some((e) => e.who === "ropa exporter" && e.allowed === false), "the refusal");
  assert.ok(entries.some((e) => e.who === "operator" && e.allowed === true), "the operator's read");
});

test("a staff member who left: their revoked key's name is erased from the key and the audit trail, whose chain still verifies", async () => {
  const keys = `/v1/admin/sites/demo/keys`;
  const jo = JSON.parse(assent(["keys", "admin", "create", ...owner(edge.adminKey), "--name", "Jo Hale at the desk", "--scopes", "read,write"]).stdout);
  assert.equal((await call("?format=json", jo.key)).status, 200, "Jo acts: an entry under Jo's key");
  const erase = (id, key = edge.adminKey) => ownerCall(edge, `${keys}/${id}/erase-name`, key, { method: "POST" });

  // Only the operator, and only once the key is revoked: refused, nothing changes.
  for (const [id, key, status, code] of [
    [jo.id, jo.key, 403, "operator_only"],
    [jo.id, edge.adminKey, 409, "key_not_revoked"],
    ["00000000000000ff", edge.adminKey, 404, "admin_key_unknown"],
  ]) {
    const r = await erase(id, key);
    assert.equal(r.status, status, code);
    assert.equal((await r.json()).error.code, code);
  }
  const before = assent(["audit", ...owner(edge.adminKey)]).stdout;
  assert.ok(before.includes("Jo Hale at the desk"));

  assert.equal(assent(["keys", "admin", "revoke", ...owner(edge.adminKey), jo.id]).status, 0);
  const cli = assent(["keys", "admin", "erase-name", ...owner(edge.adminKey), jo.id]);
  assert.equal(cli.status, 0, cli.stderr);
  const erased = JSON.parse(cli.stdout);
  assert.equal(erased.name, "(name erased)");
  assert.equal(erased.entries_keeping_the_name, 0);
  assert.match(erased.name_erased_at, /^\d{4}-\d\d-\d\dT/);
  assert.ok(erased.revoked_at, "still revoked");

  // The CLI checks the whole chain as it reads it (exit 0), and the name is nowhere.
  const trail = assent(["audit", ...owner(edge.adminKey)]);
  assert.equal(trail.status, 0, trail.stderr);
  assert.ok(!trail.stdout.includes("Jo Hale"), "the name is gone from the trail");
  const entries = trail.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const hers = entries.filter((e) => e.key === jo.id);
  assert.deepEqual(hers.map((e) => [e.op, e.who, e.allowed]), [["processing.record", "", true], ["key.erase_name", "", false]], "her own acts, unnamed");
  const about = entries.filter((e) => e.target === jo.id && e.who === "operator").map((e) => e.op);
  assert.deepEqual(about, ["key.erase_name", "key.revoke", "key.erase_name"], "the operator's acts on her key keep their target");
  assert.ok(entries.every((e) => e.version === 2));
  const list = await (await ownerCall(edge, keys, edge.adminKey)).json();
  assert.ok(!JSON.stringify(list).includes("Jo Hale"), "nor in the key list");
  const csv = await (await ownerCall(edge, "/v1/admin/sites/demo/audit?format=csv", edge.adminKey)).text();
  assert.ok(!csv.includes("Jo Hale"));
  assert.ok(csv.split("\n")[0].endsWith(",prev,hash,version"));
});
