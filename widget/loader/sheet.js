// The widget's stylesheets, adopted by each shadow root (the banner's, the
// panel's, every embed placeholder's) as constructed sheets: a strict
// Content-Security-Policy (no 'unsafe-inline') blocks <style> elements but
// not these, so a site never loosens its policy for Assent. A browser
// without constructable stylesheets (before 2023) gets a <style> element,
// which its policy must then allow.
export function adopt(root, css, s) {
  try {
    (s = new CSSStyleSheet()).replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, s];
  } catch {
    (s = document.createElement("style")).textContent = css;
    root.prepend(s);
  }
  return root;
}
