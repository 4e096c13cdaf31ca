// render.js and panel.js with the real engine: the first layer comes from the
// notice's `choices`, every text is escaped, the panel shows what each service stores,
// and the switches and "Withdraw all" follow the choice in force.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { demoAnswer, memoryStorage, loader, wasm } from "./env.mjs";

const { open } = await loader("storage");
const { begin, record } = await loader("state");
// `engine` is set by `begin`: read through the module, a live binding.
const S = await loader("state");
const { bannerHtml, kit, placeholderHtml } = await loader("render");
const panel = await loader("panel");
// The panel renders lazily, from its own module, with render.js's kit.
const panelHtml = () => panel.panelHtml(kit());

globalThis.fetch = () => new Promise(() => {});
let answer;
before(() => {
  answer = demoAnswer("de");
});
const start = (a) => {
  open("render" + Math.random(), () => memoryStorage());
  begin("demo", a, false, wasm);
  return S.engine(); // the panel's switches are the engine's answers
};
const acts = (html) => [...html.matchAll(/data-act="(\w+)"/g)].map((m) => m[1]);

test("the first layer's buttons are the notice's choices, in its order", async () => {
  await start(structuredClone(answer));
  assert.deepEqual(acts(bannerHtml()), answer.notice.choices);
  const reordered = structuredClone(answer);
  reordered.notice.choices.reverse();
  await start(reordered);
  assert.deepEqual(acts(bannerHtml()), ["customise", "reject_all", "accept_all"], "what is shown is what the hashed notice says");
  assert.match(bannerHtml(), new RegExp(`>${answer.notice.texts.reject_all}</button>`));
});

test("a text from the notice never becomes markup", async () => {
  const a = structuredClone(answer);
  a.notice.texts.title = '<img src=x onerror="alert(1)">';
  a.notice.purposes[1].services[0].cookies[0].name = "<b>";
  a.meta = 'Shared with <a href="x">Ads & Co</a>.'; // the edge's line (edge/src/first_layer.rs)
  await start(a);
  assert.match(bannerHtml(), /&#60;img src=x onerror=&#34;alert\(1\)&#34;&#62;/);
  assert.match(bannerHtml(), /<p class="meta">Shared with &#60;a href=&#34;x&#34;&#62;Ads &#38; Co&#60;\/a&#62;\. <a class="link"/, "the line as the edge worded it, escaped, before the policy's link");
  assert.doesNotMatch(bannerHtml() + panelHtml(), /<img|<b>/);
});

test("the panel shows every service's provider and cookies: name, kind, lifetime in the page's language, purpose", async () => {
  await start(structuredClone(answer));
  const html = panelHtml();
  for (const p of answer.notice.purposes) {
    for (const s of p.services) {
      assert.ok(html.includes(`<span class="name">${s.name}</span><span class="by">${s.provider}</span>`), s.id);
      for (const c of s.cookies) {
        // The kind in the notice's words (hashed with it), never the wire name.
        assert.ok(html.includes(`<code dir="ltr">${c.name}</code> · ${answer.notice.kinds[c.kind]}`), c.name);
        assert.ok(html.includes(`<span class="for">${c.purpose}</span>`), `${c.name}: its purpose`);
      }
    }
  }
  assert.ok(html.includes("<code dir=\"ltr\">_ga</code> · Cookie · 395 Tage"), "German words and days (the name isolated left to right)");
  const c = answer.notice.controller;
  assert.ok(c.dpo, "the demo names a DPO");
  assert.ok(html.includes(`${c.name} · ${c.contact} · ${c.dpo.name} (${c.dpo.contact}) · <a class="link"`), "who is responsible, their DPO, and how to reach them");
  // Without a DPO, and with a representative in the Union.
  const other = structuredClone(answer);
  delete other.notice.controller.dpo;
  other.notice.controller.eu_representative = { name: "Rep <EU> B.V.", contact: "rep@eu.example" };
  await start(other);
  assert.ok(panelHtml().includes(`${c.name} · ${c.contact} · Rep &#60;EU&#62; B.V. (rep@eu.example) · <a class="link"`));
});

test("switches and 'Withdraw all' follow the choice in force; required purposes are on and locked", async () => {
  await start(structuredClone(answer));
  let html = panelHtml();
  assert.doesNotMatch(html, /data-act="withdraw_all"/, "nothing granted, nothing to withdraw");
  assert.match(html, /data-purpose="necessary"[^>]* checked disabled>/);
  assert.doesNotMatch(html, /data-purpose="analytics"[^>]* checked/, "nothing is pre-ticked");
  record("accept_all", 0);
  html = panelHtml();
  assert.match(html, /data-act="withdraw_all"/);
  assert.match(html, /data-purpose="analytics"[^>]* checked/);
  assert.match(html, /data-service="matomo"[^>]* checked/);
});

test("an embed's placeholder names its purpose", async () => {
  await start(structuredClone(answer));
  const name = answer.notice.purposes.find((p) => p.id === "personalisation").name;
  assert.ok(placeholderHtml("personalisation").includes(answer.notice.texts.embed_blocked.replace("{purpose}", name)));
});
