//! Issue 8, "no allocation inside the training loop": a counting global allocator measures
//! whole training runs of 100 and of 200 iterations; the difference is what 100 more iterations
//! allocate, and it must be zero for each engine (the direct engine on a float64 `X`, the direct
//! engine on the pictures' bytes, the Gram engine) and for a network of one layer.
//!
//! One test function, so that no other test allocates while it counts (`alloc_support`).

use hw3_deep::{
    Parameters, TrainOptions, gradient_descent, gradient_descent_direct, gradient_descent_gram,
    initialize_parameters_deep,
};
use linalg_nn::init::WeightInit;
use linalg_nn::train::Silent;
use linalg_nn::{DMatrix, NumpyRng};

#[path = "../../linalg-nn/tests/alloc_support/mod.rs"]
mod alloc_support;
#[path = "../../linalg-nn/tests/alloc_support/pictures.rs"]
mod pictures;

#[global_allocator]
static ALLOC: alloc_support::Counting = alloc_support::Counting;

fn options(num_iterations: usize) -> TrainOptions {
    TrainOptions {
        num_iterations,
        learning_rate: 0.01,
        init: WeightInit::InverseSqrtFanIn,
        seed: 1,
    }
}

/// What 100 more iterations allocate.
fn allocations_of_100_more_iterations(train: impl Fn(usize)) -> usize {
    alloc_support::allocations_of_more_iterations(100, train)
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
    let split = pictures::pictures(8, 64);
    let labels = split.y();
    let wide = network(&[12288, 20, 7, 5, 1]);
    let bytes = allocations_of_100_more_iterations(|n| {
        gradient_descent_direct(&split, &labels, wide.clone(), &options(n), &mut Silent).unwrap();
    });
    assert_eq!(bytes, 0, "the direct engine on the pictures' bytes");
}
