// The site's configuration without a deploy: its texts in every language
// (each text a field, by where it shows), the whole configuration as JSON
// for the rest, a draft saved and previewed by the real widget, then
// published as a new edition (a key with `publish`). Every rule is the
// edge's (core's checks, as the build's): this only asks and says.
import { h, table, day } from "./dom.js";

// What a text's key means to a person: the words the banner shows.
const GROUPS = { ui: "Banner and panel", purposes: "Purposes", services: "Services", forms: "Forms", words: "Assent's own words" };
const words = (key) => key.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());

/** Every string of `value` under `path`, as [path, text]. */
function texts(value, path = []) {
  if (typeof value === "string") return [[path, value]];
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => texts(v, [...path, k]));
  }
  return [];
}

function setAt(obj, path, value) {
  let at = obj;
  for (const k of path.slice(0, -1)) at = at[k];
  at[path[path.length - 1]] = value;
}

export async function settingsView(api, describe) {
  const wrap = h("section", { "data-settings": "" });
  const said = h("div", { "aria-live": "polite", "data-settings-said": "" });
  let inForce, config, base, lang, dirty = false;

  const say = (text, attrs = {}) => said.replaceChildren(h("p", { role: "status", ...attrs }, text));
  const fail = (err) => said.replaceChildren(h("p", { role: "alert", class: "error", "data-settings-error": err.code ?? "" }, describe(err)));

  async function load() {
    const [now, { draft }, { editions }] = await Promise.all([api.configInForce(), api.configDraft(), api.editions()]);
    inForce = now;
    config = structuredClone(draft ? draft.config : now.config);
    base = draft ? draft.base : now.hash;
    lang ??= config.default_language;
    if (!config.languages[lang]) lang = config.default_language;
    dirty = false;
    render(draft, editions);
  }

  function render(draft, editions) {
    const source = inForce.edition == null ? "the deployed file" : `edition ${inForce.edition}`;
    const state = h("div", { class: "stack" },
      h("p", { "data-in-force": inForce.edition ?? "deployed" }, `In force: ${source}, notice version ${inForce.notice_version}.`),
      h("p", { "data-draft": draft ? "saved" : "none" }, draft
        ? `A draft saved ${day(draft.saved_at)} by ${draft.by} is not published yet. Edits below continue it.`
        : "No draft: edits below start from what is in force. Visitors see nothing until you publish."));
    const choose = h("select", { id: "settings-lang", onchange: (e) => { lang = e.target.value; fields.replaceChildren(...textFields()); } },
      Object.keys(config.languages).map((l) => h("option", { value: l, selected: l === lang }, l)));
    const fields = h("div", { class: "stack", "data-texts": "" }, ...textFields());
    const json = h("textarea", { id: "settings-json", rows: "16", spellcheck: "false", "data-json": "", class: "code" }, JSON.stringify(config, null, 2));
    const advanced = h("details", {},
      h("summary", {}, "The whole configuration (JSON): purposes, services, forms, languages"),
      h("p", {}, `Checked as the build checks a site's file. Only a deploy changes: ${inForce.fixed_at_deploy.join(", ")}.`),
      h("label", { for: "settings-json" }, "Configuration"), json,
      h("button", { type: "button", class: "quiet", onclick: () => {
        try {
          config = JSON.parse(json.value);
        } catch (e) {
          said.replaceChildren(h("p", { role: "alert", class: "error" }, `That is not JSON: ${e.message}`));
          return;
        }
        dirty = true;
        fields.replaceChildren(...textFields());
        say("Taken into the draft: save it to check it.");
      } }, "Use this JSON"));
    const frame = h("div", { "data-preview-area": "" });
    const actions = h("div", { class: "actions sticky" },
      h("button", { type: "button", "data-save": "", onclick: () => save() }, "Save draft"),
      h("button", { type: "button", class: "quiet", "data-preview": "", onclick: () => preview(frame) }, "Preview"),
      h("button", { type: "button", "data-publish": "", onclick: () => publish() }, "Publish"),
      h("button", { type: "button", class: "quiet", "data-discard": "", onclick: () => discard() }, "Discard draft"));
    const rows = editions.map((e) => [String(e.edition), e.notice_version, day(e.published_at), e.by,
      h("button", { type: "button", class: "quiet", "data-use-edition": e.edition, onclick: () => useEdition(e.edition) }, "Use as draft")]);
    wrap.replaceChildren(h("h2", {}, "Texts and configuration"), state, said,
      h("label", { for: "settings-lang" }, "Language"), choose, fields, advanced, actions, frame,
      rows.length ? table("Published editions", ["Edition", "Notice version", "Published", "By", ""], rows, { "data-editions": "" })
        : h("p", { "data-editions": "" }, "Nothing published from here yet: the deployed file is the only version."));

    function textFields() {
      const mine = config.languages[lang] ?? {};
      // The banner first, then what it names, then the forms: as a visitor meets them.
      const order = Object.keys(GROUPS);
      const rank = (g) => (order.includes(g) ? order.indexOf(g) : order.length);
      return Object.entries(mine).sort(([a], [b]) => rank(a) - rank(b)).map(([group, value]) => {
        const items = texts(value, [group]);
        if (!items.length) return "";
        return h("fieldset", { "data-group": group }, h("legend", {}, GROUPS[group] ?? words(group)),
          items.map(([path, text]) => {
            const id = `t-${lang}-${path.join("-")}`;
            const label = path.slice(1).map(words).join(" › ") || words(group);
            const attrs = { id, "data-path": path.join("."), lang, oninput: (e) => {
              setAt(config.languages[lang], path, e.target.value);
              json.value = JSON.stringify(config, null, 2);
              dirty = true;
            } };
            const input = text.length > 80 ? h("textarea", { ...attrs, rows: "3" }, text) : h("input", { ...attrs, value: text });
            return h("div", { class: "field" }, h("label", { for: id }, label), input);
          }));
      });
    }
  }

  async function save() {
    try {
      await api.saveDraft(base, config);
      dirty = false;
      await load();
      say("Draft saved and checked. Preview it, then publish.", { "data-saved": "" });
      return true;
    } catch (err) {
      fail(err);
      return false;
    }
  }

  async function preview(frame) {
    if (dirty && !(await save())) return;
    try {
      const { url } = await api.previewDraft();
      const src = `${url}?lang=${encodeURIComponent(lang)}`;
      frame.replaceChildren(
        h("p", {}, "The draft as visitors would see it (nothing chosen here is recorded). ", h("a", { href: src, target: "_blank", rel: "noopener" }, "Open in a new tab")),
        h("iframe", { src, title: "Preview of the draft", "data-preview-frame": "", class: "preview" }));
    } catch (err) {
      fail(err);
    }
  }

  async function publish() {
    if (dirty && !(await save())) return;
    if (!confirm("Publish the draft? Visitors see it within a minute, and where what they are shown changed, a new notice version asks them again.")) return;
    try {
      const e = await api.publish();
      await load();
      say(`Published edition ${e.edition}, notice version ${e.notice_version}.`, { "data-published": e.edition });
    } catch (err) {
      fail(err);
    }
  }

  async function discard() {
    if (!confirm("Discard the draft? What is in force stays.")) return;
    try {
      await api.discardDraft();
      await load();
      say("Draft discarded.");
    } catch (err) {
      fail(err);
    }
  }

  async function useEdition(n) {
    try {
      const e = await api.edition(n);
      config = e.config;
      base = inForce.hash;
      await api.saveDraft(base, config);
      await load();
      say(`Edition ${n} is the draft now: preview it, then publish to bring it back.`);
    } catch (err) {
      fail(err);
    }
  }

  await load();
  return wrap;
}
