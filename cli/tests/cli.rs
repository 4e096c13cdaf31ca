//! The `assent` binary, offline: exit codes and messages on real and tampered
//! evidence made with core (no edge needed for these).

use std::path::PathBuf;
use std::process::{Command, Output};

use assent_core::canonical::to_canonical_bytes;
use assent_core::keys::{Jwks, SigningKey};
use assent_core::merkle::{leaf_hash, Frontier};
use assent_core::note::Checkpoint;
use assent_core::receipt::{self, LogPosition, ReceiptClaims};
use serde_json::json;

fn assent(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_assent"))
        .args(args)
        .output()
        .expect("run assent")
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "assent-cli-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn record(i: u64, subject: &str, prev: Option<String>) -> serde_json::Value {
    json!({
        "v": 1,
        "event": {
            "event_id": format!("00000000-0000-4000-8000-{i:012}"),
            "site": "demo",
            "subject": subject,
            "action": "refuse",
            "decisions": {"necessary": true, "analytics": false},
            "notice": {"version": "1", "language": "en", "hash": "00"},
            "ui": {"surface": "banner", "control": "reject_all"},
            "client_time_ms": 1_795_000_000_000u64 + i,
            "gpc": false,
            "page": {"origin": "https://demo.example", "path": "/"},
            "widget_version": "test"
        },
        "received_at_ms": 1_795_000_000_100u64 + i,
        "sec_gpc": false,
        "country": null,
        "prev_event_id": prev
    })
}

/// A signed log of `n` records: (jwks file, checkpoint file, export lines, receipt of record 0).
fn log(dir: &std::path::Path, n: u64) -> (String, String, Vec<String>, String) {
    let key = SigningKey::from_seed([9; 32]);
    let mut tree = Frontier::default();
    let mut lines = Vec::new();
    let mut first_receipt = String::new();
    for i in 0..n {
        let subject = format!("5d1f9e2a-3b4c-4d5e-8f60-{:012}", i % 3);
        let prev = (i >= 3).then(|| format!("00000000-0000-4000-8000-{:012}", i - 3));
        let rec = record(i, &subject, prev);
        let leaf = leaf_hash(&to_canonical_bytes(&rec).unwrap());
        tree.append(leaf);
        if i == 0 {
            let claims = ReceiptClaims::new(
                "https://edge.example",
                1,
                rec.clone(),
                LogPosition::new("edge.example/demo", 0, &leaf),
            );
            first_receipt = receipt::sign(&claims, &key);
        }
        lines.push(json!({"index": i, "record": rec}).to_string());
    }
    let cp = Checkpoint {
        origin: "edge.example/demo".into(),
        size: n,
        root: tree.root(),
    };
    let jwks = serde_json::to_string(&Jwks::new([key.public().to_jwk(None)])).unwrap();
    (
        write(dir, "jwks.json", &jwks),
        write(dir, "cp.txt", &cp.sign(&key)),
        lines,
        first_receipt,
    )
}

#[test]
fn keys_generate_prints_a_usable_secret_and_jwk() {
    let out = assent(&["keys", "generate"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = SigningKey::from_secret(v["secret"].as_str().unwrap()).unwrap();
    assert_eq!(v["jwk"]["kid"], key.public().kid());
    assert_ne!(
        assent(&["keys", "generate"]).stdout,
        out.stdout,
        "keys are random"
    );
}

#[test]
fn a_receipt_verifies_offline_and_a_changed_one_exits_1() {
    let d = dir();
    let (jwks, _, _, jws) = log(&d, 1);
    let ok = assent(&[
        "verify",
        "receipt",
        &write(&d, "r.jws", &jws),
        "--jwks",
        &jwks,
    ]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("VALID receipt"));
    let mut bad = jws.into_bytes();
    let at = bad.len() / 2;
    bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
    let out = assent(&[
        "verify",
        "receipt",
        &write(&d, "bad.jws", &String::from_utf8(bad).unwrap()),
        "--jwks",
        &jwks,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("INVALID"));
}

/// `assent verify log` of these export lines against the checkpoint.
fn verify_lines(d: &std::path::Path, name: &str, lines: &[String], cp: &str, jwks: &str) -> Output {
    let export = write(d, name, &(lines.join("\n") + "\n"));
    assent(&[
        "verify",
        "log",
        "--export",
        &export,
        "--checkpoint",
        cp,
        "--jwks",
        jwks,
    ])
}

#[test]
fn a_whole_log_verifies_and_tampering_is_located() {
    let d = dir();
    let (jwks, cp, lines, _) = log(&d, 50);
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let ok = verify_lines(&d, "good.jsonl", &lines, &cp, &jwks);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));

    // A record's link to the subject's previous event broken at index 20.
    let mut relinked = lines.clone();
    relinked[20] = relinked[20].replace("000000000017", "000000000011");
    let out = verify_lines(&d, "l.jsonl", &relinked, &cp, &jwks);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("index 20"), "{}", stderr(&out));

    // Two records swapped.
    let mut swapped = lines.clone();
    swapped.swap(30, 31);
    let out = verify_lines(&d, "s.jsonl", &swapped, &cp, &jwks);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("index 30"), "{}", stderr(&out));

    // A field changed: the root no longer matches.
    let mut changed = lines.clone();
    changed[40] = changed[40].replace("\"analytics\":false", "\"analytics\":true");
    let out = verify_lines(&d, "c.jsonl", &changed, &cp, &jwks);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("does not rebuild the signed root"));

    // Records cut from the end.
    let out = verify_lines(&d, "short.jsonl", &lines[..45], &cp, &jwks);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("missing from index 45"));
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(assent(&["verify"]).status.code(), Some(2));
    assert_eq!(
        assent(&[
            "verify",
            "receipt",
            "/nonexistent/receipt",
            "--jwks",
            "/nonexistent/jwks"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(assent(&["nonsense"]).status.code(), Some(2));
    assert_eq!(assent(&["--help"]).status.code(), Some(0));
}

/// Finding (issue 9): a receipt re-signed with a forger's key, whose `iss`
/// points at keys the forger controls (here a local folder with a
/// `.well-known/jwks.json`), must never verify without a key the user pinned.
#[test]
fn a_forged_receipt_with_a_forger_controlled_issuer_is_not_valid_without_a_pinned_key() {
    let d = dir();
    let (real_jwks, _, lines, _) = log(&d, 1);
    let rec: serde_json::Value =
        serde_json::from_str::<serde_json::Value>(&lines[0]).unwrap()["record"].clone();
    let forger = SigningKey::from_seed([66; 32]);
    let forger_site = d.join("forger");
    std::fs::create_dir_all(forger_site.join(".well-known")).unwrap();
    std::fs::write(
        forger_site.join(".well-known/jwks.json"),
        serde_json::to_string(&Jwks::new([forger.public().to_jwk(None)])).unwrap(),
    )
    .unwrap();
    let leaf = leaf_hash(&to_canonical_bytes(&rec).unwrap());
    let claims = ReceiptClaims::new(
        &forger_site.to_string_lossy(),
        1,
        rec,
        LogPosition::new("edge.example/demo", 0, &leaf),
    );
    let forged = write(&d, "forged.jws", &receipt::sign(&claims, &forger));

    let out = assent(&["verify", "receipt", &forged]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        !stdout.contains("VALID"),
        "a forged receipt printed {stdout}"
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no pinned key"), "{stderr}");

    // With the real edge's keys pinned, the forgery is invalid.
    let out = assent(&["verify", "receipt", &forged, "--jwks", &real_jwks]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("key_unknown"));
}

/// A one-route-table HTTP server standing in for the edge: `routes` maps a
/// path with its query to (status, body); anything else is a 404.
fn fake_edge(routes: Vec<(String, u16, String)>) -> String {
    fake_edge_counting(routes).0
}

/// [`fake_edge`], with the number of requests it has answered.
fn fake_edge_counting(
    routes: Vec<(String, u16, String)>,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counted.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                    break;
                }
            }
            let path = request_line.split(' ').nth(1).unwrap_or_default();
            let (status, body) = routes
                .iter()
                .find(|(p, _, _)| p == path)
                .map(|(_, s, b)| (*s, b.clone()))
                .unwrap_or((404, r#"{"error":{"code":"not_found","message":""}}"#.into()));
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, count)
}

/// Issue 9: a network or edge fault is never reported as an invalid proof:
/// exit 2 (I/O), not 1 (invalid). A good answer still verifies.
#[test]
fn edge_faults_exit_2_and_are_not_called_invalid_proofs() {
    let d = dir();
    let (jwks, cp, _, jws) = log(&d, 1);
    let receipt = write(&d, "r.jws", &jws);
    let note = std::fs::read_to_string(&cp).unwrap();
    let inclusion = "/v1/sites/demo/log/inclusion?index=0&size=1".to_string();
    let checkpoint = ("/v1/sites/demo/log/checkpoint".to_string(), 200, note);
    let verify = |edge: &str| {
        assent(&[
            "verify",
            "inclusion",
            "--edge",
            edge,
            "--site",
            "demo",
            "--jwks",
            &jwks,
            &receipt,
        ])
    };
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();

    let good = fake_edge(vec![
        checkpoint.clone(),
        (
            inclusion.clone(),
            200,
            r#"{"index":0,"size":1,"hashes":[]}"#.into(),
        ),
    ]);
    let out = verify(&good);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    for (status, body) in [
        (503, r#"{"error":{"code":"internal","message":""}}"#),
        (200, r#"{"index":0,"size":1,"hashes":["AA=="]}"#),
        (200, r#"{"index":0,"size":1,"hashes":[]"#),
        (200, r#"{"index":0,"size":7,"hashes":[]}"#),
    ] {
        let edge = fake_edge(vec![
            checkpoint.clone(),
            (inclusion.clone(), status, body.into()),
        ]);
        let out = verify(&edge);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{status} {body}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("INVALID"), "{}", stderr(&out));
    }
    // Nothing listening at all.
    let out = verify("http://127.0.0.1:9");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// The edge signs a checkpoint on demand whenever the log grew, so the CLI
/// asks once: a checkpoint that does not cover the receipt is an invalid
/// answer at once (exit 1), not a reason to poll.
#[test]
fn inclusion_asks_for_the_checkpoint_once() {
    let d = dir();
    let (jwks, _, _, jws) = log(&d, 1);
    let receipt = write(&d, "r.jws", &jws);
    // Signed by the log's key, but of the empty log: it cannot cover leaf 0.
    let empty = Checkpoint {
        origin: "edge.example/demo".into(),
        size: 0,
        root: Frontier::default().root(),
    }
    .sign(&SigningKey::from_seed([9; 32]));
    let (edge, requests) = fake_edge_counting(vec![(
        "/v1/sites/demo/log/checkpoint".to_string(),
        200,
        empty,
    )]);
    let started = std::time::Instant::now();
    let out = assent(&[
        "verify",
        "inclusion",
        "--edge",
        &edge,
        "--site",
        "demo",
        "--jwks",
        &jwks,
        &receipt,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("does not cover"), "{stderr}");
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

/// A record of the vectors' site referring to its English notice, its
/// receipt (signed with the key of [`log`]'s JWKS), and the notice's hash
/// and exact bytes.
fn noticed_record(d: &std::path::Path) -> (String, String, String, String, String) {
    let config = assent_core::config::SiteConfig::from_json(include_str!(
        "../../core/tests/vectors/site.json"
    ))
    .unwrap();
    let notice = config.notice("en").unwrap();
    let bytes = String::from_utf8(to_canonical_bytes(&notice).unwrap()).unwrap();
    let mut rec = record(0, "5d1f9e2a-3b4c-4d5e-8f60-000000000000", None);
    rec["event"]["site"] = json!("vectors");
    rec["event"]["notice"] = json!({
        "version": config.notice_version, "language": "en", "hash": notice.hash()
    });
    let leaf = leaf_hash(&to_canonical_bytes(&rec).unwrap());
    let claims = ReceiptClaims::new(
        "https://edge.example",
        1,
        rec.clone(),
        LogPosition::new("edge.example/vectors", 0, &leaf),
    );
    let jws = receipt::sign(&claims, &SigningKey::from_seed([9; 32]));
    let (jwks, ..) = log(d, 1);
    let line = json!({"index": 0, "record": rec}).to_string();
    (
        write(d, "r.jws", &jws),
        write(d, "line.json", &line),
        jwks,
        notice.hash(),
        bytes,
    )
}

/// Issue 13: `verify notice` accepts the archive's answer only when it is
/// exactly the notice the record refers to; a tampered answer is invalid
/// (exit 1), the edge saying it keeps no such notice too; a fault is exit 2.
#[test]
fn verify_notice_accepts_the_exact_notice_and_refuses_a_tampered_one() {
    let d = dir();
    let (receipt, line, jwks, hash, bytes) = noticed_record(&d);
    let path = format!("/v1/sites/vectors/notices/{hash}");
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let run = |edge: &str, extra: &[&str], file: &str| {
        let mut args = vec!["verify", "notice", "--edge", edge, "--jwks", &jwks];
        args.extend_from_slice(extra);
        args.push(file);
        assent(&args)
    };

    let good = fake_edge(vec![(path.clone(), 200, bytes.clone())]);
    let saved = d.join("notice.json").to_string_lossy().into_owned();
    let out = run(&good, &["--site", "vectors", "--out", &saved], &receipt);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("VALID notice: "), "{stdout}");
    assert!(stdout.contains("receipt signature verified"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&saved).unwrap(),
        bytes,
        "--out keeps the exact bytes"
    );
    // An export line: no signature to check, the same notice.
    let out = run(&good, &[], &line);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let tampered = [
        bytes.replacen("\"title\":\"", "\"title\":\"Nothing to see: ", 1),
        format!("{bytes}\n"),
        bytes.replacen("\"equal_prominence\":true", "\"equal_prominence\":false", 1),
    ];
    for body in &tampered {
        assert_ne!(body, &bytes);
        let edge = fake_edge(vec![(path.clone(), 200, body.clone())]);
        let out = run(&edge, &[], &receipt);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("INVALID: [notice_mismatch]"),
            "{}",
            stderr(&out)
        );
    }
    let unknown = fake_edge(vec![(
        path.clone(),
        404,
        r#"{"error":{"code":"notice_unknown","message":""}}"#.into(),
    )]);
    let out = run(&unknown, &[], &receipt);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("notice_unknown"), "{}", stderr(&out));

    // Another site asked for, another key pinned: invalid.
    let out = run(&good, &["--site", "demo"], &receipt);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let other_jwks = write(
        &d,
        "other.json",
        &serde_json::to_string(&Jwks::new([SigningKey::from_seed([1; 32])
            .public()
            .to_jwk(None)]))
        .unwrap(),
    );
    let out = assent(&[
        "verify",
        "notice",
        "--edge",
        &good,
        "--jwks",
        &other_jwks,
        &receipt,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // Faults: an error status, nothing listening.
    let broken = fake_edge(vec![(
        path.clone(),
        503,
        r#"{"error":{"code":"internal","message":""}}"#.into(),
    )]);
    for edge in [broken.as_str(), "http://127.0.0.1:9"] {
        let out = run(edge, &[], &receipt);
        assert_eq!(out.status.code(), Some(2), "{edge}: {}", stderr(&out));
        assert!(!stderr(&out).contains("INVALID"), "{}", stderr(&out));
    }
}
