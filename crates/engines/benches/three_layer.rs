//! `cargo bench -p nn-engines --bench three_layer`: one step (forward and backward propagation)
//! of Course 2's three-layer networks by `nn_engines::three_layer` at every SIMD level this CPU
//! has: `[2, 10, 5, 1]` on the initialisation notebook's 300 points (and by the plain functions
//! of `linalg_nn::three_layer`), and `[2, 20, 3, 1]` in `reg_utils`' form on 211 points, the
//! regularization notebook's network and number of examples.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use linalg_nn::data::circles::make_circles;
use linalg_nn::init::WeightInit;
use linalg_nn::three_layer::{backward_propagation, forward_propagation, initialize};
use linalg_nn::{DMatrix, NumpyRng};
use nn_engines::lanes::Level;
use nn_engines::three_layer::{WeightGradients, Workspace};
use std::hint::black_box;
use std::time::Duration;

fn step(c: &mut Criterion) {
    let dims = [2, 10, 5, 1];
    let data = make_circles(&mut NumpyRng::new(1), 300, 0.05, 0.8);
    let p = initialize(&dims, WeightInit::He, 3).unwrap();
    let mut group = c.benchmark_group("three-layer step [2, 10, 5, 1], m = 300");
    group.sample_size(30).measurement_time(Duration::from_secs(2));
    for level in Level::available() {
        let mut workspace = Workspace::new(dims, 300).unwrap().at_level(level);
        workspace.load(&data.x, &data.y).unwrap();
        let mut grads = WeightGradients::zeros(dims);
        group.bench_with_input(BenchmarkId::new("engine", level.name()), &level, |b, _| {
            b.iter(|| workspace.step(black_box(&p), &mut grads).unwrap())
        });
    }
    group.bench_function("plain functions", |b| {
        b.iter(|| {
            let cache = forward_propagation(&data.x, black_box(&p)).unwrap();
            backward_propagation(&data.x, &data.y, &cache, &p).unwrap()
        })
    });
    group.finish();
}

fn reg_utils_step(c: &mut Criterion) {
    let dims = [2, 20, 3, 1];
    // The regularization notebook's shapes; the points themselves do not change the work.
    let x = NumpyRng::new(1).randn(2, 211);
    let y = DMatrix::from_fn(1, 211, |_, j| f64::from(x[(0, j)] * x[(1, j)] > 0.0));
    let p = initialize(&dims, WeightInit::InverseSqrtFanIn, 3).unwrap();
    let mut group = c.benchmark_group("three-layer step [2, 20, 3, 1] reg_utils, m = 211");
    group.sample_size(30).measurement_time(Duration::from_secs(2));
    for level in Level::available() {
        let mut workspace =
            Workspace::new(dims, 211).unwrap().at_level(level).reg_utils(None).unwrap();
        workspace.load(&x, &y).unwrap();
        let mut grads = WeightGradients::zeros(dims);
        group.bench_with_input(BenchmarkId::new("engine", level.name()), &level, |b, _| {
            b.iter(|| workspace.step(black_box(&p), &mut grads).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, step, reg_utils_step);
criterion_main!(benches);
