// The browser's security posture: the widget, the opt-in form, the demo
// pages, the edge's own pages and the owner's console all work under a
// strict Content-Security-Policy (no 'unsafe-inline', no 'unsafe-eval';
// 'wasm-unsafe-eval' only, to compile the engines), in real Chromium against
// the real worker, and every HTML page the edge serves says so in its
// headers.
//
// "Works" is checked where a policy would break it: the stylesheets apply
// (a blocked <style> leaves the banner unstyled, not missing), the engines
// run (a refused wasm compile leaves no banner), the choice is stored, and
// the browser reported no violation at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assent, optIn, ownerCall, subjectOf, waitForRecordsOf } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";
import { integrity, tags } from "../../scripts/sri.mjs";

// The third-party page is served at an allowed origin of the demo config
// while the edge runs on loopback (embed.test.mjs says why this is off).
useEdgeAndChromium({ rateLimit: false, chromiumArgs: ["--disable-features=LocalNetworkAccessChecks"] });

const SITE = "https://demo.assent.example";
const banner = "#assent-host >> section.banner";

/** What a site needs to allow for Assent, and nothing else (docs/embedding.md). */
const strictPolicy = () =>
  `default-src 'none'; script-src ${edge.url} 'wasm-unsafe-eval'; connect-src ${edge.url}; img-src data:; base-uri 'none'`;

/** A page whose every CSP violation (event or console report) is collected. */
async function watched(context) {
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__violations.push(`${e.effectiveDirective} ${e.blockedURI || "inline"}`));
  });
  const page = await context.newPage();
  const reported = [];
  page.on("console", (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) reported.push(m.text()); });
  page.violations = async () => [...reported, ...(await page.evaluate(() => window.__violations ?? []))];
  return page;
}

/** A site's page at SITE with the strict policy (`extra` added to script-src) and `body`. */
async function sitePage(body, { extra = "", tamper = {} } = {}) {
  const context = await browser.newContext();
  // A file of the edge changed on its way (`tamper[path]`: what it becomes).
  for (const [path, change] of Object.entries(tamper)) {
    await context.route(`${edge.url}${path}`, async (route) => {
      const response = await route.fetch();
      return route.fulfill({ response, body: change(await response.body()) });
    });
  }
  await context.route(`${SITE}/**`, (route) => route.fulfill({
    contentType: "text/html", headers: { "content-security-policy": strictPolicy().replace("script-src", `script-src ${extra}`) },
    body: `<!doctype html><html lang="en"><head>${body.head}</head><body>${body.body}</body></html>`,
  }));
  const page = await watched(context);
  await page.goto(`${SITE}/news/strict`);
  return { context, page };
}

const position = (page, selector) => page.locator(selector).evaluate((e) => getComputedStyle(e).position);

for (const [tag, src] of [["static", "/assent.js"], ["per-site", "/v1/sites/demo/assent.js"]]) {
  test(`the ${tag} tag under a site's strict policy: styled banner and panel, a stored choice, no violation`, async () => {
    const { context, page } = await sitePage({ head: `<script src="${edge.url}${src}" data-site="demo"></script>`, body: "<h1>News</h1>" });
    await page.evaluate(() => window.assent.ready);
    // The adopted stylesheet applies: without it the banner would sit in the page's flow.
    assert.equal(await position(page, banner), "fixed");
    await page.click(`${banner} button[data-act=customise]`);
    await page.locator("#assent-host >> .panel").waitFor();
    assert.equal(await position(page, "#assent-host >> .overlay"), "fixed", "the panel's stylesheet did not apply");
    await page.click("#assent-host >> .panel button[data-act=accept_all]");
    const stored = await waitForRecordsOf(edge, await subjectOf(page));
    assert.equal(stored[0].record.event.action, "give");
    assert.deepEqual(await page.violations(), []);
    await context.close();
  });
}

test("an embed's placeholder and the opt-in form under a site's strict policy: styled, working, no violation", async () => {
  const { context, page } = await sitePage({
    head: `<script src="${edge.url}/assent.js" data-site="demo"></script>
      <script type="module" src="${edge.url}/assent-form.js" data-site="demo"></script>`,
    body: `<iframe data-assent="personalisation" data-assent-service="youtube" data-src="about:blank" width="320" height="180" title="Video"></iframe>
      <div data-assent-form="newsletter"></div>`,
  });
  await page.evaluate(() => Promise.all([window.assent.ready, window.assentForms.ready]));
  // The placeholder's shadow root adopted the widget's sheet: its button is the banner's.
  const placeholder = await page.locator("[data-assent-placeholder] >> button").evaluate((b) => getComputedStyle(b).borderRadius);
  const bannerButton = await page.locator(`${banner} button[data-act=reject_all]`).evaluate((b) => getComputedStyle(b).borderRadius);
  assert.notEqual(placeholder, "0px");
  assert.equal(placeholder, bannerButton);
  // The form's sheet (a constructed one the document adopted) applies.
  assert.equal(await page.locator(".assent-form").evaluate((f) => getComputedStyle(f).display), "grid");
  assert.equal(await page.locator("style").count(), 0, "a <style> element was inserted");
  assert.deepEqual(await page.violations(), []);
  await context.close();
});

test("a pinned release (make sri): loader, engine, lazy modules and form load under SRI; a changed byte in any is refused", async () => {
  const pinned = tags(edge.url, "demo", integrity());
  const page = { head: pinned.html, body: '<div data-assent-form="newsletter"></div>' };
  {
    const { context, page: p } = await sitePage(page, { extra: pinned.importmapCsp });
    await p.evaluate(() => Promise.all([window.assent.ready, window.assentForms.ready]));
    await p.click(`${banner} button[data-act=customise]`);
    await p.locator("#assent-host >> .panel").waitFor();
    assert.deepEqual(await p.violations(), []);
    await context.close();
  }
  const flip = (bytes) => { const b = Buffer.from(bytes); b[b.length - 1] ^= 1; return b; };
  // A changed engine. A first visit needs none: the banner shows and its
  // choice is recorded from the edge's plan. What needs the engine is
  // refused: the panel, and a returning visitor's page, whose stored choice
  // only the engine can take up; that page fails closed (no banner,
  // nothing granted).
  {
    const { context, page: p } = await sitePage(page, { extra: pinned.importmapCsp, tamper: { "/assent.wasm": flip } });
    assert.equal(await p.evaluate(() => window.assent.ready.then(() => "ran", () => "refused")), "ran");
    assert.equal(await p.evaluate(() => window.assent.show().then(() => "opened", () => "refused")), "refused");
    assert.equal(await p.locator("#assent-host >> .panel").count(), 0);
    await p.click(`${banner} button[data-act=accept_all]`);
    await p.locator("#assent-host >> button[data-act=choices]").waitFor();
    await p.reload();
    assert.equal(await p.evaluate(() => window.assent.ready.then(() => "ran", () => "refused")), "refused");
    assert.equal(await p.locator("#assent-host").count(), 0);
    assert.equal(await p.evaluate(() => window.assent.accepted("analytics")), false);
    await context.close();
  }
  // A changed panel module: the banner works, the import is refused, nothing else runs.
  {
    const { context, page: p } = await sitePage(page, { extra: pinned.importmapCsp, tamper: { "/assent-panel.js": (b) => Buffer.concat([Buffer.from(b), Buffer.from(";window.pwned=1")]) } });
    await p.evaluate(() => window.assent.ready);
    assert.equal(await p.evaluate(() => window.assent.show().then(() => "opened", () => "refused")), "refused");
    assert.equal(await p.locator("#assent-host >> .panel").count(), 0);
    assert.equal(await p.evaluate(() => window.pwned), undefined);
    await context.close();
  }
  // A changed loader or form module is refused by the browser before it runs.
  {
    const { context, page: p } = await sitePage(page, { extra: pinned.importmapCsp, tamper: { "/assent.js": flip, "/assent-form.js": (b) => Buffer.concat([Buffer.from(b), Buffer.from(";")]) } });
    await p.waitForLoadState("load");
    assert.deepEqual(await p.evaluate(() => [typeof window.assent, typeof window.assentForms]), ["undefined", "undefined"]);
    await context.close();
  }
});

/** The headers every HTML page of the edge carries, and a policy without 'unsafe-*'. */
function assertPageHeaders(r, what) {
  const csp = r.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src/, `${what}: no CSP`);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/, `${what}: ${csp}`);
  assert.equal(r.headers.get("x-content-type-options"), "nosniff", what);
  assert.ok(r.headers.get("referrer-policy"), `${what}: no Referrer-Policy`);
  assert.ok(/frame-ancestors/.test(csp) || r.headers.get("x-frame-options"), `${what}: may be framed anywhere`);
}

test("the edge's own pages (confirmation, privacy center, record of processing) render styled under their policies", async () => {
  await optIn(edge, "csp-confirm@example.test", { confirm: false });
  const mails = (await (await ownerCall(edge, "/v1/admin/sites/example/mail?limit=100", edge.adminKey)).json()).mails;
  const link = mails.find((m) => m.mail.to === "csp-confirm@example.test").mail.link;
  const pages = [
    ["the confirmation page", link, {}],
    ["the privacy center", `${edge.url}/v1/sites/demo/privacy`, {}],
    ["the record of processing", `${edge.url}/v1/admin/sites/demo/processing-record?format=html`, { authorization: `Bearer ${edge.adminKey}` }],
  ];
  for (const [what, url, headers] of pages) {
    const context = await browser.newContext({ extraHTTPHeaders: headers });
    const page = await watched(context);
    const r = await page.goto(url);
    assert.equal(r.status(), 200, what);
    assertPageHeaders({ headers: { get: (h) => r.headers()[h] } }, what);
    // The page's one <style> is allowed by its hash: the body's width rule applied.
    assert.notEqual(await page.locator("body").evaluate((b) => getComputedStyle(b).maxWidth), "none", `${what}: unstyled`);
    assert.deepEqual(await page.violations(), [], what);
    await context.close();
  }
});

test("the demo pages and the owner's console run under their policies, with every header", async () => {
  for (const path of ["/", "/newsletter.html", "/video.html", "/admin/"]) {
    const r = await fetch(`${edge.url}${path}`);
    assert.equal(r.status, 200, path);
    assertPageHeaders(r, path);
  }
  const context = await browser.newContext();
  const page = await watched(context);
  await page.goto(`${edge.url}/`);
  await page.evaluate(() => window.assent.ready);
  await page.click(`${banner} button[data-act=accept_all]`);
  // Allowed: the gated analytics file ran and the video frame loaded, both from the page's origin.
  await page.locator("iframe[src='/video.html']").waitFor();
  await page.waitForFunction(() => [...document.scripts].some((s) => s.src.endsWith("/demo-analytics.js") && s.type !== "text/plain"));
  assert.equal(await page.locator("iframe.video").evaluate((f) => getComputedStyle(f).borderStyle), "none", "demo.css did not apply");
  // The console signs in, reads and draws (uPlot, the proof-checking wasm) under its own stricter policy.
  const key = JSON.parse(assent(["keys", "admin", "create", "--edge", edge.url, "--site", "demo", "--admin-key", edge.adminKey,
    "--name", "csp", "--scopes", "read"]).stdout).key;
  await page.goto(`${edge.url}/admin/`);
  await page.fill("#site", "demo");
  await page.fill("#key", key);
  await page.click("#signin button[type=submit]");
  await page.locator("#panel").waitFor();
  assert.deepEqual(await page.violations(), []);
  await context.close();
});
