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
