#!/usr/bin/env bash
# Writes the git-ignored .dev.vars that `wrangler dev` reads: a random
# ADMIN_KEY, a fresh Ed25519 SIGNING_KEY (base64url seed) and a FORM_SECRET
# (32 random bytes, base64url: the forms' lookup and token keys). Adds what an
# older file lacks; never replaces a key that exists.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077
touch .dev.vars
random_b64url() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }
if ! grep -q '^ADMIN_KEY=' .dev.vars; then
  printf 'ADMIN_KEY=%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >> .dev.vars
  echo "dev-vars: wrote a random ADMIN_KEY to .dev.vars (git-ignored)"
fi
if ! grep -q '^SIGNING_KEY=' .dev.vars; then
  printf 'SIGNING_KEY=%s\n' "$(random_b64url)" >> .dev.vars
  echo "dev-vars: wrote a new Ed25519 SIGNING_KEY to .dev.vars (git-ignored)"
fi
if ! grep -q '^FORM_SECRET=' .dev.vars; then
  printf 'FORM_SECRET=%s\n' "$(random_b64url)" >> .dev.vars
  echo "dev-vars: wrote a new FORM_SECRET (form lookup and confirmation keys) to .dev.vars (git-ignored)"
fi
# The demo's CRM webhook goes to the local receiver that `make dev` starts
# (scripts/dev-receiver.mjs), signed with a secret of its own.
if ! grep -q '^DEMO_CRM_WEBHOOK_URL=' .dev.vars; then
  printf 'DEMO_CRM_WEBHOOK_URL=%s\n' "http://127.0.0.1:8788/hook" >> .dev.vars
fi
if ! grep -q '^DEMO_CRM_WEBHOOK_SECRET=' .dev.vars; then
  printf 'DEMO_CRM_WEBHOOK_SECRET=whsec_%s\n' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" >> .dev.vars
  echo "dev-vars: wrote the demo's webhook secret to .dev.vars (git-ignored)"
fi
