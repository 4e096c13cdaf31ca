// Where workerd's CPU goes per banner event: a V8 CPU profile of the built
// worker under load, taken through wrangler's inspector (the DevTools
// protocol), its samples grouped by what ran: our Rust (by crate and module,
// from the wasm's name section), the wasm-bindgen and workers-rs glue, the
// runtime's own JavaScript, and V8's garbage collector and idle time. What it
// cannot see: workerd's C++ (HTTP, the SQLite calls, the object hop), which
// shows as "(program)" and is what remains of `workerd CPU per event` once
// the JavaScript and wasm time is taken out.
//
// Usage: node bench/profile.mjs [seconds=15] [clients=8]  (`make bench-profile`)
//
// AGAINST=<another build's shim.mjs> first runs that build and this one side
// by side, unprofiled, in three alternating rounds, and prints the CPU per
// event of each (the machine's speed drifts between runs; alternating in one
// run is what makes two builds comparable).
import { performance } from "node:perf_hooks";
// wrangler's inspector proxy wants an Origin header, which Node's own
// WebSocket does not let a caller set.
import WebSocket from "ws";
import { startEdge, siteConfig, demoEvent, uuidv7 } from "../scripts/wrangler-dev.mjs";

const args = process.argv.slice(2);
const SECONDS = Number(args[0] ?? 15);
const CLIENTS = Number(args[1] ?? 8);

/** A DevTools protocol session on the worker's inspector. */
async function devtools(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? targets[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { origin: "http://127.0.0.1" }, maxPayload: 1 << 30 });
  await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
  let next = 0;
  const waiting = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id !== undefined && waiting.has(msg.id)) {
      const { ok, fail } = waiting.get(msg.id);
      waiting.delete(msg.id);
      msg.error ? fail(new Error(JSON.stringify(msg.error))) : ok(msg.result);
    }
  };
  return {
    send: (method, params = {}) => new Promise((ok, fail) => {
      const id = ++next;
      waiting.set(id, { ok, fail });
      ws.send(JSON.stringify({ id, method, params }));
    }),
    close: () => ws.close(),
  };
}

/** What a profile node's function is, as a row of the table. */
function category({ functionName: f, url }) {
  if (["(garbage collector)", "(idle)", "(program)", "(root)"].includes(f)) return f;
  if (!url && f === "exec") return "SQLite (sql.exec: the query inside workerd)";
  if (!url && ["Response", "Headers", "Request", "fetch", "read", "decode", "encode", "text", "arrayBuffer", "json", "get", "set", "append"].includes(f)) {
    return "workerd's Web APIs (Request, Response, Headers, streams, TextDecoder)";
  }
  if (f === "wasm-to-js" || f === "js-to-wasm" || /externref shim|catch wrapper|__wbg|__wbindgen|__externref/.test(f)) return "wasm-bindgen glue (both sides)";
  if (/^assent_core::/.test(f)) return "assent_core";
  if (/^assent_edge::/.test(f)) return "assent_edge";
  for (const [re, name] of [
    [/serde_json::|serde_core::|serde::/, "serde_json (parse, write)"],
    [/sha2::|digest::/, "sha2"],
    [/ed25519|curve25519/, "ed25519 (sign)"],
    [/^(<)?(worker|worker_sys|js_sys|wasm_bindgen|web_sys|wasm_streams|futures)/, "workers-rs, js-sys (Rust side)"],
    [/dlmalloc|memcpy|memset|memmove|memcmp|^(<)?(alloc|core|std)(::|\[)|__rust/, "Rust std (alloc, fmt, memcpy)"],
    [/serde_jcs|ryu|itoa/, "serde_jcs, ryu (canonical JSON)"],
    [/^(<)?(url|idna|unicode|form_urlencoded|percent_encoding)/, "url, idna"],
  ]) if (re.test(f)) return name;
  if (/shim\.js/.test(url) && /drainBody|jsonError|fetchDispatcher|middleware/.test(f + url)) return "wrangler dev's middleware (not deployed)";
  if (/shim\.js/.test(url)) return "wasm-bindgen glue (both sides)";
  if (/::/.test(f)) return "other Rust crates";
  if (!url) return "V8 and workerd internals (no script)";
  return "other JavaScript";
}

/** Whether a category is Rust running in the wasm (ours and its crates). */
const rust = (c) => /^assent_|serde|sha2|ed25519|workers-rs|Rust std|url, idna|other Rust/.test(c);

/** `clients` posting distinct banner events for `seconds`; the acknowledged count. */
async function load(edge, en, seconds, clients) {
  let acked = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() - started < seconds * 1000) {
      const r = await fetch(`${edge.url}/v1/sites/demo/events`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(demoEvent(en, { subject: uuidv7() })),
      });
      await r.arrayBuffer();
      if (r.status === 201) acked++;
    }
  }));
  return acked;
}

if (process.env.AGAINST) {
  const builds = [["the other build", await startEdge({ rateLimit: false, main: process.env.AGAINST })], ["this build", await startEdge({ rateLimit: false })]];
  const perEvent = new Map(builds.map(([name]) => [name, []]));
  try {
    const en = await siteConfig(builds[1][1], "en");
    for (const [, e] of builds) await load(e, en, 3, CLIENTS); // warm up
    for (let round = 0; round < 3; round++) {
      for (const [name, e] of builds) {
        const cpu0 = e.workerdCpu();
        const acked = await load(e, en, SECONDS, CLIENTS);
        perEvent.get(name).push({ ms: (e.workerdCpu() - cpu0) * 1000 / acked, rate: acked / SECONDS });
      }
    }
  } finally {
    for (const [, e] of builds) await e.stop();
  }
  console.log(`\nSide by side, ${CLIENTS} clients, 3 alternating rounds of ${SECONDS} s (AGAINST=${process.env.AGAINST})`);
  console.log("| build | workerd CPU per event, each round | median | events a second, median |");
  console.log("| --- | --- | ---: | ---: |");
  const median = (xs) => [...xs].sort((a, b) => a - b)[1];
  for (const [name, runs] of perEvent) {
    console.log(`| ${name} | ${runs.map((r) => r.ms.toFixed(2)).join(" / ")} ms | ${median(runs.map((r) => r.ms)).toFixed(2)} ms | ${median(runs.map((r) => r.rate)).toFixed(0)} |`);
  }
}

const edge = await startEdge({ rateLimit: false });
try {
  const en = await siteConfig(edge, "en");
  // Warm up: compile, the first shard's tables, the key's decoding.
  for (let i = 0; i < 50; i++) {
    await fetch(`${edge.url}/v1/sites/demo/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(demoEvent(en, { subject: uuidv7() })) });
  }
  // Unprofiled first: the CPU an event costs without the profiler's share.
  const plainCpu0 = edge.workerdCpu();
  const plainAcked = await load(edge, en, SECONDS, CLIENTS);
  const plainCpu = edge.workerdCpu() - plainCpu0;

  const cdp = await devtools(edge.inspectorPort());
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  const cpu0 = edge.workerdCpu();
  const acked = await load(edge, en, SECONDS, CLIENTS);
  const cpu = edge.workerdCpu() - cpu0;
  const { profile } = await cdp.send("Profiler.stop");
  cdp.close();

  // Self time per node from its samples.
  const dt = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const d = (profile.timeDeltas[i + 1] ?? 0) / 1000; // µs → ms
    dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + d);
  }
  const byCategory = new Map();
  const byFunction = new Map();
  for (const node of profile.nodes) {
    const ms = dt.get(node.id) ?? 0;
    if (!ms) continue;
    const c = category(node.callFrame);
    byCategory.set(c, (byCategory.get(c) ?? 0) + ms);
    const f = (node.callFrame.functionName || `(anonymous) ${node.callFrame.url.split("/").pop()}:${node.callFrame.lineNumber}`).replace(/::h[0-9a-f]{16}$/, "");
    byFunction.set(f, (byFunction.get(f) ?? 0) + ms);
  }
  const sampled = [...byCategory].filter(([c]) => c !== "(idle)").reduce((a, [, ms]) => a + ms, 0);
  const inRust = [...byCategory].filter(([c]) => rust(c)).reduce((a, [, ms]) => a + ms, 0);
  console.log(`\nworkerd under ${CLIENTS} clients, ${SECONDS} s each: unprofiled ${plainAcked} banner events, ` +
    `${(plainCpu * 1000 / plainAcked).toFixed(2)} ms of workerd CPU per event (/proc); profiled ${acked} events, ` +
    `${(cpu * 1000 / acked).toFixed(2)} ms per event (/proc), ${(sampled / acked).toFixed(2)} ms of it on the isolate's thread ` +
    `outside idle, ${(inRust / acked).toFixed(2)} ms in Rust (our crates and theirs, as wasm)`);
  console.log("\n| what ran | ms per event | share of the thread's busy time |");
  console.log("| --- | ---: | ---: |");
  for (const [c, ms] of [...byCategory].filter(([c]) => c !== "(idle)").sort((a, b) => b[1] - a[1])) {
    console.log(`| ${c} | ${(ms / acked).toFixed(3)} | ${(ms / sampled * 100).toFixed(1)} % |`);
  }
  console.log("\nThe 25 functions with the most self time:");
  console.log("| function | ms per event |");
  console.log("| --- | ---: |");
  for (const [f, ms] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`| \`${f.slice(0, 110).replace(/\|/g, "\\|")}\` | ${(ms / acked).toFixed(3)} |`);
  }
} finally {
  await edge.stop();
}
