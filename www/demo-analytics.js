// Stands in for an analytics tag (Matomo): the widget runs it only once the
// visitor allowed audience measurement.
console.info("demo: audience measurement would start here");
