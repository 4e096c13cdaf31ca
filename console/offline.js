// Consent given offline in the console: the form that records the owner's
// word (consent by phone, on paper, at an event, a legitimate interest), the
// objection a person made by phone or letter, how a record of the owner's
// word reads in a history, and the notes kept about a contact. The rules are core's (the edge checks
// every field); a scanned document is hashed here and never sent.
import { h } from "./dom.js";

const SOURCES = [["phone", "By phone"], ["paper", "On paper"], ["in_person", "In person (an event, a shop)"], ["legacy_crm", "From a legacy CRM"], ["customer", "An existing customer"]];
const BASES = [["consent", "Consent"], ["legitimate_interests", "Legitimate interests"], ["contract", "Contract"]];
const CHANNELS = ["email", "sms", "phone", "post"];

/** How a record of the owner's word reads in a history: `null` for the person's own. */
export function ownerWord(record) {
  const a = record.form?.attested;
  if (!a) return null;
  const source = SOURCES.find(([v]) => v === a.source)?.[1] ?? a.source;
  const basis = BASES.find(([v]) => v === a.basis)?.[1] ?? a.basis;
  return h("span", { "data-attested": "" }, `Recorded by the owner (key ${a.by}): ${basis.toLowerCase()}, ${source.toLowerCase()}, given ${a.given_on}`);
}

async function sha256Hex(file) {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const select = (name, options) => h("select", { id: `offline-${name}`, name }, options.map(([v, label]) => h("option", { value: v }, label)));
const field = (name, label, input) => [h("label", { for: `offline-${name}` }, label), input];

/** The "Consent given offline" section: a key with scope `attest` records it. */
export function offlineView(api, describe) {
  const out = h("div", { "aria-live": "polite" });
  const offers = h("fieldset", { "data-offers": "" }, h("legend", {}, "What the person agreed to"));
  const form = h("form", { class: "card", "data-offline": "", onsubmit: async (e) => {
    e.preventDefault();
    const f = e.target;
    const body = {
      form: f.form.value.trim(), email: f.email.value.trim(),
      offers: [...offers.querySelectorAll("input:checked")].map((i) => i.value),
      basis: f.basis.value, source: f.source.value, given_on: f.given_on.value,
    };
    for (const k of ["name", "phone", "note"]) if (f[k].value.trim()) body[k] = f[k].value.trim();
    if (f.document.files[0]) body.evidence_sha256 = await sha256Hex(f.document.files[0]);
    try {
      const done = await api.attest(body);
      out.replaceChildren(h("p", { role: "status", "data-recorded": "" }, `Recorded as the owner's word. Receipt: `, h("code", { class: "receipt" }, done.receipt)));
      f.reset();
    } catch (err) {
      out.replaceChildren(h("p", { role: "alert", class: "error" }, describe(err)));
    }
  } },
  h("h2", {}, "Consent given offline"),
  h("p", {}, "Consent given by phone, on paper or in person, or a contact held under another lawful basis. It is recorded as your word, never as the person's own, in the log, the exports and their privacy center; the note is encrypted with their identity."),
  ...field("form", "Form whose offers they were given", h("input", { id: "offline-form", name: "form", required: true, value: "newsletter", onchange: (e) => loadOffers(e.target.value) })),
  ...field("email", "Email", h("input", { id: "offline-email", name: "email", type: "email", required: true, autocomplete: "off" })),
  ...field("name", "Name (optional)", h("input", { id: "offline-name", name: "name", autocomplete: "off" })),
  ...field("phone", "Phone (needed for text or call offers)", h("input", { id: "offline-phone", name: "phone", type: "tel", autocomplete: "off" })),
  offers,
  ...field("basis", "Lawful basis", select("basis", BASES)),
  ...field("source", "Where they gave it", select("source", SOURCES)),
  ...field("given_on", "On", h("input", { id: "offline-given_on", name: "given_on", type: "date", required: true, max: new Date().toISOString().slice(0, 10) })),
  ...field("note", "Evidence note (optional)", h("textarea", { id: "offline-note", name: "note", maxlength: "2000", rows: "3" })),
  ...field("document", "Scanned document (optional: only its SHA-256 is sent)", h("input", { id: "offline-document", name: "document", type: "file" })),
  h("button", { type: "submit" }, "Record"));
  async function loadOffers(id) {
    offers.replaceChildren(h("legend", {}, "What the person agreed to"));
    const r = await fetch(`/v1/sites/${encodeURIComponent(api.site)}/forms/${encodeURIComponent(id)}?lang=en`);
    if (!r.ok) return offers.append(h("p", { class: "error" }, "No such form on this site."));
    const { notice } = await r.json();
    for (const o of notice.offers) {
      const box = `offer-${o.key.replace(":", "-")}`;
      offers.append(h("div", {}, h("input", { type: "checkbox", id: box, value: o.key }), " ", h("label", { for: box }, `${o.label} (${o.key})`)));
    }
  }
  loadOffers("newsletter");
  return h("div", {}, form, out);
}

/**
 * A one-line form that does `act(form)` on submit, then `onDone()`; a
 * refusal is shown beside its button, in the edge's words.
 */
function actForm(attrs, act, describe, onDone, ...fields) {
  const said = h("span", { "aria-live": "polite" });
  return h("form", { class: "inline-form", ...attrs, onsubmit: async (e) => {
    e.preventDefault();
    try {
      await act(e.target);
      await onDone();
    } catch (err) {
      said.replaceChildren(h("span", { role: "alert", class: "error" }, ` ${describe(err)}`));
    }
  } }, ...fields, said);
}

/** An objection the person made by phone or letter, recorded on their subject. */
export function objectionForm(api, subject, describe, onDone) {
  return actForm({ "data-objection": "" }, (f) => api.object(subject, f.channel.value), describe, onDone,
    h("label", { for: "objection-channel" }, "The person objects to contact by"), " ",
    h("select", { id: "objection-channel", name: "channel" }, CHANNELS.map((c) => h("option", { value: c }, c))), " ",
    h("button", { type: "submit" }, "Record objection"));
}

/** A contact's notes (sealed at the edge, erased with the identity) and a form to add one. */
export function notesView(api, subject, notes, describe, onDone) {
  return h("section", { "data-notes": "" },
    h("h3", {}, "Notes"),
    notes.length
      ? h("ul", {}, notes.map((n) => h("li", { "data-note": "" }, `${n.at.slice(0, 16).replace("T", " ")} · ${n.by}: `, n.text)))
      : h("p", {}, "No notes."),
    actForm({}, (f) => api.note(subject, f.text.value), describe, onDone,
      h("label", { for: "note-text" }, "Add a note"), " ",
      h("textarea", { id: "note-text", name: "text", required: true, maxlength: "2000", rows: "2" }), " ",
      h("button", { type: "submit" }, "Add note")));
}
