// The ids a page draws, as core reads them (RFC 9562 UUIDs, lowercase hex):
// from 16 random bytes a version 4 (an event's id, the subject key), or with
// `ms` a version 7 with that time in its first 48 bits (a new subject:
// core's `SubjectId::drawn`; its time picks the subject's log shard).
// Written here rather than asked of the engine, which a first visit does not
// fetch; tests/loader/client.test.mjs holds it to core's vectors.
export function uuid(ms, b) {
  b = b || crypto.getRandomValues(new Uint8Array(16));
  // A typed array keeps the low 8 bits of what it is given.
  for (var i = 0; ms >= 0 && i < 6; i++) b[i] = Math.floor(ms / 2 ** (40 - 8 * i));
  b[6] = (b[6] & 15) | (ms >= 0 ? 112 : 64);
  b[8] = (b[8] & 63) | 128;
  return [...b].map((x, i) => (i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "") + (x + 256).toString(16).slice(1)).join("");
}
