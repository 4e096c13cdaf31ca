// Gating promises of docs/embedding.md that integrations.test.mjs does not cover:
// `data-type="module"`, the CSP nonce copied to a gated script, img and video
// embeds, the clean-up of a refused service's localStorage/sessionStorage
// keys and of its cookies on a parent domain, and the `assent:ready` event.
//
// The page (tests/e2e/fixtures/gating.html) is served at http://www.demo.test
// by Playwright's router, so it has a parent domain (demo.test) for cookies;
// every other request on that host is forwarded to the real edge.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

useEdgeAndChromium();

const FIXTURE = readFileSync(new URL("fixtures/gating.html", import.meta.url), "utf8");
const HOST = "http://www.demo.test";
const CSP = "script-src 'nonce-n0nce' 'wasm-unsafe-eval'";
const button = (scope, act) => `#assent-host >> ${scope} button[data-act=${act}]`;
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="90"><rect width="120" height="90"/></svg>';

/** A fresh visitor on the fixture at www.demo.test; `notice(n)` may change the notice the edge serves. */
async function visit({ notice, beforeGoto } = {}) {
  const context = await browser.newContext();
  await context.route(`${HOST}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === "/gating") {
      return route.fulfill({ contentType: "text/html", headers: { "content-security-policy": CSP }, body: FIXTURE });
    }
    if (url.pathname === "/fixture-img.svg") return route.fulfill({ contentType: "image/svg+xml", body: SVG });
    if (url.pathname === "/fixture-video.webm") return route.fulfill({ status: 404, body: "" });
    // Everything else (the widget, its wasm, the config, events) from the edge.
    const response = await route.fetch({ url: edge.url + url.pathname + url.search });
    if (notice && url.pathname.startsWith("/v1/sites/demo/config")) {
      const answer = await response.json();
      notice(answer.notice);
      return route.fulfill({ response, json: answer });
    }
    return route.fulfill({ response });
  });
  // A test may close the context while an event is still forwarded.
  const close = context.close.bind(context);
  context.close = async () => { await context.unrouteAll({ behavior: "ignoreErrors" }); await close(); };
  const page = await context.newPage();
  await beforeGoto?.(page);
  await page.goto(`${HOST}/gating`);
  await page.evaluate(() => window.assent.ready);
  return { context, page };
}

const ran = (page) => page.evaluate(() => window.ran);

test("a gated module runs as a module, and a gated inline script runs under the page's CSP nonce", async () => {
  const { context, page } = await visit();
  const violations = [];
  page.on("console", (m) => { if (/Content Security Policy/.test(m.text())) violations.push(m.text()); });
  assert.deepEqual(await ran(page), [], "a gated script ran before consent");
  await page.click(button("section.banner", "accept_all"));
  await page.waitForFunction(() => window.ran.length === 2);
  assert.deepEqual((await ran(page)).sort(), ["module:string", "nonce"]);
  const types = await page.evaluate(() => [...document.scripts].map((s) => s.type));
  assert.ok(types.includes("module"), "the gated module was inserted with another type");
  assert.deepEqual(violations, []);
  await context.close();
});

// An inline module does not hold back the gated script after it, as in a
// page's own HTML (an inline module is deferred there): Chromium fires no
// load for an inline module, so a loader waiting for one would stop every
// gated script after it. The module still runs, after those before it.
test("a gated inline module runs, and does not stop the gated scripts after it", async () => {
  const { context, page } = await visit();
  await page.click(button("section.banner", "accept_all"));
  await page.waitForFunction(() => window.ran.length === 2);
  assert.deepEqual(await ran(page), ["nonce", "module:string"], "the module ran before the script after it: did the loader wait on it?");
  await context.close();
});

test("img and video embeds keep data-src and show a placeholder of their size until allowed", async () => {
  const { context, page } = await visit();
  for (const tag of ["img", "video"]) {
    const el = page.locator(`${tag}[data-assent]`);
    assert.equal(await el.getAttribute("src"), null, `the ${tag} loaded before consent`);
    assert.equal(await el.evaluate((e) => e.hidden), true);
  }
  const boxes = await page.locator("[data-assent-placeholder=personalisation]").evaluateAll((ps) =>
    ps.map((p) => [p.nextElementSibling.tagName, Math.round(p.getBoundingClientRect().width), Math.round(p.getBoundingClientRect().height)]));
  assert.deepEqual(boxes, [["IMG", 120, 90], ["VIDEO", 320, 180]]);
  await page.click(button("section.banner", "accept_all"));
  await page.waitForFunction(() => document.querySelector("video[data-assent]").getAttribute("src") === "/fixture-video.webm");
  assert.equal(await page.locator("img[data-assent]").getAttribute("src"), "/fixture-img.svg");
  await page.waitForFunction(() => document.querySelector("img[data-assent]").complete);
  assert.equal(await page.locator("img[data-assent]").evaluate((i) => i.naturalWidth), 120, "the image did not load");
  assert.equal(await page.locator("[data-assent-placeholder]").count(), 0);
  await context.close();
});

test("a refused service's localStorage and sessionStorage keys are deleted, others kept", async () => {
  // The demo lists `reco_profile` (local_storage) for recommendations; this
  // adds a session_storage prefix to youtube.
  const { context, page } = await visit({
    notice(notice) {
      const yt = notice.purposes.find((p) => p.id === "personalisation").services.find((s) => s.id === "youtube");
      yt.cookies.push({ name: "yt_*", kind: "session_storage", duration_days: null });
    },
  });
  await page.evaluate(() => {
    localStorage.setItem("reco_profile", "x");
    localStorage.setItem("mine", "keep");
    sessionStorage.setItem("yt_player", "x");
    sessionStorage.setItem("yt_other", "x");
    sessionStorage.setItem("mine", "keep");
  });
  await page.click(button("section.banner", "reject_all"));
  await page.waitForFunction(() => localStorage.getItem("reco_profile") === null);
  const left = await page.evaluate(() => ({
    local: Object.keys(localStorage).filter((k) => !k.startsWith("assent:")).sort(),
    session: Object.keys(sessionStorage).sort(),
  }));
  assert.deepEqual(left, { local: ["mine"], session: ["mine"] });
  await context.close();
});

test("a refused service's cookies are expired on the host and on its parent domain", async () => {
  const { context, page } = await visit();
  await context.addCookies([
    { name: "_ga", value: "GA1.2.3", domain: ".demo.test", path: "/" },
    { name: "_ga_XYZ", value: "1", domain: "www.demo.test", path: "/" },
    { name: "TDID", value: "1", domain: ".demo.test", path: "/" },
    { name: "sid", value: "keep", domain: ".demo.test", path: "/" },
  ]);
  const names = async () => (await context.cookies(HOST)).map((c) => `${c.name}@${c.domain}`).sort();
  assert.deepEqual(await names(), ["TDID@.demo.test", "_ga@.demo.test", "_ga_XYZ@www.demo.test", "sid@.demo.test"]);
  await page.click(button("section.banner", "reject_all"));
  await page.waitForFunction(() => !document.cookie.includes("_ga"));
  assert.deepEqual(await names(), ["sid@.demo.test"], "a refused service's cookie survived");
  await context.close();
});

test("assent:ready fires on document once the widget runs, with the choice in force as detail", async () => {
  const { context, page } = await visit({
    beforeGoto: (page) => page.addInitScript(() => {
      window.readySeen = [];
      document.addEventListener("assent:ready", (e) => window.readySeen.push(e.detail));
    }),
  });
  assert.deepEqual(await page.evaluate(() => window.readySeen), [null], "before a choice the detail is null");
  await page.click(button("section.banner", "reject_all"));
  await page.reload();
  await page.evaluate(() => window.assent.ready);
  assert.deepEqual(await page.evaluate(() => window.readySeen), [
    { necessary: true, analytics: false, marketing: false, personalisation: false },
  ]);
  await context.close();
});
