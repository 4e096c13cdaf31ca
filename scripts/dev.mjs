// `make dev`: the demo under wrangler dev on http://127.0.0.1:8787, with the
// local stand-ins an evaluator needs to see everything arrive without curl:
// the mailbox and the SMS (the console's Mailbox section, MAILER=dev) and the
// CRM's webhook receiver (scripts/dev-receiver.mjs on :8788). Prints where
// everything is, and the key to sign in to the console with, once the edge
// answers. Ctrl-C stops both.
import { spawn } from "node:child_process";
import { startReceiver, devVar } from "./dev-receiver.mjs";

const EDGE = "http://127.0.0.1:8787";

const receiver = await startReceiver({ port: 8788, secret: devVar("DEMO_CRM_WEBHOOK_SECRET") });
const wrangler = spawn("wrangler", [
  "dev", "--local", "--ip", "127.0.0.1", "--port", "8787",
  "--var", `PUBLIC_ORIGINS:${EDGE}`, "--var", "MAILER:dev", "--var", "ASSENT_DEV:1",
  "--show-interactive-dev-session=false",
], { stdio: "inherit" });

const stop = async (code = 0) => {
  wrangler.kill("SIGTERM");
  await receiver.close();
  process.exit(code);
};
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
wrangler.on("exit", (code) => stop(code ?? 0));

/** Waits until the edge answers, then says where everything is. */
for (let i = 0; i < 600; i++) {
  try {
    if ((await fetch(`${EDGE}/.well-known/jwks.json`)).ok) break;
  } catch {
    // not up yet
  }
  await new Promise((ok) => setTimeout(ok, 250));
}
console.log(`
  Assent under make dev
  ---------------------
  Demo site (the banner):     ${EDGE}/
  Newsletter form:            ${EDGE}/newsletter.html
  Owner's console:            ${EDGE}/admin/   site: demo   key: ${devVar("ADMIN_KEY") ?? "(see .dev.vars: ADMIN_KEY)"}
  Mailbox and SMS:            the console's "Mailbox" section (confirmation mails, privacy-center links, texted codes)
  CRM webhook receiver:       ${receiver.url}/   (the demo's crm webhook, signatures checked)
  Privacy center:             ${EDGE}/v1/sites/demo/privacy
`);
