//! The wasm exports the loader (`assent.js`) calls: strings, numbers and
//! booleans only. Maps (a stored choice, the panel's switches, `set({...})`)
//! cross one entry at a time through [`mark`], and are consumed by the next
//! call that takes them. Only in the shipped widget (the `bindings`
//! feature): the edge links this crate for [`crate::plan`] without them.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use assent_core::event::{Control, Surface};
use wasm_bindgen::prelude::*;

use crate::consent::Decisions;
use crate::engine::{Choice, Engine, Moment};
use crate::notice::{Notice, Purpose};
use crate::Consent;

/// Page-lifetime state. `no_std` has no `thread_local!`; the widget runs on
/// the page's one thread (wasm32 without atomics has no other), so a plain
/// static is enough.
struct PageState<T>(RefCell<T>);

// SAFETY: wasm32-unknown-unknown without the atomics feature is
// single-threaded; nothing else can ever touch these statics. Native builds
// (the tests) never reach them from two threads.
unsafe impl<T> Sync for PageState<T> {}

impl<T> PageState<T> {
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }
}

/// What the loader hands over before [`start`] and between calls: the
/// notice's purposes as they are listed, and marked decisions.
#[derive(Default)]
struct Pending {
    purposes: Vec<Purpose>,
    decisions: Decisions,
    services: Decisions,
}

static ENGINE: PageState<Option<Engine>> = PageState(RefCell::new(None));
static PENDING: PageState<Pending> = PageState(RefCell::new(Pending {
    purposes: Vec::new(),
    decisions: Vec::new(),
    services: Vec::new(),
}));

fn take_marked() -> (Decisions, Decisions) {
    PENDING.with(|p| {
        (
            core::mem::take(&mut p.decisions),
            core::mem::take(&mut p.services),
        )
    })
}

/// A service id from the loader: "" stands for none (cheaper across the
/// boundary than an `Option`).
fn some(service: &str) -> Option<&str> {
    (!service.is_empty()).then_some(service)
}

fn with_engine<R>(f: impl FnOnce(&mut Engine) -> R) -> Option<R> {
    ENGINE.with(|e| e.as_mut().map(f))
}

/// Lists a purpose of the notice, before [`start`].
#[wasm_bindgen]
pub fn purpose(id: String, required: bool, sale_or_sharing: bool) {
    PENDING.with(|p| {
        p.purposes.push(Purpose {
            id,
            required,
            sale_or_sharing,
            services: Vec::new(),
        })
    });
}

/// Lists a service under the purpose listed last, before [`start`].
#[wasm_bindgen]
pub fn service(id: String) {
    PENDING.with(|p| {
        if let Some(last) = p.purposes.last_mut() {
            last.services.push(id);
        }
    });
}

/// Starts the engine for `site` on a page of `origin` with the notice the
/// edge served (its purposes listed first). Returns false when the notice is
/// incomplete: then nothing is recorded and nothing optional is granted.
#[wasm_bindgen]
pub fn start(
    site: &str,
    origin: &str,
    version: String,
    language: String,
    hash: String,
    lifetime_days: u32,
    gpc: bool,
) -> bool {
    let purposes = PENDING.with(|p| core::mem::take(&mut p.purposes));
    let notice = Notice {
        version,
        language,
        hash,
        lifetime_days,
        purposes,
    };
    let engine = Engine::new(site, origin, notice, gpc);
    let started = engine.is_some();
    ENGINE.with(|e| *e = engine);
    started
}

/// Marks a decision (`service`: on a service, else on a purpose) for the next
/// call that reads decisions: [`restore`], [`record`] for `save` and `set`,
/// or [`ask`] (its ids: a [`Question`] about them).
#[wasm_bindgen]
pub fn mark(id: String, on: bool, service: bool) {
    PENDING.with(|p| {
        if service {
            &mut p.services
        } else {
            &mut p.decisions
        }
        .push((id, on));
    });
}

/// Takes up the stored choice (the latest event, its decisions marked, and
/// whether the banner was `answered`, kept beside it). Returns 0 when it is
/// current and answered, 1 when it is current but the banner must still ask
/// ([`Question::Asking`]), 2 when it is not current (the banner asks again).
#[wasm_bindgen]
pub fn restore(
    subject: String,
    notice_version: String,
    decided_at_ms: f64,
    now_ms: f64,
    answered: bool,
) -> u8 {
    let (purposes, services) = take_marked();
    let choice = Choice {
        subject,
        notice_version,
        consent: Consent { purposes, services },
        decided_at_ms,
        answered,
    };
    with_engine(|e| {
        if e.restore(choice, now_ms) {
            e.asking() as u8
        } else {
            2
        }
    })
    .unwrap_or(2)
}

/// Records a choice and answers its consent event's JSON, or "" when
/// nothing was recorded. `name` is what was chosen: a button's `data-act`
/// (`accept_all`, `reject_all`, `withdraw_all`, on the banner or, with
/// `in_panel`, in the panel; `save` with the switches marked), `allow` (an
/// embed's "allow and load" for `purpose` and, if given, `service`), or the
/// site's own `set` (decisions marked) and `withdraw`. `random` is 32 bytes
/// from `crypto.getRandomValues`.
#[wasm_bindgen]
// A wasm-bindgen export: flat primitives cross to JavaScript without a
// serialised struct on the banner's hot path.
#[allow(clippy::too_many_arguments)]
pub fn record(
    name: &str,
    in_panel: bool,
    purpose: &str,
    service: &str,
    now_ms: f64,
    random: &[u8],
    path: &str,
) -> String {
    let m = Moment {
        now_ms,
        random,
        path,
    };
    let (decisions, services) = take_marked();
    let surface = if in_panel {
        Surface::Preferences
    } else {
        Surface::Banner
    };
    with_engine(|e| match name {
        "accept_all" => Some(e.act(Control::AcceptAll, surface, m)),
        "reject_all" => Some(e.act(Control::RejectAll, surface, m)),
        "withdraw_all" => Some(e.act(Control::WithdrawAll, surface, m)),
        "save" => Some(e.save(&decisions, &services, m)),
        "allow" => e.allow(purpose, some(service), m),
        "set" => e.set(&decisions, m),
        "withdraw" => e.withdraw(m),
        _ => None,
    })
    .flatten()
    .unwrap_or_default()
}

/// Whether `purpose` (and `service` under it, if given) may run now.
#[wasm_bindgen]
pub fn accepted(purpose: &str, service: &str) -> bool {
    with_engine(|e| e.accepted(purpose, some(service))).unwrap_or(false)
}

/// A question to the engine about the choice in force, for [`ask`]. One
/// export answers them all: each export costs a shim in the wasm and a
/// wrapper in the glue (BENCHMARKS.md).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Question {
    /// The decision on purpose `a` itself, services aside (its panel switch,
    /// `get()`); with `a` = "": whether any optional purpose is granted (the
    /// panel offers "Withdraw all" then).
    Chosen = 0,
    /// Whether the banner must ask: before any choice, or while only an
    /// embed's allow was made. The page keeps it beside the stored choice.
    Asking = 1,
    /// The panel's linked switches: whether the switch of service `b`
    /// follows the switch of purpose `a`, just switched `on`.
    PurposeSwitched = 2,
    /// Whether the switch of purpose `b` follows the switch of service `a`,
    /// just switched `on`.
    ServiceSwitched = 3,
    /// Whether the Consent Mode signal mapped to the marked purposes is
    /// granted now.
    Signal = 4,
}

/// Answers a [`Question`] (its number) about the ids marked before it (see
/// [`mark`]: `a` first, then `b`, `on` the first mark's decision): false for a
/// question it does not know, and (but `Asking`) before the engine started.
/// The ids travel by [`mark`], which exists anyway: string parameters on a
/// second export would cost their own glue.
#[wasm_bindgen]
pub fn ask(question: u8) -> bool {
    let (marked, _) = take_marked();
    let id = |i: usize| marked.get(i).map_or("", |(id, _)| id.as_str());
    let on = marked.first().is_some_and(|(_, on)| *on);
    with_engine(|e| match question {
        0 if marked.is_empty() => e.grants_optional(),
        0 => e.chosen(id(0)),
        1 => e.asking(),
        2 | 3 => e.follows(id(0), question == 3, on, id(1)),
        4 => e.signal(marked.iter().map(|(p, _)| p.as_str())),
        _ => false,
    })
    .unwrap_or(false)
}
// A panic is a bug; in the shipped `no_std` build it traps without
// formatting a message (the loader then reports that the widget stopped).
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

// lol_alloc's free list instead of the default dlmalloc (or talc): the
// widget's heap is a few kilobytes, where a first-fit list is fast enough, and
// it is the smallest of the three on the wire (BENCHMARKS.md).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
// SAFETY: wasm32 without the atomics feature runs on one thread only.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
