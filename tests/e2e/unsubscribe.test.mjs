// One-click unsubscribe (RFC 8058) against the real worker, its CRM webhook
// and Chromium: the confirmation mail carries the person's email link for
// its List-Unsubscribe header; every webhook delivery carries a link per
// channel; opening a link asks and changes nothing; the page's button and
// a mail client's one-click POST each withdraw that channel only, by an
// event with its own receipt that the CRM is told of; a second use changes
// nothing; a forged or foreign link is refused with a page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { startEdge, storedRows, optIn, ownerCall, launchChromium, eventually } from "./harness.mjs";

const received = []; // the CRM's messages, parsed
let receiver, edge, browser;
before(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise((ok) => receiver.listen(0, "127.0.0.1", ok));
  const hook = `http://127.0.0.1:${receiver.address().port}/crm`;
  const secret = "whsec_" + Buffer.from("assent-unsubscribe-test-secret01").toString("base64");
  edge = await startEdge({ rateLimit: false, vars: { EXAMPLE_CRM_WEBHOOK_URL: hook, EXAMPLE_CRM_WEBHOOK_SECRET: secret } });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await edge?.stop();
  receiver?.close();
});

const BASE = "/v1/admin/sites/example";
const state = async (subject) => (await (await ownerCall(edge, `${BASE}/subjects/${subject}/state`, edge.adminKey)).json()).offers;
const entries = () => storedRows(edge, "SELECT count(*) AS n FROM entries").reduce((n, r) => n + r.n, 0);
const outcome = (html) => html.match(/data-outcome="([a-z]+)"/)?.[1];
const oneClick = (url) => fetch(url, {
  method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click",
});

test("the mail and every delivery carry the links; a link withdraws its channel once, with its own receipt, and the CRM is told", async () => {
  const answer = await optIn(edge, "uma@example.com", { ticked: ["email:newsletter", "post:catalogue"] });
  const subject = answer.record.event.subject;
  // The confirmation mail's List-Unsubscribe link, for the person's email.
  const mails = (await (await ownerCall(edge, `${BASE}/mail?limit=100`, edge.adminKey)).json()).mails;
  const mail = mails.find((m) => m.mail.to === "uma@example.com").mail;
  assert.match(mail.list_unsubscribe, new RegExp(`^${edge.url}/v1/sites/example/unsubscribe\\?token=`));

  // The CRM's message of the confirmation: a link per channel of the form.
  const confirmed = await eventually(() => received.find((m) => m.subject === subject && m.type === "opt_in.confirmed"), "the confirmation at the CRM");
  assert.deepEqual(Object.keys(confirmed.unsubscribe).sort(), ["email", "post", "sms"]);
  const post = confirmed.unsubscribe.post;

  // Opening the link asks, and changes nothing (a scanner's GET is harmless).
  const before = entries();
  const asked = await fetch(post);
  assert.equal(asked.status, 200);
  assert.equal(outcome(await asked.text()), "ask");
  assert.match(asked.headers.get("content-security-policy"), /default-src 'none'/);
  assert.equal(entries(), before);

  // A mail client's one click: post withdrawn, email kept.
  const clicked = await oneClick(post);
  assert.equal(clicked.status, 200);
  assert.equal(outcome(await clicked.text()), "unsubscribed");
  const now = await state(subject);
  assert.equal(now["post:catalogue"].state, "withdrawn");
  assert.equal(now["email:newsletter"].state, "granted");
  assert.equal(entries(), before + 1);
  const [row] = storedRows(edge, `SELECT record, answer FROM entries WHERE subject = '${subject}' ORDER BY idx DESC LIMIT 1`);
  const record = JSON.parse(row.record);
  assert.deepEqual([record.event.action, record.event.ui.surface, record.event.ui.control], ["withdraw", "mail", "unsubscribe"]);
  assert.equal(typeof JSON.parse(row.answer).receipt, "string", "the withdrawal has its own receipt");
  const told = await eventually(() => received.find((m) => m.subject === subject && m.type === "opt_in.withdrawn"), "the withdrawal at the CRM");
  assert.equal(told.offers["post:catalogue"].state, "withdrawn");

  // Twice: nothing more.
  const again = await oneClick(post);
  assert.equal(outcome(await again.text()), "already");
  assert.equal(entries(), before + 1);

  // The mail's own link, from the page, in Chromium: the button withdraws email.
  const page = await browser.newPage();
  const violations = [];
  page.on("console", (m) => /Content Security Policy/.test(m.text()) && violations.push(m.text()));
  await page.goto(mail.list_unsubscribe);
  assert.equal(await page.locator("h1").textContent(), "Unsubscribe");
  await page.click("button[type=submit]");
  await page.locator("main[data-outcome=unsubscribed]").waitFor();
  assert.equal(await page.locator("h1").textContent(), "Unsubscribed");
  assert.deepEqual(violations, []);
  await page.close();
  assert.equal((await state(subject))["email:newsletter"].state, "withdrawn");
});

test("a forged, altered or foreign link is refused with a page and changes nothing", async () => {
  const answer = await optIn(edge, "vic@example.com");
  const subject = answer.record.event.subject;
  const link = await eventually(() => received.find((m) => m.subject === subject && m.type === "opt_in.confirmed")?.unsubscribe.email, "a link");
  const token = new URL(link).searchParams.get("token");
  const [payload, sig] = token.split(".");
  const before = entries();
  const claims = JSON.parse(Buffer.from(payload, "base64url"));
  const forged = Buffer.from(JSON.stringify({ ...claims, c: "post" })).toString("base64url");
  for (const bad of [
    `${edge.url}/v1/sites/example/unsubscribe?token=${forged}.${sig}`, // another channel, same tag
    `${edge.url}/v1/sites/example/unsubscribe?token=${payload}.${sig.slice(0, -2)}AA`, // another tag
    `${edge.url}/v1/sites/demo/unsubscribe?token=${token}`, // another site
    `${edge.url}/v1/sites/example/unsubscribe`, // no token
  ]) {
    const r = await oneClick(bad);
    assert.equal(r.status, 400, bad);
    assert.equal(outcome(await r.text()), "invalid", bad);
  }
  assert.equal((await fetch(`${link}&x=1`)).status, 400, "unknown parameters are refused");
  assert.equal(entries(), before);
  assert.equal((await state(subject))["email:newsletter"].state, "granted");
});
