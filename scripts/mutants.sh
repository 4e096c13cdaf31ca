#!/usr/bin/env bash
# `make mutants`: mutation testing of core's rules with cargo-mutants at its
# pin in tool-versions.env (installed here if missing or another version:
# about 5.5 minutes). Each mutant is one small change to the code (a `>=`
# made `>`, a function body replaced by a default, a `!` deleted); the
# tests should fail on every one. A mutant they pass ("missed") is a rule
# no test holds. See TESTING.md for the last figures.
#
# The default set is 1,065 mutants (2026-12-05): 7.6 s each on 2 cores at
# best (13 s measured with 2 jobs on a busy machine): hours; bound a run with these (environment variables):
#   MUTANTS_FILES   space-separated files or globs to mutate, relative to the
#                   repository root (default: core's log, Merkle, receipt,
#                   keys, admin, rights and form modules; not the
#                   conformance suites, which are tests)
#   MUTANTS_SHARD   k/n: only the k-th of n slices (0-based k), e.g. 0/8
#   MUTANTS_TIMEOUT seconds for one mutant's tests (default 120)
#   MUTANTS_JOBS    mutants built and tested at once (default 1)
#   MUTANTS_DIR     the tree to mutate (default this checkout; point it at a
#                   clean copy while the checkout is mid-edit)
#   MUTANTS_OUT     where results go (default target/mutants[/shard-k-of-n])
#   MUTANTS_ARGS    more cargo-mutants options, split at spaces (no quoting),
#                   e.g. `--in-diff my.diff` or `--re kind_of` (only those)
# cargo-mutants exits 2 if a mutant was missed, 3 on a timeout; this script
# prints the summary per file and then exits with that status.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
# shellcheck source=../tool-versions.env
. ./tool-versions.env
export PATH="$HOME/.cargo/bin:$PATH"

if [ "$(cargo mutants --version 2>/dev/null | awk '{print $NF}')" != "$CARGO_MUTANTS" ]; then
  echo "mutants: installing cargo-mutants $CARGO_MUTANTS (about 5.5 minutes)"
  cargo install cargo-mutants --version "$CARGO_MUTANTS" --locked
fi

DEFAULT_FILES="core/src/log/*.rs core/src/merkle.rs core/src/receipt.rs core/src/keys.rs core/src/admin/*.rs core/src/rights/*.rs core/src/form/*.rs"
FILES="${MUTANTS_FILES:-$DEFAULT_FILES}"
DIR="${MUTANTS_DIR:-$ROOT}"
OUT="${MUTANTS_OUT:-$ROOT/target/mutants${MUTANTS_SHARD:+/shard-${MUTANTS_SHARD/\//-of-}}}"

args=(-p assent-core --dir "$DIR" --output "$OUT"
  --timeout "${MUTANTS_TIMEOUT:-120}" --jobs "${MUTANTS_JOBS:-1}"
  # Features as cargo-mutants' own option: after `--` they would reach only
  # the test phase, and the build would lack the conformance suites.
  --features test-support
  --exclude 'core/src/**/conformance.rs')
# Globs go to cargo-mutants as written (it matches them in MUTANTS_DIR).
set -f
for f in $FILES; do args+=(--file "$f"); done
set +f
if [ -n "${MUTANTS_SHARD:-}" ]; then args+=(--shard "$MUTANTS_SHARD"); fi
# shellcheck disable=SC2206 # split into options on purpose
if [ -n "${MUTANTS_ARGS:-}" ]; then args+=($MUTANTS_ARGS); fi

mkdir -p "$OUT"
echo "mutants: cargo mutants ${args[*]}"
status=0
cargo mutants "${args[@]}" || status=$?

# Caught / missed / unviable / timeout per file, from cargo-mutants' own lists.
node - "$OUT/mutants.out" <<'EOF' | tee "$OUT/summary.txt"
const fs = require("node:fs");
const dir = process.argv[2];
const rows = {};
const kinds = ["caught", "missed", "unviable", "timeout"];
for (const kind of kinds) {
  const f = `${dir}/${kind}.txt`;
  if (!fs.existsSync(f)) continue;
  for (const line of fs.readFileSync(f, "utf8").split("\n").filter(Boolean)) {
    const file = line.split(":")[0];
    rows[file] ??= Object.fromEntries(kinds.map((k) => [k, 0]));
    rows[file][kind] += 1;
  }
}
const total = Object.fromEntries(kinds.map((k) => [k, 0]));
console.log(["file", ...kinds, "caught %"].join("\t"));
const pct = (r) => {
  const viable = r.caught + r.missed + r.timeout;
  return viable ? ((100 * r.caught) / viable).toFixed(1) : "-";
};
for (const [file, r] of Object.entries(rows).sort()) {
  kinds.forEach((k) => (total[k] += r[k]));
  console.log([file, ...kinds.map((k) => r[k]), pct(r)].join("\t"));
}
console.log(["total", ...kinds.map((k) => total[k]), pct(total)].join("\t"));
for (const kind of ["missed", "timeout"]) {
  const f = `${dir}/${kind}.txt`;
  if (fs.existsSync(f) && fs.readFileSync(f, "utf8").trim())
    console.log(`\n${kind}:\n${fs.readFileSync(f, "utf8").trim()}`);
}
EOF
exit "$status"
