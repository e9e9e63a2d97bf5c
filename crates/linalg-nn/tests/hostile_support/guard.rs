//! The time and memory guard around each hostile load: how long it took (a hang shows up as a
//! load over [`TIME_BUDGET`], measured rather than raced against a thread) and the largest single
//! allocation it made (an untrusted size field turned into `Vec::with_capacity` shows up as an
//! allocation far beyond the file's length).
//!
//! A crate that wants allocation figures registers the counting allocator in its root:
//! `#[global_allocator] static ALLOC: hostile_support::guard::LargestAllocation =
//! hostile_support::guard::LargestAllocation;`

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

/// The longest one load of a damaged file may take (the real files load in milliseconds).
pub const TIME_BUDGET: Duration = Duration::from_secs(2);

thread_local! {
    // `const` initialisation: no lazy setup, no destructor, so the allocator may touch it at
    // any point of a thread's life. (Clippy asks for `const` here on Windows, where the macro
    // expands to an OS key, although it is there.)
    #[allow(clippy::missing_const_for_thread_local)]
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|largest| {
        if size > largest.get() {
            largest.set(size);
        }
    });
}

/// The system allocator, recording the largest single request made on each thread.
pub struct LargestAllocation;

// SAFETY: every call is forwarded unchanged to `System`; the bookkeeping only reads sizes.
unsafe impl GlobalAlloc for LargestAllocation {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// What one guarded call cost.
#[derive(Clone, Copy, Debug)]
pub struct Cost {
    /// Wall-clock time.
    pub elapsed: Duration,
    /// The largest single allocation made on this thread during the call (0 when the counting
    /// allocator is not registered).
    pub largest_allocation: usize,
}

/// Runs `f`, measuring its time and its largest allocation on this thread.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Cost) {
    LARGEST.with(|largest| largest.set(0));
    let started = Instant::now();
    let value = f();
    let elapsed = started.elapsed();
    let largest_allocation = LARGEST.with(Cell::get);
    (value, Cost { elapsed, largest_allocation })
}

/// The most one load of an `input_len`-byte file may allocate at once: every element type the
/// loaders read is at most 8 bytes and every dataset is bounded by the file's length, so a
/// decoded copy is at most 8 times the file, plus a megabyte of bookkeeping.
pub fn allocation_allowance(input_len: usize) -> usize {
    input_len.saturating_mul(8).saturating_add(1 << 20)
}

/// Panics when a guarded load took longer than [`TIME_BUDGET`] or allocated more than
/// [`allocation_allowance`] at once; `what` names the input in the message.
pub fn assert_within_budget(cost: &Cost, input_len: usize, what: &str) {
    assert!(
        cost.elapsed < TIME_BUDGET,
        "{what}: the load took {:?}, over the {TIME_BUDGET:?} budget (a hang?)",
        cost.elapsed
    );
    let allowance = allocation_allowance(input_len);
    assert!(
        cost.largest_allocation <= allowance,
        "{what}: one allocation of {} bytes for a {input_len}-byte input (allowance {allowance})",
        cost.largest_allocation
    );
}
