// The console's list import: the file is read in the browser and sent to
// the import route in batches, as `assent import` sends them; the edge
// checks every row (core's rules) and answers each batch's report, which
// this module adds up. What fits a batch is core's rule
// (`rights::import::batch_fits`, from the console's wasm), the one
// `assent import` fills its batches by: a row too long for any batch is
// reported here and never sent, so a 10 MB line costs no request.

/** Splits `bytes` into lines (LF; a CR before it stays, the edge reads CRLF). */
function* lines(bytes) {
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 10) {
      if (i > start || i < bytes.length) yield bytes.subarray(start, i);
      start = i + 1;
    }
  }
}

function join(parts) {
  const total = parts.reduce((n, p) => n + p.length + 1, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; out[at++] = 10; }
  return out;
}

/** Imports `bytes`; `onProgress(done, total)` after each batch; resolves to the merged report. */
export async function importList(api, bytes, onProgress, fits, list = "kind=opt_out") {
  const all = [...lines(bytes)];
  const report = { rows: 0, accepted: 0, duplicated: 0, withdrawn: 0, rejected: 0, errors: [], rejected_by_code: {}, records: [] };
  const add = (r) => {
    for (const k of ["rows", "accepted", "duplicated", "withdrawn", "rejected"]) report[k] += r[k] ?? 0;
    for (const [code, n] of Object.entries(r.rejected_by_code ?? {})) report.rejected_by_code[code] = (report.rejected_by_code[code] ?? 0) + n;
    report.errors.push(...(r.errors ?? []));
    if (r.event_id) report.records.push(r.event_id);
  };
  let header = null; // the file's header line, once the edge has read one
  let i = 0;
  while (i < all.length) {
    // One batch: contiguous lines (a long one ends it), within the limits.
    const first = i;
    const batch = [];
    let size = header ? header.length + 1 : 0;
    while (i < all.length && fits(batch.length, size, all[i].length)) {
      size += all[i].length + 1;
      batch.push(all[i++]);
    }
    if (batch.length) {
      const body = header ? join([header, ...batch]) : join(batch);
      const r = await api.importBatch(body, header ? first : first + 1, list);
      add(r);
      // The edge reads a first line naming an `email` or `hash` column as
      // the header: then it counted one row fewer than it was sent.
      if (first === 0 && r.rows === batch.length - 1) header = batch[0];
    }
    if (i < all.length && batch.length === 0 && !fits(0, size, all[i].length)) {
      add({ rows: 1, rejected: 1, rejected_by_code: { line_too_long: 1 }, errors: [[i + 1, "line_too_long"]] });
      i++;
    }
    onProgress(i, all.length);
  }
  report.errors.sort((a, b) => a[0] - b[0]);
  return report;
}
