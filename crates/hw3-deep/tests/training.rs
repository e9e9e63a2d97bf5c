//! The training loop's contract on small synthetic data: the notebook's models learn, record
//! the cost every 100 iterations, report every iteration to the observer, refuse bad
//! hyperparameters, layer sizes and labels with clear errors, and stop a diverging run.

use hw3_deep::{
    DeepError, EngineOptions, ModelKind, Preset, TrainOptions, accuracy,
    initialize_parameters_deep, l_layer_model, predict, train_with_engine, two_layer_model,
};
use linalg_nn::gram::Engine;
use linalg_nn::init::WeightInit;
use linalg_nn::train::{Iteration, Silent};
use linalg_nn::{DMatrix, NnError, NumpyRng};

mod support;

use support::options;

/// 40 points in 3-D; the label is 1 when the first two coordinates have the same sign, a
/// problem no linear model solves but a small ReLU network does.
fn xor_like() -> (DMatrix<f64>, DMatrix<f64>) {
    let mut rng = NumpyRng::new(11);
    let x = rng.randn(3, 40);
    let y = DMatrix::from_fn(1, 40, |_, j| if x[(0, j)] * x[(1, j)] > 0.0 { 1.0 } else { 0.0 });
    (x, y)
}

#[test]
fn deep_model_learns_and_records_every_hundred_iterations() {
    let (x, y) = xor_like();
    let mut seen = Vec::new();
    let mut observer = |it: &Iteration| seen.push(*it);
    let trained = l_layer_model(&x, &y, &[3, 8, 4, 1], &options(2001, 0.3), &mut observer).unwrap();
    // Costs at 0, 100, ..., 2000: 21 values; the observer saw all 2001 iterations and the
    // same costs on the recorded ones.
    assert_eq!(trained.costs.len(), 21);
    assert_eq!(seen.len(), 2001);
    assert_eq!(seen[0], Iteration { index: 0, total: 2001, cost: Some(trained.costs[0]) });
    assert_eq!(seen[150].cost, None);
    assert_eq!(seen[2000].cost, Some(trained.costs[20]));
    assert!(trained.costs[20] < 0.5 * trained.costs[0], "{:?}", trained.costs);
    assert!(accuracy(&x, &y, &trained.parameters).unwrap() >= 90.0);
    let p = predict(&x, &trained.parameters).unwrap();
    assert!(p.iter().all(|&v| v == 0.0 || v == 1.0));
}

#[test]
fn two_layer_model_is_the_l2_case_of_the_deep_loop() {
    let (x, y) = xor_like();
    let opts = TrainOptions { init: WeightInit::SMALL, ..options(300, 0.1) };
    let two = two_layer_model(&x, &y, (3, 5, 1), &opts, &mut Silent).unwrap();
    let deep = l_layer_model(&x, &y, &[3, 5, 1], &opts, &mut Silent).unwrap();
    assert_eq!(two, deep);
    assert_eq!(two.parameters.layer_dims(), vec![3, 5, 1]);
}

#[test]
fn the_seed_decides_the_initialisation() {
    let (x, y) = xor_like();
    let run = |seed| {
        let opts = TrainOptions { seed, ..options(1, 0.1) };
        l_layer_model(&x, &y, &[3, 4, 1], &opts, &mut Silent).unwrap()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1).costs, run(2).costs);
}

#[test]
fn zero_iterations_and_bad_learning_rates_are_refused() {
    let (x, y) = xor_like();
    for (iterations, rate, expected) in [
        (0, 0.1, "number of iterations: must be at least 1, got 0"),
        (10, 0.0, "learning rate"),
        (10, f64::NAN, "learning rate"),
    ] {
        let err =
            l_layer_model(&x, &y, &[3, 4, 1], &options(iterations, rate), &mut Silent).unwrap_err();
        assert!(matches!(err, DeepError::Nn(NnError::InvalidArgument { .. })), "{err:?}");
        assert!(err.to_string().contains(expected), "{err}");
        let err = two_layer_model(&x, &y, (3, 4, 1), &options(iterations, rate), &mut Silent)
            .unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }
}

#[test]
fn bad_layer_sizes_are_refused_with_the_reason() {
    let (x, y) = xor_like();
    let opts = options(10, 0.1);
    for (dims, expected) in [
        (vec![], "need at least two widths"),
        (vec![3], "need at least two widths"),
        (vec![3, 0, 1], "width 2 (layer 1) is 0"),
        (vec![4, 5, 1], "the first width is 4 but must equal the number of input features, 3"),
        (vec![3, 5, 2], "the last width is 2 but must be 1"),
    ] {
        let err = l_layer_model(&x, &y, &dims, &opts, &mut Silent).unwrap_err();
        assert!(matches!(err, DeepError::Layers { .. }), "{dims:?}: {err:?}");
        assert!(err.to_string().contains(expected), "{dims:?}: {err}");
    }
    let err = two_layer_model(&x, &y, (3, 0, 1), &opts, &mut Silent).unwrap_err();
    assert!(err.to_string().contains("is 0"), "{err}");
}

#[test]
fn labels_must_fit_the_examples_and_be_binary() {
    let (x, _) = xor_like();
    let opts = options(10, 0.1);
    let err =
        l_layer_model(&x, &DMatrix::zeros(1, 39), &[3, 2, 1], &opts, &mut Silent).unwrap_err();
    assert!(err.to_string().contains("expected (1, 40), found (1, 39)"), "{err}");
    let mut y = DMatrix::zeros(1, 40);
    y[(0, 7)] = 2.0;
    let err = l_layer_model(&x, &y, &[3, 2, 1], &opts, &mut Silent).unwrap_err();
    assert!(err.to_string().contains("label 7 is 2, expected 0 or 1"), "{err}");
}

#[test]
fn a_non_finite_input_is_named_not_blamed_on_the_learning_rate() {
    let (mut x, y) = xor_like();
    x[(1, 5)] = f64::INFINITY;
    let opts = options(10, 0.1);
    for engine in [EngineOptions::DIRECT, EngineOptions { engine: Engine::Gram, gram: None }] {
        let start =
            initialize_parameters_deep(&[3, 2, 1], opts.init, &mut NumpyRng::new(1)).unwrap();
        let err = train_with_engine(&x, &y, start, &opts, engine, &mut Silent).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid X: must contain only finite numbers, found inf at (1, 5)",
            "{engine:?}"
        );
    }
}

#[test]
fn a_diverging_run_stops_with_advice() {
    let (x, y) = xor_like();
    // The first cost is finite; a learning rate of 1e4 then saturates the sigmoid on wrong
    // answers, so a later recorded cost is infinite (or NaN).
    let err = l_layer_model(&x, &y, &[3, 8, 1], &options(500, 1e4), &mut Silent).unwrap_err();
    match &err {
        DeepError::Nn(NnError::Diverged { iteration, learning_rate, .. }) => {
            assert!(*iteration > 0 && *iteration < 500, "{err}");
            assert_eq!(*learning_rate, 1e4);
        }
        other => panic!("expected a divergence, got {other:?}"),
    }
    assert!(err.to_string().contains("smaller --learning-rate"), "{err}");
}

#[test]
fn presets_match_the_issue() {
    // The study notes: 3000 iterations, rate 0.0075, randn/sqrt(n_prev), seed 1, for both.
    for model in ModelKind::ALL {
        let notes = Preset::Notes.options(model);
        assert_eq!(
            notes,
            TrainOptions {
                num_iterations: 3000,
                learning_rate: 0.0075,
                init: WeightInit::InverseSqrtFanIn,
                seed: 1
            }
        );
    }
    // The notebook: 2500 iterations; randn*0.01 for the 2-layer model only.
    assert_eq!(Preset::Course.options(ModelKind::TwoLayer).init, WeightInit::Scaled(0.01));
    assert_eq!(Preset::Course.options(ModelKind::Deep).init, WeightInit::InverseSqrtFanIn);
    assert_eq!(Preset::Course.options(ModelKind::Deep).num_iterations, 2500);
    assert_eq!("course".parse::<Preset>().unwrap(), Preset::Course);
    assert_eq!("default".parse::<Preset>().unwrap(), Preset::Notes);
    assert!("fast".parse::<Preset>().is_err());
    assert_eq!("two-layer".parse::<ModelKind>().unwrap(), ModelKind::TwoLayer);
    assert!("three-layer".parse::<ModelKind>().is_err());
}
