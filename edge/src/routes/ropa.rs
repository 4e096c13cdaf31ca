//! `GET /v1/admin/sites/{site}/processing-record?format=json|csv|html`: the
//! record of processing (GDPR Art. 30), generated from the site's configuration
//! by core (`assent_core::ropa`). JSON when `format` is absent; the CSV comes
//! as an attachment; the HTML is a printable page that may run no script and
//! load nothing (its CSP). Nothing is stored: the same configuration always
//! answers the same record.

use assent_core::config::SiteConfig;
use assent_core::ropa::{record, ProcessingRecord};
use worker::{Env, Headers, Request, Response};

use crate::error::ApiError;
use crate::routes::{query_invalid, Query};

/// The formats the record comes in.
enum Format {
    Json,
    Csv,
    Html,
}

/// `?format=json|csv|html` (json when absent); anything else is `query_invalid`.
fn format(req: &Request) -> Result<Format, ApiError> {
    let q = Query::parse(req, &["format"])?;
    match q.get("format") {
        None | Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some("html") => Ok(Format::Html),
        Some(_) => Err(query_invalid("format")),
    }
}

/// A 200 with `body` and these headers, never cached.
fn answer(body: String, headers: &[(&str, &str)]) -> Result<Response, ApiError> {
    let h = Headers::new();
    for (name, value) in headers {
        h.set(name, value)?;
    }
    h.set("cache-control", "no-store")?;
    Ok(Response::ok(body)?.with_headers(h))
}

/// Answers the record of processing of `site` in the asked format.
pub fn get(req: &Request, _env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    let format = format(req)?;
    let record = record(site);
    match format {
        Format::Json => {
            let body =
                serde_json::to_string(&record).map_err(|e| ApiError::Internal(e.to_string()))?;
            answer(body, &[("content-type", "application/json")])
        }
        Format::Csv => {
            let disposition = format!(
                "attachment; filename=\"assent-{}-processing-record.csv\"",
                site.site
            );
            answer(
                record.to_csv(),
                &[
                    ("content-type", "text/csv; charset=utf-8"),
                    ("content-disposition", &disposition),
                ],
            )
        }
        Format::Html => answer(
            record.to_html(),
            &[
                ("content-type", "text/html; charset=utf-8"),
                ("content-security-policy", &ProcessingRecord::html_policy()),
                ("referrer-policy", "no-referrer"),
                ("x-content-type-options", "nosniff"),
                ("x-frame-options", "DENY"),
            ],
        ),
    }
}
