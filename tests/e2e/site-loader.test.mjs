// The per-site tag, `<script src="EDGE/v1/sites/demo/assent.js">`: one answer
// carries the widget, the notice and the wasm, so the banner needs no second
// round trip; in real Chromium against the real worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { recordsOf, subjectOf, waitForRecordsOf, eventually } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

useEdgeAndChromium();

// The demo page (the per-site tag is its tag) without its `lang`: the
// language is the browser's, as the tag's answer has it.
const DEMO = readFileSync(new URL("../../www/index.html", import.meta.url), "utf8");
const PAGE = DEMO.replace('<html lang="en">', "<html>");
assert.match(PAGE, /<script src="\/v1\/sites\/demo\/assent.js"><\/script>/);

async function visit(context, body = PAGE) {
  await context.route(`${edge.url}/site-tag`, (route) => route.fulfill({ contentType: "text/html", body }));
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${edge.url}/site-tag`, { waitUntil: "domcontentloaded" });
  return { page, requests };
}

// The tag's request carries no page `lang`: the language is the tag's
// `?lang=` (a multilingual site writes it per page) or Accept-Language.
test("the banner shows from one answer: no request for the notice or the wasm", async () => {
  const context = await browser.newContext({ locale: "de-DE" });
  const { page, requests } = await visit(context);
  await page.evaluate(() => window.assent.ready);
  const banner = page.locator("#assent-host >> section.banner");
  await banner.waitFor();
  const notice = await (await fetch(`${edge.url}/v1/sites/demo/config?lang=de`)).json();
  assert.match(await banner.innerText(), new RegExp(notice.notice.texts.title));
  assert.ok(!requests.some((p) => p.endsWith("/config") || p.endsWith("/assent.wasm")), requests.join(" "));
  // The demo is a TCF site: its CMP's own files come beside it (docs/tcf.md), and nothing else.
  assert.deepEqual(requests.filter((p) => p.endsWith(".wasm") || p.includes("/notices/")).sort(),
    ["/assent-tcf.wasm", `/v1/sites/demo/notices/${notice.notice.tcf.disclosure}`]);

  // A choice goes to the edge as with the static tag, with the same notice hash.
  await page.click("#assent-host >> section.banner button[data-act=reject_all]");
  const [stored] = await waitForRecordsOf(edge, await subjectOf(page), 1);
  assert.equal(stored.record.event.notice.hash, notice.notice_hash);
  assert.equal(stored.record.event.notice.language, "de");
  await context.close();
});

// The answer's language is the browser's; a page that says it is in another
// (its <html lang>, which the static tag reads first) asks the edge again.
test("a page in another language than the answer's asks the edge for the notice in its own, one request more", async () => {
  const context = await browser.newContext({ locale: "de-DE" });
  const { page, requests } = await visit(context, DEMO.replace('<html lang="en">', '<html lang="fr">'));
  await page.evaluate(() => window.assent.ready);
  const fr = await (await fetch(`${edge.url}/v1/sites/demo/config?lang=fr`)).json();
  assert.match(await page.locator("#assent-host >> section.banner h2").innerText(), new RegExp(fr.notice.texts.title));
  assert.equal(requests.filter((p) => p.endsWith("/config")).length, 1, requests.join(" "));
  await page.click("#assent-host >> section.banner button[data-act=accept_all]");
  const [stored] = await waitForRecordsOf(edge, await subjectOf(page), 1);
  assert.equal(stored.record.event.notice.language, "fr");
  assert.equal(stored.record.event.notice.hash, fr.notice_hash);
  // A page in the answer's own language asks nothing more.
  const same = await browser.newContext({ locale: "de-DE" });
  const again = await visit(same, DEMO.replace('<html lang="en">', '<html lang="de-AT">'));
  await again.page.evaluate(() => window.assent.ready);
  assert.ok(!again.requests.some((p) => p.endsWith("/config")), again.requests.join(" "));
  await same.close();
  await context.close();
});

test("the per-site answer is cached like the config answer (per place where the site has jurisdiction rules), and carries the choice only with the edge's cookie", async () => {
  const plain = await fetch(`${edge.url}/v1/sites/demo/assent.js?lang=en`);
  assert.equal(plain.status, 200);
  assert.match(plain.headers.get("content-type"), /^text\/javascript/);
  // Per place (the demo has jurisdiction rules), like the config answer.
  assert.equal(plain.headers.get("cache-control"), "private, max-age=60");
  const shared = await fetch(`${edge.url}/v1/sites/example/assent.js?lang=en`);
  assert.equal(shared.headers.get("cache-control"), "public, max-age=60", "a site without rules is shared");
  await shared.arrayBuffer();
  assert.match(plain.headers.get("vary"), /Accept-Language/);
  assert.match(plain.headers.get("vary"), /Cookie/);
  const text = await plain.text();
  // A TCF site's answer opens with the CMP's stub (tcf-cmp.test.mjs), then the statement before the bundle.
  const stub = await (await fetch(`${edge.url}/assent-tcf-stub.js`)).text();
  assert.ok(text.startsWith(`${stub}\ndocument.currentScript.__assent={`), "the stub, then the statement before the bundle");
  assert.ok(!text.includes('"choice"'));

  // A returning visitor on a first-party edge: the choice rides along, never cached.
  const context = await browser.newContext();
  const { page } = await visit(context);
  await page.evaluate(() => window.assent.ready);
  await page.click("#assent-host >> section.banner button[data-act=accept_all]");
  await waitForRecordsOf(edge, await subjectOf(page), 1);
  // The record is stored before the answer that sets the cookie reaches the page.
  const cookie = await eventually(async () => (await context.cookies()).find((c) => c.name === "assent_demo"), "the edge's cookie");
  const withCookie = await fetch(`${edge.url}/v1/sites/demo/assent.js?lang=en`, {
    headers: { cookie: `assent_demo=${cookie.value}` },
  });
  assert.equal(withCookie.headers.get("cache-control"), "private, no-store");
  assert.ok((await withCookie.text()).includes('"choice"'));
  assert.equal((await recordsOf(edge, await subjectOf(page))).length, 1);
  await context.close();
});

test("unknown query parameters and sites are refused as on every route", async () => {
  assert.equal((await fetch(`${edge.url}/v1/sites/demo/assent.js?debug=1`)).status, 400);
  assert.equal((await fetch(`${edge.url}/v1/sites/nope/assent.js`)).status, 404);
});
