// The demo's language switch, before the widget reads the page's language:
// `?lang=de` sets <html lang>, which the widget asks the edge for first.
// (A file, not an inline script: the page's CSP allows none.)
(function () {
  var lang = new URLSearchParams(location.search).get("lang");
  if (lang && /^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(lang)) document.documentElement.lang = lang;
})();
