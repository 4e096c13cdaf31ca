use super::*;

fn me() -> Identity {
    Identity::from_random([1; 32])
}

fn header() -> Header {
    Header::new(SiteId::new("demo").unwrap(), [2; 16], 0, &me().recipient())
}

fn page(object: &str, table: &str, n: i64) -> Page {
    Page {
        object: object.into(),
        table: table.into(),
        columns: vec!["rowid".into(), "data".into(), "hash".into()],
        rows: (1..=n)
            .map(|i| {
                vec![
                    Cell::Int(i),
                    Cell::Text(format!("row {i}")),
                    Cell::blob(&[i as u8; 4]),
                ]
            })
            .collect(),
    }
}

/// A file of `chunks`, each sealed at the place given.
fn file(chunks: &[(u64, Chunk)]) -> String {
    let h = header();
    let mut lines = vec![h.line()];
    for (i, (at, c)) in chunks.iter().enumerate() {
        let mut c = c.clone();
        match &mut c {
            Chunk::Rows { seq, .. } | Chunk::End { seq, .. } => *seq = *at,
        }
        lines.push(h.seal(&me().recipient(), &c, [i as u8; 56]));
    }
    lines.join("\n")
}

fn rows(p: Page) -> Chunk {
    Chunk::Rows { seq: 0, page: p }
}

fn end(objects: &[&str]) -> Chunk {
    Chunk::End {
        seq: 0,
        objects: objects.iter().map(|o| o.to_string()).collect(),
    }
}

fn refused(f: &str) -> String {
    let e = Backup::read(f, &me()).unwrap_err();
    assert_eq!(e.code(), "backup_invalid");
    e.to_string()
}

#[test]
fn a_whole_backup_reads_back_page_for_page() {
    let f = file(&[
        (0, rows(page("directory", "audit", 3))),
        (1, rows(page("shard/0", "entries", 2))),
        (2, rows(page("shard/0", "entries", 1))),
        (3, end(&["directory", "shard/0"])),
    ]);
    let b = Backup::read(&f, &me()).unwrap();
    assert_eq!(b.header.site.as_str(), "demo");
    assert_eq!(b.objects, ["directory", "shard/0"]);
    assert_eq!(b.rows("shard/0", "entries"), 3);
    assert_eq!(b.rows("directory", "audit"), 3);
    assert_eq!(b.rows("directory", "nothing"), 0);
    assert_eq!(
        b.tables("shard/0").into_iter().collect::<Vec<_>>(),
        [("entries".to_string(), 3)]
    );
    assert_eq!(b.pages[0].rows[1][2].bytes().unwrap(), Some(vec![2; 4]));
    assert_eq!(b.pages[0].rows[1][1].bytes().unwrap(), None);
    // Nothing of a row reads in the file.
    assert!(!f.contains("row 1") && !f.contains("audit"));
    // An empty site backs up as its end alone.
    assert_eq!(
        Backup::read(&file(&[(0, end(&[]))]), &me()).unwrap().pages,
        vec![]
    );
}

#[test]
fn a_chunk_moved_dropped_repeated_or_from_elsewhere_is_refused() {
    let a = rows(page("shard/0", "entries", 1));
    let b = rows(page("shard/0", "entries", 2));
    let e = end(&["shard/0"]);
    // A chunk sealed for place 1 put at place 0 (two swapped).
    assert!(refused(&file(&[(1, a.clone()), (0, b.clone()), (2, e.clone())])).contains("chunk 0"));
    // One dropped: the end is not where it was sealed.
    let whole = file(&[(0, a.clone()), (1, b.clone()), (2, e.clone())]);
    let mut lines: Vec<&str> = whole.lines().collect();
    lines.remove(2);
    assert!(refused(&lines.join("\n")).contains("chunk 1"));
    // One repeated.
    let lines: Vec<&str> = whole.lines().collect();
    let repeated = [lines[0], lines[1], lines[1], lines[2], lines[3]].join("\n");
    assert!(refused(&repeated).contains("chunk 1"));
    // Stopping short of the end.
    assert!(refused(&lines[..3].join("\n")).contains("stops before its end"));
    // A chunk of another backup (another id), at the right place.
    let mut other = header();
    other.id = "ff".repeat(16);
    let foreign = other.seal(
        &me().recipient(),
        &Chunk::Rows {
            seq: 1,
            page: page("shard/0", "entries", 1),
        },
        [7; 56],
    );
    assert!(refused(&[lines[0], lines[1], &foreign, lines[3]].join("\n")).contains("chunk 1"));
    // A page of an object the end does not name.
    assert!(refused(&file(&[(0, a), (1, end(&["directory"]))])).contains("does not name"));
    // Another key, another format, a broken line.
    let theirs = Identity::from_random([9; 32]);
    assert!(Backup::read(&whole, &theirs)
        .unwrap_err()
        .to_string()
        .contains("another key"));
    assert!(
        refused(&whole.replacen("\"assent_backup\":1", "\"assent_backup\":2", 1))
            .contains("format")
    );
    assert!(refused(&[lines[0], "not base64!"].join("\n")).contains("not base64url"));
    assert!(refused("").contains("header"));
}

#[test]
fn a_page_of_the_wrong_shape_is_refused() {
    let good = page("shard/0", "entries", 2);
    assert_eq!(good.check(), Ok(()));
    let mut cases: Vec<(Page, &str)> = Vec::new();
    let mut p = good.clone();
    p.table = "entries; DROP TABLE x".into();
    cases.push((p, "identifier"));
    let mut p = good.clone();
    p.columns[1] = "Data".into();
    cases.push((p, "identifier"));
    let mut p = good.clone();
    p.columns.swap(0, 1);
    cases.push((p, "rowid"));
    let mut p = good.clone();
    p.columns[2] = "data".into();
    cases.push((p, "twice"));
    let mut p = good.clone();
    p.rows[1].pop();
    cases.push((p, "as wide"));
    let mut p = good.clone();
    p.rows[0][0] = Cell::Text("1".into());
    cases.push((p, "integer"));
    let mut p = good;
    p.table = "t".repeat(65);
    cases.push((p, "identifier"));
    for (bad, why) in cases {
        let e = bad.check().unwrap_err();
        assert!(e.to_string().contains(why), "{why}: {e}");
        assert!(refused(&file(&[(0, rows(bad)), (1, end(&["shard/0"]))])).contains(why));
    }
}

#[test]
fn cells_read_as_sqlite_values() {
    let cells: Vec<Cell> = serde_json::from_str(r#"[null, 7, "t", {"b64": "AAE"}]"#).unwrap();
    assert_eq!(
        cells,
        vec![
            Cell::Null(()),
            Cell::Int(7),
            Cell::Text("t".into()),
            Cell::blob(&[0, 1])
        ]
    );
    assert_eq!(
        serde_json::to_string(&cells).unwrap(),
        r#"[null,7,"t",{"b64":"AAE"}]"#
    );
    assert!(Cell::Blob { b64: "!".into() }.bytes().is_err());
    assert_eq!(
        (Cell::Null(()).weight(), Cell::Text("abc".into()).weight()),
        (8, 3)
    );
}

#[test]
fn tables_go_checkpoints_then_entries_last_and_private_ones_stay() {
    let names = [
        "entries",
        "subject_keys",
        "checkpoints",
        "schema_migrations",
        "audit",
        "handover",
        "sqlite_sequence",
        "_cf_KV",
        "audit_held",
        "contacts",
    ];
    let order = table_order(names.iter().map(|s| s.to_string()).collect());
    assert_eq!(
        order,
        [
            "audit",
            "contacts",
            "subject_keys",
            "checkpoints",
            "entries"
        ]
    );
}

/// A page filled to its bytes (the reader stops after the row that passes
/// [`PAGE_BYTES`]; a row is at most a sealed mail of a few KiB, say 16)
/// still fits the restore route's body as JSON, and holds dozens of rows.
#[test]
fn a_full_page_fits_the_restore_route() {
    let row = |i: i64| vec![Cell::Int(i), Cell::blob(&[7u8; 12 * 1024])];
    let mut page = Page {
        object: "shard/0".into(),
        table: "mails".into(),
        columns: vec!["rowid".into(), "sealed".into()],
        rows: vec![],
    };
    let mut weight = 0;
    while weight < PAGE_BYTES {
        let r = row(page.rows.len() as i64);
        weight += r.iter().map(Cell::weight).sum::<usize>();
        page.rows.push(r);
    }
    let json = serde_json::to_vec(&page).unwrap();
    assert!(json.len() <= MAX_RESTORE_BYTES, "{} bytes", json.len());
    assert!(page.rows.len() >= 16, "{} rows", page.rows.len());
}

// The body bound is the documented 1 MiB, near what a page needs.
const _: () = assert!(MAX_RESTORE_BYTES == 1 << 20 && MAX_RESTORE_BYTES <= 4 * PAGE_BYTES);
