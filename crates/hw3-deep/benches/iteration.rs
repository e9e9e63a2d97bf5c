//! `cargo bench -p hw3-deep`: training iterations of the application notebook's two networks
//! on the cat pictures (X is 12288 x 209), by the direct engine (the notebook's computation) on
//! the float64 `X` and on the pictures' bytes (the binary's way: exact byte products, which
//! build their tiles once per run), and by the Gram engine (X^T X computed beforehand). Needs
//! the data set (`cargo xtask fetch-data`, or DL_COURSE_DATA).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hw3_deep::{EngineOptions, ModelKind, Preset, TrainOptions, l_layer_model_with};
use linalg_nn::data::{default_data_dir, load_dataset};
use linalg_nn::train::Silent;
use nn_engines::gram::{Engine, gram_matrix};
use nn_engines::inputs::Inputs;
use std::hint::black_box;
use std::time::Duration;

fn iteration(c: &mut Criterion) {
    let data = load_dataset(&default_data_dir()).unwrap_or_else(|e| panic!("{e}"));
    let (x, y) = (data.train.x(), data.train.y());
    let gram = gram_matrix(&x);
    for model in ModelKind::ALL {
        let dims = model.layer_dims(x.nrows());
        let mut group = c.benchmark_group(format!("hw3 {model} {dims:?} iterations"));
        group.sample_size(10).measurement_time(Duration::from_secs(5));
        let runs: [(Engine, &dyn Inputs, &str, usize); 3] = [
            (Engine::Direct, &x, "direct", 10),
            (Engine::Direct, &data.train, "direct on bytes", 50),
            (Engine::Gram, &x, "gram", 200),
        ];
        for (engine, inputs, name, iterations) in runs {
            let options = TrainOptions {
                num_iterations: iterations,
                ..TrainOptions::preset(Preset::Course, model)
            };
            let engine_options = EngineOptions { engine, gram: Some(&gram) };
            group.throughput(Throughput::Elements(iterations as u64));
            group.bench_function(format!("{name}, per {iterations}"), |b| {
                b.iter(|| {
                    let run = l_layer_model_with(
                        inputs,
                        &y,
                        &dims,
                        &options,
                        engine_options,
                        &mut Silent,
                    );
                    black_box(run.map(|m| m.costs).ok())
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, iteration);
criterion_main!(benches);
