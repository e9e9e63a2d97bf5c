//! The binary's engine against the notebook's loop: `engine::model_at_level`
//! (`nn_engines::three_layer::train_reg_utils`) must give `model`'s result to the last bit (every
//! kept cost and every parameter) at every SIMD level this CPU has, for `--reg none`, `l2` and
//! `dropout` (the notebook's masks), on the football data and on odd-sized parts of it.

use hw5_regularization::engine::{self, Engine, model_at_level, model_with};
use hw5_regularization::{
    Football, KEEP_PROB, LAMBD, LEARNING_RATE, MaskSchedule, Regularization, TrainedModel,
    load_2d_dataset, model,
};
use linalg_nn::train::Silent;
use linalg_nn::{DMatrix, NnError};
use nn_engines::lanes::Level;

fn data() -> Football {
    load_2d_dataset(&linalg_nn::data::default_data_dir()).expect("DL_COURSE_DATA's data.mat")
}

fn regularizations() -> [Regularization; 3] {
    [
        Regularization::None,
        Regularization::l2(LAMBD).unwrap(),
        Regularization::dropout(KEEP_PROB, MaskSchedule::Notebook).unwrap(),
    ]
}

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
fn every_level_gives_the_notebook_loops_bits() {
    let data = data();
    let (x, y) = (&data.train.x, &data.train.y);
    for reg in regularizations() {
        let plain = model(x, y, LEARNING_RATE, 1001, reg, &mut Silent).unwrap();
        for level in Level::available() {
            let fast = model_at_level(level, x, y, LEARNING_RATE, 1001, reg, &mut Silent).unwrap();
            assert_same_bits(&fast, &plain, &format!("{} at {}", reg.name(), level.name()));
        }
    }
}

#[test]
fn odd_example_counts_and_large_steps_keep_the_bits() {
    // Below a vector, not a multiple of 8, one part (up to 128) and two; 300 (the 211 examples,
    // then the first 89 again) for hw4's parts of 144 and 156, whose bias sums are not the
    // forward kernel's; a large learning rate for dead units and large weights.
    let data = data();
    for m in [1, 7, 13, 129, 150, 300] {
        let columns = |of: &DMatrix<f64>| -> DMatrix<f64> {
            DMatrix::from_fn(of.nrows(), m, |i, j| of[(i, j % of.ncols())])
        };
        let (x, y) = (columns(&data.train.x), columns(&data.train.y));
        for reg in regularizations() {
            let plain = model(&x, &y, 0.9, 500, reg, &mut Silent).unwrap();
            for level in Level::available() {
                let fast = model_at_level(level, &x, &y, 0.9, 500, reg, &mut Silent).unwrap();
                let what = format!("m = {m}, {} at {}", reg.name(), level.name());
                assert_same_bits(&fast, &plain, &what);
            }
        }
    }
}

#[test]
fn the_notebooks_full_run_has_the_same_bits() {
    let data = data();
    let (x, y) = (&data.train.x, &data.train.y);
    let reg = Regularization::dropout(KEEP_PROB, MaskSchedule::Notebook).unwrap();
    let fast = engine::model(x, y, LEARNING_RATE, 30_000, reg, &mut Silent).unwrap();
    let plain = model(x, y, LEARNING_RATE, 30_000, reg, &mut Silent).unwrap();
    assert_same_bits(&fast, &plain, "dropout, 30000 iterations");
}

#[test]
fn both_engines_refuse_bad_input_alike() {
    let data = data();
    let (x, y) = (&data.train.x, &data.train.y);
    let refusal = |engine: Engine, x: &DMatrix<f64>, y: &DMatrix<f64>, rate: f64| -> NnError {
        model_with(engine, x, y, rate, 10, Regularization::None, &mut Silent).unwrap_err()
    };
    let mut bad_x = x.clone();
    bad_x[(1, 7)] = f64::NAN;
    let empty = DMatrix::zeros(2, 0);
    let cases: [(&DMatrix<f64>, DMatrix<f64>, f64); 4] = [
        (x, DMatrix::zeros(1, 210), LEARNING_RATE),
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
    let bad = Regularization::L2 { lambd: -1.0 };
    let refuse = |engine| model_with(engine, x, y, 0.3, 10, bad, &mut Silent).unwrap_err();
    assert_eq!(refuse(Engine::ThreeLayer), refuse(Engine::Notebook));
}
