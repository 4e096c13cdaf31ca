// The Google Tag Manager template (widget/gtm/template.tpl) run against a
// stand-in for the GTM sandbox: the APIs its code requires, each recording
// its calls and refusing what the template's ___WEB_PERMISSIONS___ do not
// allow (as GTM does), then wired to the real loader's Consent Mode update.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { demoAnswer, memoryStorage, loader } from "./env.mjs";

const TPL = readFileSync(new URL("../../widget/gtm/template.tpl", import.meta.url), "utf8");
const section = (name) => TPL.split(`___${name}___`)[1].split(/\n___[A-Z_]+___\n/)[0].trim();
const CODE = section("SANDBOXED_JS_FOR_WEB_TEMPLATE");
const PERMISSIONS = JSON.parse(section("WEB_PERMISSIONS"));
const PARAMETERS = JSON.parse(section("TEMPLATE_PARAMETERS"));
const INFO = JSON.parse(section("INFO"));

// A permission's parameter, as plain JS (GTM's typed values: 1 string, 2 list, 3 map, 8 boolean).
const plain = (v) => v.type === 1 ? v.string : v.type === 8 ? v.boolean : v.type === 2 ? v.listItem.map(plain)
  : Object.fromEntries(v.mapKey.map((k, i) => [plain(k), plain(v.mapValue[i])]));
const permission = (id) => {
  const p = PERMISSIONS.find((x) => x.instance.key.publicId === id);
  return p && Object.fromEntries((p.instance.param || []).map((x) => [x.key, plain(x.value)]));
};
const glob = (pattern) => new RegExp("^" + pattern.split("*").map((s) => s.replace(/[.?+^$()[\]{}|\\/]/g, "\\$&")).join("[^/]+") + "$");

/** Runs the template with `data`; answers what each API was called with. */
function run(data) {
  const calls = { defaults: [], updates: [], injected: [], window: {}, set: [], logs: [], outcome: [] };
  const consent = permission("access_consent").consentTypes;
  const writable = (type) => consent.some((c) => c.consentType === type && c.write);
  const checkConsent = (s) => Object.keys(s).filter((k) => !["wait_for_update", "region"].includes(k)).forEach((k) => {
    if (!writable(k)) throw new Error(`permission: access_consent does not allow writing ${k}`);
  });
  const api = {
    setDefaultConsentState: (s) => { checkConsent(s); calls.defaults.push(s); },
    updateConsentState: (s) => { checkConsent(s); calls.updates.push(s); },
    injectScript: (url, ok, fail, token) => {
      if (!permission("inject_script").urls.some((u) => glob(u).test(url))) throw new Error(`permission: inject_script does not allow ${url}`);
      calls.injected.push({ url, token, ok, fail });
    },
    setInWindow: (key, value, overwrite) => {
      const k = permission("access_globals").keys.find((x) => x.key === key);
      if (!k || !k.write) throw new Error(`permission: access_globals does not allow writing ${key}`);
      calls.window[key] = value;
    },
    gtagSet: (key, value) => {
      if (!permission("write_data_layer").keyPatterns.includes(key)) throw new Error(`permission: write_data_layer does not allow ${key}`);
      calls.set.push([key, value]);
    },
    makeNumber: (x) => Number(x),
    encodeUriComponent: encodeURIComponent,
    logToConsole: (...a) => { if (!permission("logging")) throw new Error("permission: logging"); calls.logs.push(a.join(" ")); },
    createRegex: (p, f) => new RegExp(p, f),
    testRegex: (r, s) => r.test(s),
  };
  const required = [];
  const require = (name) => {
    required.push(name);
    if (!(name in api)) throw new Error(`the stand-in has no ${name}`);
    return api[name];
  };
  new Function("require", "data", CODE)(require, {
    gtmOnSuccess: () => calls.outcome.push("success"),
    gtmOnFailure: () => calls.outcome.push("failure"),
    ...data,
  });
  return { calls, required };
}

const good = { edge: "https://consent.example.com", site: "demo", waitForUpdate: "500", regions: [{ region: "US-CA, US-CO", granted: "analytics_storage, nonsense" }], adsDataRedaction: true };

test("the template's code is sandboxed JS: no page globals, no regex or template literals", () => {
  const code = CODE.replace(/^\s*\/\/.*$/gm, ""); // comments aside
  assert.doesNotMatch(code, /\bwindow\b|\bdocument\b|\blocalStorage\b|`|\bnew RegExp\b|\beval\b/);
  // A regex literal: a slash-delimited pattern in an expression position.
  assert.doesNotMatch(code, /[=(,:]\s*\/[^/*]/);
  assert.equal(INFO.type, "TAG");
  assert.deepEqual(INFO.containerContexts, ["WEB"]);
  assert.deepEqual(PARAMETERS.map((p) => p.name), ["edge", "site", "waitForUpdate", "regions", "adsDataRedaction"]);
});

test("defaults first (every signal denied, the regional exceptions), then the site's tag", () => {
  const { calls } = run(good);
  const [all, regional] = calls.defaults;
  assert.equal(Object.values(all).filter((v) => v === "denied").length, 7);
  assert.equal(all.wait_for_update, 500);
  assert.deepEqual(regional.region, ["US-CA", "US-CO"]);
  assert.equal(regional.analytics_storage, "granted");
  assert.equal(regional.ad_storage, "denied");
  assert.equal("nonsense" in regional, false, "only the seven signals");
  assert.deepEqual(calls.set, [["ads_data_redaction", true]]);
  assert.equal(calls.injected.length, 1);
  assert.equal(calls.injected[0].url, "https://consent.example.com/v1/sites/demo/assent.js");
  assert.deepEqual(calls.outcome, [], "success only once the script has loaded");
  calls.injected[0].ok();
  assert.deepEqual(calls.outcome, ["success"]);
});

test("a bad setting loads nothing and grants nothing", () => {
  for (const bad of [{ edge: "http://consent.example.com" }, { edge: "https://x.example/evil?" }, { site: "../admin" }, { site: "" }, { edge: undefined }]) {
    const { calls } = run({ ...good, ...bad });
    assert.equal(calls.injected.length, 0, JSON.stringify(bad));
    assert.deepEqual(calls.outcome, ["failure"]);
    assert.ok(calls.defaults.every((d) => Object.values(d).every((v) => v === "denied")));
  }
});

test("the loader's updates reach GTM's updateConsentState through the template, checked", async () => {
  const { calls } = run(good);
  const door = calls.window.assentConsentUpdate;
  assert.equal(typeof door, "function");
  door("consent", "update", { ad_storage: "granted", analytics_storage: "maybe", evil: "granted" });
  assert.deepEqual(calls.updates.at(-1), { ad_storage: "granted" });
  door("event", "update", { ad_storage: "granted" });
  assert.equal(calls.updates.length, 1, "only consent updates");

  // The real loader, with the template's door in the window: its update goes through it, not the dataLayer.
  const { open } = await loader("storage");
  const { begin, record } = await loader("state");
  const { update } = await loader("consent-mode");
  globalThis.fetch = () => new Promise(() => {});
  const answer = demoAnswer("en");
  open("gtm", () => memoryStorage());
  begin("demo", answer, false);
  window.dataLayer = [];
  window.assentConsentUpdate = door;
  try {
    record("accept_all");
    update(answer.consent_mode);
  } finally {
    delete window.assentConsentUpdate;
  }
  assert.deepEqual(window.dataLayer, [], "GTM's API, not the dataLayer");
  const last = calls.updates.at(-1);
  assert.equal(last.ad_storage, "granted");
  assert.equal(last.analytics_storage, "granted");
  assert.equal(Object.keys(last).length, 7);
});
