// The CRM's stand-in under `make dev`: a local webhook receiver. It checks
// every delivery's Standard Webhooks signature with the docs' own function
// (docs/examples/verify-webhook.mjs), keeps what arrived in memory, and shows
// it on a page (and as JSON at /received.json, which the tests read), so an
// evaluator sees an opt-in reach "the CRM" without curl.
//
//   node scripts/dev-receiver.mjs            (port 8788, secret from .dev.vars)
//   import { startReceiver } from "./dev-receiver.mjs"   (tests: any port)
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { verifyAssentWebhook } from "../docs/examples/verify-webhook.mjs";

/** At most this many deliveries are kept (the oldest go first). */
const KEEP = 200;

const escape = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page: every delivery, newest first, with what it says about the contact. */
function page(received) {
  const rows = received.slice().reverse().map((r) => {
    const p = r.payload ?? {};
    const offers = Object.entries(p.offers ?? {}).map(([k, o]) => `${escape(k)}: ${escape(o.state)}`).join("<br>");
    return `<tr data-delivery="${escape(r.id)}" data-valid="${r.valid}"><td>${escape(new Date(r.at).toISOString().slice(11, 19))}</td>`
      + `<td>${r.valid ? "signature valid" : `<strong>refused: ${escape(r.error)}</strong>`}</td>`
      + `<td>${escape(p.type)}</td><td>${escape(p.contact?.email ?? "(none)")}</td><td>${offers}</td></tr>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`
    + `<meta http-equiv="refresh" content="5"><title>Webhook receiver (make dev)</title>`
    + `<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ccc;vertical-align:top}</style></head>`
    + `<body><main><h1>Webhook receiver</h1><p>The CRM's stand-in under <code>make dev</code>: each delivery of the demo site's <code>crm</code> webhook, checked with its Standard Webhooks signature. This page reloads every 5 seconds.</p>`
    + (rows.length
      ? `<table><caption>Deliveries, newest first</caption><thead><tr><th>At (UTC)</th><th>Signature</th><th>Type</th><th>Contact</th><th>Offers</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
      : `<p data-empty>Nothing yet: opt in on the demo's newsletter form and confirm the mail (console, Mailbox).</p>`)
    + `</main></body></html>`;
}

/**
 * Starts the receiver on `port` (0: any free one) for deliveries signed with
 * `secret`; resolves to `{url, hook, received, close}`.
 */
export function startReceiver({ port = 0, secret }) {
  const received = [];
  const server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/hook") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const entry = { at: Date.now(), id: req.headers["webhook-id"] ?? null, valid: false };
        try {
          entry.payload = verifyAssentWebhook(secret, req.headers, body);
          entry.valid = true;
        } catch (e) {
          entry.error = e.message;
        }
        received.push(entry);
        if (received.length > KEEP) received.shift();
        // A receiver answers 2xx only for what it could trust and keep.
        res.writeHead(entry.valid ? 204 : 400).end();
      });
      return;
    }
    if (req.method === "GET" && req.url === "/received.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify({ received }));
      return;
    }
    if (req.method === "GET" && req.url === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'" }).end(page(received));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((ok) => server.listen(port, "127.0.0.1", () => {
    const url = `http://127.0.0.1:${server.address().port}`;
    ok({ url, hook: `${url}/hook`, received, close: () => new Promise((done) => server.close(done)) });
  }));
}

/** A variable of the git-ignored .dev.vars, if set. */
export function devVar(name) {
  try {
    const line = readFileSync(new URL("../.dev.vars", import.meta.url), "utf8").split("\n").find((l) => l.startsWith(`${name}=`));
    return line?.slice(name.length + 1).trim();
  } catch {
    return undefined;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await startReceiver({ port: 8788, secret: devVar("DEMO_CRM_WEBHOOK_SECRET") });
  console.log(`dev-receiver: ${url}/`);
}
