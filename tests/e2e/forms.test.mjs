// Opt-in forms over HTTP against the real worker: a submission waits, the
// mail's link confirms it (GET shows a button, POST confirms), the state per
// offer follows, a second click is harmless, forged, expired and foreign
// links are refused, under-age submissions wait for a parent, bad input
// changes nothing, and no address is stored in clear anywhere in the
// worker's state. The site is `example` (edge/sites/example.json).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";
import { startEdge, adminRecords, storedRows, stored } from "./harness.mjs";

// The CRM's webhook receiver (the demo receiver): each message is answered
// 500 twice, then 204, so every delivery proves the retry.
const WEBHOOK_SECRET = "whsec_" + Buffer.from("assent-test-webhook-secret-0123").toString("base64");
const received = []; // {id, timestamp, signature, body, status}
let receiver;
async function startReceiver() {
  const tries = new Map();
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const id = req.headers["webhook-id"];
      const n = (tries.get(id) ?? 0) + 1;
      tries.set(id, n);
      const status = n <= 2 ? 500 : 204;
      received.push({ id, timestamp: req.headers["webhook-timestamp"], signature: req.headers["webhook-signature"], headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise((ok) => receiver.listen(0, "127.0.0.1", ok));
  return `http://127.0.0.1:${receiver.address().port}/hook`;
}

let edge, form;
before(async () => {
  const hook = await startReceiver();
  edge = await startEdge({ rateLimit: false, vars: { EXAMPLE_CRM_WEBHOOK_URL: hook, EXAMPLE_CRM_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  form = await (await fetch(`${edge.url}/v1/sites/example/forms/newsletter?lang=en`)).json();
});
after(async () => {
  await edge?.stop();
  receiver?.close();
});

const admin = (path) => fetch(`${edge.url}${path}`, { headers: { authorization: `Bearer ${edge.adminKey}` } });
const total = async () => (await adminRecords(edge, "example")).total;

/** A submission for the example site's newsletter form; `ticked` offers on. */
function submission({ ticked = ["email:newsletter"], email = "Ana@Example.com", identity = {}, age = 1990, event = {} } = {}) {
  const offers = Object.fromEntries(form.notice.offers.map((o) => [o.key, ticked.includes(o.key)]));
  return {
    event: {
      event_id: randomUUID(),
      site: "example",
      subject: randomUUID(),
      action: ticked.length ? "give" : "refuse",
      decisions: {},
      form: { id: "newsletter", offers },
      notice: { version: form.notice.notice_version, language: form.language, hash: form.notice_hash },
      ui: { surface: "form", control: "submit" },
      client_time_ms: Date.now(),
      gpc: false,
      page: { origin: "https://shop.assent.example", path: "/newsletter" },
      widget_version: "test",
      ...event,
    },
    identity: { email, ...identity },
    ...(age === null ? {} : { age }),
  };
}

const submit = (body) =>
  fetch(`${edge.url}/v1/sites/example/forms/newsletter/submissions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function mails() {
  const r = await admin("/v1/admin/sites/example/mail");
  assert.equal(r.status, 200);
  return (await r.json()).mails;
}

const stateOf = async (subject) => (await (await admin(`/v1/admin/sites/example/subjects/${subject}/state`)).json()).offers;
const outcome = (html) => html.match(/data-outcome="([^"]+)"/)?.[1];

/** A confirmation token signed as the edge signs one (the format is the test's to know independently). */
function token(claims) {
  const secret = Buffer.from(edge.keys.formSecret, "base64url");
  const key = createHmac("sha256", secret).update("assent/form-secret/v1\0token").digest();
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const tag = createHmac("sha256", key).update("assent/confirm/v1\0" + payload).digest("base64url");
  return `${payload}.${tag}`;
}

test("the form notice: three unticked offers, double opt-in, an age rule, and its hash", async () => {
  assert.deepEqual(form.notice.offers.map((o) => o.key), ["email:newsletter", "sms:offers", "post:catalogue"]);
  assert.equal(form.notice.unticked, true);
  assert.equal(form.notice.double_opt_in, true);
  assert.equal(form.notice.age.ask, "birth_year");
  assert.match(form.notice_hash, /^[0-9a-f]{64}$/);
  const unknown = await fetch(`${edge.url}/v1/sites/example/forms/nope`);
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.code, "form_unknown");
});

test("submit, read the mail, open the link, confirm: granted for the ticked offer only; a second click is harmless", async () => {
  const body = submission();
  const r = await submit(body);
  assert.equal(r.status, 202);
  const said = await r.json();
  assert.deepEqual(said, { status: "received", event_id: body.event.event_id, outcome: "pending" }, "the public answer: what was sent, never what is known");
  const answer = await stored(edge, "example", body.event.event_id);
  assert.equal(answer.record.form.outcome, "pending");
  assert.match(answer.record.form.identity, /^[A-Za-z0-9+/]{43}=$/, "a commitment, not the address");
  assert.ok(!JSON.stringify(answer).includes("xample.com"), "the answer carries no address");
  const subject = answer.record.event.subject;
  assert.notEqual(subject, body.event.subject, "the contact's subject, not the browser's");
  assert.equal((await stateOf(subject))["email:newsletter"].state, "pending");

  const [mail] = await mails();
  assert.equal(mail.mail.to, "ana@example.com");
  assert.equal(mail.event_id, body.event.event_id);
  const link = new URL(mail.mail.link);
  assert.equal(link.origin, edge.url);
  assert.equal(link.pathname, "/v1/sites/example/confirm");
  // The mail says what is being confirmed, by the label the form showed,
  // then links back to the page and to where the person manages choices.
  assert.match(mail.mail.text, /\n\nWhat you chose:\n- Email me the newsletter$/);
  assert.equal(mail.mail.footer, `You signed up on https://shop.assent.example/newsletter.\nSee, change or withdraw your choices at any time: ${edge.url}/v1/sites/example/privacy`);
  const manage = await fetch(`${edge.url}/v1/sites/example/privacy`);
  assert.equal(outcome(await manage.text()), "start", "the manage link opens the privacy center");

  // Opening the link shows a button and changes nothing (mail scanners open links).
  const before = await total();
  const page = await fetch(link);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-security-policy"), /default-src 'none'/);
  assert.match(page.headers.get("content-security-policy"), /frame-ancestors 'none'/);
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");
  assert.equal(page.headers.get("x-frame-options"), "DENY");
  assert.equal(page.headers.get("referrer-policy"), "no-referrer");
  const html = await page.text();
  assert.equal(outcome(html), "confirm");
  assert.match(html, /<form method="post">/);
  assert.equal(await total(), before);

  const confirmed = await fetch(link, { method: "POST" });
  assert.equal(confirmed.status, 200);
  const confirmedPage = await confirmed.text();
  assert.equal(outcome(confirmedPage), "confirmed");
  // The page says what was confirmed.
  assert.match(confirmedPage, /<p>You confirmed:<\/p><ul><li data-confirmed="email:newsletter">Email me the newsletter<\/li><\/ul>/);
  assert.equal(await total(), before + 1);
  const state = await stateOf(subject);
  assert.equal(state["email:newsletter"].state, "granted");
  assert.equal(state["sms:offers"].state, "refused");
  assert.equal(state["post:catalogue"].state, "refused");
  const [confirmation] = (await adminRecords(edge, "example")).records;
  assert.equal(confirmation.record.event.action, "confirm");
  assert.equal(confirmation.record.event.answers, body.event.event_id);
  assert.equal(confirmation.record.prev_event_id, body.event.event_id);

  const again = await fetch(link, { method: "POST" });
  assert.equal(again.status, 200);
  assert.equal(outcome(await again.text()), "confirmed");
  assert.equal(await total(), before + 1, "a second click stores nothing");

  // The same address again, written otherwise: the same contact.
  const again2 = submission({ email: "  ANA@example.COM " });
  assert.equal((await submit(again2)).status, 202);
  const second = await stored(edge, "example", again2.event.event_id);
  assert.equal(second.record.event.subject, subject);
  assert.equal(second.record.form.identity, answer.record.form.identity);
});

test("a repeated submission is stored once and mailed once", async () => {
  const body = submission({ email: "repeat@example.com" });
  const mailsBefore = (await mails()).length;
  const first = await submit(body);
  assert.equal(first.status, 202);
  const again = await submit(body);
  assert.equal(again.status, 202);
  assert.deepEqual(await again.json(), await first.json());
  assert.equal((await mails()).length, mailsBefore + 1);
});

test("forged, expired and foreign links are refused with a clear page and change nothing", async () => {
  const body = submission({ email: "links@example.com" });
  await submit(body);
  const before = await total();
  const claims = { s: "example", f: "newsletter", e: body.event.event_id, p: false, l: "en", x: Date.now() + 3_600_000 };
  const valid = token(claims);
  const cases = [
    [valid.slice(0, -3) + (valid.endsWith("AAA") ? "BBB" : "AAA"), 400, "token_invalid"],
    ["not-a-token", 400, "token_invalid"],
    ["", 400, "token_invalid"],
    [token({ ...claims, x: Date.now() - 1 }), 410, "token_expired"],
    [token({ ...claims, s: "demo" }), 400, "token_scope"],
    [token({ ...claims, p: true }), 400, "token_invalid"],
    [token({ ...claims, e: randomUUID() }), 400, "token_invalid"],
  ];
  for (const [t, status, code] of cases) {
    const r = await fetch(`${edge.url}/v1/sites/example/confirm?token=${encodeURIComponent(t)}`, { method: "POST" });
    assert.equal(r.status, status, code);
    assert.equal(outcome(await r.text()), code);
  }
  assert.equal(await total(), before);
  // The test's own token (signed independently with the same secret) does confirm.
  const ok = await fetch(`${edge.url}/v1/sites/example/confirm?token=${valid}`, { method: "POST" });
  assert.equal(outcome(await ok.text()), "confirmed");
});

test("under the age of consent: nothing granted until the parent's link is opened", async () => {
  const year = new Date().getUTCFullYear() - 14;
  const missing = await submit(submission({ email: "kid@example.com", age: year }));
  assert.equal(missing.status, 400);
  assert.equal((await missing.json()).error.code, "field_required");
  const body = submission({ email: "kid@example.com", age: year, identity: { parent_email: "Parent@Example.com" } });
  const said = await (await submit(body)).json();
  assert.equal(said.outcome, "parental_consent_required");
  const answer = await stored(edge, "example", body.event.event_id);
  assert.equal(answer.record.form.outcome, "parental_consent_required");
  assert.equal(answer.record.form.age_of_consent, 16);
  assert.ok(!JSON.stringify(answer).includes(String(year)), "the birth year is not stored");
  const subject = answer.record.event.subject;
  assert.equal((await stateOf(subject))["email:newsletter"].state, "parental_consent_required");
  const [mail] = await mails();
  assert.equal(mail.mail.to, "parent@example.com");
  await fetch(mail.mail.link, { method: "POST" });
  assert.equal((await stateOf(subject))["email:newsletter"].state, "granted");
  const [confirmation] = (await adminRecords(edge, "example")).records;
  assert.equal(confirmation.record.event.ui.control, "parent_confirm");
});

test("bad submissions get their own code and store nothing", async () => {
  const before = await total();
  const dup = JSON.stringify(submission()).replace('"email:newsletter":true', '"email:newsletter":true,"email:newsletter":false');
  const cases = [
    [submission({ email: "not-an-address" }), 400, "email_invalid"],
    [submission({ email: "a".repeat(400) + "@example.com" }), 400, "email_invalid"],
    [submission({ email: "" }), 400, "field_required"],
    // Nothing ticked: no contact, no record, no mail (an address alone is
    // nothing the site may keep).
    [submission({ ticked: [] }), 400, "nothing_chosen"],
    [submission({ ticked: [], age: 2015 }), 400, "nothing_chosen"],
    [submission({ ticked: ["sms:offers"] }), 400, "field_required"],
    [submission({ ticked: ["sms:offers"], identity: { phone: "12345" } }), 400, "phone_invalid"],
    [{ ...submission(), event: { ...submission().event, form: { id: "newsletter", offers: { "email:newsletter": true, "sms:offers": false, "post:catalogue": false, "email:spam": true } } } }, 400, "offer_unknown"],
    [submission({ identity: { address: "1 Main St" } }), 400, "event_malformed"],
    [submission({ identity: { name: "Ana\u0007" } }), 400, "name_invalid"],
    [submission({ identity: { parent_email: "parent@example.com" } }), 400, "field_not_asked"],
    [{ ...submission(), event: { ...submission().event, form: { id: "newsletter", offers: { "email:newsletter": true, "sms:offers": false } } } }, 400, "offer_missing"],
    [{ ...submission(), event: { ...submission().event, form: { id: "News Letter", offers: {} } } }, 400, "form_id_invalid"],
    [submission({ age: null }), 400, "field_required"],
    [submission({ age: 3000 }), 400, "age_invalid"],
    [submission({ event: { ui: { surface: "banner", control: "accept_all" } } }), 400, "surface_mismatch"],
    [submission({ event: { action: "confirm" } }), 400, "action_mismatch"],
    [submission({ event: { notice: { version: form.notice.notice_version, language: "en", hash: "0".repeat(64) } } }), 400, "notice_hash_mismatch"],
    [submission({ event: { page: { origin: "https://evil.example", path: "/" } } }), 403, "origin_not_allowed"],
    [dup, 400, "event_malformed"],
    [JSON.stringify({ ...submission(), identity: { email: "x@example.com", name: "A".repeat(20_000) } }), 413, "body_too_large"],
  ];
  const mailed = (await mails()).length;
  for (const [body, status, code] of cases) {
    const r = await submit(body);
    const got = await r.json();
    assert.equal(r.status, status, `${code}: ${JSON.stringify(got)}`);
    assert.equal(got.error.code, code);
  }
  assert.equal(await total(), before);
  assert.equal((await mails()).length, mailed, "no mail");
});

test("a receipt opens nothing: a form contact's state and withdrawal refuse it, and every refusal is one 401", async () => {
  const body = submission({ email: "me@example.com", ticked: ["post:catalogue"] });
  assert.equal((await submit(body)).status, 202);
  const { receipt, record } = await stored(edge, "example", body.event.event_id);
  const subject = record.event.subject;
  const mine = (headers) => fetch(`${edge.url}/v1/sites/example/subjects/me/state`, { headers });
  const before = await total();
  for (const headers of [
    {},
    { authorization: `Bearer ${receipt}` },
    { "assent-subject": subject },
    { "assent-subject": subject, "assent-key": randomUUID() },
    { "assent-subject": subject, "assent-key": "not-a-key" },
    { "assent-subject": "not-a-subject", "assent-key": randomUUID() },
  ]) {
    const r = await mine(headers);
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.equal((await r.json()).error.code, "subject_key_invalid");
  }
  const withdraw = await fetch(`${edge.url}/v1/sites/example/subjects/me/withdraw`, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${receipt}`, "assent-subject": subject }, body: "{}",
  });
  assert.equal(withdraw.status, 401);
  assert.equal(await total(), before, "nothing stored");
  assert.equal((await stateOf(subject))["post:catalogue"].state, "pending", "nothing withdrawn");
});

test("the mailbox is the owner's alone", async () => {
  assert.equal((await fetch(`${edge.url}/v1/admin/sites/example/mail`)).status, 401);
  assert.equal((await fetch(`${edge.url}/v1/admin/sites/example/mail`, { headers: { authorization: "Bearer nope" } })).status, 401);
});

test("no address, name or phone number is stored in clear in any file of the worker's state", async () => {
  await submit(submission({ email: "plain@example.com", ticked: ["sms:offers"], identity: { name: "Plain Person", phone: "+44 20 7946 0958" } }));
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(join(edge.state, "persist"));
  assert.ok(files.some((f) => f.endsWith(".sqlite")), "the Durable Objects' SQLite files are there");
  const needles = ["plain@example.com", "ana@example.com", "Plain Person", "+442079460958", "parent@example.com"];
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const needle of needles) {
      assert.equal(bytes.indexOf(Buffer.from(needle)), -1, `${needle} in ${file}`);
    }
  }
});

test("a confirmed opt-in reaches the CRM's webhook, signed, after two failed tries; the owner sees the delivery", async () => {
  const body = submission({ email: "crm-hook@example.com", identity: { name: "Hook Person" } });
  await submit(body);
  const [mail] = (await mails()).filter((m) => m.mail.to === "crm-hook@example.com");
  await fetch(mail.mail.link, { method: "POST" });
  const ours = () => received.filter((r) => JSON.parse(r.body).answers === body.event.event_id);
  for (let i = 0; i < 150 && !ours().some((r) => r.status === 204); i++) await new Promise((r) => setTimeout(r, 100));
  const tries = ours();
  assert.deepEqual(tries.map((t) => t.status), [500, 500, 204], "retried after two failures, then stopped");
  assert.ok(Number(tries[2].timestamp) >= Number(tries[0].timestamp), "timestamps in order");
  // Every try carries a valid Standard Webhooks signature (checked by its own library).
  const verifier = new Webhook(WEBHOOK_SECRET);
  for (const t of tries) {
    const payload = verifier.verify(t.body, { "webhook-id": t.id, "webhook-timestamp": t.timestamp, "webhook-signature": t.signature });
    assert.equal(payload.type, "opt_in.confirmed");
  }
  assert.equal(new Set(tries.map((t) => t.id)).size, 1, "one message id across retries, for deduplication");
  // The docs' own verification (docs/examples/verify-webhook.mjs, shown
  // verbatim in docs/webhooks.md) accepts the real delivery, and refuses it
  // changed by a byte.
  const docs = readFileSync(new URL("../../docs/webhooks.md", import.meta.url), "utf8");
  const example = readFileSync(new URL("../../docs/examples/verify-webhook.mjs", import.meta.url), "utf8");
  assert.ok(docs.includes(example.trimEnd()), "the docs show the example as tested");
  const { verifyAssentWebhook } = await import("../../docs/examples/verify-webhook.mjs");
  const headers = new Headers({ "webhook-id": tries[2].id, "webhook-timestamp": tries[2].timestamp, "webhook-signature": tries[2].signature });
  assert.equal(verifyAssentWebhook(WEBHOOK_SECRET, headers, tries[2].body).type, "opt_in.confirmed");
  assert.throws(() => verifyAssentWebhook(WEBHOOK_SECRET, headers, tries[2].body.replace("newsletter", "newsletteR")));
  // The docs' example of this type has exactly the fields delivered.
  const shown = JSON.parse(docs.split("### `opt_in.confirmed`")[1].split("```json\n")[1].split("```")[0]);
  assert.deepEqual(Object.keys(shown).sort(), Object.keys(JSON.parse(tries[2].body)).sort());
  assert.throws(() => new Webhook("whsec_" + Buffer.from("another-secret-of-enough-length").toString("base64"))
    .verify(tries[2].body, { "webhook-id": tries[2].id, "webhook-timestamp": tries[2].timestamp, "webhook-signature": tries[2].signature }));
  const payload = JSON.parse(tries[2].body);
  assert.equal(payload.site, "example");
  assert.equal(payload.form, "newsletter");
  assert.deepEqual(payload.contact, { email: "crm-hook@example.com", name: "Hook Person" });
  assert.equal(payload.offers["email:newsletter"].state, "granted");
  assert.equal(payload.offers["sms:offers"].state, "refused");
  assert.equal(payload.receipt.split(".").length, 3, "the receipt, for the CRM to keep beside the contact");
  const list = await (await admin("/v1/admin/sites/example/webhooks")).json();
  const delivery = list.deliveries.find((d) => d.event_id === payload.event_id);
  assert.equal(delivery.state, "delivered");
  assert.equal(delivery.attempts, 3);
  assert.equal(delivery.last_status, 204);
  assert.ok(!JSON.stringify(list).includes("crm-hook@example.com"), "the owner's list holds no identity");
  assert.equal((await fetch(`${edge.url}/v1/admin/sites/example/webhooks`)).status, 401);
});

test("outside make dev the confirmation mail goes to the operator's relay, signed; the local mailbox is closed", async () => {
  const relayed = [];
  const relay = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      relayed.push({ headers: req.headers, body });
      res.writeHead(202).end();
    });
  });
  await new Promise((ok) => relay.listen(0, "127.0.0.1", ok));
  const secret = "whsec_" + Buffer.from("assent-test-mail-relay-secret-42").toString("base64");
  const other = await startEdge({
    rateLimit: false,
    vars: { MAILER: "webhook", MAIL_WEBHOOK_URL: `http://127.0.0.1:${relay.address().port}/mail`, MAIL_WEBHOOK_SECRET: secret },
  });
  try {
    const notice = await (await fetch(`${other.url}/v1/sites/example/forms/newsletter?lang=en`)).json();
    const body = submission({ email: "relay@example.com" });
    body.event.notice.hash = notice.notice_hash;
    const r = await fetch(`${other.url}/v1/sites/example/forms/newsletter/submissions`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
    });
    assert.equal(r.status, 202);
    for (let i = 0; i < 100 && relayed.length === 0; i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.equal(relayed.length, 1, "one mail relayed");
    const [sent] = relayed;
    const mail = new Webhook(secret).verify(sent.body, sent.headers);
    assert.equal(mail.type, "mail.confirmation");
    assert.equal(mail.to, "relay@example.com");
    assert.equal(new URL(mail.link).origin, other.url);
    const confirmed = await fetch(mail.link, { method: "POST" });
    assert.equal(outcome(await confirmed.text()), "confirmed");
    const box = await fetch(`${other.url}/v1/admin/sites/example/mail`, { headers: { authorization: `Bearer ${other.adminKey}` } });
    assert.equal(box.status, 404, "no local mailbox outside make dev");
    const list = await (await fetch(`${other.url}/v1/admin/sites/example/webhooks`, { headers: { authorization: `Bearer ${other.adminKey}` } })).json();
    const delivered = list.deliveries.find((d) => d.webhook === "mail");
    assert.equal(delivered.state, "delivered");
    assert.equal(delivered.last_status, 202);
  } finally {
    await other.stop();
    relay.close();
  }
});

test("the person's objection to a channel, recorded by the owner: an objection of its own, and the CRM is told", async () => {
  const body = submission({ email: "leaver@example.com", ticked: ["email:newsletter", "post:catalogue"] });
  await submit(body);
  const [mail] = (await mails()).filter((m) => m.mail.to === "leaver@example.com");
  await fetch(mail.mail.link, { method: "POST" });
  const subject = (await stored(edge, "example", body.event.event_id)).record.event.subject;
  const withdraw = (payload) => fetch(`${edge.url}/v1/admin/sites/example/subjects/${subject}/objection`, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${edge.adminKey}` }, body: JSON.stringify(payload),
  });
  const before = await total();
  const r = await withdraw({ channel: "email" });
  assert.ok(r.status === 200 || r.status === 201, await r.clone().text());
  const answer = await r.json();
  assert.equal(answer.record.event.action, "object");
  assert.equal(answer.record.form.outcome, "objected");
  assert.equal(await total(), before + 1);
  const state = await stateOf(subject);
  assert.equal(state["email:newsletter"].state, "objected");
  assert.equal(state["post:catalogue"].state, "granted", "only what was named");
  const again = await withdraw({ channel: "email" });
  assert.equal(again.status, 200, "the same objection: its first answer");
  assert.equal((await again.json()).receipt, answer.receipt);
  assert.equal(await total(), before + 1);
  for (let i = 0; i < 150 && !received.some((x) => x.status === 204 && JSON.parse(x.body).event_id === answer.record.event.event_id); i++) {
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const told = received.find((x) => x.status === 204 && JSON.parse(x.body).event_id === answer.record.event.event_id);
  assert.ok(told, "the CRM was told");
  const payload = JSON.parse(told.body);
  assert.equal(payload.type, "subject.objected");
  assert.equal(payload.offers["email:newsletter"].state, "objected");
  assert.equal(payload.contact.email, "leaver@example.com");
});

test("an unconfirmed submission's expiry is on the log object's alarm (the alarm that expires it is core's expire_due, tested on SQLite)", async () => {
  await submit(submission({ email: "waits@example.com" }));
  // workerd keeps a Durable Object's alarm in its SQLite (_cf_METADATA, key 1, in
  // nanoseconds). Once the mail and webhook deliveries are done, the next alarm
  // is the earliest unconfirmed submission's expiry.
  const due = () => {
    const [next] = storedRows(edge, "SELECT MIN(expires_ms) AS ms FROM pending WHERE settled_by IS NULL");
    const [alarm] = storedRows(edge, "SELECT value FROM _cf_METADATA WHERE key = 1");
    const [queued] = storedRows(edge, "SELECT COUNT(*) AS n FROM deliveries WHERE pending = 1");
    // workerd stores ms * 1e6 computed in floating point (…745999872 for
    // …746 ms): round to the nearest millisecond, never truncate.
    return { next: next?.ms, alarm: alarm ? Math.round(Number(alarm.value) / 1e6) : null, queued: queued.n };
  };
  // Deliveries still being retried (a loaded machine times some out) ring
  // earlier: wait for the queue to empty, then the expiry is what is left.
  let seen;
  for (let i = 0; i < 600; i++) {
    seen = due();
    if (seen.queued === 0 && seen.next && seen.alarm === seen.next) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.equal(seen.queued, 0, "every delivery went out");
  assert.ok(seen.next > Date.now() + 71 * 3_600_000, "72 hours out");
  assert.equal(seen.alarm, seen.next, "the alarm rings when the first link expires");
});

// Last: its confirmations queue webhook deliveries whose retries would hold
// the expiry test's alarm.
test("a phone number written nationally is read with the form's country, else the visitor's, and stored in E.164", async () => {
  // The identity a confirmation adopts (an unconfirmed one renames nobody).
  const identityOf = async (site, eventId) => {
    const { record } = await stored(edge, site, eventId);
    const mail = (await (await admin(`/v1/admin/sites/${site}/mail?limit=100`)).json()).mails.find((m) => m.event_id === eventId);
    assert.equal((await fetch(mail.mail.link, { method: "POST" })).status, 200);
    return (await (await admin(`/v1/admin/sites/${site}/subjects/${record.event.subject}/export`)).json()).identity;
  };
  // The example form reads numbers as British (phone_country GB).
  const gb = submission({ email: "national@example.com", ticked: ["email:newsletter", "sms:offers"], identity: { phone: "020 7946 0958" } });
  assert.equal((await submit(gb)).status, 202);
  assert.equal((await identityOf("example", gb.event.event_id)).phone, "+442079460958");
  // The demo's form has no country of its own: the visitor's region decides.
  const demo = await (await fetch(`${edge.url}/v1/sites/demo/forms/newsletter?lang=en`)).json();
  const demoBody = (email, phone) => ({
    event: {
      event_id: randomUUID(), site: "demo", subject: randomUUID(), action: "give", decisions: {},
      form: { id: "newsletter", offers: Object.fromEntries(demo.notice.offers.map((o) => [o.key, o.key !== "post:catalogue"])) },
      notice: { version: demo.notice.notice_version, language: demo.language, hash: demo.notice_hash },
      ui: { surface: "form", control: "submit" }, client_time_ms: Date.now(), gpc: false,
      page: { origin: "https://demo.assent.example", path: "/newsletter" }, widget_version: "test",
    },
    identity: { email, phone }, age: 1990,
  });
  const post = (body, geo) => fetch(`${edge.url}/v1/sites/demo/forms/newsletter/submissions`, {
    method: "POST", headers: { "content-type": "application/json", ...(geo ? { "x-assent-geo": geo } : {}) }, body: JSON.stringify(body),
  });
  // (The demo answers requests pseudonymously: its export shows no identity;
  // the code texted after the confirmation shows the number as stored.)
  const fr = demoBody("francoise@example.com", "06 12 34 56 78");
  assert.equal((await post(fr, "FR")).status, 202);
  assert.equal(await identityOf("demo", fr.event.event_id), null);
  const texts = (await (await admin("/v1/admin/sites/demo/mail?limit=100")).json()).mails.filter((m) => m.mail.subject === "SMS");
  assert.deepEqual(texts.map((m) => m.mail.to), ["+33612345678"]);
  // Without a country a national number cannot be read: refused, nothing stored.
  const nowhere = await post(demoBody("nowhere@example.com", "06 12 34 56 78"));
  assert.equal(nowhere.status, 400);
  assert.equal((await nowhere.json()).error.code, "phone_invalid");
  // Not a number of its country at all (by libphonenumber's metadata).
  const unreal = await post(demoBody("unreal@example.com", "+44 99 9999 9999"), "FR");
  assert.equal((await unreal.json()).error.code, "phone_invalid");
});
