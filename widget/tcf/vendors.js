// The panel's vendor list on a TCF site, as the TCF policies ask of a CMP's
// UI: each vendor with the purposes it asks consent for, the purposes it
// claims a legitimate interest for and the person's objection to them, its
// special purposes and features, its special features, how long it keeps
// data, how it stores, and its privacy policy.
//
// The texts are the vendor list's (the disclosure the notice's hash covers),
// put in with textContent: a vendor's text can never become markup. The
// section is added to the panel each time it opens, inside its scroll area,
// with the panel's own classes (panel.css), so it looks like the purposes.
//
// Assent asks consent only: no vendor processes on a legitimate interest on
// this site, so each objection is shown as made (a switch on, locked), with
// why. The labels are Assent's words in the notice's language (its
// `tcf_words`, core's `config::Word::Tcf*`), which the notice hash covers;
// the vendor list's own texts are English, as the list committed is.
var el = (tag, cls, text) => {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
};

// The names of `ids` in `kind` (one of the list's purposes, features...).
var names = (kind, ids) => ids.map((id) => (kind[id] ? kind[id].name : "#" + id)).join(", ");

function section(config, d) {
  var word = (key, values) => Object.entries(values || {}).reduce((t, [k, v]) => t.replace("{" + k + "}", () => v), config.notice.tcf_words[key]);
  var serviceOf = {}, services = {};
  config.notice.purposes.forEach((p) => p.services.forEach((s) => { services[s.id] = s.name; }));
  Object.entries(config.notice.tcf.vendors).forEach(([service, ids]) => ids.forEach((id) => { serviceOf[id] = services[service] || service; }));
  var box = el("div", "purpose tcf");
  var details = box.appendChild(el("details"));
  details.append(el("summary", null, word("tcf_vendors") + " · " + d.vendors.length), el("p", "desc", word("tcf_intro")));
  var list = details.appendChild(el("ul", "services"));
  d.vendors.forEach((v) => {
    var li = list.appendChild(el("li", "service tcf-vendor"));
    li.dataset.vendor = v.id;
    var who = li.appendChild(el("div")).appendChild(el("span"));
    who.append(el("span", "name", v.name), el("span", "by", word("tcf_vendor", { id: v.id }) + (serviceOf[v.id] ? " · " + serviceOf[v.id] : "")));
    var facts = li.appendChild(el("ul", "cookies"));
    // A line of the vendor: a label, then the names of `ids` in `kind`.
    var line = (key, kind, ids) => { if (ids && ids.length) facts.append(el("li", null, word(key) + ": " + names(kind, ids))); };
    line("tcf_consent_for", d.purposes, v.purposes);
    if (v.legIntPurposes.length) {
      var object = el("li", "object");
      var sw = el("label", "sw");
      var input = sw.appendChild(el("input"));
      input.type = "checkbox";
      input.setAttribute("role", "switch");
      input.checked = input.disabled = true;
      input.setAttribute("aria-label", word("tcf_object", { vendor: v.name }));
      object.append(sw, word("tcf_objected") + ": " + names(d.purposes, v.legIntPurposes));
      facts.append(object);
    }
    line("tcf_special_purposes", d.special_purposes, v.specialPurposes);
    line("tcf_features", d.features, v.features);
    line("tcf_special_features", d.special_features, v.specialFeatures);
    line("tcf_data", d.data_categories, v.dataDeclaration);
    if (v.dataRetention && v.dataRetention.stdRetention != null) facts.append(el("li", null, word("tcf_kept", { days: v.dataRetention.stdRetention })));
    if (v.usesCookies) facts.append(el("li", null, v.cookieMaxAgeSeconds > 0 ? word("tcf_cookies", { days: Math.ceil(v.cookieMaxAgeSeconds / 86400) }) : word("tcf_cookies_plain")));
    if (v.usesNonCookieAccess) facts.append(el("li", null, word("tcf_other_storage")));
    var url = (v.urls || []).find((u) => u.privacy);
    if (url && /^https:\/\//.test(url.privacy)) {
      var a = el("a", "link", config.notice.texts.privacy_policy);
      a.href = url.privacy;
      a.target = "_blank";
      a.rel = "noopener";
      facts.appendChild(el("li")).append(a);
    }
  });
  return box;
}

// Adds the vendor list to the panel whenever it opens (and now, if it is
// open), and then calls `opened()` (the CMP tells its listeners the UI is
// shown again).
export function vendorList(config, disclosure, opened) {
  var root = document.getElementById("assent-host")?.shadowRoot;
  if (!root) return;
  var add = () => {
    var body = root.querySelector(".panel .body");
    if (body && !body.querySelector(".tcf")) {
      body.insertBefore(section(config, disclosure), body.querySelector(".who"));
      opened();
    }
  };
  new MutationObserver(add).observe(root, { childList: true });
  // The panel may be open already: the visitor was quicker than this module.
  add();
}
