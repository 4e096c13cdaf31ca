#!/usr/bin/env bash
# `make fuzz`: every parser of assent-core under libFuzzer (cargo-fuzz at its
# pin in tool-versions.env, installed here if missing: about 1 minute), each
# target for FUZZ_SECONDS (default 30) from the seeds in
# core/tests/vectors/fuzz/<target>/. The targets' bodies are
# core/fuzz/src/bodies.rs; core/tests/fuzz_regressions.rs replays every saved
# input under `make test`.
#
# `make fuzz-planted` (FUZZ_PLANTED=1) runs the `planted` target instead and
# succeeds only if the fuzzer finds its planted bug (a row core reads as the
# address bug@...) within FUZZ_SECONDS (default 120): the setup finds a bug
# that sits behind core's real parser.
#
# Stable Rust, no sanitizer (`--sanitizer none`: AddressSanitizer needs a
# nightly flag); `-max-loads-per-memcmp=0` keeps LLVM from inlining short
# compares, which would hide them from libFuzzer (../shared/TOOLCHAIN.md).
# A crash leaves its input in core/fuzz/artifacts/<target>/ and this script
# exits 1 and prints it: fix the bug, then copy the input into
# core/tests/vectors/fuzz/<target>/ so the regression test keeps it.
#   FUZZ_TARGETS  space-separated targets (default: all nine parsers)
#   FUZZ_SECONDS  seconds per target
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../tool-versions.env
. ./tool-versions.env
export PATH="$HOME/.cargo/bin:$PATH"

if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $NF}')" != "$CARGO_FUZZ" ]; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ (about 1 minute)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ" --locked
fi
export RUSTFLAGS="-Cllvm-args=-max-loads-per-memcmp=0"
ALL="event site_config form_submission note receipt proofs import tokens keys"
CORPUS="$PWD/target/fuzz-corpus"
cd core

if [ -n "${FUZZ_PLANTED:-}" ]; then
  SECS="${FUZZ_SECONDS:-120}"
  rm -rf fuzz/artifacts/planted "$CORPUS/planted" && mkdir -p "$CORPUS/planted"
  cp tests/vectors/fuzz/import/* "$CORPUS/planted/"
  cargo fuzz build --sanitizer none planted
  start=$(date +%s)
  if cargo fuzz run --sanitizer none planted "$CORPUS/planted" -- -max_total_time="$SECS" >/tmp/fuzz-planted.log 2>&1; then
    echo "fuzz-planted: the planted bug was NOT found in ${SECS}s (see /tmp/fuzz-planted.log)"
    exit 1
  fi
  found=$(ls fuzz/artifacts/planted/crash-* 2>/dev/null | head -1)
  if [ -z "$found" ] || ! grep -q "planted bug reached" /tmp/fuzz-planted.log; then
    echo "fuzz-planted: the run failed without finding the planted bug (see /tmp/fuzz-planted.log)"
    exit 1
  fi
  echo "fuzz-planted: found in $(( $(date +%s) - start ))s (build included): $(head -c 80 "$found" | tr '\n' ' ')"
  exit 0
fi

SECS="${FUZZ_SECONDS:-30}"
TARGETS="${FUZZ_TARGETS:-$ALL}"
cargo fuzz build --sanitizer none $TARGETS 2>/dev/null || cargo fuzz build --sanitizer none
status=0
for t in $TARGETS; do
  mkdir -p "$CORPUS/$t"
  cp -n tests/vectors/fuzz/"$t"/* "$CORPUS/$t/" 2>/dev/null || true
  log="/tmp/fuzz-$t.log"
  if cargo fuzz run --sanitizer none "$t" "$CORPUS/$t" -- -max_total_time="$SECS" -print_final_stats=1 >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $NF}')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $NF}')
    printf 'fuzz: %-16s %10s runs in %ss, coverage %s, no crash\n' "$t" "${runs:-?}" "$SECS" "${cov:-?}"
  else
    echo "fuzz: $t CRASHED: input in core/fuzz/artifacts/$t/ (log $log)"
    grep -m5 -E 'panicked|ERROR|SUMMARY' "$log" || true
    status=1
  fi
done
exit $status
