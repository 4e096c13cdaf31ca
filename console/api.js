// The owner's API as the console calls it: the key in an Authorization
// header (never in a URL), errors as the edge's stable codes.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function client(site, key) {
  const base = `/v1/admin/sites/${encodeURIComponent(site)}`;
  async function call(path, { method = "GET", body, raw = false } = {}) {
    const r = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!r.ok) {
      const e = await r.json().catch(() => ({}));
      throw new ApiError(r.status, e.error?.code ?? "unknown", e.error?.message ?? r.statusText);
    }
    return raw ? r : r.json();
  }
  return {
    site,
    stats: (days) => call(`/stats?days=${days}`),
    requests: () => call("/requests"),
    decide: (id, verb, reason) => call(`/requests/${id}/${verb}`, { method: "POST", ...(reason ? { body: { reason } } : {}) }),
    find: (email) => call(`/subjects?email=${encodeURIComponent(email)}`),
    exportSubject: (subject, format = "json") => call(`/subjects/${subject}/export?format=${format}`, { raw: format !== "json" }),
    erase: (subject) => call(`/subjects/${subject}/erasure`, { method: "POST" }),
    restore: (subject) => call(`/subjects/${subject}/restore`, { method: "POST" }),
    object: (subject, channel) => call(`/subjects/${subject}/objection`, { method: "POST", body: { channel } }),
    attest: (body) => call("/attestations", { method: "POST", body }),
    contacts: (q) => call(`/contacts?${new URLSearchParams({ limit: "1000", ...q })}`),
    contactsCsv: (q) => call(`/contacts?${new URLSearchParams({ ...q, format: "csv" })}`, { raw: true }),
    restrict: (subject, restricted) => call(`/subjects/${subject}/restriction`, { method: "POST", body: { restricted } }),
    note: (subject, text) => call(`/subjects/${subject}/notes`, { method: "POST", body: { text } }),
    recycleBin: () => call("/recycle-bin"),
    deliveries: () => call("/webhooks"),
    retention: () => call("/retention"),
    importBatch: async (bytes, firstRow, list = "kind=opt_out") => {
      const r = await fetch(`${base}/suppressions/import?first_row=${firstRow}&${list}`, {
        method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "text/csv" }, body: bytes,
      });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) throw new ApiError(r.status, body.error?.code ?? "unknown", body.error?.message ?? r.statusText);
      return body;
    },
    lists: ({ kind, after, email } = {}) => call(`/suppressions?${new URLSearchParams({ limit: "50", ...(kind ? { kind } : {}), ...(after ? { after } : {}), ...(email ? { email } : {}) })}`),
    listsCsv: () => call("/suppressions?format=csv", { raw: true }),
    unlist: (lookup) => call(`/suppressions/${encodeURIComponent(lookup)}`, { method: "DELETE" }),
    runRetention: () => call("/retention/run", { method: "POST" }),
    audit: (after) => call(after == null ? "/audit" : `/audit?after=${after}`),
    keys: () => call("/keys"),
    mailbox: () => call("/mail?limit=100"),
    createKey: (name, scopes) => call("/keys", { method: "POST", body: { name, scopes } }),
    revokeKey: (id) => call(`/keys/${encodeURIComponent(id)}/revoke`, { method: "POST" }),
    breaches: () => call("/breaches"),
    recordBreach: (body) => call("/breaches", { method: "POST", body }),
    updateBreach: (id, body) => call(`/breaches/${id}`, { method: "POST", body }),
    logExport: () => call("/export", { raw: true }),
    configInForce: () => call("/config"),
    configDraft: () => call("/config/draft"),
    saveDraft: (base, config) => call(`/config/draft?base=${base}`, { method: "POST", body: config }),
    discardDraft: () => call("/config/draft", { method: "DELETE" }),
    previewDraft: () => call("/config/draft/preview", { method: "POST" }),
    publish: () => call("/config/publish", { method: "POST" }),
    editions: () => call("/config/editions"),
    edition: (n) => call(`/config/editions/${n}`),
  };
}

/** Saves a response body as a file the browser downloads. */
export async function download(response, name) {
  const blob = await response.blob();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
