// The demo page's links to the widget's API (a file, not an inline script:
// the page runs under a strict Content-Security-Policy, www/_headers).
document.getElementById("cookie-settings").addEventListener("click", function (e) {
  e.preventDefault();
  window.assent && window.assent.show();
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
