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
import { assent, eventually, optIn, ownerCall, pageErrors, siteKey, storedRows } from "./harness.mjs";

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
