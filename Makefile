# Assent: `make dev` serves the demo on http://127.0.0.1:8787, `make test` runs every check.
SHELL := bash
.SHELLFLAGS := -e -o pipefail -c
.DEFAULT_GOAL := help
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

# Never let wrangler or worker-build phone home: only the registries are reachable.
export CLOUDFLARE_CF_FETCH_ENABLED := false
export WRANGLER_SEND_METRICS := false
export WRANGLER_SEND_ERROR_REPORTS := false
export WASM_OPT_BIN := $(CURDIR)/node_modules/.bin/wasm-opt

# The shipped wasm (edge, form, console check) builds in its own target dir:
# `make test` builds it while the Rust checks build theirs in target/, and
# two cargo runs on one target dir would wait for each other's lock.
SHIP_TARGET := target/ship
WASM := $(SHIP_TARGET)/wasm32-unknown-unknown/release
# The widget's release build has its own target dir and a lower LLVM inline
# threshold: less duplicated code, about 1 KiB less gzip (see BENCHMARKS.md).
WIDGET_TARGET := target/widget
WIDGET_RUSTFLAGS := -Cllvm-args=-inline-threshold=25
# binaryen: flattening and re-looping the control flow before two -Oz rounds
# leaves 190 B less gzip than one -Oz (BENCHMARKS.md).
WIDGET_WASM_OPT := --flatten --rereloop -Oz -Oz --converge
CORE_SRC := $(shell find core/src -type f) core/Cargo.toml Cargo.toml Cargo.lock
WIDGET_SRC := $(CORE_SRC) $(shell find widget/src -type f) widget/Cargo.toml $(wildcard widget/loader/*.js) widget/widget.css widget/panel.css widget/entry-script.js widget/entry-module.js widget/entry-site.js widget/assent.d.ts $(wildcard widget/npm/*) scripts/bundle-widget.mjs
# The edge links the widget's engine for a first visit's plan (widget/src/plan.rs).
EDGE_SRC := $(CORE_SRC) $(shell find edge/src edge/sites widget/src -type f) widget/Cargo.toml edge/gvl/vendor-list.json edge/Cargo.toml edge/build.rs
TCF_SRC := $(CORE_SRC) $(shell find widget/tcf/src -type f) widget/tcf/Cargo.toml $(wildcard widget/tcf/*.js)
FORM_SRC := $(CORE_SRC) $(shell find widget/form/src -type f) widget/form/Cargo.toml widget/form/entry.js
WWW_SRC := $(shell find www -type f)
CONSOLE_SRC := $(shell find console -type f -not -path 'console/pkg/*')
CONSOLE_VERIFY_SRC := $(CORE_SRC) $(shell find console/verify/src -type f) console/verify/Cargo.toml
WASM_TEST_ENV := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120

.PHONY: help setup setup-dev versions audit dev test lane-checks lane-artefacts house notice-example build cli edge widget form tcf www dev-vars fmt clippy deps doc typecheck test-native test-wasm test-loader size deploy-check e2e bench bench-load bench-shards bench-cpu bench-profile clean mutants fuzz fuzz-planted sri

help:
	@echo "make dev    install what is missing, build, serve http://127.0.0.1:8787 under wrangler dev"
	@echo "make test   install what is missing, then fmt, clippy, unit, wasm, size, deploy dry-run and e2e tests"
	@echo "make cli    build the auditor's CLI: target/release/assent"
	@echo "make size   what a first visit fetches (gzip, brotli) against the budget"
	@echo "make bench  the figures of BENCHMARKS.md"
	@echo "make mutants  mutation testing of core (hours; MUTANTS_FILES, MUTANTS_SHARD=k/n; see TESTING.md)"

setup:
	@bash scripts/setup.sh

# What the dev server needs, and no lint tool or browser (scripts/setup.sh).
setup-dev:
	@bash scripts/setup.sh dev

# Every tool version equals its pin in tool-versions.env (the one place).
versions:
	node scripts/check-versions.mjs

# ---- build -------------------------------------------------------------------
build: edge widget form tcf www

# The auditor's CLI (native, release: it verifies whole logs).
cli: target/release/assent
target/release/assent: $(CORE_SRC) $(shell find cli/src -type f) cli/Cargo.toml
	cargo build -q --release -p assent-cli

edge: edge/build/worker/shim.mjs
edge/build/worker/shim.mjs: $(EDGE_SRC)
	cd edge && CARGO_TARGET_DIR="$(CURDIR)/$(SHIP_TARGET)" WASM_BINDGEN_BIN="$$(command -v wasm-bindgen)" worker-build --release
	@touch $@

widget: dist/public/assent.js
dist/public/assent.js: $(WIDGET_SRC)
	RUSTFLAGS="$(WIDGET_RUSTFLAGS)" cargo build -q -p assent-widget --release --target wasm32-unknown-unknown --target-dir $(WIDGET_TARGET)
	wasm-bindgen --target web --no-typescript --out-dir widget/pkg --out-name assent $(WIDGET_TARGET)/wasm32-unknown-unknown/release/assent_widget.wasm
	wasm-opt $(WIDGET_WASM_OPT) --strip-debug --strip-producers widget/pkg/assent_bg.wasm -o widget/pkg/assent.wasm
	node scripts/bundle-widget.mjs widget/pkg/assent.js widget/pkg/assent.wasm

# The opt-in form widget: its own wasm and ES module, loaded only on pages
# with a form (the banner path's budget is not touched).
form: dist/public/assent-form.js
dist/public/assent-form.js: $(FORM_SRC)
	cargo build -q -p assent-form --release --target wasm32-unknown-unknown --target-dir $(SHIP_TARGET)
	wasm-bindgen --target web --no-typescript --out-dir widget/form/pkg --out-name assent_form $(WASM)/assent_form.wasm
	mkdir -p dist/public
	wasm-opt -Oz --strip-debug --strip-producers widget/form/pkg/assent_form_bg.wasm -o dist/public/assent-form.wasm
	esbuild widget/form/entry.js --bundle --format=esm --minify --target=es2020 --log-level=warning --outfile=$@
	@echo "form: assent-form.js $$(wc -c < $@) B, assent-form.wasm $$(wc -c < dist/public/assent-form.wasm) B"

# The IAB TCF part: its wasm and ES module, loaded only on sites with TCF
# settings once their config is in (widget/tcf), and the CMP API's stub the
# edge puts before a TCF site's per-site loader.
tcf: dist/public/assent-tcf.js
dist/public/assent-tcf.js: $(TCF_SRC)
	cargo build -q -p assent-tcf --release --target wasm32-unknown-unknown --target-dir $(SHIP_TARGET)
	wasm-bindgen --target web --no-typescript --out-dir widget/tcf/pkg --out-name assent_tcf $(WASM)/assent_tcf.wasm
	mkdir -p dist/public
	wasm-opt -Oz --strip-debug --strip-producers widget/tcf/pkg/assent_tcf_bg.wasm -o dist/public/assent-tcf.wasm
	esbuild widget/tcf/tcf.js --bundle --format=esm --minify --target=es2020 --log-level=warning --outfile=$@
	esbuild widget/tcf/stub-entry.js --bundle --format=iife --minify --target=es2020 --log-level=warning --outfile=dist/public/assent-tcf-stub.js
	@echo "tcf: assent-tcf.js $$(wc -c < $@) B, assent-tcf.wasm $$(wc -c < dist/public/assent-tcf.wasm) B, assent-tcf-stub.js $$(wc -c < dist/public/assent-tcf-stub.js) B"

www: dist/public/index.html dist/public/admin/console.js
dist/public/index.html: $(WWW_SRC) edge/sites/demo.json
	mkdir -p dist/public
	cp -R www/. dist/public/
	# The demo's language switch lists the demo site's languages (its config is the one source).
	node -e 'const c = require("./edge/sites/demo.json"); process.stdout.write(JSON.stringify({ default: c.default_language, languages: Object.keys(c.languages) }))' > dist/public/demo-languages.json

# The owner's console: its modules and uPlot (loaded by the console only) in one
# file, and core's proof check as its own small wasm (the "Verify" button).
dist/public/admin/verify.wasm: $(CONSOLE_VERIFY_SRC)
	cargo build -q -p assent-console-verify --release --target wasm32-unknown-unknown --target-dir $(SHIP_TARGET)
	wasm-bindgen --target web --no-typescript --out-dir console/pkg --out-name verify $(WASM)/assent_console_verify.wasm
	mkdir -p dist/public/admin
	wasm-opt -Oz --strip-debug --strip-producers console/pkg/verify_bg.wasm -o $@
dist/public/admin/console.js: $(CONSOLE_SRC) dist/public/admin/verify.wasm node_modules/uplot/dist/uPlot.esm.js
	mkdir -p dist/public/admin
	node_modules/.bin/esbuild console/console.js --bundle --minify --format=esm --target=es2022 --log-level=warning --outfile=$@
	cat node_modules/uplot/dist/uPlot.min.css console/console.css > dist/public/admin/console.css

# Local secrets (admin key, signing key), written once, never committed.
dev-vars:
	@bash scripts/dev-vars.sh

# The demo under wrangler dev, with the local mailbox (the console's Mailbox
# section) and the CRM's webhook receiver on :8788 (scripts/dev.mjs prints
# where everything is, and the console key).
dev: setup-dev build dev-vars
	node scripts/dev.mjs

# ---- checks --------------------------------------------------------------------
# Two lanes side by side (2 cores): the Rust checks in target/ (the loader's
# tests and the size check among them: they run core's example the unit tests built, and the
# widget the other lane built first), and the shipped artefacts with the
# checks that read them in target/ship and target/widget; then the browser
# tests, with the CLI the unit tests built (TESTING.md, "How long make test
# takes").
test: setup versions audit
	@$(MAKE) --no-print-directory -j2 lane-checks lane-artefacts
	@s=$$(date +%s); $(MAKE) --no-print-directory e2e ASSENT_CLI=target/debug/assent && echo "time: e2e $$(( $$(date +%s) - s )) s"
	@echo "make test: all checks passed"

# Each step says how long it took ("time: clippy 241 s"), for TESTING.md.
lane-checks:
	@for t in fmt clippy deps doc house test-native test-loader size test-wasm; do s=$$(date +%s); $(MAKE) --no-print-directory $$t || exit 1; echo "time: $$t $$(( $$(date +%s) - s )) s"; done

lane-artefacts:
	@for t in typecheck build deploy-check; do s=$$(date +%s); $(MAKE) --no-print-directory $$t || exit 1; echo "time: $$t $$(( $$(date +%s) - s )) s"; done

fmt:
	cargo fmt --all -- --check

# The widget and core ship `no_std` to the browser; their tests use std. Both
# configurations are linted. On wasm32 only the crates with code of their own
# there (the widget, the form, the console's check): core and the edge have
# none (no `cfg(target_arch = "wasm32")` but native-only test modules), and
# checking the worker crate's tree a second time cost a cold run a minute.
clippy:
	cargo clippy -q -p assent-core -p assent-edge -p assent-cli -p assent-widget --all-targets --features assent-widget/std,assent-core/test-support -- -D warnings
	cargo clippy -q --workspace --exclude assent-cli --exclude assent-edge --exclude assent-core --target wasm32-unknown-unknown --all-targets --features assent-widget/std -- -D warnings
	cargo clippy -q -p assent-widget --target wasm32-unknown-unknown --lib -- -D warnings

# Dependencies earn their place: none unused (cargo machete), and the policy of
# deny.toml (licenses, crates.io only, duplicates reported). Not `advisories`:
# its database is fetched from GitHub, which these machines cannot reach.
deps:
	cargo machete
	# cargo deny reads the whole lock file, other platforms' crates too, which
	# no build here downloads: fetch them first (a cold machine has none).
	cargo fetch --locked -q
	cargo deny --offline check bans licenses sources

# What ships to browsers has no npm runtime dependency (the widget's npm
# package declares none); the registry's advisories must keep it so. Dev
# tools (wrangler, esbuild, ...) never reach a visitor, nor does the node
# the checks run on (an optional dependency: npm's build for this platform).
audit:
	npm audit --omit=dev --omit=optional --audit-level=low

# Crate docs build without a broken link (design notes live there).
doc:
	RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps -p assent-core -p assent-widget -p assent-form -p assent-tcf -p assent-edge -p assent-cli --features assent-widget/std

# The widget's TypeScript declarations compile, and the documented usage type-checks.
typecheck: widget
	tsc -p tests/types/tsconfig.json

# The widget's consent engine is sans-IO: its tests run natively here and
# again as wasm in Chromium (test-wasm).
# The house's measurements (file and function sizes, import circles), a ratchet.
house:
	node scripts/house.mjs

test-native:
	cargo test -p assent-core -p assent-edge -p assent-cli -p assent-widget -p assent-form -p assent-tcf --features assent-widget/std,assent-core/test-support

# In target/, after the native tests: its host build scripts and proc-macros
# are theirs. Moved to the artefacts lane in target/ship (2026-12-06) it
# built them again and the cold run grew from 760 s to 915 s (TESTING.md).
test-wasm:
	$(WASM_TEST_ENV) cargo test -p assent-core -p assent-widget --features assent-widget/std --target wasm32-unknown-unknown

# The loader's modules under node:test, DOM-free, with the built engine and
# the demo's config answers as the edge serves them (the widget's `answer`
# example: core's notice and the widget's first-visit plan), built once; and
# core's TC string codec (its `tcf` example) against the IAB's library.
NOTICE_BIN := target/debug/examples/answer
TCF_BIN := target/debug/examples/tcf
notice-example:
	cargo build -q -p assent-core --example tcf
	cargo build -q -p assent-widget --features std --example answer

test-loader: widget notice-example
	ASSENT_NOTICE_BIN=$(NOTICE_BIN) ASSENT_TCF_BIN=$(TCF_BIN) node --test tests/loader/*.test.mjs tests/tcf/*.test.mjs

size: widget tcf notice-example
	ASSENT_NOTICE_BIN=$(NOTICE_BIN) node scripts/size.mjs

# Mutation testing of core's rules (not part of `make test`: hours for the
# whole set). MUTANTS_FILES, MUTANTS_SHARD=k/n, MUTANTS_TIMEOUT, MUTANTS_JOBS,
# MUTANTS_DIR, MUTANTS_ARGS bound or move a run (scripts/mutants.sh); figures in TESTING.md.
mutants:
	bash scripts/mutants.sh

# Every parser of core under libFuzzer for FUZZ_SECONDS each (default 30;
# see scripts/fuzz.sh), and the proof that the setup finds a planted bug.
fuzz:
	bash scripts/fuzz.sh

fuzz-planted:
	FUZZ_PLANTED=1 bash scripts/fuzz.sh

# Subresource Integrity of this build's files and the tags that pin them
# (docs/embedding.md, "Pinning a release"): EDGE=https://consent.example.com.
sri: widget form
	node scripts/sri.mjs --edge $(or $(EDGE),https://consent.example.com)

# Benchmarks whose figures go into BENCHMARKS.md (the log bench fills a log to
# 100k records under wrangler dev: about 15 minutes).
bench: size build cli bench-load bench-shards bench-profile
	node bench/startup.mjs 30
	node bench/log.mjs 100000
	node bench/forms.mjs 200
	node bench/rights.mjs 100000

# Banner events from 16 clients against the worker for 20 s, then again with
# workerd killed and restarted halfway; every acknowledged event is checked
# to be in the log exactly once and every shard's tree verified (about 2 minutes).
bench-load: build cli
	node bench/load.mjs 20 16
	node bench/load.mjs 30 16 --kill

# The shard curve: banner events a second for 1, 2, 4 and 8 shards, with
# Where workerd's CPU per banner event goes: a V8 CPU profile through the
# inspector, grouped (our Rust, its crates, the glue, SQLite, the runtime).
# AGAINST=<other build's edge/build/worker/shim.mjs> compares two builds.
bench-profile: edge
	node bench/profile.mjs 15 8

# workerd's CPU per event; builds its own worker with four bench sites
# (target/bench-shards, edge/build-bench; about 6 minutes cold).
bench-shards: cli
	node bench/shards.mjs 20 16

# The CPU of one banner event in core's code, natively (criterion), at 10^3 to
# 10^6 leaves (bench/native; its own workspace, about 2 minutes to build).
bench-cpu:
	cargo bench --manifest-path bench/native/Cargo.toml

deploy-check: build
	@# The dev mailbox (mail and SMS) and the geography header are make dev's and the tests' only.
	@if grep -Eq '^[[:space:]]*((MAILER|SMS)[[:space:]]*=[[:space:]]*"dev"|ASSENT_DEV[[:space:]]*=)' wrangler.toml; then \
	  echo "deploy-check: wrangler.toml must not set MAILER = \"dev\", SMS = \"dev\" or ASSENT_DEV"; exit 1; fi
	rm -rf target/deploy-dry-run
	wrangler deploy --dry-run --outdir target/deploy-dry-run

# Chromium and workerd leave files in TMPDIR: give them one the run removes.
# Two files at a time, each with its own edge and Chromium (E2E_JOBS; 2
# cores: 350 s instead of 474 s, TESTING.md). The CLI the tests run is
# ASSENT_CLI: `make test` passes the debug build its unit tests made.
E2E_JOBS ?= 2
e2e: build $(if $(ASSENT_CLI),,cli)
	@tmp="$$(mktemp -d)"; status=0; \
	TMPDIR="$$tmp" ASSENT_CLI="$(ASSENT_CLI)" node --test --test-concurrency=$(E2E_JOBS) tests/e2e/*.test.mjs || status=$$?; \
	rm -rf "$$tmp"; exit $$status

clean:
	rm -rf dist edge/build widget/pkg widget/form/pkg target/deploy-dry-run
