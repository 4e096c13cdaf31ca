// The visitor's privacy center in real Chromium against the real worker: a
// banner visitor opens it with the key their browser holds; a
// person who opted in through the example site's form asks for a link,
// opens it (once), sees their history with receipts, downloads it as JSON
// and CSV, withdraws a channel, asks for erasure; the owner finds the
// request in the queue with its legal deadline and fulfils it; forged,
// reused and foreign tokens are refused and change nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";
import { assent, demoEvent, pageErrors, recordsOf, subjectOf, waitForRecordsOf, optIn as sharedOptIn, siteKey, centerSession, centerAct } from "./harness.mjs";

useEdgeAndChromium({ rateLimit: false });

const call = (path, key, init = {}) =>
  fetch(`${edge.url}${path}`, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers ?? {}) } });
const mails = async () => (await (await call("/v1/admin/sites/example/mail?limit=100", edge.adminKey)).json()).mails;
const privacyMails = async (to) => (await mails()).filter((m) => m.mail.subject === "Your privacy center" && m.mail.to === to);

const createKey = (name, scopes) => siteKey(edge, name, scopes).key;

/** Opts `email` in (two offers ticked) and confirms; returns the subject and its receipts. */
async function optIn(email) {
  const submitted = await sharedOptIn(edge, email, { ticked: ["email:newsletter", "post:catalogue"] });
  const subject = submitted.record.event.subject;
  const state = await (await call(`/v1/admin/sites/example/subjects/${subject}/export`, edge.adminKey)).json();
  return { subject, receipts: state.records.map((r) => r.receipt) };
}

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** axe-core's WCAG 2.x A/AA violations on the whole page. */
async function axeViolations(page) {
  await page.evaluate(`${AXE}\n;undefined`);
  return page.evaluate(async () => {
    const r = await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}
/** Whether the page scrolls sideways. */
const scrollsSideways = (page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

const outcome = (page) => page.locator("main").getAttribute("data-outcome");

async function requestLink(page, email) {
  await page.goto(`${edge.url}/v1/sites/example/privacy`);
  assert.equal(await outcome(page), "start");
  await page.fill("#email", email);
  await page.click("button[type=submit]");
  assert.equal(await outcome(page), "link_sent");
}

test("a visitor's journey: link, history with receipts, downloads, withdrawal, an erasure request the owner fulfils", async () => {
  const { subject, receipts } = await optIn("pia@example.com");
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors = pageErrors(page);

  // An unknown address gets the same page, and no mail goes out.
  const before = (await mails()).length;
  await requestLink(page, "nobody@example.com");
  assert.equal((await mails()).length, before, "no mail for an unknown address");
  await requestLink(page, " PIA@example.com ");
  const [mail] = await privacyMails("pia@example.com");
  assert.ok(mail, "the link was mailed to the address given");
  const link = mail.mail.link;
  assert.match(link, new RegExp(`^${edge.url}/v1/sites/example/privacy/open\\?token=`));

  // Opening shows a button (a mail scanner's GET spends nothing), then the center.
  await page.goto(link);
  assert.equal(await outcome(page), "open");
  await page.click("button[type=submit]");
  assert.equal(await outcome(page), "center");
  assert.equal(await page.locator("[data-email]").textContent(), "pia@example.com");
  // Whom to ask (Art. 13(1)(a), (b)): the example controller's DPO and, as
  // a controller outside the Union, its representative there.
  assert.equal(await page.locator("[data-dpo]").textContent(), "Sam Patel (dpo@shop.assent.example)");
  assert.match(await page.locator("[data-eu-representative]").textContent(), /^Example Shop EU Representative B\.V\. \(Keizersgracht 1/);
  assert.equal(await page.locator("li[data-offer='email:newsletter']").getAttribute("data-state"), "granted");
  assert.equal(await page.locator("li[data-offer='sms:offers']").getAttribute("data-state"), "refused");
  assert.equal(await page.locator("li[data-record]").count(), 2, "submission and confirmation");
  const shown = await page.locator("[data-receipt]").allTextContents();
  assert.deepEqual(shown, receipts, "every receipt, as the edge signed it");
  // Each row by the words the person was shown; each record a sentence,
  // its proof (notice version, language, hash, receipt) behind a disclosure.
  assert.equal(await page.locator("li[data-offer='email:newsletter'] .what").textContent(), "Email me the newsletter");
  assert.equal(await page.locator("li[data-offer='sms:offers'] .state").textContent(), "No");
  assert.deepEqual(await page.locator("li[data-record] [data-said]").allTextContents(), [
    "You agreed on the form “Stay in touch”.",
    "You confirmed it with the link we mailed you.",
  ]);
  assert.deepEqual(await page.locator("li[data-record]").first().locator("li[data-granted=true]").allTextContents(), ["Email me the newsletter: Yes", "Post me the catalogue: Yes"]);
  const proof = page.locator("li[data-record]").first().locator("[data-proof]");
  assert.equal(await proof.isVisible(), false, "the proof waits behind its disclosure");
  await page.locator("li[data-record]").first().locator("summary").click();
  assert.match(await proof.textContent(), /^Notice version .+, in en, hash [0-9a-f]{64}\.$/);

  // Downloads: JSON and CSV of the same history, identity included (it is theirs).
  const [json] = await Promise.all([page.waitForEvent("download"), page.click("text=Download JSON")]);
  const exported = JSON.parse(readFileSync(await json.path(), "utf8"));
  assert.equal(exported.identity.email, "pia@example.com");
  assert.deepEqual(exported.records.map((r) => r.receipt), receipts);
  const [csv] = await Promise.all([page.waitForEvent("download"), page.click("text=Download CSV")]);
  const rows = readFileSync(await csv.path(), "utf8").trim().split("\n");
  assert.equal(rows.length, 3);
  assert.match(rows[1], /pia@example\.com/);

  // Withdraw one channel: the state and the owner's view follow.
  await page.click("li[data-offer='post:catalogue'] button");
  assert.equal(await outcome(page), "center");
  assert.match(await page.locator("[data-message]").textContent(), /Withdrawn/);
  assert.equal(await page.locator("li[data-offer='post:catalogue']").getAttribute("data-state"), "withdrawn");
  assert.equal(await page.locator("li[data-offer='email:newsletter']").getAttribute("data-state"), "granted");
  const owner = await (await call(`/v1/admin/sites/example/subjects/${subject}/state`, edge.adminKey)).json();
  assert.equal(owner.offers["post:catalogue"].state, "withdrawn");

  // Ask for erasure: a step asks first, "no" the prominent answer, which
  // changes nothing; then it waits for the owner, a deadline one month out.
  await page.click("text=Ask for erasure");
  assert.equal(await outcome(page), "confirm_erasure");
  assert.equal(await page.locator("[data-erasure-check] button:not(.quiet)").textContent(), "No, keep my data");
  await page.click("text=No, keep my data");
  assert.equal(await outcome(page), "center");
  assert.equal(await page.locator("li[data-request]").count(), 0, "nothing asked");
  await page.click("text=Ask for erasure");
  await page.click("text=Yes, ask for erasure");
  assert.match(await page.locator("[data-message]").textContent(), /until \d{4}-\d\d-\d\d/);
  assert.equal(await page.locator("li[data-request]").getAttribute("data-status"), "open");
  await page.click("text=Ask for erasure");
  await page.click("text=Yes, ask for erasure");
  assert.equal(await page.locator("li[data-request]").count(), 1, "a second ask is the same request");

  // The link works once.
  await page.goto(link);
  await page.click("button[type=submit]");
  assert.equal(await outcome(page), "link_used");

  // The owner's queue: a reader sees it, a writer fulfils it.
  const reader = createKey("queue reader", "read");
  const writer = createKey("privacy desk", "write");
  const queue = (await (await call("/v1/admin/sites/example/requests", reader)).json()).requests;
  const request = queue.find((r) => r.subject === subject);
  assert.equal(request.kind, "erasure");
  assert.equal(request.status, "open");
  assert.equal(request.overdue, false);
  const received = new Date(request.received_at), due = new Date(request.due_at);
  const expected = new Date(received); expected.setUTCMonth(expected.getUTCMonth() + 1);
  if (expected.getUTCDate() !== received.getUTCDate()) expected.setUTCDate(0); // a shorter month: its last day
  assert.equal(due.toISOString(), expected.toISOString(), "one calendar month (Art. 12(3))");
  const refusedScope = await call(`/v1/admin/sites/example/requests/${request.id}/fulfil`, reader, { method: "POST" });
  assert.equal(refusedScope.status, 403);
  assert.equal((await call(`/v1/admin/sites/example/subjects/${subject}/state`, reader).then((r) => r.json())).offers["email:newsletter"].state, "granted", "nothing erased by a refused call");
  const fulfilled = await (await call(`/v1/admin/sites/example/requests/${request.id}/fulfil`, writer, { method: "POST" })).json();
  assert.equal(fulfilled.status, "fulfilled");
  assert.equal(fulfilled.decided_by, "privacy desk");
  assert.match(fulfilled.erasure, /^[0-9a-f-]{36}$/);
  const twice = await call(`/v1/admin/sites/example/requests/${request.id}/fulfil`, writer, { method: "POST" });
  assert.equal(twice.status, 409);
  assert.equal((await twice.json()).error.code, "request_decided");
  const after = await (await call(`/v1/admin/sites/example/subjects/${subject}/export`, edge.adminKey)).json();
  assert.equal(after.identity, null);
  assert.equal(after.erased_by, fulfilled.erasure);
  assert.ok(Object.values(after.state).every((s) => s.state === "erased"));
  assert.deepEqual(errors, []);
  await context.close();
});

test("an access request, once fulfilled, mails the person a new link", async () => {
  await optIn("quinn@example.com");
  const page = await browser.newPage();
  await requestLink(page, "quinn@example.com");
  const [mail] = await privacyMails("quinn@example.com");
  await page.goto(mail.mail.link);
  await page.click("button[type=submit]");
  await page.click("text=Ask for a copy of all your data");
  const queue = (await (await call("/v1/admin/sites/example/requests", edge.adminKey)).json()).requests;
  const request = queue.find((r) => r.kind === "access" && r.status === "open");
  assert.ok(request);
  const r = await call(`/v1/admin/sites/example/requests/${request.id}/fulfil`, edge.adminKey, { method: "POST" });
  assert.equal((await r.json()).decided_by, "operator");
  // The mail says what it is, and its link holds for a week: read a day later, it still works.
  const [copy] = (await mails()).filter((m) => m.mail.to === "quinn@example.com" && m.mail.subject === "Your copy of your data is ready");
  assert.ok(copy, "a mail that says the copy is ready");
  assert.match(copy.mail.text, /asked .+ for a copy of your data\. It is ready: open the link below within 7 days/);
  const claims = JSON.parse(Buffer.from(new URL(copy.mail.link).searchParams.get("token").split(".")[0], "base64url"));
  assert.ok(claims.x - Date.now() > 6.9 * 86_400_000, "valid a week");
  await page.close();
});

test("requests as the law reads them: the center takes an objection, a restriction and a correction; the owner logs one made by phone; a refusal gives its reason, which the person is mailed and shown", async () => {
  const { subject } = await optIn("sam@example.com");
  const page = await browser.newPage();
  const errors = pageErrors(page);
  await requestLink(page, "sam@example.com");
  const [mail] = await privacyMails("sam@example.com");
  await page.goto(mail.mail.link);
  await page.click("button[type=submit]");
  await page.selectOption("#objection-channel", "post");
  await page.click("button:text-is('Object')");
  assert.equal(await outcome(page), "center");
  await page.fill("#rectification-detail", "My surname is Okafor, not Okafer");
  await page.click("button:text-is('Ask for a correction')");
  await page.click("text=Ask to restrict the use of your data");
  const queue = async () => (await (await call("/v1/admin/sites/example/requests", edge.adminKey)).json()).requests.filter((r) => r.subject === subject);
  const mine = await queue();
  const of = (kind) => mine.find((r) => r.kind === kind);
  assert.deepEqual([of("objection").channel, of("objection").via], ["post", "center"]);
  assert.equal(of("rectification").detail, "My surname is Okafor, not Okafer");
  assert.ok(of("restriction"));

  // Received by phone: the owner logs it; the center's own are the person's.
  const writer = createKey("phone desk", "write");
  const log = (body) => call("/v1/admin/sites/example/requests", writer, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ subject, ...body }) });
  const logged = await log({ kind: "objection", via: "phone", channel: "sms" });
  assert.equal(logged.status, 201);
  assert.equal((await logged.json()).via, "phone");
  for (const bad of [{ kind: "objection", via: "phone" }, { kind: "access", via: "center" }, { kind: "access", via: "phone", detail: "x" }, { kind: "telepathy", via: "phone" }]) {
    const r = await log(bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
  }

  // Fulfilled: the objection is the subject's, its record named by the request.
  const done = await (await call(`/v1/admin/sites/example/requests/${of("objection").id}/fulfil`, writer, { method: "POST" })).json();
  assert.equal(done.status, "fulfilled");
  assert.match(done.fulfilled_by, /^[0-9a-f-]{36}$/);
  const state = await (await call(`/v1/admin/sites/example/subjects/${subject}/state`, edge.adminKey)).json();
  assert.equal(state.offers["post:catalogue"].state, "objected");

  // Refused: only with a reason, which the person is mailed and shown.
  const refuse = (body) => call(`/v1/admin/sites/example/requests/${of("restriction").id}/refuse`, writer, { method: "POST", headers: { "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const bare = await refuse();
  assert.equal(bare.status, 400);
  assert.equal((await bare.json()).error.code, "request_invalid");
  assert.equal((await queue()).find((r) => r.kind === "restriction").status, "open", "nothing decided");
  const reason = "We must keep processing your orders until the contract ends in March.";
  const refused = await (await refuse({ reason })).json();
  assert.deepEqual([refused.status, refused.reason], ["refused", reason]);
  const told = (await mails()).find((m) => m.mail.to === "sam@example.com" && m.mail.subject === "Your request was refused: the restriction of the use of your data");
  assert.ok(told, "the person is told");
  assert.ok(told.mail.text.includes(reason) && told.mail.text.includes("supervisory authority"), told.mail.text);
  await page.goto(told.mail.link);
  await page.click("button[type=submit]");
  assert.equal(await page.locator(`li[data-request="${of("restriction").id}"] [data-reason]`).textContent(), reason);
  assert.deepEqual(errors, []);
  await page.close();
});

test("forged, foreign and reused tokens are refused with their codes, and change nothing", async () => {
  const { subject } = await optIn("rae@example.com");
  const page = await browser.newPage();
  await requestLink(page, "rae@example.com");
  const [mail] = await privacyMails("rae@example.com");
  const token = new URL(mail.mail.link).searchParams.get("token");
  const open = (t) => fetch(`${edge.url}/v1/sites/example/privacy/open?token=${encodeURIComponent(t)}`, { method: "POST" });
  const act = (session, fields) =>
    fetch(`${edge.url}/v1/sites/example/privacy/act`, {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ session, ...fields }).toString(),
    });
  const code = async (r) => (await r.text()).match(/data-outcome="([^"]+)"/)?.[1];
  // A flipped byte in the link; the link on another site; the link as a session.
  const forged = token.slice(0, 5) + (token[5] === "A" ? "B" : "A") + token.slice(6);
  let r = await open(forged);
  assert.equal(r.status, 400);
  assert.equal(await code(r), "token_invalid");
  r = await fetch(`${edge.url}/v1/sites/demo/privacy/open?token=${encodeURIComponent(token)}`, { method: "POST" });
  assert.equal(r.status, 400);
  assert.equal(await code(r), "token_scope");
  r = await act(token, { action: "withdraw" });
  assert.equal(r.status, 400);
  assert.equal(await code(r), "token_scope", "a link is not a session");
  // A session whose subject was changed is not one the edge signed.
  r = await open(token);
  const session = (await r.text()).match(/name="session" value="([^"]+)"/)[1];
  const [payload, tag] = session.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url"));
  claims.u = randomUUID();
  r = await act(`${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${tag}`, { action: "withdraw" });
  assert.equal(await code(r), "token_invalid");
  // A duplicated field says two things: refused.
  r = await fetch(`${edge.url}/v1/sites/example/privacy/act`, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `session=${encodeURIComponent(session)}&action=withdraw&action=download`,
  });
  assert.equal(r.status, 400);
  // Nothing changed for the subject.
  const state = await (await call(`/v1/admin/sites/example/subjects/${subject}/state`, edge.adminKey)).json();
  assert.equal(state.offers["email:newsletter"].state, "granted");
  // The owner's queue refuses what it should.
  assert.equal((await call("/v1/admin/sites/example/requests")).status, 401);
  const unknown = await call(`/v1/admin/sites/example/requests/${randomUUID()}/fulfil`, edge.adminKey, { method: "POST" });
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.code, "request_unknown");
  await page.close();
});

// A browser visitor (banner only, no email) and the key their widget holds.
const browserCenter = (subject, key) =>
  fetch(`${edge.url}/v1/sites/demo/privacy/browser`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...(subject ? { subject } : {}), ...(key ? { key } : {}) }),
  });
const outcomeOf = async (r) => (await r.text()).match(/data-outcome="([a-z_]+)"/)?.[1];

/** A visitor who accepted everything in the demo site's banner: their page, subject and key. */
async function bannerVisitor(context) {
  const page = await context.newPage();
  const keys = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/v1/sites/demo/events")) keys.push(r.headers()["assent-key"]);
  });
  await page.goto(edge.url + "/");
  await page.click("#assent-host >> section.banner button[data-act=accept_all]");
  await page.waitForFunction(() => window.assent.receipts().length === 1);
  const subject = await subjectOf(page);
  const key = await page.evaluate(() => JSON.parse(localStorage.getItem("assent:demo:key")));
  assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "crypto.randomUUID()");
  assert.deepEqual(keys, [key], "the key goes with the event, in its header");
  return { page, subject, key };
}

test("a banner visitor opens their center with their browser's key: history with receipts, a withdrawal the site's page adopts, restriction through window.assent", async () => {
  const context = await browser.newContext();
  const { page, subject, key } = await bannerVisitor(context);
  const errors = pageErrors(page);
  assert.equal(await page.evaluate(() => window.assent.restricted()), false);

  const [center] = await Promise.all([context.waitForEvent("page"), page.click("#privacy-center")]);
  await center.waitForLoadState();
  assert.equal(await outcome(center), "center");
  assert.ok(!center.url().includes(key), "the key never goes into a URL");
  assert.equal(await center.locator("li[data-purpose=analytics]").getAttribute("data-state"), "granted");
  assert.equal(await center.locator("li[data-purpose=necessary]").getAttribute("data-state"), "required");
  assert.equal(await center.locator("li[data-purpose=necessary] button").count(), 0, "a required purpose has nothing to withdraw");
  assert.deepEqual(await center.locator("[data-receipt]").allTextContents(), await page.evaluate(() => window.assent.receipts()));
  assert.equal(await center.locator("[data-email]").count(), 0, "a banner subject has no identity");
  assert.equal(await center.locator("[data-dpo]").textContent(), "Dr. Lena Vogt, Data Protection Officer (dpo@demo.assent.example)");
  assert.equal(await center.locator("[data-eu-representative]").count(), 0, "the demo controller is in the Union");

  // Withdrawn in the center: a new event in the log, under the subject.
  await center.click("li[data-purpose=analytics] button");
  assert.equal(await outcome(center), "center");
  assert.equal(await center.locator("li[data-purpose=analytics]").getAttribute("data-state"), "refused");
  assert.equal(await center.locator("li[data-purpose=marketing]").getAttribute("data-state"), "granted");
  const [latest, first] = await waitForRecordsOf(edge, subject, 2);
  assert.equal(latest.record.event.action, "update");
  assert.equal(latest.record.event.decisions.analytics, false);
  assert.equal(latest.record.event.ui.surface, "api");
  assert.equal(latest.record.prev_event_id, first.record.event.event_id);

  // Back on the site (the tab shown again), the page takes the change up and
  // reloads, so analytics stops there too.
  await page.bringToFront();
  await Promise.all([
    page.waitForEvent("load"),
    page.evaluate(() => document.dispatchEvent(new Event("visibilitychange", { bubbles: true }))),
  ]);
  await page.evaluate(() => window.assent.ready);
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics")), false);
  assert.equal(await page.evaluate(() => window.assent.accepted("marketing")), true);

  // The owner restricts processing: window.assent says so.
  const restricted = await call(`/v1/admin/sites/demo/subjects/${subject}/restriction`, edge.adminKey, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ restricted: true }),
  });
  assert.equal(restricted.status, 201, await restricted.text());
  assert.equal(await page.evaluate(() => window.assent.restricted()), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the center refuses another subject's key, a forged or malformed one, a key sent after the first choice, and no key; a malformed key header stores nothing", async () => {
  const context = await browser.newContext();
  const a = await bannerVisitor(context);
  const b = await bannerVisitor(await browser.newContext());
  assert.equal((await browserCenter(a.subject, a.key)).status, 200);
  for (const [subject, key, why] of [
    [a.subject, b.key, "another subject's key"],
    [a.subject, randomUUID(), "a forged key"],
    [a.subject, a.key.toUpperCase(), "a malformed key"],
    [randomUUID(), a.key, "a subject nobody keyed"],
    [a.subject, undefined, "no key"],
    [undefined, a.key, "no subject"],
  ]) {
    const r = await browserCenter(subject, key);
    assert.equal(r.status, 401, why);
    assert.equal(await outcomeOf(r), "subject_key_invalid", why);
  }

  // Whoever read a subject id in a receipt writes nothing under it: not with
  // a key of their own, not with none (an "accept all" dated 20 hours ahead,
  // which the visitor's widget would otherwise adopt), not a repeat.
  const en = await (await fetch(`${edge.url}/v1/sites/demo/config?lang=en`)).json();
  const later = randomUUID();
  const before = (await recordsOf(edge, a.subject)).length;
  const forged = demoEvent(en, { subject: a.subject, action: "update", decisions: { necessary: true, analytics: true, marketing: true, personalisation: true }, ui: { surface: "banner", control: "accept_all" }, client_time_ms: Date.now() + 20 * 3_600_000 });
  for (const headers of [{ "assent-key": later }, {}]) {
    const sent = await fetch(`${edge.url}/v1/sites/demo/events`, {
      method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(forged),
    });
    assert.equal(sent.status, 401, JSON.stringify(headers));
    assert.equal((await sent.json()).error.code, "subject_key_invalid");
  }
  assert.equal((await recordsOf(edge, a.subject)).length, before, "nothing stored under the subject");
  assert.equal((await browserCenter(a.subject, later)).status, 401, "a key sent later is not kept");
  assert.equal((await browserCenter(a.subject, a.key)).status, 200, "the first key still opens it");
  // Their own widget's state (asked with its key) shows no forged choice.
  const mine = await fetch(`${edge.url}/v1/sites/demo/subjects/me/state`, { headers: { "assent-subject": a.subject, "assent-key": a.key } });
  assert.equal(mine.status, 200);
  assert.notEqual((await mine.json()).choice.event_id, forged.event_id);
  // The key's holder goes on as before.
  const own = demoEvent(en, { subject: a.subject, action: "update", decisions: { necessary: true, analytics: false, marketing: true, personalisation: true }, ui: { surface: "banner", control: "save" } });
  const ok = await fetch(`${edge.url}/v1/sites/demo/events`, {
    method: "POST", headers: { "content-type": "application/json", "assent-key": a.key }, body: JSON.stringify(own),
  });
  assert.equal(ok.status, 201, await ok.text());

  // A malformed key on an event: refused with its code, nothing stored.
  const bad = demoEvent(en);
  const refused = await fetch(`${edge.url}/v1/sites/demo/events`, {
    method: "POST", headers: { "content-type": "application/json", "assent-key": "not-a-key" }, body: JSON.stringify(bad),
  });
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).error.code, "subject_key_invalid");
  assert.deepEqual(await recordsOf(edge, bad.subject), []);
  await context.close();
});

test("erased, a banner visitor's next choice is refused (410) and forgotten: the next page asks afresh, and the new choice is stored under a new subject", async () => {
  const context = await browser.newContext();
  const { page, subject } = await bannerVisitor(context);
  // The owner erases the subject: into the demo's bin, then the bin is emptied.
  const erased = await call(`/v1/admin/sites/demo/subjects/${subject}/erasure`, edge.adminKey, { method: "POST" });
  assert.equal(erased.status, 202, await erased.text());
  const purged = await call("/v1/admin/sites/demo/recycle-bin/purge", edge.adminKey, { method: "POST" });
  assert.equal(purged.status, 200, await purged.text());
  const before = (await recordsOf(edge, subject)).length;
  // The visitor, still on the page, changes their mind: refused, forgotten.
  const answered = page.waitForResponse((r) => r.url().endsWith("/v1/sites/demo/events") && r.request().method() === "POST");
  await page.evaluate(() => window.assent.withdraw());
  assert.equal((await answered).status(), 410);
  await page.waitForFunction(() => JSON.parse(localStorage.getItem("assent:demo")) === null);
  assert.equal((await recordsOf(edge, subject)).length, before, "nothing chained to the erasure");
  // The next page asks again; the answer is a new subject's first record.
  await page.reload();
  await page.locator("#assent-host >> section.banner").waitFor();
  await page.click("#assent-host >> section.banner button[data-act=reject_all]");
  await page.waitForFunction(() => window.assent.receipts().length >= 1);
  const fresh = await subjectOf(page);
  assert.notEqual(fresh, subject);
  const [record] = await waitForRecordsOf(edge, fresh, 1);
  assert.equal(record.record.event.action, "refuse");
  assert.equal(record.record.prev_event_id, null, "a new history, not the erased one's");
  await context.close();
});

test("the center in the visitor's language: German rows and sentences by what was shown, the proof behind a disclosure; at 320 px and 200% text nothing scrolls sideways and axe finds nothing; Arabic right to left; a language without the words shows the default whole", async () => {
  await sharedOptIn(edge, "lena@example.com", { site: "demo", ticked: ["email:newsletter", "post:catalogue"] });
  const context = await browser.newContext({ locale: "de-DE", viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.goto(`${edge.url}/v1/sites/demo/privacy`);
  assert.equal(await page.locator("html").getAttribute("lang"), "de");
  assert.equal(await page.locator("h1").textContent(), "Ihre Datenschutzzentrale");
  await page.fill("#email", "lena@example.com");
  await page.click("button[type=submit]");
  assert.equal(await outcome(page), "link_sent");
  assert.match(await page.locator("[role=status]").textContent(), /^Wenn Assent Demo Publishing GmbH diese Adresse kennt/);
  const mails = (await (await call("/v1/admin/sites/demo/mail?limit=100", edge.adminKey)).json()).mails;
  const signIn = mails.filter((m) => m.mail.to === "lena@example.com" && m.mail.link.includes("/privacy/open")).at(-1).mail;
  // The mail speaks the center's language too.
  assert.equal(signIn.subject, "Ihre Datenschutzzentrale");
  assert.match(signIn.text, /^Öffnen Sie diesen Link innerhalb einer Stunde/);
  const link = signIn.link;
  await page.goto(link);
  await page.click("button[type=submit]");
  assert.equal(await outcome(page), "center");

  assert.equal(await page.locator("h2").first().textContent(), "Worin Sie eingewilligt haben");
  assert.equal(await page.locator("li[data-offer='email:newsletter'] .what").textContent(), "Schicken Sie mir den wöchentlichen Newsletter per E-Mail");
  assert.equal(await page.locator("li[data-offer='email:newsletter'] .state").textContent(), "Ja");
  assert.equal(await page.locator("li[data-offer='sms:offers'] .state").textContent(), "Nein");
  assert.deepEqual(await page.locator("[data-said]").allTextContents(), [
    "Sie haben im Formular „Bleiben Sie auf dem Laufenden“ eingewilligt.",
    "Sie haben es mit dem Link bestätigt, den wir Ihnen gemailt haben.",
  ]);
  assert.equal(await scrollsSideways(page), false, "320 px: the center scrolls sideways");
  for (const summary of await page.locator("summary").all()) await summary.click();
  assert.match(await page.locator("[data-proof]").first().textContent(), /^Hinweis in Version .+, auf en, Hash [0-9a-f]{64}\.$/);
  assert.equal(await scrollsSideways(page), false, "320 px: an open proof scrolls sideways");
  assert.deepEqual(await axeViolations(page), [], "the center, 320 px");
  await page.evaluate(() => { document.documentElement.style.fontSize = "200%"; });
  assert.equal(await scrollsSideways(page), false, "200% text: the center scrolls sideways");
  assert.deepEqual(await axeViolations(page), [], "the center, 200% text");

  // Withdrawn here, said so in German and announced.
  await page.click("li[data-offer='post:catalogue'] button");
  assert.equal(await page.locator("[role=status][data-message]").textContent(), "Widerrufen. Ihre Quittung dafür steht unter „Was geschah“.");
  assert.equal(await page.locator("[data-said]").last().textContent(), "Sie haben es hier widerrufen.");
  assert.equal(await page.locator("li[data-offer='post:catalogue'] .state").textContent(), "Widerrufen");
  // Erasure asks first, in German, "no" the prominent answer.
  await page.click("button:text-is('Löschung verlangen')");
  assert.equal(await outcome(page), "confirm_erasure");
  assert.equal(await page.locator("[data-erasure-check] button:not(.quiet)").textContent(), "Nein, meine Daten behalten");
  assert.deepEqual(await axeViolations(page), [], "the erasure step");

  // Arabic reads right to left; a language the demo offers without the
  // center's words (fallback set) shows the default language whole.
  await page.goto(`${edge.url}/v1/sites/demo/privacy?lang=ar`);
  assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
  assert.equal(await page.locator("h1").textContent(), "مركز الخصوصية الخاص بك");
  await page.goto(`${edge.url}/v1/sites/demo/privacy?lang=pl`);
  assert.equal(await page.locator("html").getAttribute("lang"), "en");
  assert.equal(await page.locator("h1").textContent(), "Your privacy center");
  assert.deepEqual(errors, []);
  await context.close();
});

test("erased another way than through them, the person's open requests close: an erasure request fulfilled by that erasure, a copy closed with its reason", async () => {
  const { subject } = await optIn("rowan.closing@example.com");
  const session = await centerSession(edge, "example", "rowan.closing@example.com");
  const act = (fields) => centerAct(edge, "example", session, fields);
  assert.equal((await act({ action: "request", kind: "access" })).status, 200);
  assert.equal((await act({ action: "request", kind: "erasure", confirm: "yes" })).status, 200);
  const queued = async () => (await (await call("/v1/admin/sites/example/requests", edge.adminKey)).json()).requests.filter((r) => r.subject === subject);
  assert.deepEqual((await queued()).map((r) => r.status), ["open", "open"]);
  // The owner erases the subject directly (not through the queue).
  const erased = await call(`/v1/admin/sites/example/subjects/${subject}/erasure`, edge.adminKey, { method: "POST" });
  assert.ok([200, 201].includes(erased.status), await erased.text());
  const erasure = (await (await call(`/v1/admin/sites/example/subjects/${subject}/export`, edge.adminKey)).json()).erased_by;
  const after = Object.fromEntries((await queued()).map((r) => [r.kind, r]));
  assert.deepEqual([after.erasure.status, after.erasure.erasure, after.erasure.decided_by], ["fulfilled", erasure, "erasure"]);
  assert.deepEqual([after.access.status, after.access.reason, after.access.erasure], ["closed", "the subject was erased", erasure]);
  assert.equal((await queued()).filter((r) => r.status === "open").length, 0, "nothing left open in the queue");
  // Someone else's request, asked after, stays open and comes first: the
  // queue is open first by deadline, then the decided, newest first.
  await optIn("sage.waiting@example.com");
  const other = await centerSession(edge, "example", "sage.waiting@example.com");
  assert.equal((await centerAct(edge, "example", other, { action: "request", kind: "access" })).status, 200);
  const all = (await (await call("/v1/admin/sites/example/requests", edge.adminKey)).json()).requests;
  const firstDecided = all.findIndex((r) => r.status !== "open");
  assert.ok(firstDecided > 0, "an open request heads the queue");
  assert.ok(all.slice(firstDecided).every((r) => r.status !== "open"), all.map((r) => r.status).join(","));
  const open = all.slice(0, firstDecided).map((r) => r.due_at);
  assert.deepEqual(open, [...open].sort(), "the open ones by deadline");
});
