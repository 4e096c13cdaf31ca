#!/usr/bin/env bash
# Installs whatever this machine lacks to build and test Assent. Idempotent:
# a second run checks versions and does nothing. Only package registries are
# used (crates.io, npm, Debian); nothing is downloaded from anywhere else.
#
#   scripts/setup.sh        everything `make test` needs
#   scripts/setup.sh dev    only what `make dev` needs to build and serve: the
#                           Rust target, wasm-bindgen, worker-build and the npm
#                           packages (not the lint tools, Chromium or sqlite3,
#                           which only the checks use)
set -euo pipefail
MODE="${1:-test}"
cd "$(dirname "$0")/.."

# Versions come from tool-versions.env, the one place they are pinned
# (`make versions` checks Cargo.toml, rust-toolchain.toml and package.json
# against it). npm packages install at package-lock.json's exact versions.
# shellcheck source=../tool-versions.env
. ./tool-versions.env
WASM_BINDGEN_VERSION=$WASM_BINDGEN
WORKER_BUILD_VERSION=$WORKER_BUILD
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf 'setup: %s\n' "$*"; }

if ! command -v cargo >/dev/null; then
  say "cargo not found: install Rust with rustup (https://rustup.rs) and run again"; exit 1
fi
if command -v rustup >/dev/null; then
  # rust-toolchain.toml names the exact Rust ($RUST); rustup installs it on first use.
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  for c in rustfmt clippy; do
    rustup component list --installed | grep -q "^$c" || rustup component add "$c"
  done
fi

version_of() { "$1" --version 2>/dev/null | awk '{print $NF}'; }
if [ "$(version_of wasm-bindgen)" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  # No --locked: one of its locked dependencies is not in the registry index.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if [ "$(version_of worker-build)" != "$WORKER_BUILD_VERSION" ]; then
  say "installing worker-build $WORKER_BUILD_VERSION (about 6 minutes)"
  cargo install worker-build --version "$WORKER_BUILD_VERSION"
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (wrangler, binaryen, esbuild, terser, playwright-core)"
  npm ci --no-audit --no-fund
fi

# Everything below only the checks use.
if [ "$MODE" = dev ]; then exit 0; fi

# `make deps`: unused dependencies and the dependency policy (deny.toml).
if [ "$(cargo machete --version 2>/dev/null)" != "$CARGO_MACHETE" ]; then
  say "installing cargo-machete $CARGO_MACHETE (about 4 minutes)"
  cargo install cargo-machete --version "$CARGO_MACHETE" --locked
fi
if [ "$(cargo deny --version 2>/dev/null | awk '{print $NF}')" != "$CARGO_DENY" ]; then
  say "installing cargo-deny $CARGO_DENY (about 10 minutes)"
  cargo install cargo-deny --version "$CARGO_DENY" --locked
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    say "Chromium is missing: run 'sudo apt-get install chromium chromium-driver' (Debian/Ubuntu) and run again"
    exit 1
  fi
fi

# The design tests compare screenshots with references drawn in DejaVu (what
# fontconfig picks for system-ui, sans-serif and serif on Debian): the same
# fonts draw the same pixels.
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's fonts-dejavu-core"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null
  else
    say "The DejaVu fonts are missing: run 'sudo apt-get install fonts-dejavu-core' and run again"
    exit 1
  fi
fi

# The e2e tests read the Durable Objects' SQLite files with Debian's sqlite3 CLI.
if ! command -v sqlite3 >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's sqlite3"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
  else
    say "sqlite3 is missing: run 'sudo apt-get install sqlite3' (Debian/Ubuntu) and run again"
    exit 1
  fi
fi
