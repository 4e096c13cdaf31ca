// Verifying an Assent webhook with the Standard Webhooks library
// (`npm install standardwebhooks`). docs/webhooks.md shows this file, and
// the end-to-end tests verify real deliveries with it.
import { Webhook } from "standardwebhooks";

/**
 * The payload of a delivery, if its signature is the site's. `secret` is the
 * `whsec_...` secret the webhook's `secret_from` names; `headers` the
 * request's headers (a plain object or a `Headers`); `body` the raw text of
 * the request, verified before it is parsed. Throws on a wrong signature or
 * a timestamp more than five minutes off (a replay).
 */
export function verifyAssentWebhook(secret, headers, body) {
  const get = (name) => (typeof headers.get === "function" ? headers.get(name) : headers[name]);
  return new Webhook(secret).verify(body, {
    "webhook-id": get("webhook-id"),
    "webhook-timestamp": get("webhook-timestamp"),
    "webhook-signature": get("webhook-signature"),
  });
}
