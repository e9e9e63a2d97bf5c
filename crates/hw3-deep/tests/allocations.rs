//! Issue 8, "no allocation inside the training loop": a counting global allocator measures
//! whole training runs of 100 and of 200 iterations; the difference is what 100 more iterations
//! allocate, and it must be zero for each engine (the direct engine on a float64 `X`, the direct
//! engine on the pictures' bytes, the Gram engine) and for a network of one layer.
//!
//! One test function, so that no other test allocates while it counts.

use hdf5_pure::FileBuilder;
use hw3_deep::{
    Parameters, TrainOptions, gradient_descent, gradient_descent_direct, gradient_descent_gram,
    initialize_parameters_deep,
};
use linalg_nn::data::{CatSplit, Split};
use linalg_nn::init::WeightInit;
use linalg_nn::train::Silent;
use linalg_nn::{DMatrix, NumpyRng};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting every allocation and reallocation.
struct Counting;

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

#[global_allocator]
static ALLOC: Counting = Counting;

fn options(num_iterations: usize) -> TrainOptions {
    TrainOptions {
        num_iterations,
        learning_rate: 0.01,
        init: WeightInit::InverseSqrtFanIn,
        seed: 1,
    }
}

/// Allocations of `train(200)` minus those of `train(100)`, after one untimed run (which starts
/// the helper thread of the two-core products, once per process).
fn allocations_of_100_more_iterations(train: impl Fn(usize)) -> usize {
    train(100);
    let count = |iterations: usize| {
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        train(iterations);
        ALLOCATIONS.load(Ordering::SeqCst) - before
    };
    let (short, long) = (count(100), count(200));
    long.saturating_sub(short).max(short.saturating_sub(long))
}

/// `m` pictures of 64 x 64 pixels as a course file's split (12288 bytes each).
fn pictures(m: usize) -> CatSplit {
    let mut rng = NumpyRng::new(7);
    let pixels: Vec<u8> = (0..m * 12288).map(|_| (rng.random_sample() * 256.0) as u8).collect();
    let labels: Vec<i64> = (0..m as i64).map(|j| j % 2).collect();
    let mut fb = FileBuilder::new();
    fb.create_dataset("train_set_x").with_u8_data(&pixels).with_shape(&[m as u64, 64, 64, 3]);
    fb.create_dataset("train_set_y").with_i64_data(&labels);
    fb.create_dataset("list_classes").with_ascii_strings(&["non-cat", "cat"]).unwrap();
    let bytes = fb.finish().unwrap();
    CatSplit::from_bytes(std::path::Path::new("pictures.h5"), bytes, Split::Train).unwrap()
}

fn network(dims: &[usize]) -> Parameters {
    initialize_parameters_deep(dims, WeightInit::InverseSqrtFanIn, &mut NumpyRng::new(2)).unwrap()
}

#[test]
fn no_engine_allocates_inside_its_training_loop() {
    let mut rng = NumpyRng::new(3);
    let x = rng.randn(30, 12);
    let y = DMatrix::from_fn(1, 12, |_, j| (j % 3 == 0) as u8 as f64);
    let deep = network(&[30, 5, 3, 1]);
    let one_layer = network(&[30, 1]);

    let direct = allocations_of_100_more_iterations(|n| {
        gradient_descent(&x, &y, deep.clone(), &options(n), &mut Silent).unwrap();
    });
    assert_eq!(direct, 0, "the direct engine on a float64 X");
    let gram = allocations_of_100_more_iterations(|n| {
        gradient_descent_gram(&x, &y, deep.clone(), &options(n), None, &mut Silent).unwrap();
    });
    assert_eq!(gram, 0, "the Gram engine");
    let gram_one_layer = allocations_of_100_more_iterations(|n| {
        gradient_descent_gram(&x, &y, one_layer.clone(), &options(n), None, &mut Silent).unwrap();
    });
    assert_eq!(gram_one_layer, 0, "the Gram engine, one layer");

    // Eight pictures and 20 units: large enough for the two threads of the byte products.
    let split = pictures(8);
    let labels = split.y();
    let wide = network(&[12288, 20, 7, 5, 1]);
    let bytes = allocations_of_100_more_iterations(|n| {
        gradient_descent_direct(&split, &labels, wide.clone(), &options(n), &mut Silent).unwrap();
    });
    assert_eq!(bytes, 0, "the direct engine on the pictures' bytes");
}
