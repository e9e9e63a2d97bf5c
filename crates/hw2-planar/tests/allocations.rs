//! Issue 8, "no allocation inside the training loop": a counting global allocator measures
//! whole training runs of 100 and of 200 iterations; the difference is what 100 more iterations
//! allocate, and it must be zero for the binary's training loops (`engines::model`: the engine's
//! fixed-size loop of up to 8 hidden units with and without the per-iteration cost history, its
//! matrix loop beyond) and for the week-2 baseline (`engines::logistic_regression`), on the
//! course's flower data.
//!
//! One test function, so that no other test allocates while it counts (`alloc_support`).

use hw2_planar::engines::{logistic_regression, model};
use hw2_planar::{ModelConfig, Preset};
use linalg_nn::data::planar::load_planar_dataset;
use linalg_nn::train::Silent;

#[path = "../../linalg-nn/tests/alloc_support/mod.rs"]
mod alloc_support;

#[global_allocator]
static ALLOC: alloc_support::Counting = alloc_support::Counting;

#[test]
fn no_training_loop_allocates_per_iteration() {
    let data = load_planar_dataset();
    let (x, y) = (&data.x, &data.y);
    for (hidden_units, every_cost, what) in [
        (4, false, "the fixed-size loop (course preset, --no-plots)"),
        (4, true, "the fixed-size loop with every iteration's cost"),
        (20, true, "the matrix loop (20 hidden units)"),
    ] {
        let allocations = alloc_support::allocations_of_more_iterations(100, |n| {
            let config = ModelConfig {
                hidden_units,
                num_iterations: n,
                every_cost,
                ..ModelConfig::preset(Preset::Course)
            };
            model(x, y, &config, &mut Silent).unwrap();
        });
        assert_eq!(allocations, 0, "{what}");
    }
    let baseline = alloc_support::allocations_of_more_iterations(100, |n| {
        logistic_regression(x, y, n, 0.01, &mut Silent).unwrap();
    });
    assert_eq!(baseline, 0, "the week-2 baseline (hw1's direct engine)");
}
