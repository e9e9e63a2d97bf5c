//! `cargo bench -p hw1-logreg`: gradient descent on the course's cat pictures (X is
//! 12288 x 209), per iteration: the notebook's `propagate` as written (two nalgebra products),
//! the direct engine's fused pass (`engines::optimize_direct` on the float64 `X`, and on the
//! pictures' bytes with exact integer products, what `--engine direct` runs), and the Gram
//! engine (`engines::optimize_gram`, with `X^T X` computed beforehand, as
//! `--compare-learning-rates` shares it). Needs the data set (`cargo xtask fetch-data`, or
//! DL_COURSE_DATA).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hw1_logreg::engines::{gram_matrix, optimize_direct, optimize_gram};
use hw1_logreg::{LEARNING_RATE, propagate};
use linalg_nn::data::{default_data_dir, load_dataset};
use linalg_nn::train::Silent;
use nalgebra::DMatrix;
use std::hint::black_box;
use std::time::Duration;

fn iteration(c: &mut Criterion) {
    let data = load_dataset(&default_data_dir()).unwrap_or_else(|e| panic!("{e}"));
    let (x, y) = (data.train.x(), data.train.y());
    let w = DMatrix::from_element(x.nrows(), 1, 1e-4);
    let gram = gram_matrix(&x);
    let mut group = c.benchmark_group("hw1 one iteration (12288 x 209)");
    group.sample_size(20).measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Elements(1));
    group.bench_function("notebook propagate (nalgebra)", |b| {
        b.iter(|| black_box(propagate(&w, 0.0, &x, &y).map(|(g, c)| (g.db, c)).ok()))
    });
    // optimize_direct checks X once per call; 20 iterations per call make that a small share.
    const DIRECT_ITERATIONS: u64 = 20;
    group.throughput(Throughput::Elements(DIRECT_ITERATIONS));
    group.bench_function("direct engine (fused pass, 2 threads), per 20", |b| {
        b.iter(|| {
            let iterations = DIRECT_ITERATIONS as usize;
            let run = optimize_direct(&w, 0.0, &x, &y, iterations, LEARNING_RATE, &mut Silent);
            black_box(run.map(|(p, _, _)| p.b).ok())
        })
    });
    group.bench_function("direct engine from the bytes (exact pass, 2 threads), per 20", |b| {
        b.iter(|| {
            let run = optimize_direct(
                &w,
                0.0,
                &data.train,
                &y,
                DIRECT_ITERATIONS as usize,
                LEARNING_RATE,
                &mut Silent,
            );
            black_box(run.map(|(p, _, _)| p.b).ok())
        })
    });
    const GRAM_ITERATIONS: u64 = 500;
    group.throughput(Throughput::Elements(GRAM_ITERATIONS));
    group.bench_function("gram engine (G given), per 500", |b| {
        b.iter(|| {
            let run = optimize_gram(
                &w,
                0.0,
                &x,
                &y,
                GRAM_ITERATIONS as usize,
                LEARNING_RATE,
                Some(&gram),
                &mut Silent,
            );
            black_box(run.map(|(p, _, _)| p.b).ok())
        })
    });
    group.finish();
}

criterion_group!(benches, iteration);
criterion_main!(benches);
