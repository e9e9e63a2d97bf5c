//! `cargo bench -p nn-engines --bench three_layer`: one step (forward and backward propagation)
//! of Course 2's three-layer network `[2, 10, 5, 1]` on the initialisation notebook's 300 points,
//! by `nn_engines::three_layer` at every SIMD level this CPU has and by the plain functions of
//! `linalg_nn::three_layer`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use linalg_nn::NumpyRng;
use linalg_nn::data::circles::make_circles;
use linalg_nn::init::WeightInit;
use linalg_nn::three_layer::{backward_propagation, forward_propagation, initialize};
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

criterion_group!(benches, step);
criterion_main!(benches);
