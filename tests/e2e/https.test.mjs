// The edge over https (wrangler dev with its self-signed certificate): the
// first-party cookie becomes `__Host-assent_<site>` (Secure, Path=/), and a
// cookie whose receipt a retired key signed still hands the choice back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge, siteConfig, demoEvent, newSigningKey } from "./harness.mjs";

// Only this file's fetches talk to the self-signed edge.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

let edge, en;
before(async () => {
  edge = await startEdge({ rateLimit: false, https: true });
  en = await siteConfig(edge, "en");
});
after(async () => edge?.stop());

const post = (body, headers = {}) =>
  fetch(`${edge.url}/v1/sites/demo/events`, {
    method: "POST",
    headers: { "content-type": "application/json", "sec-fetch-site": "same-origin", ...headers },
    body: JSON.stringify(body),
  });
const give = () => demoEvent(en, { action: "give", decisions: { ...demoEvent(en).decisions, analytics: true } });

test("over https the cookie is __Host-assent_demo: Secure, Path=/, no Domain", async () => {
  const r = await post(give());
  assert.equal(r.status, 201);
  const cookie = r.headers.get("set-cookie");
  assert.match(cookie, /^__Host-assent_demo=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=\d+; SameSite=Lax; HttpOnly; Secure$/);
  assert.ok(!/domain=/i.test(cookie));
  // The plain name is not read over https (a sibling subdomain could plant it).
  const value = cookie.split(";")[0].split("=")[1];
  const plain = await fetch(`${edge.url}/v1/sites/demo/config?lang=en`, { headers: { cookie: `assent_demo=${value}` } });
  assert.equal((await plain.json()).choice, undefined);
  const host = await fetch(`${edge.url}/v1/sites/demo/config?lang=en`, { headers: { cookie: `__Host-assent_demo=${value}` } });
  assert.equal((await host.json()).choice.action, "give");
});

test("a cookie signed by a key since retired still hands the choice back; one from an unknown key does not", async () => {
  const e = give();
  const r = await post(e);
  const value = r.headers.get("set-cookie").split(";")[0].split("=")[1];
  const read = async () =>
    (await (await fetch(`${edge.url}/v1/sites/demo/config?lang=en`, { headers: { cookie: `__Host-assent_demo=${value}` } })).json()).choice;
  assert.equal((await read()).event_id, e.event_id);

  // Rotate: the old key's public x goes to RETIRED_KEYS, a new key signs.
  const jwks = await (await fetch(`${edge.url}/.well-known/jwks.json`)).json();
  const oldX = jwks.keys[0].x;
  await edge.restart({ signingKey: newSigningKey(), retiredKeys: oldX });
  assert.equal((await read()).event_id, e.event_id, "a retired key's receipt is still the visitor's choice");

  // Without the old key in RETIRED_KEYS the same cookie is not trusted.
  await edge.restart({ signingKey: newSigningKey(), retiredKeys: "" });
  assert.equal(await read(), undefined);
});
