// The shard curve: banner events a second for a site whose log spreads over
// 1, 2, 4 and 8 shards, on this machine, with the CPU workerd used per
// event, and every acknowledged event checked to be in the log once.
//
// Usage: node bench/shards.mjs [seconds=20] [clients=16]
//
// The sites are the demo site's configuration under the ids bench-s1,
// bench-s2, bench-s4 and bench-s8, with `log.shards` 1, 2, 4 and 8. They are
// built into a worker of their own (edge/build.rs's ASSENT_EXTRA_SITES, in
// target/bench-shards and edge/build-bench): the shipped build never holds
// them. Each count runs on a fresh edge with the same load: CLIENTS clients
// posting distinct events (a UUIDv7 subject each) for SECONDS.
//
// What a number here is: workerd runs the front Worker and every Durable
// Object of a site on one thread in one process, so on this machine shards
// share a core and the rate cannot grow with them; what the curve shows is
// that spreading costs nothing and what one event costs. On Cloudflare each
// object runs on its own thread: the ceiling per shard is about 1 s over the
// object's CPU per event, and a site's is that times its shards
// (BENCHMARKS.md, "The shard curve").
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { ROOT, startEdge, siteConfig, demoEvent, uuidv7, auditLog, scratch } from "../scripts/wrangler-dev.mjs";

const args = process.argv.slice(2);
const SECONDS = Number(args[0] ?? 20);
const CLIENTS = Number(args[1] ?? 16);
// SHARD_COUNTS="1 4" runs fewer.
const COUNTS = (process.env.SHARD_COUNTS ?? "1 2 4 8").split(" ").map(Number);

// The bench sites, and the worker that holds them.
const sites = scratch();
const demo = JSON.parse(readFileSync(join(ROOT, "edge/sites/demo.json"), "utf8"));
for (const n of COUNTS) {
  writeFileSync(join(sites, `bench-s${n}.json`), JSON.stringify({ ...demo, site: `bench-s${n}`, log: { shards: n } }, null, 2));
}
console.error("building the worker with the bench sites (target/bench-shards) ...");
execFileSync("worker-build", ["--release", "--out-dir", "build-bench"], {
  cwd: join(ROOT, "edge"),
  stdio: ["ignore", "ignore", "inherit"],
  env: {
    ...process.env,
    ASSENT_EXTRA_SITES: sites,
    CARGO_TARGET_DIR: join(ROOT, "target/bench-shards"),
    WASM_OPT_BIN: join(ROOT, "node_modules/.bin/wasm-opt"),
    // The pinned wasm-bindgen CLI (scripts/setup.sh), never a download.
    WASM_BINDGEN_BIN: execFileSync("sh", ["-c", "command -v wasm-bindgen"], { encoding: "utf8" }).trim(),
    PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.HOME}/.cargo/bin:${process.env.PATH}`,
  },
});
const main = join(ROOT, "edge/build-bench/worker/shim.mjs");

const rows = [];
for (const n of COUNTS) {
  const site = `bench-s${n}`;
  const edge = await startEdge({ rateLimit: false, main });
  try {
    const en = await siteConfig(edge, "en", site);
    const acked = new Set();
    const latencies = [];
    let errors = 0;
    const cpu0 = edge.workerdCpu();
    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const event = demoEvent(en, { site, subject: uuidv7() });
        for (;;) {
          const t = performance.now();
          const r = await fetch(`${edge.url}/v1/sites/${site}/events`, {
            method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(event),
          }).catch(() => null);
          await r?.arrayBuffer();
          if (r && (r.status === 201 || r.status === 200)) {
            latencies.push(performance.now() - t);
            acked.add(event.event_id);
            break;
          }
          if (r && r.status < 500) throw new Error(`refused: HTTP ${r.status}`);
          errors++;
        }
      }
    }));
    const elapsed = (performance.now() - started) / 1000;
    const cpu = edge.workerdCpu() - cpu0;

    // Every acknowledged event once, and every shard's tree rebuilt.
    const { lost, doubled, perShard, valid } = await auditLog(edge, site, acked, n);
    const sorted = latencies.sort((a, b) => a - b);
    const pct = (p) => sorted[Math.floor((sorted.length - 1) * p)];
    rows.push(`| ${n} | ${acked.size.toLocaleString("en")} | ${(acked.size / elapsed).toFixed(0)}/s | ${pct(0.5).toFixed(0)} ms | ${pct(0.99).toFixed(0)} ms | ` +
      `${(cpu / elapsed * 100).toFixed(0)} % | ${(cpu * 1000 / acked.size).toFixed(2)} ms | ${perShard.join(" / ")} | ${errors} | ${lost} | ${doubled} | ${valid ? "valid" : "INVALID"} |`);
    if (lost || doubled || !valid) process.exitCode = 1;
  } finally {
    await edge.stop();
  }
}
console.log(`\nThe shard curve: banner events, ${CLIENTS} clients, ${SECONDS} s per count (wrangler dev on this machine)`);
console.log("| shards | acknowledged | rate | p50 | p99 | workerd CPU | workerd CPU per event | events per shard | errors | lost | doubled | assent verify log |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |");
for (const r of rows) console.log(r);
