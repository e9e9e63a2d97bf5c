//! The binary's engine against the notebook's loop: `engine::model` (mini-batches through
//! `nn_engines::three_layer`) must give `model`'s result to the last bit (every kept cost, every
//! kept learning rate and every parameter), for the seven runs of the notebook, for odd batch
//! sizes and data sets, and the same errors for bad input.

use hw7_optimization::engine::{self, Engine, model_with};
use hw7_optimization::{Decay, Optimizer, Settings, TrainedModel, load_dataset, model};
use linalg_nn::DMatrix;
use linalg_nn::train::Silent;

fn assert_same_bits(fast: &TrainedModel, plain: &TrainedModel, what: &str) {
    let bits = |pairs: &[(usize, f64)]| -> Vec<(usize, u64)> {
        pairs.iter().map(|&(i, v)| (i, v.to_bits())).collect()
    };
    assert_eq!(bits(&fast.costs), bits(&plain.costs), "{what}: costs");
    assert_eq!(bits(&fast.learning_rates), bits(&plain.learning_rates), "{what}: rates");
    for ((name, f), (_, p)) in fast.parameters.named().into_iter().zip(plain.parameters.named()) {
        let bits = |m: &DMatrix<f64>| m.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(f), bits(p), "{what}: {name}");
    }
}

/// The notebook's seven runs: the three optimizers without decay, gradient descent with either
/// decay, momentum and Adam with `schedule_lr_decay`.
fn notebook_settings() -> [Settings; 7] {
    [
        Settings::notebook(Optimizer::Gd),
        Settings::notebook(Optimizer::Momentum),
        Settings::notebook(Optimizer::Adam),
        Settings::notebook_with_decay(Optimizer::Gd, Decay::Update),
        Settings::notebook_with_decay(Optimizer::Gd, Decay::Schedule),
        Settings::notebook_with_decay(Optimizer::Momentum, Decay::Schedule),
        Settings::notebook_with_decay(Optimizer::Adam, Decay::Schedule),
    ]
}

#[test]
fn the_engine_gives_the_notebook_loops_bits_for_the_seven_runs() {
    let data = load_dataset();
    let (x, y) = (&data.x, &data.y);
    // 1001 epochs: a rate step of schedule_lr_decay (epoch 1000) is inside.
    for settings in notebook_settings() {
        let short = Settings { num_epochs: 1001, ..settings };
        let fast = engine::model(x, y, &short, &mut Silent).unwrap();
        let plain = model(x, y, &short, &mut Silent).unwrap();
        let what = format!("{} with decay {}", settings.optimizer, settings.decay);
        assert_same_bits(&fast, &plain, &what);
    }
}

#[test]
fn the_engine_gives_the_notebook_loops_bits_over_the_full_runs() {
    let data = load_dataset();
    let (x, y) = (&data.x, &data.y);
    let runs = [
        Settings::notebook(Optimizer::Adam),
        Settings::notebook_with_decay(Optimizer::Gd, Decay::Schedule),
    ];
    for settings in runs {
        let fast = engine::model(x, y, &settings, &mut Silent).unwrap();
        let plain = model(x, y, &settings, &mut Silent).unwrap();
        assert_eq!(fast.costs.len(), 50);
        assert_same_bits(&fast, &plain, &format!("{} {}", settings.optimizer, settings.decay));
    }
}

#[test]
fn odd_batch_sizes_and_data_sets_give_the_same_bits() {
    let data = load_dataset();
    // Batches of one; batches cut in two inside the engine (more than 128 examples); one batch
    // of everything; a batch larger than the data; a short data set; a third input row (the
    // engine's plain path); a rate large enough for dead units.
    let x3 = DMatrix::from_fn(3, 300, |i, j| if i < 2 { data.x[(i, j)] } else { 0.5 });
    let cases: [(usize, usize, f64, bool); 6] = [
        (1, 300, 0.0007, false),
        (200, 300, 0.01, false),
        (300, 300, 0.01, false),
        (512, 13, 0.01, false),
        (64, 150, 0.5, false),
        (64, 300, 0.01, true),
    ];
    for (batch, m, rate, third_row) in cases {
        let x: DMatrix<f64> = if third_row { x3.clone() } else { data.x.columns(0, m).into() };
        let y: DMatrix<f64> = data.y.columns(0, m).into();
        for optimizer in Optimizer::ALL {
            let settings = Settings {
                mini_batch_size: batch,
                num_epochs: 201,
                learning_rate: rate,
                ..Settings::notebook(optimizer)
            };
            let fast = engine::model(&x, &y, &settings, &mut Silent).unwrap();
            let plain = model(&x, &y, &settings, &mut Silent).unwrap();
            assert_same_bits(&fast, &plain, &format!("{optimizer}, batches of {batch}, m = {m}"));
        }
    }
}

#[test]
fn both_engines_refuse_bad_input_alike() {
    let data = load_dataset();
    let (x, y) = (&data.x, &data.y);
    let adam = Settings { num_epochs: 10, ..Settings::notebook(Optimizer::Adam) };
    // Compared as text: a diverged run's cost is NaN, which equals nothing.
    let refusal = |engine: Engine, x: &DMatrix<f64>, y: &DMatrix<f64>, s: &Settings| -> String {
        format!("{:?}", model_with(engine, x, y, s, &mut Silent).unwrap_err())
    };
    let mut bad_x = x.clone();
    bad_x[(1, 7)] = f64::NAN;
    let empty = DMatrix::zeros(2, 0);
    let cases: [(&DMatrix<f64>, DMatrix<f64>, Settings); 6] = [
        (x, DMatrix::zeros(1, 299), adam),
        (&bad_x, y.clone(), adam),
        (&empty, DMatrix::zeros(1, 0), adam),
        (x, y.clone(), Settings { mini_batch_size: 0, ..adam }),
        (x, y.clone(), Settings { beta2: 1.0, ..adam }),
        // Divergence: the same error at the same epoch.
        (x, y.clone(), Settings { learning_rate: 1e300, ..adam }),
    ];
    for (x, y, settings) in &cases {
        assert_eq!(
            refusal(Engine::ThreeLayer, x, y, settings),
            refusal(Engine::Notebook, x, y, settings)
        );
    }
}

#[test]
fn engine_names_parse_back() {
    for engine in Engine::ALL {
        assert_eq!(engine.name().parse::<Engine>(), Ok(engine));
    }
    assert!("fast".parse::<Engine>().unwrap_err().contains("three-layer"));
}
