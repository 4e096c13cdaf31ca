// The widget's design in real Chromium, as a visitor meets it: in every demo
// language, the first layer's height on a phone and both halves of "what is
// hashed is what is shown"; the banner and the panel
// against committed reference screenshots (1280x800 and 390x844, light and
// dark, en/de/ar), and so are the pages people read after it (the form, the
// confirmation page, the privacy center, the console's sign-in); the panel's switches, collapsible purposes, sticky
// actions, scroll lock and forced colors; one button order everywhere.
//
// Reference images live in tests/e2e/screenshots/. A missing or changed one
// fails; `UPDATE_SCREENSHOTS=1 node --test tests/e2e/design.test.mjs` (after
// `make build`) writes them anew: look at them before committing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { PNG } from "pngjs";
import pixelmatch from "pixelmatch";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";
import { cmpLoaded, pageErrors, optIn, ownerCall } from "./harness.mjs";

useEdgeAndChromium({ rateLimit: false });

const SHOTS = new URL("./screenshots/", import.meta.url);
const DIFFS = new URL("../../target/screenshot-diffs/", import.meta.url);
const UPDATE = process.env.UPDATE_SCREENSHOTS === "1";
// The share of pixels that may differ from the reference (font hinting and
// anti-aliasing), and how far a pixel's colour may move before it counts.
const TOLERANCE = 0.005;
const THRESHOLD = 0.15;

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const BANNER = "#assent-host >> section.banner";
const DIALOG = "#assent-host >> [role=dialog]";

/** A browser context as a visitor's, with Global Privacy Control on or off. */
async function visitor({ lang = "en", viewport = PHONE, colorScheme = "light", gpc = false, forcedColors } = {}) {
  const context = await browser.newContext({
    viewport, locale: lang, colorScheme, forcedColors, ...(gpc ? { extraHTTPHeaders: { "sec-gpc": "1" } } : {}),
  });
  if (gpc) await context.addInitScript(() => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }));
  return context;
}

/** The demo page in `lang` at `viewport`, banner shown (and, unless `cmp` is false, its CMP in); in `context` if given (its storage then cleared by the caller). */
async function visit({ lang = "en", context, cmp = true, ...options } = {}) {
  context ??= await visitor({ lang, ...options });
  const page = await context.newPage();
  await page.route(edge.url + "/", async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: (await response.text()).replace('<html lang="en">', `<html lang="${lang}">`) });
  });
  await page.goto(edge.url + "/");
  await page.locator(BANNER).waitFor();
  // The demo is a TCF site: its vendor list joins the panel once its CMP is in.
  if (cmp) await cmpLoaded(page);
  return { context, page };
}

const notice = async (lang) => (await (await fetch(`${edge.url}/v1/sites/demo/config?lang=${lang}`)).json()).notice;
const languages = async () => (await (await fetch(`${edge.url}/v1/sites/demo/config?lang=en`)).json()).languages;

async function openPanel(page) {
  await page.click(`${BANNER} button[data-act=customise]`);
  await page.locator(DIALOG).waitFor();
}

// References written by an UPDATE_SCREENSHOTS run: compared with nothing, so
// the run must not pass (the last test fails and names them).
const rewritten = [];

/** The page's pixels against the reference `name`: at most TOLERANCE of them differ. `mask` covers what changes by the day. */
async function looksLike(page, name, { mask = [] } = {}) {
  const shot = await page.screenshot({ animations: "disabled", caret: "hide", mask, maskColor: "#888" });
  const file = new URL(`${name}.png`, SHOTS);
  if (UPDATE) {
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(file, shot);
    rewritten.push(name);
    return;
  }
  assert.ok(existsSync(file), `no reference screenshot ${name}.png (UPDATE_SCREENSHOTS=1 writes it)`);
  const want = PNG.sync.read(readFileSync(file));
  const got = PNG.sync.read(shot);
  assert.deepEqual([got.width, got.height], [want.width, want.height], `${name}: size`);
  const diff = new PNG({ width: want.width, height: want.height });
  const differing = pixelmatch(want.data, got.data, diff.data, want.width, want.height, { threshold: THRESHOLD });
  const share = differing / (want.width * want.height);
  if (share > TOLERANCE) {
    mkdirSync(DIFFS, { recursive: true });
    writeFileSync(new URL(`${name}.actual.png`, DIFFS), shot);
    writeFileSync(new URL(`${name}.diff.png`, DIFFS), PNG.sync.write(diff));
  }
  assert.ok(share <= TOLERANCE, `${name}: ${(share * 100).toFixed(2)}% of pixels differ (target/screenshot-diffs/)`);
}

// One visit per language and GPC state carries every per-language check
// (each visit loads the page, the wasm and the notice: 1 s of CPU each, so
// three loops of their own were 100 visits for 100 s of the suite):
// - the first layer takes at most a third of a 390x844 screen, with and
//   without GPC (whose note makes the banner taller);
// - everything hashed is shown: every text, purpose, service, provider and
//   cookie of the notice, and its controller, in the banner (under GPC, so its
//   note shows), the embed's placeholder, the expanded panel, and after a
//   choice the Privacy choices control and "Withdraw all" (cookie lifetimes
//   as the number in the page's language; the unit's wording is Intl's);
// - everything shown is hashed: the banner and the expanded panel show
//   nothing the notice does not hold.
test("in every demo language: the first layer fits a third of a phone, everything hashed is shown, and everything shown is hashed", async () => {
  const heights = [];
  const langs = await languages();
  assert.ok(langs.length >= 25);
  // One context per GPC state, a page per language in it: the widget's files
  // come from its HTTP cache after the first. A page's choice is forgotten
  // (acknowledged first, then storage and cookies cleared) before the next
  // page, so each meets the banner as a first visit.
  const contexts = { false: await visitor({ gpc: false }), true: await visitor({ gpc: true }) };
  for (const lang of langs) {
    for (const gpc of [false, true]) {
      const context = contexts[gpc];
      // Only the visits that open the panel wait for the CMP (its vendor list).
      const { page } = await visit({ lang, context, cmp: gpc });
      const box = await page.locator(BANNER).boundingBox();
      heights.push(`${lang}${gpc ? "+gpc" : ""} ${Math.round(box.height)}`);
      assert.ok(box.height <= PHONE.height / 3, `${lang}${gpc ? " with GPC" : ""}: ${box.height} px of ${PHONE.height / 3}`);
      assert.ok(box.y + box.height <= PHONE.height && box.x >= 0 && box.width <= PHONE.width, "on screen");
      if (gpc) await everythingShown(page, lang, await notice(lang));
      await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
      await context.clearCookies();
      await page.close();
    }
  }
  await Promise.all(Object.values(contexts).map((c) => c.close()));
  assert.equal(heights.length, 2 * langs.length);
});

/** Everything a visitor can read or hear in the widget's shadow roots: text, accessible names, link targets. */
const readable = (page) => page.evaluate(() => {
  const roots = [...document.querySelectorAll("#assent-host, [data-assent-placeholder]")].map((h) => h.shadowRoot);
  return roots.map((r) => r.textContent + " " + [...r.querySelectorAll("[aria-label], [href]")]
    .map((e) => `${e.getAttribute("aria-label") ?? ""} ${e.getAttribute("href") ?? ""}`).join(" ")).join("\n");
});

/** Both halves of "what is hashed is what is shown", on a page visited under GPC. */
async function everythingShown(page, lang, n) {
  await openPanel(page);
  await page.locator(`${DIALOG} details`).evaluateAll((ds) => ds.forEach((d) => { d.open = true; }));
  const t = n.texts;
  const expected = [
    // Under GPC "Accept all" says what it does.
    t.title, t.text, t.accept_all_gpc, t.reject_all, t.customise, t.preferences_title, t.save, t.always_on, t.close,
    t.privacy_policy, t.gpc_honoured, t.allow_and_load,
    n.controller.name, n.controller.contact, n.controller.privacy_policy,
    // The first layer's lines, their placeholders filled in the page's language.
    ...t.third_parties.split("{providers}"), ...t.lifetime.split("{duration}"), "Google Ireland Ltd", "Trade Desk, Xandr, Magnite",
    t.embed_blocked.replace("{purpose}", n.purposes.find((p) => p.id === "personalisation").name),
  ];
  // A TCF site's vendor list, labelled in the notice's language.
  if (n.tcf) expected.push(...["tcf_vendors", "tcf_intro", "tcf_consent_for", "tcf_objected"].map((k) => n.tcf_words[k]));
  for (const p of n.purposes) {
    expected.push(p.name, p.description);
    for (const s of p.services) {
      expected.push(s.name, s.provider);
      for (const c of s.cookies) {
        // The kind in the notice's words for it (`local storage`, `Cookie`).
        assert.ok(n.kinds[c.kind], `${lang}: the notice names the kind ${c.kind}`);
        expected.push(c.name, n.kinds[c.kind], c.purpose);
        if (c.duration_days) expected.push(new Intl.NumberFormat(lang).format(c.duration_days));
      }
    }
  }
  const text = await readable(page);
  for (const e of expected) assert.ok(text.includes(e), `${lang}: ${JSON.stringify(e)} is not shown`);
  await nothingUnhashed(page, lang, n);
  // Shown once a choice grants something: the control that reopens the
  // panel, and the panel's "Withdraw all".
  await page.click(`${DIALOG} button[data-act=accept_all]`);
  await page.click("#assent-host >> button[data-act=choices]");
  await page.locator(DIALOG).waitFor();
  const after = await readable(page);
  for (const e of [t.privacy_choices, t.withdraw_all]) assert.ok(after.includes(e), `${lang}: ${JSON.stringify(e)} is not shown`);
  // The choice acknowledged (its receipt kept, the edge's cookie set) before
  // the caller forgets it: an answer landing later would bring it back.
  await page.waitForFunction(() => window.assent.receipts().length > 0);
}

/** Every visible text node and accessible name of the widget is made of what the notice holds. */
async function nothingUnhashed(page, lang, n) {
  // Every visible text node, and every accessible name, of the widget.
  const shown = await page.evaluate(() => {
    const root = document.getElementById("assent-host").shadowRoot;
    const out = [];
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let t = walk.nextNode(); t; t = walk.nextNode()) {
      if (t.parentElement.closest("style")) continue;
      if (t.textContent.trim()) out.push(t.textContent.trim());
    }
    root.querySelectorAll("[aria-label]").forEach((e) => { out.push(e.getAttribute("aria-label")); });
    return out;
  });
  // What the notice holds, as the widget renders it (numbers in the
  // page's language; the first layer's lines with their placeholders filled).
  const derived = await page.evaluate((n) => {
    const unit = (v, u) => v.toLocaleString(n.language, { style: "unit", unit: u, unitDisplay: "long" });
    const others = [...new Set(n.purposes.filter((p) => !p.required).flatMap((p) => p.services.map((s) => s.provider)))]
      .filter((p) => p !== n.controller.name);
    const days = n.consent_lifetime_days;
    return [
      n.texts.third_parties?.replace("{providers}", new Intl.ListFormat(n.language).format(others)),
      n.texts.lifetime?.replace("{duration}", days < 28 ? unit(days, "day") : unit(Math.round(days / 30.44), "month")),
      ...n.purposes.flatMap((p) => p.services.flatMap((s) => s.cookies.map((c) => c.duration_days && unit(c.duration_days, "day")))),
    ].filter(Boolean);
  }, n);
  // A TCF site's vendor list: its labels are the notice's `tcf_words`, its
  // vendors the disclosure the notice names by hash (checked here).
  let vendors = [];
  if (n.tcf) {
    const bytes = await (await fetch(`${edge.url}/v1/sites/${n.site}/notices/${n.tcf.disclosure}`)).text();
    assert.equal(createHash("sha256").update(bytes).digest("hex"), n.tcf.disclosure, "the disclosure is the one the notice names");
    const d = JSON.parse(bytes);
    // (Trimmed: the list has names with a trailing space, which a text node shows trimmed here.)
    const strings = (v) => (typeof v === "string" ? [v.trim()] : v && typeof v === "object" ? Object.values(v).flatMap(strings) : []);
    vendors = [
      ...Object.values(n.tcf_words).flatMap((w) => w.split(/\{\w+\}/)), ...strings(d), String(d.vendors.length),
      ...d.vendors.flatMap((v) => [v.id, v.dataRetention?.stdRetention, v.cookieMaxAgeSeconds > 0 && Math.ceil(v.cookieMaxAgeSeconds / 86400)])
        .filter((x) => x != null && x !== false).map(String),
    ];
  }
  const held = [
    ...Object.values(n.texts), ...derived, ...vendors, n.controller.name, n.controller.contact,
    ...[n.controller.dpo, n.controller.eu_representative].filter(Boolean).map((x) => `${x.name} (${x.contact})`),
    ...n.purposes.flatMap((p) => [p.name, p.description, ...p.services.flatMap((s) => [s.name, s.provider, ...s.cookies.flatMap((c) => [c.name, n.kinds[c.kind], c.purpose])])]),
  ].filter(Boolean).sort((a, b) => b.length - a.length);
  // The widget's own chrome: the close button's ×, and separators.
  const chrome = /^[\s·×.,;:]*$/;
  for (const text of shown) {
    let rest = text;
    for (const h of held) rest = rest.split(h).join(" ");
    assert.match(rest, chrome, `${lang}: "${text}" shows "${rest.trim()}", which the notice does not hold`);
  }
}

test("the banner and the panel look as their reference screenshots: 1280x800 and 390x844, light and dark, en/de/ar", async () => {
  for (const lang of ["en", "de", "ar"]) {
    for (const [size, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
      for (const colorScheme of ["light", "dark"]) {
        const { context, page } = await visit({ lang, viewport, colorScheme });
        const errors = pageErrors(page);
        await looksLike(page, `banner-${lang}-${size}-${colorScheme}`);
        await openPanel(page);
        // The first optional purpose opened: its services and what they store.
        await page.click(`${DIALOG} .purpose:nth-child(2) summary`);
        await looksLike(page, `panel-${lang}-${size}-${colorScheme}`);
        assert.deepEqual(errors, []);
        await context.close();
      }
    }
  }
});

test("the panel: named switches with 44x44 targets that the keyboard works, collapsible purposes, actions always in view, the banner hidden and the page still behind it", async () => {
  const { context, page } = await visit({ viewport: { width: 390, height: 600 } });
  const en = await notice("en");
  await openPanel(page);
  assert.equal(await page.locator(BANNER).isVisible(), false, "the banner steps aside");
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).overflow), "hidden", "the page does not scroll behind");

  const switches = page.locator(`${DIALOG} input[data-purpose]`);
  assert.equal(await switches.count(), en.purposes.length);
  for (const [i, p] of en.purposes.entries()) {
    const s = switches.nth(i);
    assert.equal(await s.getAttribute("role"), "switch");
    assert.equal(await page.getByRole("switch", { name: p.name, exact: true }).count(), 1, `${p.id} is named by its purpose`);
    const target = await s.locator("xpath=..").boundingBox();
    assert.ok(target.width >= 44 && target.height >= 44, `${p.id}: a ${target.width}x${target.height} target`);
    assert.equal(await s.isDisabled(), !!p.required);
  }
  // Keyboard: Space flips the focused switch.
  const analytics = page.locator(`${DIALOG} input[data-purpose=analytics]`);
  await analytics.focus();
  await page.keyboard.press("Space");
  assert.equal(await analytics.isChecked(), true);
  await page.keyboard.press("Space");
  assert.equal(await analytics.isChecked(), false);

  // Collapsed: the services are a click (or Enter) away.
  const section = page.locator(`${DIALOG} .purpose`).nth(1);
  const service = section.locator(".service").first();
  assert.equal(await service.isVisible(), false);
  await section.locator("summary").focus();
  await page.keyboard.press("Enter");
  assert.equal(await service.isVisible(), true);
  for (const s of en.purposes[1].services) {
    const text = await section.textContent();
    assert.ok(text.includes(s.name) && text.includes(s.provider), s.id);
    for (const c of s.cookies) assert.ok(text.includes(c.purpose), `${c.name}: its purpose`);
  }

  // The actions stay in view while the list scrolls.
  await page.locator(`${DIALOG} .body`).evaluate((b) => { b.scrollTop = b.scrollHeight; });
  for (const act of ["accept_all", "reject_all", "save"]) {
    assert.ok(await page.locator(`${DIALOG} button[data-act=${act}]`).isVisible(), `${act} in view`);
    const box = await page.locator(`${DIALOG} button[data-act=${act}]`).boundingBox();
    assert.ok(box.y + box.height <= 600, `${act} above the fold`);
  }

  await page.keyboard.press("Escape");
  assert.equal(await page.locator(BANNER).isVisible(), true, "the banner is back");
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.documentElement).overflow), "hidden");
  await context.close();
});

test("switches stay visible in dark mode and in forced colors", async () => {
  for (const options of [{ colorScheme: "dark" }, { forcedColors: "active" }]) {
    const { context, page } = await visit(options);
    await openPanel(page);
    const look = (sel) => page.locator(`${DIALOG} ${sel}`).evaluate((e) => {
      const s = getComputedStyle(e);
      return { border: s.borderTopColor, background: s.backgroundColor, panel: getComputedStyle(e.closest(".panel")).backgroundColor };
    });
    const off = await look("input[data-purpose=analytics]");
    const on = await look("input[data-purpose=necessary]");
    assert.notEqual(off.border, off.panel, `${JSON.stringify(options)}: an off switch has a visible edge`);
    assert.notEqual(on.background, off.background, `${JSON.stringify(options)}: on and off differ`);
    if (options.colorScheme === "dark") assert.notEqual(off.background, "rgb(255, 255, 255)", "no bright white switch in the dark");
    await context.close();
  }
});

test("one button order everywhere: the panel follows the first layer, 'Withdraw all' takes the place of 'Reject all', and under GPC 'Accept all' says what it does", async () => {
  const { context, page } = await visit();
  const en = await notice("en");
  const acts = (where) => page.locator(`${where} button.btn`).evaluateAll((bs) => bs.map((b) => b.dataset.act));
  assert.deepEqual(await acts(BANNER), en.choices);
  await openPanel(page);
  assert.deepEqual(await acts(DIALOG), en.choices.map((c) => (c === "customise" ? "save" : c)));
  await page.click(`${DIALOG} button[data-act=accept_all]`);
  await page.click("#assent-host >> button[data-act=choices]");
  await page.locator(DIALOG).waitFor();
  assert.deepEqual(await acts(DIALOG), en.choices.map((c) => ({ customise: "save", reject_all: "withdraw_all" })[c] ?? c));
  await context.close();

  const gpc = await visit({ gpc: true });
  assert.equal((await gpc.page.locator(`${BANNER} button[data-act=accept_all]`).textContent()).trim(), en.texts.accept_all_gpc);
  await openPanel(gpc.page);
  assert.equal((await gpc.page.locator(`${DIALOG} button[data-act=accept_all]`).textContent()).trim(), en.texts.accept_all_gpc);
  assert.ok((await gpc.page.locator(`${DIALOG} .gpc`).textContent()).includes(en.texts.gpc_honoured));
  await gpc.context.close();
});

test("on a phone the Privacy choices control covers none of the demo page's footer", async () => {
  const { context, page } = await visit();
  await page.click(`${BANNER} button[data-act=reject_all]`);
  const control = page.locator("#assent-host >> button[data-act=choices]");
  await control.waitFor();
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  const c = await control.boundingBox();
  const f = await page.locator("footer").evaluate((el) => {
    const r = document.createRange();
    r.selectNodeContents(el);
    const b = r.getBoundingClientRect();
    return { x: b.x, y: b.y, width: b.width, height: b.height };
  });
  const overlap = c.x < f.x + f.width && f.x < c.x + c.width && c.y < f.y + f.height && f.y < c.y + c.height;
  assert.ok(!overlap, `the control ${JSON.stringify(c)} covers the footer's text ${JSON.stringify(f)}`);
  await context.close();
});

test("the pages people read look as their reference screenshots: the form, the confirmation page, the privacy center and the console (its sign-in and Site settings), 390 and 1280 wide", async () => {
  const mailTo = async (to, path) => {
    const { mails } = await (await ownerCall(edge, "/v1/admin/sites/demo/mail?limit=100", edge.adminKey)).json();
    return mails.filter((m) => m.mail.to === to && m.mail.link.includes(path)).at(-1).mail.link;
  };
  for (const [size, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
    const context = await browser.newContext({ viewport, locale: "en", colorScheme: "light" });
    const page = await context.newPage();
    const errors = pageErrors(page);
    // The form, unticked, with its optional marks and why an age is asked.
    await page.goto(`${edge.url}/newsletter.html`);
    await page.locator(".assent-form").waitFor();
    await page.locator(BANNER).waitFor();
    await page.click(`${BANNER} button[data-act=reject_all]`);
    await page.locator(BANNER).waitFor({ state: "detached" });
    await looksLike(page, `form-en-${size}-light`);
    // The confirmation page: the button, then what was confirmed.
    const email = `pages-${size}@example.com`;
    await optIn(edge, email, { site: "demo", confirm: false, ticked: ["email:newsletter", "post:catalogue"] });
    await page.goto(await mailTo(email, "/confirm"));
    await looksLike(page, `confirm-en-${size}-light`);
    await page.click("button[type=submit]");
    await page.locator("main[data-outcome=confirmed]").waitFor();
    await looksLike(page, `confirmed-en-${size}-light`);
    // The privacy center: the start page, then the center itself (dates and
    // the session's end masked: they change by the day).
    await page.goto(`${edge.url}/v1/sites/demo/privacy`);
    await looksLike(page, `center-start-en-${size}-light`);
    await page.fill("#email", email);
    await page.click("button[type=submit]");
    await page.goto(await mailTo(email, "/privacy/open"));
    await page.click("button[type=submit]");
    await page.locator("main[data-outcome=center]").waitFor();
    await looksLike(page, `center-en-${size}-light`, { mask: [page.locator("time"), page.locator(".since"), page.locator("p:has([data-email])")] });
    // The console's sign-in.
    await page.goto(`${edge.url}/admin/`);
    await page.locator("#signin").waitFor();
    await looksLike(page, `console-signin-en-${size}-light`);
    // The console's Site settings: the texts of a language, field by field.
    await page.fill("#site", "demo");
    await page.fill("#key", edge.adminKey);
    await page.click("#signin button[type=submit]");
    await page.click("[data-section=settings]");
    await page.locator("#panel[data-ready=settings]").waitFor();
    await looksLike(page, `console-settings-en-${size}-light`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test("every screenshot was compared with its reference (an UPDATE_SCREENSHOTS run writes them and fails here)", () => {
  assert.deepEqual(rewritten, [], `written anew, not compared: ${rewritten.join(", ")}; look at them, then run again without UPDATE_SCREENSHOTS`);
  assert.equal(UPDATE, false, "UPDATE_SCREENSHOTS=1 never passes");
});
