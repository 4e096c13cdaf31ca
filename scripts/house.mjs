// `make house`: the house's measurements (issue 19's item 5), each a ratchet.
// - no non-test source file over 600 lines (a file's tests, from its
//   `#[cfg(test)] mod ...` on, do not count; the conformance suites are tests);
// - no function over 120 lines (from its `fn` line to its closing brace);
// - no import circle between a crate's source files (a `crate::a::b` path in
//   file A naming file B is an edge A -> B; a circle is a strongly connected
//   set of two or more files).
// - every module of a crate is named in its crate docs (the root's `//!`).
// What exceeds a target today is listed in ALLOWED with its size: the check
// fails when anything new exceeds a target or a listed item grows, and says
// when a listed item has come under its target (then strike it).
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const CRATES = ["core/src", "edge/src", "cli/src", "widget/src", "widget/form/src", "console/verify/src"];
const FILE_MAX = 600;
const FN_MAX = 120;

// Measured 2026-12-06; each a debt to pay down, never to raise.
const ALLOWED = {
  files: {
  },
  fns: {
  },
  circles: 0,
};

function sources(dir) {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { recursive: true })
    .filter((f) => f.endsWith(".rs"))
    .map((f) => join(dir, f));
}

/** The file's lines before its tests. */
function codeLines(file) {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  for (let i = 0; i + 1 < lines.length; i++) {
    if (lines[i].startsWith("#[cfg(") && lines[i].includes("test") && /^mod \w+ \{/.test(lines[i + 1])) return lines.slice(0, i);
  }
  return lines;
}

/** Functions with bodies: [name, lines]. */
function functions(lines) {
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(/^(\s*)(pub(\([^)]*\))? )?(const )?(async )?(unsafe )?fn (\w+)/);
    if (!m) continue;
    // The signature ends at the body's `{` or at a declaration's `;`.
    let j = i;
    while (j < lines.length && !/[{;]\s*$/.test(lines[j].replace(/\/\/.*$/, ""))) j++;
    if (j >= lines.length || lines[j].replace(/\/\/.*$/, "").trimEnd().endsWith(";")) continue;
    const close = m[1] + "}";
    let k = j;
    if (!lines[j].trimEnd().endsWith("{}")) {
      k = j + 1;
      while (k < lines.length && lines[k].trimEnd() !== close) k++;
    }
    out.push([m[7], k - i + 1]);
  }
  return out;
}

/** The file a `crate::` path names, as long a prefix as has a file. */
function resolve(crateDir, parts) {
  for (let n = parts.length; n > 0; n--) {
    const base = join(crateDir, ...parts.slice(0, n));
    for (const f of [base + ".rs", join(base, "mod.rs")]) if (existsSync(join(ROOT, f))) return f;
  }
  return null;
}

function circles(crateDir, files) {
  const edges = new Map(files.map((f) => [f, new Set()]));
  for (const f of files) {
    // Code only: a doc link to another module is no import.
    const text = codeLines(f).map((l) => l.replace(/\/\/.*$/, "")).join("\n");
    const paths = [...text.matchAll(/crate::((?:\w+::)*\w+)/g)].map((m) => m[1].split("::"));
    // `use crate::{a, b::c}` groups.
    for (const g of text.matchAll(/crate::\{([^}]*)\}/g)) {
      for (const item of g[1].split(",")) paths.push(item.trim().split("::").filter(Boolean));
    }
    for (const p of paths) {
      const to = resolve(crateDir, p);
      if (to && to !== f && edges.has(to)) edges.get(f).add(to);
    }
  }
  // Tarjan's strongly connected components.
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of edges.get(v)) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do { w = stack.pop(); on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of files) if (!idx.has(v)) visit(v);
  return out;
}

const problems = [], paid = [];
let circleCount = 0;
for (const crate of CRATES) {
  const files = sources(crate).filter((f) => !f.includes("conformance"));
  for (const f of files) {
    const lines = codeLines(f);
    const allowed = ALLOWED.files[f] ?? FILE_MAX;
    if (lines.length > allowed) problems.push(`${f}: ${lines.length} lines (at most ${allowed})`);
    else if (ALLOWED.files[f] && lines.length <= FILE_MAX) paid.push(`${f} is ${lines.length} lines now`);
    for (const [name, n] of functions(lines)) {
      const key = `${f}:${name}`;
      const max = ALLOWED.fns[key] ?? FN_MAX;
      if (n > max) problems.push(`${key}: ${n} lines (at most ${max})`);
      else if (ALLOWED.fns[key] && n <= FN_MAX) paid.push(`${key} is ${n} lines now`);
    }
  }
  for (const c of circles(crate, files)) {
    circleCount++;
    console.log(`circle: ${c.map((f) => relative(crate, f)).join(" <-> ")}`);
  }
}
// Crate docs that list every module (a `mod x;` of the crate root named in its `//!` lines).
for (const root of ["core/src/lib.rs", "edge/src/lib.rs", "cli/src/main.rs", "widget/src/lib.rs", "widget/form/src/lib.rs", "console/verify/src/lib.rs"]) {
  const text = readFileSync(join(ROOT, root), "utf8");
  const docs = text.split("\n").filter((l) => l.startsWith("//!")).join("\n");
  for (const m of text.matchAll(/^(?:pub )?mod (\w+)/gm)) {
    if (m[1] === "prelude") continue; // core's private imports, not a module of the API
    // Named as code: `x`, [`x`], `x.rs` or `x::...`, not a common word in a sentence.
    if (!new RegExp(`\`${m[1]}(\\.rs|::[\\w:]*)?\``).test(docs)) problems.push(`${root}: module \`${m[1]}\` is not in the crate docs`);
  }
}
if (circleCount > ALLOWED.circles) problems.push(`${circleCount} import circles (at most ${ALLOWED.circles})`);
for (const p of paid) console.log(`paid down, strike it from ALLOWED: ${p}`);
for (const p of problems) console.error(`house: ${p}`);
console.log(`house: files over ${FILE_MAX}: ${Object.keys(ALLOWED.files).length} allowed; functions over ${FN_MAX}: ${Object.keys(ALLOWED.fns).length} allowed; import circles: ${circleCount}`);
process.exit(problems.length ? 1 : 0);
