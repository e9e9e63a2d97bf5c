//! The binary's engine against the notebook's loop: `engine::model` (`nn_engines::three_layer`)
//! must give `model`'s result to the last bit (every recorded cost and every parameter), for the
//! three initialisations, including random's infinite first cost.

use hw4_initialization::engine::{self, Engine, model_with};
use hw4_initialization::{Initialization, LEARNING_RATE, TrainedModel, load_dataset, model};
use linalg_nn::train::Silent;
use linalg_nn::{DMatrix, NnError};

fn assert_same_bits(fast: &TrainedModel, plain: &TrainedModel, what: &str) {
    let costs = |t: &TrainedModel| -> Vec<(usize, u64)> {
        t.costs.iter().map(|&(i, c)| (i, c.to_bits())).collect()
    };
    assert_eq!(costs(fast), costs(plain), "{what}: costs");
    for ((name, f), (_, p)) in fast.parameters.named().into_iter().zip(plain.parameters.named()) {
        let bits = |m: &DMatrix<f64>| m.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(f), bits(p), "{what}: {name}");
    }
}

#[test]
fn the_engine_gives_the_notebook_loops_bits() {
    let data = load_dataset();
    let (x, y) = (&data.train.x, &data.train.y);
    for init in Initialization::ALL {
        let fast = engine::model(x, y, LEARNING_RATE, 2001, init, &mut Silent).unwrap();
        let plain = model(x, y, LEARNING_RATE, 2001, init, &mut Silent).unwrap();
        assert_same_bits(&fast, &plain, init.name());
    }
    // A learning rate large enough for dead units and large weights, on a few odd-sized sets.
    for m in [1, 13, 150] {
        let (xm, ym): (DMatrix<f64>, DMatrix<f64>) =
            (x.columns(0, m).into(), y.columns(0, m).into());
        let fast = engine::model(&xm, &ym, 0.7, 300, Initialization::He, &mut Silent).unwrap();
        let plain = model(&xm, &ym, 0.7, 300, Initialization::He, &mut Silent).unwrap();
        assert_same_bits(&fast, &plain, &format!("m = {m}"));
    }
}

#[test]
fn both_engines_refuse_bad_input_alike() {
    let data = load_dataset();
    let (x, y) = (&data.train.x, &data.train.y);
    let refusal = |engine: Engine, x: &DMatrix<f64>, y: &DMatrix<f64>, rate: f64| -> NnError {
        model_with(engine, x, y, rate, 10, Initialization::He, &mut Silent).unwrap_err()
    };
    let mut bad_x = x.clone();
    bad_x[(1, 7)] = f64::NAN;
    let empty = DMatrix::zeros(2, 0);
    let cases: [(&DMatrix<f64>, DMatrix<f64>, f64); 4] = [
        (x, DMatrix::zeros(1, 299), LEARNING_RATE),
        (&bad_x, y.clone(), LEARNING_RATE),
        (x, y.clone(), -1.0),
        (&empty, DMatrix::zeros(1, 0), LEARNING_RATE),
    ];
    for (x, y, rate) in &cases {
        assert_eq!(
            refusal(Engine::ThreeLayer, x, y, *rate),
            refusal(Engine::Notebook, x, y, *rate)
        );
    }
    // Divergence: the same error at the same iteration.
    let diverged = |engine| model_with(engine, x, y, 1e300, 50, Initialization::He, &mut Silent);
    assert_eq!(diverged(Engine::ThreeLayer).unwrap_err(), diverged(Engine::Notebook).unwrap_err());
}

#[test]
fn engine_names_parse_back() {
    for engine in Engine::ALL {
        assert_eq!(engine.name().parse::<Engine>(), Ok(engine));
    }
    assert!("fast".parse::<Engine>().unwrap_err().contains("three-layer"));
}
