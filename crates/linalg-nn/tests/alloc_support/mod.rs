//! Test support for issue 8's "no allocation inside the training loop": a counting global
//! allocator and the measure every assignment's test applies to its training loops. A test
//! crate registers it in its root:
//! `#[global_allocator] static ALLOC: alloc_support::Counting = alloc_support::Counting;`
//! and keeps to one test function, so that no other test allocates while it counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting every allocation and reallocation on every thread.
pub struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's layout, as GlobalAlloc::alloc requires.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr came from System.alloc with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for dealloc, with the caller's new size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations of `train(2 n)` minus those of `train(n)` (either way round): what `n` more
/// iterations of a training loop allocate. One untimed `train(n)` runs first, for what a
/// process sets up once (the helper thread of the two-core products).
///
/// The counter sees every thread of the process, so a one-off allocation elsewhere (the test
/// harness, a thread's first use of a buffer on a busy machine) can land inside one
/// measurement and not the other; an allocation inside the loop lands in every measurement,
/// `n` times or more. So the pair is measured up to three times and the fewest counts.
pub fn allocations_of_more_iterations(n: usize, train: impl Fn(usize)) -> usize {
    train(n);
    let count = |iterations: usize| {
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        train(iterations);
        ALLOCATIONS.load(Ordering::SeqCst) - before
    };
    let mut fewest = usize::MAX;
    for _ in 0..3 {
        let (short, long) = (count(n), count(2 * n));
        fewest = fewest.min(short.abs_diff(long));
        if fewest == 0 {
            break;
        }
    }
    fewest
}
