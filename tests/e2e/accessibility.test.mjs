// Accessibility in real Chromium: axe-core (npm) finds no WCAG 2.x A/AA
// violation in the banner, the panel (light and dark) or the Privacy choices
// control, inside the widget's shadow root; and the whole flow works with the
// keyboard alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { adminRecords } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

useEdgeAndChromium();

async function audit(page) {
  // Injected by the test driver, as the console test does: the demo page's strict CSP refuses inline script tags.
  await page.evaluate(`${AXE}\n;undefined`);
  return page.evaluate(async (tags) => {
    const r = await axe.run({ include: [["#assent-host"]] }, { runOnly: tags });
    return {
      violations: r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
      checked: r.passes.reduce((n, p) => n + p.nodes.length, 0),
      contrast: r.passes.find((p) => p.id === "color-contrast")?.nodes.length ?? 0,
    };
  }, TAGS);
}

test("axe finds no violation in the banner, the panel and the Privacy choices control", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const context = await browser.newContext({ colorScheme });
    const page = await context.newPage();
    await page.goto(edge.url + "/");
    await page.locator("#assent-host >> section.banner").waitFor();
    const banner = await audit(page);
    assert.deepEqual(banner.violations, [], `banner, ${colorScheme}`);
    assert.ok(banner.contrast >= 3, "axe looked inside the shadow root");

    await page.click("#assent-host >> section.banner button[data-act=customise]");
    await page.locator("#assent-host >> [role=dialog]").waitFor();
    const panel = await audit(page);
    assert.deepEqual(panel.violations, [], `panel, ${colorScheme}`);
    assert.ok(panel.checked > banner.checked);

    await page.click("#assent-host >> [role=dialog] button[data-act=reject_all]");
    await page.locator("#assent-host >> button[data-act=choices]").waitFor();
    assert.deepEqual((await audit(page)).violations, [], `choices control, ${colorScheme}`);
    await context.close();
  }
});

test("keyboard only: reach the banner, customise, toggle, escape, and refuse", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(edge.url + "/");
  await page.locator("#assent-host >> section.banner").waitFor();
  const focused = () =>
    page.evaluate(() => {
      const inner = document.activeElement?.shadowRoot?.activeElement;
      return inner ? inner.getAttribute("data-act") || inner.getAttribute("data-purpose") || inner.tagName : null;
    });

  // The banner is first in the page: the first Tab lands in it (the
  // demo's own links come after), then on to its first button.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "assent-host", "the first Tab reaches the banner");
  let at = await focused();
  for (let i = 0; i < 5 && at !== "accept_all"; i++) {
    await page.keyboard.press("Tab");
    at = await focused();
  }
  assert.equal(at, "accept_all", "the banner is reachable with Tab");
  await page.keyboard.press("Tab");
  assert.equal(await focused(), "reject_all");
  await page.keyboard.press("Tab");
  assert.equal(await focused(), "customise");

  await page.keyboard.press("Enter");
  await page.locator("#assent-host >> [role=dialog]").waitFor();
  assert.equal(await focused(), "analytics", "the panel opens with focus on its first switch");
  await page.keyboard.press("Space");
  assert.equal(await page.locator("#assent-host >> input[data-purpose=analytics]").isChecked(), true);
  await page.keyboard.press("Escape");
  await page.locator("#assent-host >> [role=dialog]").waitFor({ state: "detached" });
  assert.equal(await focused(), "customise", "focus returns where it came from");

  const before = (await adminRecords(edge)).total;
  await page.keyboard.press("Shift+Tab");
  assert.equal(await focused(), "reject_all");
  await page.keyboard.press("Enter");
  await page.locator("#assent-host >> section.banner").waitFor({ state: "detached" });
  for (let i = 0; i < 50 && (await adminRecords(edge)).total === before; i++) await page.waitForTimeout(100);
  const { records } = await adminRecords(edge);
  assert.equal(records[0].record.event.ui.control, "reject_all");
  assert.equal(records[0].record.event.decisions.analytics, false, "an escaped panel changes nothing");
  assert.equal(await focused(), "choices", "focus moves to the Privacy choices control");
  await context.close();
});

test("at 320 px, with the text as set and at 200%, the three buttons wrap and all stay whole, visible and equal", async () => {
  for (const zoom of ["100%", "200%"]) {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    await page.addInitScript((z) => {
      document.addEventListener("DOMContentLoaded", () => { document.documentElement.style.fontSize = z; });
    }, zoom);
    await page.goto(edge.url + "/");
    await page.locator("#assent-host >> section.banner").waitFor();
    const buttons = [];
    for (const act of ["accept_all", "reject_all", "customise"]) {
      const b = page.locator(`#assent-host >> section.banner button[data-act=${act}]`);
      await b.scrollIntoViewIfNeeded();
      const box = await b.boundingBox();
      const cut = await b.evaluate((el) => el.scrollWidth > el.clientWidth);
      buttons.push({ act, box, cut });
    }
    for (const { act, box, cut } of buttons) {
      assert.ok(box.x >= 0 && box.x + box.width <= 320, `${zoom}: ${act} is outside the viewport (${box.x}+${box.width})`);
      assert.equal(cut, false, `${zoom}: ${act}'s label is cut off`);
    }
    const widths = buttons.map((b) => Math.round(b.box.width));
    assert.ok(Math.max(...widths) - Math.min(...widths) <= 1, `${zoom}: equal widths ${widths}`);
    assert.ok(new Set(buttons.map((b) => Math.round(b.box.y))).size > 1, `${zoom}: at 320 px the buttons wrap`);
    await context.close();
  }
});

test("text resized to 200%: the banner and the panel stay within the viewport, every control reachable", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  // Browser text zoom scales the root font size; the widget sizes everything in rem.
  await page.addInitScript(() => {
    document.addEventListener("DOMContentLoaded", () => { document.documentElement.style.fontSize = "200%"; });
  });
  await page.goto(edge.url + "/");
  const banner = page.locator("#assent-host >> section.banner");
  await banner.waitFor();
  const fontSize = await banner.evaluate((b) => parseFloat(getComputedStyle(b).fontSize));
  assert.equal(fontSize, 30, "the widget's text (0.9375rem) did not scale with the page");
  const fits = async (locator) => {
    const box = await locator.boundingBox();
    return box.x >= 0 && box.y >= 0 && box.x + box.width <= 1280 && box.y + box.height <= 720;
  };
  assert.ok(await fits(banner), "the banner overflows the viewport");
  for (const act of ["accept_all", "reject_all", "customise"]) {
    const b = page.locator(`#assent-host >> section.banner button[data-act=${act}]`);
    await b.scrollIntoViewIfNeeded();
    assert.ok(await fits(b), `${act} cannot be reached`);
  }
  await page.click("#assent-host >> section.banner button[data-act=customise]");
  const dialog = page.locator("#assent-host >> .panel");
  await dialog.waitFor();
  assert.ok(await fits(dialog), "the panel overflows the viewport");
  const save = page.locator("#assent-host >> .panel button[data-act=save]");
  await save.scrollIntoViewIfNeeded();
  assert.ok(await fits(save), "Save cannot be reached");
  await context.close();
});
