// The demo page's links to the widget's API (a file, not an inline script:
// the page runs under a strict Content-Security-Policy, www/_headers).
// `show()` rejects when the widget could not start (the consent service
// did not answer, even after its retries): the link says so, never nothing.
document.getElementById("cookie-settings").addEventListener("click", function (e) {
  e.preventDefault();
  var said = document.getElementById("cookie-settings-said");
  said.textContent = "";
  (window.assent ? window.assent.show() : Promise.reject()).catch(function () {
    said.textContent = "(Privacy settings cannot be loaded: the consent service did not answer. " +
      "Nothing optional runs until it does. Please try again in a moment.)";
  });
});
document.getElementById("privacy-center").addEventListener("click", function (e) {
  e.preventDefault();
  window.assent && window.assent.privacyCenter();
});

// The language switch: the demo site's languages (demo-languages.json, made
// from edge/sites/demo.json by the build), each in its own name; a choice
// reloads the page in it.
(function () {
  var select = document.getElementById("demo-lang");
  if (!select) return;
  var current = document.documentElement.lang;
  fetch("/demo-languages.json")
    .then(function (r) { return r.json(); })
    .then(function (site) {
      site.languages.forEach(function (lang) {
        var name = new Intl.DisplayNames([lang], { type: "language" }).of(lang) || lang;
        var option = new Option(name, lang, false, lang === (current || site.default));
        option.lang = lang;
        select.append(option);
      });
    })
    .catch(function () {
      select.hidden = true;
    });
  select.addEventListener("change", function () {
    location.search = "?lang=" + encodeURIComponent(select.value);
  });
})();
