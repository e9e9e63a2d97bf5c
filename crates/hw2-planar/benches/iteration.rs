//! `cargo bench -p hw2-planar`: the planar network of the notebook (2 -> 4 -> 1, 400 points)
//! per 100 iterations at the course's settings, on the binary's engine (`engines::model`) and
//! on the notebook's loop (`nn_model`), and the hidden layer's `tanh` of one iteration (1600
//! values) by the C library and by the engines' vectorised copy of it.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hw2_planar::{ModelConfig, Preset, engines, nn_model};
use linalg_nn::data::planar::load_planar_dataset;
use linalg_nn::train::Silent;
use std::hint::black_box;
use std::time::Duration;

fn iteration(c: &mut Criterion) {
    let flower = load_planar_dataset();
    let config = ModelConfig { num_iterations: 100, ..ModelConfig::preset(Preset::Course) };
    let mut group = c.benchmark_group("hw2 iterations (n_h = 4, m = 400)");
    group.measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(100));
    group.bench_function("engines::model, per 100", |b| {
        b.iter(|| {
            black_box(engines::model(&flower.x, &flower.y, &config, &mut Silent).map(|m| m.costs))
        })
    });
    group.bench_function("nn_model (the notebook's loop), per 100", |b| {
        b.iter(|| black_box(nn_model(&flower.x, &flower.y, &config, &mut Silent).map(|m| m.costs)))
    });
    group.finish();

    let z: Vec<f64> = (0..1600).map(|i| ((i as f64) * 0.37).sin() * 3.0).collect();
    let mut a = vec![0.0; z.len()];
    let mut group = c.benchmark_group("hw2 tanh of A1 (1600 values)");
    group.measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(1600));
    group.bench_function("glibc f64::tanh", |b| {
        b.iter(|| {
            for (out, &v) in a.iter_mut().zip(black_box(&z)) {
                *out = v.tanh();
            }
        })
    });
    group.bench_function("tanh_into (same bits, AVX2)", |b| {
        b.iter(|| nn_engines::tanh::tanh_into(black_box(&z), &mut a))
    });
    group.finish();
}

criterion_group!(benches, iteration);
criterion_main!(benches);
