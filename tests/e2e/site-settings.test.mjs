// The site's configuration without a deploy, in real Chromium against the
// real worker: a person changes a form's text in the console, previews the
// draft (the real widget, nothing recorded), publishes it, and the demo
// page shows the new text under a new notice version (the banner asks
// again, the next record names it), all without a redeploy. Then the rules
// over HTTP and the CLI: scopes, fields only a deploy changes, a key given
// twice, stale and empty drafts, the preview's refusals, the archive.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";
import { adminRecords, assent, cmpLoaded, eventually, ownerCall, pageErrors, scratch, siteConfig, siteKey } from "./harness.mjs";

useEdgeAndChromium({ rateLimit: false });
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const BANNER = "#assent-host >> section.banner";
const FORM_TITLE = "[data-assent-form=newsletter] h2";
const admin = (path, key, init) => ownerCall(edge, `/v1/admin/sites/demo${path}`, key, init);
const formTitle = async () => (await (await fetch(`${edge.url}/v1/sites/demo/forms/newsletter?lang=en`)).json()).notice.texts.title;

test("a form's text changed in the console, previewed, published: the demo page shows it under a new notice version", async () => {
  const before = await siteConfig(edge, "en", "demo");
  const oldForm = (await (await fetch(`${edge.url}/v1/sites/demo/forms/newsletter?lang=en`)).json()).notice_hash;
  // A visitor chooses on the demo page under the deployed notice.
  const visitor = await browser.newContext();
  const page = await visitor.newPage();
  const errors = pageErrors(page);
  // What a browser cached is not what this test is about: it reads fresh.
  const cdp = await visitor.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await page.goto(`${edge.url}/newsletter.html`);
  assert.equal(await page.locator(FORM_TITLE).textContent(), "Stay in touch");
  await page.click(`${BANNER} button[data-act=accept_all]`);
  await page.locator(BANNER).waitFor({ state: "detached" });
  await eventually(async () => (await adminRecords(edge)).total === 1, "the choice stored");

  // The marketer: a key that may edit and publish, and nothing else.
  const key = siteKey(edge, "marketing", "read,edit,publish", "demo").key;
  const console_ = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const consoleErrors = pageErrors(console_);
  await console_.goto(`${edge.url}/admin/`);
  await console_.fill("#site", "demo");
  await console_.fill("#key", key);
  await console_.click("#signin button[type=submit]");
  await console_.click("[data-section=settings]");
  await console_.locator("#panel[data-ready=settings]").waitFor();
  assert.match(await console_.locator("[data-in-force]").textContent(), new RegExp(`the deployed file, notice version ${before.notice_version}`));
  await console_.fill('[data-path="forms.newsletter.title"]', "Join the Gazette");
  await console_.click("[data-save]");
  await console_.locator("[data-saved]").waitFor();
  assert.equal(await console_.locator("[data-draft]").getAttribute("data-draft"), "saved");
  assert.equal(await formTitle(), "Stay in touch", "a draft is nobody's to see");

  // The preview: the real widget from the draft; nothing chosen is recorded.
  await console_.click("[data-preview]");
  const frame = console_.frameLocator("[data-preview-frame]");
  await eventually(async () => (await frame.locator(FORM_TITLE).textContent().catch(() => "")) === "Join the Gazette", "the draft's form in the preview");
  await console_.locator("[data-preview-frame]").scrollIntoViewIfNeeded();
  await frame.locator(`${BANNER} button[data-act=reject_all]`).click();
  await frame.locator(BANNER).waitFor({ state: "detached" });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await adminRecords(edge)).total, 1, "a preview records nothing");
  assert.equal(await page.locator(FORM_TITLE).textContent(), "Stay in touch");

  // Usable and accessible: axe finds nothing; at 320 px and 200% text nothing scrolls sideways.
  // (Through the debugger: the console's CSP rightly refuses inline scripts.)
  await console_.evaluate(`${AXE}\n;undefined`);
  const violations = await console_.evaluate(async () => (await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"], exclude: [["[data-preview-frame]"]] })).violations.map((v) => v.id));
  assert.deepEqual(violations, []);
  await console_.setViewportSize({ width: 320, height: 700 });
  await console_.evaluate(() => { document.documentElement.style.fontSize = "200%"; });
  assert.ok(await console_.evaluate(() => document.scrollingElement.scrollWidth <= 320), "no sideways scroll at 320 px and 200% text");
  await console_.evaluate(() => { document.documentElement.style.fontSize = ""; });
  await console_.setViewportSize({ width: 1280, height: 900 });

  // Publish: a new edition and, since what visitors see changed, a new notice version.
  console_.once("dialog", (d) => d.accept());
  await console_.click("[data-publish]");
  await console_.locator("[data-published], [data-settings-error]").first().waitFor();
  assert.equal(await console_.locator("[data-settings-error]").count(), 0, await console_.locator("[data-settings-said]").textContent());
  assert.equal(await console_.locator("[data-published]").getAttribute("data-published"), "1");
  const after = await siteConfig(edge, "en", "demo");
  assert.notEqual(after.notice_version, before.notice_version);
  assert.match(await console_.locator("[data-published]").textContent(), new RegExp(`Published edition 1, notice version ${after.notice_version}`));
  assert.equal(await console_.locator("[data-in-force]").getAttribute("data-in-force"), "1");
  assert.equal(await console_.locator("[data-editions] tbody tr").count(), 1);

  // The demo page, unchanged files and no deploy: the new text, and the
  // visitor is asked again under the new version, which the next record names.
  await page.reload();
  await page.locator(BANNER).waitFor();
  assert.equal(await page.locator(FORM_TITLE).textContent(), "Join the Gazette");
  await page.click(`${BANNER} button[data-act=reject_all]`);
  await eventually(async () => (await adminRecords(edge)).total === 2, "the new choice stored");
  const newest = (await adminRecords(edge)).records[0].record;
  assert.deepEqual(newest.event.notice, { version: after.notice_version, language: "en", hash: after.notice_hash });
  // The archive keeps every notice shown: the one the first record names,
  // the form's old one no record names (kept by the publish), the new ones.
  const form = await (await fetch(`${edge.url}/v1/sites/demo/forms/newsletter?lang=en`)).json();
  assert.notEqual(form.notice_hash, oldForm);
  for (const hash of [before.notice_hash, oldForm, after.notice_hash, form.notice_hash]) {
    assert.equal((await fetch(`${edge.url}/v1/sites/demo/notices/${hash}`)).status, 200, hash);
  }
  // Audited: who published, as the trail says.
  const trail = await (await admin("/audit", edge.adminKey)).json();
  assert.ok(trail.entries.some((e) => e.op === "config.publish" && e.who === "marketing" && e.allowed));
  assert.deepEqual(errors, []);
  assert.deepEqual(consoleErrors, []);
  await visitor.close();
  await console_.close();
});

test("the rules: scopes, fields only a deploy changes, keys given twice, stale and empty drafts, the preview", async () => {
  const editor = siteKey(edge, "editor", "read,edit", "demo").key;
  assert.equal((await admin("/config/draft", editor, { method: "DELETE" })).status, 200);
  const now = await (await admin("/config", editor)).json();
  const save = (config, base = now.hash, key = editor) =>
    admin(`/config/draft?base=${base}`, key, { method: "POST", headers: { "content-type": "application/json" }, body: typeof config === "string" ? config : JSON.stringify(config) });
  const code = async (r) => (await r.json()).error.code;

  // A field only a deploy changes: refused, nothing saved.
  const moved = structuredClone(now.config);
  moved.allowed_origins = ["https://attacker.example"];
  let r = await save(moved);
  assert.deepEqual([r.status, await code(r)], [400, "fixed_at_deploy"]);
  assert.equal((await (await admin("/config/draft", editor)).json()).draft, null);
  // A key given twice, anywhere: one body must not say two things.
  const twice = JSON.stringify(now.config).replace('"default_language":', '"default_language":"de","default_language":');
  r = await save(twice);
  assert.deepEqual([r.status, await code(r)], [400, "config_malformed"]);
  // The build's own checks.
  r = await save({ ...now.config, consent_lifetime_days: 400 });
  assert.deepEqual([r.status, await code(r)], [400, "lifetime_out_of_range"]);
  // Nothing to preview or publish yet.
  r = await admin("/config/draft/preview", editor, { method: "POST" });
  assert.deepEqual([r.status, await code(r)], [404, "draft_none"]);
  r = await admin("/config/publish", edge.adminKey, { method: "POST" });
  assert.deepEqual([r.status, await code(r)], [404, "draft_none"]);

  // A theme whose button text would be hard to read: refused by core.
  r = await save({ ...now.config, theme: { button: "#dddddd" } });
  assert.deepEqual([r.status, await code(r)], [400, "theme_invalid"]);

  // A draft made from what is in force, with the site's green; an editor may not publish it.
  const edited = structuredClone(now.config);
  edited.languages.en.ui.title = "Your privacy, your say";
  edited.theme = { button: "#0b6e4f", radius: "0.25rem" };
  assert.equal((await save(edited)).status, 200);
  r = await admin("/config/publish", editor, { method: "POST" });
  assert.deepEqual([r.status, await code(r)], [403, "scope_missing"]);
  // A draft from a base that is not in force: refused.
  r = await save(edited, "0".repeat(64));
  assert.deepEqual([r.status, await code(r)], [409, "draft_stale"]);

  // The preview link: the draft under it, every write refused, a forged token refused.
  const { url } = await (await admin("/config/draft/preview", editor, { method: "POST" })).json();
  const previewed = await (await fetch(`${url}v1/sites/demo/config?lang=en`)).json();
  assert.equal(previewed.notice.texts.title, "Your privacy, your say");
  assert.equal(previewed.theme, "--assent-btn-bg:#0b6e4f;--assent-radius:0.25rem");
  // The real widget shows it: every button in the draft's colour.
  const look = await browser.newPage();
  await look.goto(`${url}?lang=en`);
  await look.locator("#assent-host >> section.banner").waitFor();
  // The demo is a TCF site: its CMP runs under the preview too, with the draft's vendors.
  await cmpLoaded(look);
  const colours = await look.locator("#assent-host >> section.banner button").evaluateAll((bs) => bs.map((b) => getComputedStyle(b).backgroundColor));
  assert.deepEqual(colours, ["rgb(11, 110, 79)", "rgb(11, 110, 79)", "rgb(11, 110, 79)"]);
  assert.equal(await look.locator("#assent-host >> section.banner .title").textContent(), "Your privacy, your say");
  // The preview page itself: axe finds nothing, and at 320 px nothing scrolls sideways.
  await look.setViewportSize({ width: 320, height: 640 });
  await look.evaluate(`${AXE}\n;undefined`);
  assert.deepEqual(await look.evaluate(async () => (await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] })).violations.map((v) => v.id)), []);
  assert.ok(await look.evaluate(() => document.scrollingElement.scrollWidth <= 320), "no sideways scroll");
  await look.close();
  assert.equal((await siteConfig(edge, "en", "demo")).notice.texts.title, now.config.languages.en.ui.title);
  r = await fetch(`${url}v1/sites/demo/events`, { method: "POST", body: "{}" });
  assert.deepEqual([r.status, await code(r)], [403, "preview_only"]);
  const forged = url.replace(/\/preview\/(\d+)\./, (_, n) => `/preview/${Number(n) + 1}.`);
  r = await fetch(`${forged}assent.js`);
  assert.deepEqual([r.status, await code(r)], [400, "token_invalid"]);
  const page = await (await fetch(url)).text();
  assert.match(page, /Nothing chosen here is recorded/);
  assert.equal((await fetch(`${url}assent-panel.js`)).status, 200);
  assert.equal((await fetch(`${url}secret.txt`)).status, 404);

  // Publishing what is already in force is refused; an unknown edition too.
  assert.equal((await admin("/config/draft", editor, { method: "DELETE" })).status, 200);
  assert.equal((await save(now.config)).status, 200);
  r = await admin("/config/publish", edge.adminKey, { method: "POST" });
  assert.deepEqual([r.status, await code(r)], [409, "draft_unchanged"]);
  r = await admin("/config/editions/99", editor);
  assert.deepEqual([r.status, await code(r)], [404, "edition_unknown"]);
});

test("the CLI: check a file, pull, push and publish, the editions", async () => {
  const dir = scratch("config");
  let r = assent(["config", "check", "edge/sites/demo.json"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).valid, true);
  const owner = ["--edge", edge.url, "--site", "demo", "--admin-key", edge.adminKey];
  r = assent(["config", "pull", ...owner, "--out", `${dir}/demo.json`]);
  assert.equal(r.status, 0, r.stderr);
  const { base } = JSON.parse(r.stdout);
  const config = JSON.parse(readFileSync(`${dir}/demo.json`, "utf8"));
  config.languages.en.ui.accept_all = "Accept everything";
  writeFileSync(`${dir}/demo.json`, JSON.stringify(config));
  r = assent(["config", "check", `${dir}/demo.json`]);
  assert.equal(r.status, 0, r.stderr);
  // The build's check of the TCF settings against the vendor list, offline.
  writeFileSync(`${dir}/stale.json`, JSON.stringify({ ...config, tcf: { ...config.tcf, disclosure: "0".repeat(64) } }));
  r = assent(["config", "check", `${dir}/stale.json`]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /tcf_disclosure_stale/);
  r = assent(["config", "push", ...owner, `${dir}/demo.json`, "--base", base]);
  assert.equal(r.status, 0, r.stderr);
  r = assent(["config", "publish", ...owner]);
  assert.equal(r.status, 0, r.stderr);
  const published = JSON.parse(r.stdout);
  assert.equal((await siteConfig(edge, "en", "demo")).notice.texts.accept_all, "Accept everything");
  r = assent(["config", "editions", ...owner]);
  assert.equal(JSON.parse(r.stdout).editions[0].edition, published.edition);
  r = assent(["config", "editions", ...owner, String(published.edition)]);
  assert.equal(JSON.parse(r.stdout).config.languages.en.ui.accept_all, "Accept everything");
  // A push over what came into force since is refused.
  r = assent(["config", "push", ...owner, `${dir}/demo.json`, "--base", base]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /draft_stale/);
});
