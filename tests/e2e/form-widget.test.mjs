// The opt-in form widget in real Chromium against the real worker: Assent's
// own form on the demo's /newsletter.html, and a CRM's form it enhances
// (tests/e2e/fixtures/crm-form.html, served as https://demo.assent.example,
// one of the demo site's allowed origins, by Playwright's router).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { adminRecords, pageErrors, eventually } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

useEdgeAndChromium({ rateLimit: false });

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const CRM = readFileSync(new URL("fixtures/crm-form.html", import.meta.url), "utf8");
const SUBMISSIONS = "**/v1/sites/demo/forms/newsletter/submissions";
const box = (page, key) => page.locator(`input[data-offer="${key}"]`);

async function newsletter({ colorScheme = "light" } = {}) {
  const context = await browser.newContext({ colorScheme });
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.goto(`${edge.url}/newsletter.html`);
  await page.evaluate(() => window.assentForms.ready);
  // The banner is not what this file tests: out of the way.
  await page.click("#assent-host >> section.banner button[data-act=reject_all]");
  return { context, page, errors };
}

const mails = async () =>
  (await (await fetch(`${edge.url}/v1/admin/sites/demo/mail`, { headers: { authorization: `Bearer ${edge.adminKey}` } })).json()).mails;
const total = async () => (await adminRecords(edge)).total;
/** The owner's view of the contact with this address: its state per offer. */
async function ownersState(email) {
  const owner = (path) => fetch(`${edge.url}/v1/admin/sites/demo${path}`, { headers: { authorization: `Bearer ${edge.adminKey}` } });
  const found = await (await owner(`/subjects?email=${encodeURIComponent(email)}`)).json();
  return (await owner(`/subjects/${found.subjects[0].subject}/state`)).json();
}

test("the form shows every offer unticked, labelled, with the privacy information; axe finds nothing in light or dark", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const { context, page, errors } = await newsletter({ colorScheme });
    const offers = await page.locator("input[data-offer]").evaluateAll((boxes) =>
      boxes.map((b) => [b.dataset.offer, b.checked, b.labels[0]?.textContent]));
    assert.deepEqual(offers, [
      ["email:newsletter", false, "Email me the weekly newsletter"],
      ["sms:offers", false, "Text me offers and discounts"],
      ["post:catalogue", false, "Post me the printed catalogue"],
    ]);
    assert.equal(await page.locator(".assent-privacy a").getAttribute("href"), "https://demo.assent.example/privacy");
    assert.equal(await page.locator(".assent-parent").isHidden(), true, "the parent's email waits for an age under 16");
    // Optional fields say so; the age says why it is asked, read with the field.
    const label = (f) => page.locator(`label[for=assent-form-0-${f}]`).textContent();
    assert.equal(await label("name"), "Name (optional)");
    assert.equal(await label("phone"), "Mobile number (optional)");
    assert.equal(await label("email"), "Email address", "a required field carries no mark");
    const age = page.locator("#assent-form-0-age");
    const hint = await page.locator(`#${(await age.getAttribute("aria-describedby")).split(" ")[0]}`).textContent();
    assert.match(hint, /^We ask this only to know whether a parent must agree/);
    await page.evaluate(`${AXE}\n;undefined`); // the strict CSP refuses an inline tag
    const violations = await page.evaluate(async () => {
      const r = await axe.run({ include: [[".assent-form"]] }, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] });
      return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    });
    assert.deepEqual(violations, [], colorScheme);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test("keyboard only: fill, tick, submit; pending, mailed; the link confirms; the state shows the one offer granted", async () => {
  const { context, page } = await newsletter();
  await page.locator("#assent-form-0-email").focus();
  await page.keyboard.type("Reader@Example.com");
  await page.keyboard.press("Tab"); // name
  await page.keyboard.type("Ada Reader");
  await page.keyboard.press("Tab"); // phone
  await page.keyboard.press("Tab"); // year of birth
  await page.keyboard.type("1990");
  await page.keyboard.press("Tab"); // the first offer
  await page.keyboard.press("Space");
  assert.equal(await box(page, "email:newsletter").isChecked(), true);
  const before = await total();
  await page.keyboard.press("Enter");
  await page.locator(".assent-status", { hasText: "confirm" }).waitFor();
  assert.equal(await total(), before + 1);
  const sent = await page.evaluate(() => window.assentForms.submissions());
  assert.deepEqual(sent.map((x) => x.outcome), ["pending"], "the acknowledged submission is kept, as answered");
  assert.equal(await page.evaluate(() => Object.keys(localStorage).some((k) => k.includes("form") && localStorage.getItem(k).includes("eyJ"))), false, "no receipt reaches the page: the answer opens no one's record");
  assert.equal(await box(page, "email:newsletter").isChecked(), false, "the form is cleared after a submission");

  const [mail] = await eventually(mails, "the confirmation mail");
  assert.equal(mail.mail.to, "reader@example.com");
  await page.goto(mail.mail.link);
  assert.equal(await page.locator("main").getAttribute("data-outcome"), "confirm", "opening the link confirms nothing yet");
  await page.getByRole("button").click();
  await page.locator("main[data-outcome=confirmed]").waitFor();

  const state = await ownersState("reader@example.com");
  assert.equal(state.offers["email:newsletter"].state, "granted");
  assert.equal(state.offers["sms:offers"].state, "refused");
  await context.close();
});

test("problems are shown at their field, announced, focused, and nothing is sent", async () => {
  const { context, page } = await newsletter();
  let sent = 0;
  page.on("request", (r) => { if (r.url().includes("/submissions")) sent++; });
  await page.fill("#assent-form-0-email", "not-an-address");
  await box(page, "sms:offers").check();
  await page.click(".assent-submit");
  const email = page.locator("#assent-form-0-email");
  assert.equal(await email.getAttribute("aria-invalid"), "true");
  const notice = await page.evaluate(() => fetch("/v1/sites/demo/forms/newsletter?lang=en").then((r) => r.json()));
  assert.equal(await page.locator("#assent-form-0-email-error").textContent(), notice.notice.texts.error_email);
  assert.equal(await page.locator("#assent-form-0-email-error").isVisible(), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), "assent-form-0-email");
  assert.equal(await page.locator("#assent-form-0-phone").getAttribute("aria-invalid"), "true", "SMS needs a phone number");
  assert.equal(await page.locator("#assent-form-0-age").getAttribute("aria-invalid"), "true");
  assert.equal(sent, 0);
  // Under 16: the parent's email appears, and is then required.
  await page.fill("#assent-form-0-age", String(new Date().getUTCFullYear() - 13));
  assert.equal(await page.locator(".assent-parent").isVisible(), true);
  // Nothing ticked: said in the status, the first box focused, nothing sent.
  await page.fill("#assent-form-0-email", "ana@example.com");
  await page.fill("#assent-form-0-age", "1990");
  await box(page, "sms:offers").uncheck();
  await page.click(".assent-submit");
  assert.equal(await page.locator(".assent-status").textContent(), notice.notice.words.nothing_chosen);
  assert.match(notice.notice.words.nothing_chosen, /^You ticked nothing, so we stored nothing about you\./);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.offer), "email:newsletter");
  assert.equal(sent, 0, "nothing ticked is never sent");
  await context.close();
});

test("under 16: the parent is mailed, and nothing is granted until the parent confirms", async () => {
  const { context, page } = await newsletter();
  await page.fill("#assent-form-0-email", "kid@example.com");
  await page.fill("#assent-form-0-age", String(new Date().getUTCFullYear() - 13));
  await box(page, "email:newsletter").check();
  await page.fill("#assent-form-0-parent_email", "guardian@example.com");
  await page.click(".assent-submit");
  await page.locator(".assent-status:not(:empty)").waitFor();
  const [mail] = await eventually(async () => (await mails()).filter((m) => m.mail.to === "guardian@example.com"), "the parent's mail");
  assert.ok(mail);
  const before = await ownersState("kid@example.com");
  assert.equal(before.offers["email:newsletter"].state, "parental_consent_required");
  await page.goto(mail.mail.link);
  await page.getByRole("button").click();
  await page.locator("main[data-outcome=confirmed]").waitFor();
  assert.equal((await ownersState("kid@example.com")).offers["email:newsletter"].state, "granted");
  await context.close();
});

/** The CRM fixture at https://demo.assent.example, the edge behind it; `submissions` may replace the edge's answer. */
async function crm({ submissions } = {}) {
  const context = await browser.newContext();
  const posted = [];
  await context.route("https://demo.assent.example/**", async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === "/crm") return route.fulfill({ contentType: "text/html", body: CRM });
    if (url.pathname === "/crm/subscribe") {
      posted.push(route.request().postData());
      return route.fulfill({ contentType: "text/html", body: "<!doctype html><title>Thanks</title><h1>Thanks from the CRM</h1>" });
    }
    if (submissions && url.pathname.endsWith("/submissions")) return submissions(route);
    const response = await route.fetch({ url: edge.url + url.pathname + url.search });
    return route.fulfill({ response });
  });
  const page = await context.newPage();
  await page.goto("https://demo.assent.example/crm");
  await page.evaluate(() => window.assentForms.ready);
  return { context, page, posted };
}

test("a CRM's own form: Assent adds the consent part, records the event, and the form still submits to its own action", async () => {
  const { context, page, posted } = await crm();
  assert.equal(await page.locator("fieldset.assent-consent input[data-offer]").count(), 3);
  const order = await page.locator("form > *").evaluateAll((els) => els.map((e) => e.tagName));
  assert.ok(order.indexOf("FIELDSET") < order.lastIndexOf("BUTTON"), "the consent part sits before the site's button");
  await page.fill("#crm-email", "crm@example.com");
  await page.fill("#crm-name", "Cora M");
  await page.fill("input[name=age]", "1985");
  await box(page, "post:catalogue").check();
  const before = await total();
  await page.click("button[type=submit]");
  await page.locator("h1", { hasText: "Thanks from the CRM" }).waitFor();
  assert.equal(posted.length, 1, "the site's form went to its own action, once");
  const data = new URLSearchParams(posted[0]);
  assert.equal(data.get("email"), "crm@example.com");
  assert.equal(data.get("list"), "weekly", "the site's own fields unchanged");
  assert.equal(await total(), before + 1);
  const [stored] = (await adminRecords(edge)).records;
  assert.deepEqual(stored.record.event.form.offers, { "email:newsletter": false, "sms:offers": false, "post:catalogue": true });
  assert.equal(stored.record.event.page.origin, "https://demo.assent.example");
  await context.close();
});

test("a CRM's form the edge refuses is stopped, with the message at the field", async () => {
  const { context, page, posted } = await crm({
    submissions: (route) => route.fulfill({ status: 400, contentType: "application/json", body: JSON.stringify({ error: { code: "email_invalid", message: "x" } }) }),
  });
  await page.fill("#crm-email", "crm2@example.com");
  await page.fill("input[name=age]", "1985");
  await box(page, "email:newsletter").check();
  await page.click("button[type=submit]");
  await page.locator("#crm-email[aria-invalid=true]").waitFor();
  assert.ok((await page.locator(".assent-status").textContent()).length > 5, "announced in the live region");
  assert.equal(posted.length, 0, "the site's submission was stopped");
  assert.equal(await page.evaluate(() => localStorage.getItem("assent:demo:form-outbox")), null, "a refusal is not retried");
  await context.close();
});

test("the edge down at submit: the submission waits in the outbox and arrives on the next visit", async () => {
  const { context, page, posted } = await crm({ submissions: (route) => route.abort("connectionrefused") });
  await page.fill("#crm-email", "offline@example.com");
  await page.fill("input[name=age]", "1985");
  await box(page, "email:newsletter").check();
  const before = await total();
  await page.click("button[type=submit]");
  await page.locator("h1", { hasText: "Thanks from the CRM" }).waitFor();
  assert.equal(posted.length, 1, "the site's form went on");
  assert.equal(await total(), before);
  const waiting = JSON.parse(await page.evaluate(() => localStorage.getItem("assent:demo:form-outbox")));
  assert.equal(waiting.length, 1);
  await context.unrouteAll({ behavior: "ignoreErrors" });
  await context.route("https://demo.assent.example/**", async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === "/crm") return route.fulfill({ contentType: "text/html", body: CRM });
    return route.fulfill({ response: await route.fetch({ url: edge.url + url.pathname + url.search }) });
  });
  await page.goto("https://demo.assent.example/crm");
  await page.evaluate(() => window.assentForms.ready);
  await eventually(async () => (await total()) === before + 1, "the waiting submission");
  assert.equal(await page.evaluate(() => localStorage.getItem("assent:demo:form-outbox")), null);
  await context.close();
});
