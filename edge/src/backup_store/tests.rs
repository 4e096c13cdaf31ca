use super::*;
use crate::log_store::SqlLogStore;
use crate::migrations::{migrate, DIRECTORY, SHARD};

/// Every page of `db` as a backup reads them.
fn pages(db: &rusqlite::Connection, object: &str) -> Vec<Page> {
    let mut out = Vec::new();
    let mut from = None;
    loop {
        let read = read_page(db, object, from).unwrap();
        out.extend(read.page);
        match read.next {
            Some(next) => from = Some(next),
            None => return out,
        }
    }
}

fn fresh(list: &[crate::migrations::Migration]) -> rusqlite::Connection {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    migrate(&db, list, 1).unwrap();
    db
}

/// The fixture's shard (a log with checkpoints, contacts, keys, an audit
/// trail) backed up page by page and restored into an empty shard reads
/// the same, table for table, and its log has its checkpoint's root.
#[test]
fn a_shard_restored_reads_as_the_one_backed_up() {
    let a = crate::migrations::tests::copy_of_fixture();
    migrate(&a, SHARD, 1).unwrap();
    let backed = pages(&a, "shard/0");
    let order: Vec<&str> = backed.iter().map(|p| p.table.as_str()).collect();
    assert_eq!(order.last(), Some(&"entries"), "the log last");
    let at = order.iter().position(|t| *t == "checkpoints").unwrap();
    assert_eq!(order[at + 1], "entries", "checkpoints just before it");
    assert!(!order.contains(&"schema_migrations"));

    let b = fresh(SHARD);
    assert_eq!(occupied(&b, false).unwrap(), Vec::<String>::new());
    // No page is taken before a restore is marked (after its check).
    let e = insert_page(&b, &backed[0]).unwrap_err();
    assert!(format!("{e:?}").contains("no restore in progress"), "{e:?}");
    mark(&b, 1).unwrap();
    assert_eq!(
        occupied(&b, false).unwrap(),
        Vec::<String>::new(),
        "the mark is the restore's own"
    );
    for p in &backed {
        insert_page(&b, p).unwrap();
    }
    assert_eq!(counts(&b).unwrap(), counts(&a).unwrap());
    assert_eq!(pages(&b, "shard/0"), backed, "row for row");
    let (size, checkpoint) = assent_core::log::sequencer::check_restored(&SqlLogStore(&b)).unwrap();
    assert_eq!((size, checkpoint.is_some()), (12, true));
    assert!(!occupied(&b, false).unwrap().is_empty());
    // Again into the same: refused, as a site that is not empty.
    assert_eq!(
        insert_page(&b, &backed[0]).unwrap_err().code(),
        "site_not_empty"
    );
    // Once the restore ends, no page is taken at all.
    unmark(&b).unwrap();
    let e = insert_page(&b, &backed[0]).unwrap_err();
    assert!(format!("{e:?}").contains("no restore in progress"));
}

/// A page of entries lost on the way: the restored log is refused.
#[test]
fn a_log_missing_a_page_is_refused() {
    let a = crate::migrations::tests::copy_of_fixture();
    migrate(&a, SHARD, 1).unwrap();
    let b = fresh(SHARD);
    mark(&b, 1).unwrap();
    for p in pages(&a, "shard/0") {
        let mut p = p;
        if p.table == "entries" {
            p.rows.truncate(5);
        }
        insert_page(&b, &p).unwrap();
    }
    let e = assent_core::log::sequencer::check_restored(&SqlLogStore(&b)).unwrap_err();
    assert_eq!(e.code(), "backup_invalid");
    // A changed leaf: the root differs.
    let c = fresh(SHARD);
    mark(&c, 1).unwrap();
    for p in pages(&a, "shard/0") {
        insert_page(&c, &p).unwrap();
    }
    c.execute(
        "UPDATE entries SET nodes = zeroblob(length(nodes)) WHERE idx = 7",
        [],
    )
    .unwrap();
    assert!(assent_core::log::sequencer::check_restored(&SqlLogStore(&c)).is_err());
}

/// Small pages: a table read over several pages, none lost or repeated.
#[test]
fn pages_stop_at_their_row_count_and_go_on_after() {
    let db = fresh(DIRECTORY);
    for i in 1..=(PAGE_ROWS as i64 * 2 + 3) {
        db.execute(
            "INSERT INTO breaches (id, recorded_ms, data) VALUES (?, ?, '{}')",
            rusqlite::params![format!("b{i}"), i],
        )
        .unwrap();
    }
    let read = pages(&db, DIRECTORY_NAME);
    let sizes: Vec<usize> = read.iter().map(|p| p.rows.len()).collect();
    assert_eq!(sizes, [PAGE_ROWS, PAGE_ROWS, 3]);
    let ids: Vec<i64> = read
        .iter()
        .flat_map(|p| p.rows.iter())
        .map(|r| match r[0] {
            Cell::Int(i) => i,
            _ => 0,
        })
        .collect();
    assert_eq!(ids, (1..=(PAGE_ROWS as i64 * 2 + 3)).collect::<Vec<_>>());
    // Big rows: a page stops once it passes its bytes.
    let big = fresh(DIRECTORY);
    for i in 1..=5 {
        big.execute(
            "INSERT INTO breaches (id, recorded_ms, data) VALUES (?, ?, ?)",
            rusqlite::params![format!("b{i}"), i, "x".repeat(PAGE_BYTES / 2)],
        )
        .unwrap();
    }
    let sizes: Vec<usize> = pages(&big, DIRECTORY_NAME)
        .iter()
        .map(|p| p.rows.len())
        .collect();
    assert_eq!(sizes, [2, 2, 1]);
}

const DIRECTORY_NAME: &str = assent_core::backup::DIRECTORY;

/// The directory's trail restored while the restore's own calls are being
/// audited: those are held aside and chained on after, the whole verifies.
#[test]
fn the_restore_s_own_audit_entries_go_after_the_restored_trail() {
    use assent_core::admin::audit::verify_chain;
    use assent_core::admin::store::{authorize, AdminStore};
    use assent_core::admin::Operation;
    use assent_core::ids::SiteId;
    let site = SiteId::new("demo").unwrap();
    let a = fresh(DIRECTORY);
    for op in [Operation::LogList, Operation::BreachList, Operation::Stats] {
        authorize(
            &mut crate::admin_store::SqlAdminStore(&a),
            &site,
            "op",
            Some("op"),
            op,
            None,
            5,
        )
        .unwrap();
    }
    let backed = pages(&a, DIRECTORY_NAME);
    let b = fresh(DIRECTORY);
    let mut store = crate::admin_store::SqlAdminStore(&b);
    // The restore's first call, audited before any page.
    authorize(
        &mut store,
        &site,
        "op",
        Some("op"),
        Operation::SiteRestore,
        None,
        9,
    )
    .unwrap();
    authorize(
        &mut store,
        &site,
        "op",
        Some("op"),
        Operation::Stats,
        None,
        9,
    )
    .unwrap();
    let none = Vec::<String>::new();
    assert_eq!(
        occupied(&b, true).unwrap(),
        none,
        "a directory's trail does not count"
    );
    assert_eq!(occupied(&b, false).unwrap(), ["audit"], "a shard's does");
    mark(&b, 1).unwrap();
    for p in &backed {
        insert_page(&b, p).unwrap();
        authorize(
            &mut crate::admin_store::SqlAdminStore(&b),
            &site,
            "op",
            Some("op"),
            Operation::SiteRestore,
            None,
            10,
        )
        .unwrap();
    }
    // The call after the page chained on to the restored trail; the two
    // held (made before it came) follow, each with its own time.
    assert_eq!(rechain_held(&b).unwrap(), 2);
    let trail = crate::admin_store::SqlAdminStore(&b)
        .audit_after(0, 100)
        .unwrap();
    let ops: Vec<&str> = trail.iter().map(|e| e.op.code()).collect();
    assert_eq!(
        ops,
        [
            "log.list",
            "breach.list",
            "stats.read",
            "site.restore",
            "site.restore",
            "stats.read"
        ]
    );
    assert_eq!(
        &trail[..3],
        &crate::admin_store::SqlAdminStore(&a)
            .audit_after(0, 100)
            .unwrap()[..],
        "the backed-up trail as it was"
    );
    assert_eq!(verify_chain(None, &trail), Ok(()));
    assert_eq!(rechain_held(&b).unwrap(), 0, "held once");
}
