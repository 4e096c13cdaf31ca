// A phone channel is granted only for a number someone proved to hold,
// against the real worker. The mailed link proves the address: it leaves
// `sms:offers` unverified and texts the submission's number a code (the SMS
// in the dev mailbox, as `make dev` and the tests run with MAILER=dev, so
// SMS=dev); the confirmation page asks for it. A wrong code is refused and
// stores nothing, the right one grants, again it answers the same, five
// wrong ones kill the code, and a number typed by someone who does not hold
// it is never granted. The site is `example` (edge/sites/example.json).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge, adminRecords, optIn, ownerCall } from "./harness.mjs";

let edge;
before(async () => {
  edge = await startEdge({ rateLimit: false });
});
after(async () => {
  await edge?.stop();
});

const owner = (path) => ownerCall(edge, path, edge.adminKey);
const total = async () => (await adminRecords(edge, "example")).total;
const mails = async () => (await (await owner("/v1/admin/sites/example/mail?limit=100")).json()).mails;
const stateOf = async (subject) => (await (await owner(`/v1/admin/sites/example/subjects/${subject}/state`)).json()).offers;
const outcome = (html) => html.match(/data-outcome="([^"]+)"/)?.[1];
/** The texts (SMS) sent to a number, newest first. */
const textsTo = async (number) => (await mails()).filter((m) => m.mail.to === number && m.mail.subject === "SMS");
const codeOf = (sms) => sms.mail.text.match(/your code is (\d{6})/)?.[1];
/** A code other than `code`. */
const wrongThan = (code) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

/** Signs `email` up for the newsletter and SMS offers with `phone`; not confirmed. */
async function signUp(email, phone) {
  const answer = await optIn(edge, email, { identity: { phone }, ticked: ["email:newsletter", "sms:offers"], confirm: false });
  const mail = (await mails()).find((m) => m.event_id === answer.event_id);
  return { answer, subject: answer.record.event.subject, link: mail.mail.link };
}

/** Confirms by the mailed link; answers the page and the URL its code form posts to. */
async function confirmByMail(link) {
  const r = await fetch(link, { method: "POST" });
  const html = await r.text();
  const action = html.match(/<form method="post" action="([^"]+)"/)?.[1]?.replaceAll("&amp;", "&");
  return { status: r.status, html, action: action && new URL(action, edge.url).href };
}

const typeCode = (action, code) =>
  fetch(action, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ code }) });

test("the email link leaves SMS unverified and texts a code; a wrong code stores nothing; the right one grants; again it answers the same", async () => {
  const { answer, subject, link } = await signUp("phone-ana@example.com", "+44 20 7946 0958");
  assert.equal((await stateOf(subject))["sms:offers"].state, "pending");
  assert.equal((await textsTo("+442079460958")).length, 0, "no code before the address is proven");

  const page = await confirmByMail(link);
  assert.equal(page.status, 200);
  assert.equal(outcome(page.html), "confirmed");
  assert.match(page.html, /<label for="code">/);
  assert.match(page.html, /<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code"/);
  assert.equal(new URL(page.action).pathname, "/v1/sites/example/confirm/phone");
  let state = await stateOf(subject);
  assert.equal(state["email:newsletter"].state, "granted");
  assert.equal(state["sms:offers"].state, "unverified", "a number typed in is not a number proven");

  const [sms] = await textsTo("+442079460958");
  assert.ok(sms, "the SMS is in the dev mailbox");
  assert.equal(sms.mail.link, "");
  const code = codeOf(sms);
  assert.match(code, /^\d{6}$/, sms.mail.text);
  assert.ok(sms.mail.text.startsWith(`Example Shop Ltd: your code is ${code}.`), sms.mail.text);

  // Opening the code form changes nothing.
  const before = await total();
  const shown = await fetch(page.action);
  assert.equal(shown.status, 200);
  assert.equal(outcome(await shown.text()), "phone_code");

  // A wrong code: refused with the form again, nothing stored.
  const wrong = await typeCode(page.action, wrongThan(code));
  assert.equal(wrong.status, 400);
  const wrongHtml = await wrong.text();
  assert.equal(outcome(wrongHtml), "phone_code_invalid");
  assert.match(wrongHtml, /autocomplete="one-time-code"/);
  assert.equal(await total(), before);
  assert.equal((await stateOf(subject))["sms:offers"].state, "unverified");

  // The right code, as a person may type it: granted.
  const right = await typeCode(page.action, `${code.slice(0, 3)} ${code.slice(3)}`);
  assert.equal(right.status, 200);
  assert.equal(outcome(await right.text()), "phone_confirmed");
  assert.equal(await total(), before + 1);
  state = await stateOf(subject);
  assert.equal(state["sms:offers"].state, "granted");
  assert.equal(state["email:newsletter"].state, "granted");
  const [proof] = (await adminRecords(edge, "example")).records;
  assert.equal(proof.record.event.action, "confirm");
  assert.equal(proof.record.event.ui.control, "phone_confirm");
  assert.equal(proof.record.event.answers, answer.event_id);
  assert.equal(proof.record.event.subject, subject);

  // Again: the same answer, nothing new; the email link asks no code now.
  const again = await typeCode(page.action, code);
  assert.equal(again.status, 200);
  assert.equal(outcome(await again.text()), "phone_confirmed");
  assert.equal(await total(), before + 1);
  const reopened = await confirmByMail(link);
  assert.equal(outcome(reopened.html), "confirmed");
  assert.equal(reopened.action, undefined, "no code to type any more");
  assert.equal((await textsTo("+442079460958")).length, 1, "one SMS, never a second");

  // The SMS went through the queue like a mail, kind sms.code (SMS=dev here).
  let delivered;
  for (let i = 0; i < 50 && !delivered; i++) {
    const list = (await (await owner("/v1/admin/sites/example/webhooks")).json()).deliveries;
    delivered = list.find((d) => d.kind === "sms.code" && d.state === "delivered");
    if (!delivered) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(delivered, "the SMS delivery is listed and delivered");
});

test("five wrong codes kill the code: the right one is then refused and the offer stays unverified", async () => {
  const { subject, link } = await signUp("phone-ben@example.com", "+44 20 7946 0959");
  const page = await confirmByMail(link);
  const code = codeOf((await textsTo("+442079460959"))[0]);
  const before = await total();
  for (let n = 1; n <= 4; n++) {
    const r = await typeCode(page.action, wrongThan(code));
    assert.equal(r.status, 400, `try ${n}`);
    assert.equal(outcome(await r.text()), "phone_code_invalid");
  }
  const fifth = await typeCode(page.action, "000000" === code ? "111111" : "000000");
  assert.equal(fifth.status, 410);
  assert.equal(outcome(await fifth.text()), "phone_code_exhausted");
  const late = await typeCode(page.action, code);
  assert.equal(late.status, 410, "the right code, too late");
  assert.equal(outcome(await late.text()), "phone_code_exhausted");
  assert.equal(await total(), before);
  assert.equal((await stateOf(subject))["sms:offers"].state, "unverified");
});

test("someone else's number is never granted without its code, and no code of another submission opens it", async () => {
  // Mallory holds her address and her own number, not the victim's.
  const own = await signUp("mallory-own@example.com", "+44 20 7946 0100");
  await confirmByMail(own.link);
  const ownCode = codeOf((await textsTo("+442079460100"))[0]);
  assert.match(ownCode, /^\d{6}$/);

  const { subject, link } = await signUp("mallory@example.com", "+44 20 7946 0200");
  const page = await confirmByMail(link);
  assert.equal((await stateOf(subject))["sms:offers"].state, "unverified");
  const victimCode = codeOf((await textsTo("+442079460200"))[0]);
  if (ownCode !== victimCode) {
    const r = await typeCode(page.action, ownCode);
    assert.equal(r.status, 400);
    assert.equal(outcome(await r.text()), "phone_code_invalid", "another submission's code");
  }
  // Guessing: the code dies long before it is found.
  let last;
  for (let n = 0; n < 6; n++) {
    const guess = String(n).repeat(6);
    if (guess === victimCode) continue;
    last = await typeCode(page.action, guess);
  }
  assert.equal(last.status, 410);
  assert.equal(outcome(await last.text()), "phone_code_exhausted");
  assert.equal((await stateOf(subject))["sms:offers"].state, "unverified");
  assert.equal((await typeCode(page.action, victimCode)).status, 410);
  assert.equal((await stateOf(subject))["sms:offers"].state, "unverified", "never granted");
  // A forged link opens no code form.
  const forged = new URL(page.action);
  forged.searchParams.set("token", "x.y");
  const r = await typeCode(forged.href, victimCode);
  assert.equal(r.status, 400);
  assert.equal(outcome(await r.text()), "token_invalid");
});

test("texts count against the number they go to: three codes a day, the fourth confirmation texts none", async () => {
  const number = "+44 20 7946 0300";
  for (let n = 0; n < 4; n++) {
    const { link } = await signUp(`fan${n}@example.com`, number);
    const page = await confirmByMail(link);
    assert.equal(page.status, 200);
    assert.equal(outcome(page.html), "confirmed");
    assert.equal(Boolean(page.action), n < 3, `confirmation ${n}: a code form only when a code went out`);
  }
  assert.equal((await textsTo("+442079460300")).length, 3);
});
