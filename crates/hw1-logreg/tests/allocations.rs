//! Issue 8, "no allocation inside the training loop": a counting global allocator measures
//! whole training runs of 100 and of 200 iterations; the difference is what 100 more iterations
//! allocate, and it must be zero for every engine: `engines::optimize_direct` on a float64 `X`
//! (one thread and two) and on the pictures' bytes, `engines::optimize_gram`. (The notebook's
//! plain `optimize` allocates its matrices every iteration, as numpy does.)
//!
//! One test function, so that no other test allocates while it counts (`alloc_support`).

use hw1_logreg::engines::{optimize_direct, optimize_gram};
use linalg_nn::train::Silent;
use linalg_nn::{DMatrix, NumpyRng};

#[path = "../../linalg-nn/tests/alloc_support/mod.rs"]
mod alloc_support;
#[path = "../../linalg-nn/tests/alloc_support/pictures.rs"]
mod pictures;

#[global_allocator]
static ALLOC: alloc_support::Counting = alloc_support::Counting;

#[test]
fn no_engine_allocates_inside_its_training_loop() {
    let mut rng = NumpyRng::new(3);
    // 40 x 30 is one thread's work; 64 x 64 pictures, 100 of them, two threads'.
    let small = rng.randn(40, 30);
    let small_y = DMatrix::from_fn(1, 30, |_, j| (j % 3 == 0) as u8 as f64);
    let split = pictures::pictures(100, 64);
    let (large, large_y) = (split.x(), split.y());
    let runs: [(&DMatrix<f64>, &DMatrix<f64>, &str); 2] =
        [(&small, &small_y, "one thread"), (&large, &large_y, "two threads")];
    for (x, y, what) in runs {
        let w = DMatrix::zeros(x.nrows(), 1);
        let direct = alloc_support::allocations_of_more_iterations(100, |n| {
            optimize_direct(&w, 0.0, x, y, n, 0.005, &mut Silent).unwrap();
        });
        assert_eq!(direct, 0, "optimize_direct, {what}");
        let gram = alloc_support::allocations_of_more_iterations(100, |n| {
            optimize_gram(&w, 0.0, x, y, n, 0.005, None, &mut Silent).unwrap();
        });
        assert_eq!(gram, 0, "optimize_gram, {what}");
    }
    let w = DMatrix::zeros(split.n_x(), 1);
    let bytes = alloc_support::allocations_of_more_iterations(100, |n| {
        optimize_direct(&w, 0.0, &split, &large_y, n, 0.005, &mut Silent).unwrap();
    });
    assert_eq!(bytes, 0, "optimize_direct on the pictures' bytes");
}
