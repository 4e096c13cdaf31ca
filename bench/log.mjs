// Log benchmarks against the real worker under wrangler dev (workerd, SQLite
// Durable Object on disk). Usage: node bench/log.mjs [max leaves, default 100000]
//
// 1. Append cost: the log is filled to 1k, 10k and 100k leaves; at each size
//    the latency of 300 sequential event POSTs is measured (median, p95), and
//    the storage reads per append are constant by construction (O(log n)).
// 2. `assent verify log` throughput on the export of the whole log.
// 3. Receipt, checkpoint and proof sizes in bytes.
import { writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startEdge, siteConfig, demoEvent, assent, assentToFile, scratch } from "../scripts/wrangler-dev.mjs";

const MAX = Number(process.argv[2] ?? 100_000);
const SIZES = [1_000, 10_000, 100_000].filter((n) => n <= MAX);
// A dev-only config without the rate limiter: one client plays every visitor.
const edge = await startEdge({ rateLimit: false });
const dir = scratch();
try {
  const en = await siteConfig(edge, "en");
  const post = (e) =>
    fetch(`${edge.url}/v1/sites/demo/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(e),
    });
  let size = 0;
  let restarts = 0;
  // Like the widget's outbox: a 5xx is retried with the same event (idempotent).
  async function append(e) {
    for (let attempt = 0; ; attempt++) {
      const r = await post(e);
      if (r.status === 201 || r.status === 200) return r;
      const text = await r.text();
      if (r.status < 500 || attempt >= 5) throw new Error(`append: HTTP ${r.status} ${text}`);
      restarts++;
      await new Promise((ok) => setTimeout(ok, 200 * (attempt + 1)));
    }
  }
  async function fillTo(target) {
    const started = performance.now();
    const from = size;
    const workers = 8;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (size < target) {
          size++;
          await append(demoEvent(en));
        }
      }),
    );
    const secs = (performance.now() - started) / 1000;
    console.error(`filled ${from} -> ${target} in ${secs.toFixed(1)} s (${((target - from) / secs).toFixed(0)} appends/s, 8 concurrent)`);
  }
  const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)];
  const rows = [];
  let lastReceipt;
  for (const target of SIZES) {
    await fillTo(target);
    const times = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      const r = await post(demoEvent(en));
      const body = await r.text();
      times.push(performance.now() - t);
      if (r.status !== 201) throw new Error(`measure: HTTP ${r.status}`);
      lastReceipt = body;
      size++;
    }
    rows.push({ leaves: target, median_ms: pct(times, 0.5), p95_ms: pct(times, 0.95) });
  }
  console.log("\nAppend latency (POST /v1/sites/demo/events, sequential, wrangler dev on this machine)");
  console.log("| leaves already in the log | median | p95 |\n| ---: | ---: | ---: |");
  for (const r of rows) console.log(`| ${r.leaves.toLocaleString("en")} | ${r.median_ms.toFixed(2)} ms | ${r.p95_ms.toFixed(2)} ms |`);

  await new Promise((r) => setTimeout(r, 1200));
  const cp = await (await fetch(`${edge.url}/v1/sites/demo/log/checkpoint`)).text();
  const answer = JSON.parse(lastReceipt);
  const index = answer.log.index;
  const inclusion = await (await fetch(`${edge.url}/v1/sites/demo/log/inclusion?index=${index}&size=${size}`)).text();
  const consistency = await (await fetch(`${edge.url}/v1/sites/demo/log/consistency?from=${Math.floor(size / 3)}&to=${size}`)).text();
  console.log(`\nSizes at ${size.toLocaleString("en")} leaves (bytes)`);
  console.log("| what | bytes |\n| --- | ---: |");
  console.log(`| receipt (compact JWS) | ${answer.receipt.length} |`);
  console.log(`| event POST answer (receipt + record + log) | ${lastReceipt.length} |`);
  console.log(`| signed checkpoint | ${Buffer.byteLength(cp)} |`);
  console.log(`| inclusion proof answer (JSON, ${JSON.parse(inclusion).hashes.length} hashes) | ${inclusion.length} |`);
  console.log(`| consistency proof answer (JSON, ${JSON.parse(consistency).hashes.length} hashes) | ${consistency.length} |`);

  const exportPath = join(dir, "export.jsonl");
  let t = performance.now();
  const exported = assentToFile(["export", "--edge", edge.url, "--site", "demo", "--admin-key", edge.adminKey], exportPath);
  if (exported.status !== 0) throw new Error(exported.stderr);
  const exportSecs = (performance.now() - t) / 1000;
  const cpPath = join(dir, "cp.txt");
  writeFileSync(cpPath, cp);
  const runs = [];
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    const v = assent(["verify", "log", "--export", exportPath, "--checkpoint", cpPath, "--jwks", `${edge.url}/.well-known/jwks.json`]);
    runs.push((performance.now() - t) / 1000);
    if (v.status !== 0) throw new Error(v.stderr);
  }
  const best = Math.min(...runs);
  console.log(`\nassent export: ${size.toLocaleString("en")} records, ${(statSync(exportPath).size / 1e6).toFixed(1)} MB in ${exportSecs.toFixed(1)} s`);
  console.log(`assent verify log: ${size.toLocaleString("en")} records in ${best.toFixed(2)} s (best of 3, whole process) = ${(size / best).toFixed(0)} records/s`);
  if (restarts > 0) {
    console.log(`\n(${restarts} appends answered 5xx during the run and were retried; wrangler log tail:)`);
    console.log(edge.log().split("\n").slice(-15).join("\n"));
  }
} finally {
  await edge.stop();
}
