//! Behaviour beyond the notebook's numbers: gradient checks of backpropagation for every hidden
//! activation, the decision-boundary mesh, the other data sets, bad input and divergence (on
//! every engine).

use hw2_planar::engines::{self, Engine, hidden_layer_sweep_with, model_with};
use hw2_planar::figures::{GRID_RESOLUTION, decision_grid};
use hw2_planar::{
    Gradients, ModelConfig, Parameters, PlanarError, Preset, accuracy, backward_propagation,
    compute_cost, forward_propagation, hidden_layer_sweep, nn_model, predict,
};
use linalg_nn::activations::Activation;
use linalg_nn::data::planar::{PlanarDataset, load_planar_dataset};
use linalg_nn::gradcheck::{DEFAULT_EPSILON, GradCheckReport, gradient_check};
use linalg_nn::train::{Iteration, Silent};
use linalg_nn::{DMatrix, NnError, NumpyRng};
use test_support::close::assert_prints_as;

/// `gradient_check` of `grads` against central differences of the cost of `parameters` (with
/// their activation) on `x`, `y`.
fn check_gradients(
    parameters: &Parameters,
    grads: &Gradients,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
) -> GradCheckReport {
    let named: Vec<(&str, DMatrix<f64>)> =
        parameters.named().iter().map(|(n, m)| (*n, (*m).clone())).collect();
    gradient_check(&named, &grads.to_vec(), DEFAULT_EPSILON, |p| {
        let candidate = Parameters {
            w1: p[0].clone(),
            b1: p[1].clone(),
            w2: p[2].clone(),
            b2: p[3].clone(),
            activation: parameters.activation,
        };
        compute_cost(&forward_propagation(x, &candidate).unwrap().a2, y).unwrap()
    })
    .unwrap()
}

#[test]
fn backward_propagation_passes_gradient_check_for_every_activation() {
    // Weights of order 1 so that every activation works away from its flat or linear parts, and
    // 3 hidden units on 2 inputs and 6 examples: 13 parameters, each checked numerically.
    let mut rng = NumpyRng::new(7);
    let x = rng.randn(2, 6);
    let y = DMatrix::from_row_slice(1, 6, &[1.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
    let w1 = rng.randn(3, 2);
    let b1 = rng.randn(3, 1) * 0.5;
    let w2 = rng.randn(1, 3);
    let b2 = rng.randn(1, 1) * 0.5;
    for activation in Activation::ALL {
        let parameters = Parameters {
            w1: w1.clone(),
            b1: b1.clone(),
            w2: w2.clone(),
            b2: b2.clone(),
            activation,
        };
        let cache = forward_propagation(&x, &parameters).unwrap();
        let grads = backward_propagation(&parameters, &cache, &x, &y).unwrap();
        let report = check_gradients(&parameters, &grads, &x, &y);
        assert_eq!(report.parameters, 13);
        assert!(report.difference < 1e-7, "{activation}: {report}");
    }
}

#[test]
fn backward_propagation_passes_gradient_check_with_two_outputs() {
    // The notebook has one output unit; the loops are written for any n_y, so check n_y = 2
    // (3 inputs, 4 hidden units: 26 parameters) too.
    let mut rng = NumpyRng::new(11);
    let x = rng.randn(3, 7);
    let y = rng.rand(2, 7).map(|v| if v < 0.5 { 0.0 } else { 1.0 });
    let parameters = Parameters {
        w1: rng.randn(4, 3),
        b1: rng.randn(4, 1) * 0.5,
        w2: rng.randn(2, 4),
        b2: rng.randn(2, 1) * 0.5,
        activation: Activation::Tanh,
    };
    let cache = forward_propagation(&x, &parameters).unwrap();
    let grads = backward_propagation(&parameters, &cache, &x, &y).unwrap();
    // The cost sums both outputs' cross-entropies over the m examples.
    let report = check_gradients(&parameters, &grads, &x, &y);
    assert_eq!(report.parameters, 26);
    assert!(report.difference < 1e-7, "{report}");
}

#[test]
fn gradient_check_catches_a_wrong_derivative() {
    // Guard against a vacuous check: backpropagating tanh's derivative through a ReLU network
    // must fail.
    let mut rng = NumpyRng::new(3);
    let x = rng.randn(2, 5);
    let y = DMatrix::from_row_slice(1, 5, &[1.0, 0.0, 1.0, 1.0, 0.0]);
    let relu = Parameters {
        w1: rng.randn(3, 2),
        b1: DMatrix::zeros(3, 1),
        w2: rng.randn(1, 3),
        b2: DMatrix::zeros(1, 1),
        activation: Activation::Relu,
    };
    let cache = forward_propagation(&x, &relu).unwrap();
    let wrong = Parameters { activation: Activation::Tanh, ..relu.clone() };
    let grads = backward_propagation(&wrong, &cache, &x, &y).unwrap();
    let report = check_gradients(&relu, &grads, &x, &y);
    assert!(report.difference > 1e-3, "{report}");
}

/// One tanh unit computing `x1 - 2 x2 + 1`, output `sigmoid(8 tanh(...))`: class 1 exactly where
/// `x1 - 2 x2 + 1 > 0`, i.e. below the line `x2 = (x1 + 1) / 2`.
fn line_model() -> Parameters {
    Parameters {
        w1: DMatrix::from_row_slice(1, 2, &[1.0, -2.0]),
        b1: DMatrix::from_element(1, 1, 1.0),
        w2: DMatrix::from_element(1, 1, 8.0),
        b2: DMatrix::zeros(1, 1),
        activation: Activation::Tanh,
    }
}

#[test]
fn decision_grid_reproduces_a_known_boundary() {
    let points = DMatrix::from_row_slice(2, 3, &[-3.0, 0.0, 3.0, -1.0, 2.0, 1.0]);
    let n = 60;
    let grid = decision_grid(&line_model(), &points, n).unwrap();
    // The notebook's mesh: from min - 1 to max + 1 on each axis.
    assert_eq!(grid.x_range(), (-4.0, 4.0));
    assert_eq!(grid.y_range(), (-2.0, 3.0));
    assert_eq!(grid.resolution(), n);
    let (step_x, step_y) = (8.0 / n as f64, 5.0 / n as f64);
    let mut ones = 0;
    for iy in 0..n {
        for ix in 0..n {
            let x1 = -4.0 + (ix as f64 + 0.5) * step_x;
            let x2 = -2.0 + (iy as f64 + 0.5) * step_y;
            let expected = u8::from(x1 - 2.0 * x2 + 1.0 > 0.0);
            assert_eq!(grid.class_at(ix, iy), Some(expected), "cell ({ix}, {iy}) = ({x1}, {x2})");
            ones += usize::from(expected);
        }
    }
    // Both regions are present, so the check above saw a boundary.
    assert!(ones > n * n / 5 && ones < n * n * 4 / 5, "{ones}");
}

#[test]
fn decision_grid_rejects_a_network_for_other_inputs() {
    let three_inputs = Parameters { w1: DMatrix::zeros(1, 3), ..line_model() };
    let points = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 0.0, 1.0]);
    let err = decision_grid(&three_inputs, &points, 10).unwrap_err();
    assert!(matches!(err, PlanarError::Nn(NnError::ShapeMismatch { .. })), "{err}");
    assert!(err.to_string().contains("X (n_x rows"), "{err}");
}

#[test]
fn trained_network_boundary_agrees_with_its_predictions() {
    // The flower's boundary grid must classify each point's cell as predict classifies a point
    // at the cell's centre.
    let flower = load_planar_dataset();
    let mut config = ModelConfig::preset(Preset::Course);
    config.num_iterations = 500;
    let model = nn_model(&flower.x, &flower.y, &config, &mut Silent).unwrap();
    let grid = decision_grid(&model.parameters, &flower.x, GRID_RESOLUTION).unwrap();
    let (x0, x1) = grid.x_range();
    let (y0, y1) = grid.y_range();
    let n = GRID_RESOLUTION;
    for (ix, iy) in [(0, 0), (n / 2, n / 3), (n - 1, n - 1), (17, 250)] {
        let centre = DMatrix::from_row_slice(
            2,
            1,
            &[
                x0 + (ix as f64 + 0.5) * (x1 - x0) / n as f64,
                y0 + (iy as f64 + 0.5) * (y1 - y0) / n as f64,
            ],
        );
        let class = predict(&model.parameters, &centre).unwrap()[(0, 0)];
        assert_eq!(grid.class_at(ix, iy), Some(class as u8), "cell ({ix}, {iy})");
    }
}

#[test]
fn bad_configurations_are_refused_before_training() {
    let flower = load_planar_dataset();
    for engine in Engine::ALL {
        let mut calls = 0;
        let mut count = |_: &Iteration| calls += 1;

        let zero_hidden = ModelConfig { hidden_units: 0, ..ModelConfig::preset(Preset::Notes) };
        let err = model_with(engine, &flower.x, &flower.y, &zero_hidden, &mut count).unwrap_err();
        assert!(err.to_string().contains("hidden units (n_h)"), "{engine}: {err}");
        assert!(err.to_string().contains("got 0"), "{engine}: {err}");

        let nan_rate =
            ModelConfig { learning_rate: f64::NAN, ..ModelConfig::preset(Preset::Notes) };
        let err = model_with(engine, &flower.x, &flower.y, &nan_rate, &mut count).unwrap_err();
        assert!(err.to_string().contains("learning rate"), "{engine}: {err}");
        assert!(err.to_string().contains("NaN"), "{engine}: {err}");

        let no_iterations = ModelConfig { num_iterations: 0, ..ModelConfig::preset(Preset::Notes) };
        assert!(model_with(engine, &flower.x, &flower.y, &no_iterations, &mut count).is_err());

        let mismatched = DMatrix::zeros(1, 399);
        let notes = ModelConfig::preset(Preset::Notes);
        let err = model_with(engine, &flower.x, &mismatched, &notes, &mut count).unwrap_err();
        assert!(err.to_string().contains("Y (one label per column of X)"), "{engine}: {err}");

        let sweep = |sizes: &[usize]| {
            hidden_layer_sweep_with(engine, &flower.x, &flower.y, sizes, &notes, |_| Silent)
        };
        let err = sweep(&[4, 0]).unwrap_err();
        assert!(err.to_string().contains("got 0"), "{engine}: {err}");
        assert!(sweep(&[]).is_err());
        assert_eq!(calls, 0, "{engine}: no training iteration may run with a bad configuration");
    }
    // The notebook's own sweep checks every size first too.
    let err = hidden_layer_sweep(
        &flower.x,
        &flower.y,
        &[4, 0],
        &ModelConfig::preset(Preset::Notes),
        |_| Silent,
    )
    .unwrap_err();
    assert!(err.to_string().contains("got 0"), "{err}");
    assert!(
        hidden_layer_sweep(&flower.x, &flower.y, &[], &ModelConfig::preset(Preset::Notes), |_| {
            Silent
        })
        .is_err()
    );
}

#[test]
fn a_huge_learning_rate_stops_with_a_divergence_error() {
    for engine in Engine::ALL {
        diverges_at_a_huge_learning_rate(engine);
    }
}

fn diverges_at_a_huge_learning_rate(engine: Engine) {
    let flower = load_planar_dataset();
    let config = ModelConfig { learning_rate: 1e6, ..ModelConfig::preset(Preset::Notes) };
    let mut reported = Vec::new();
    let mut observer = |it: &Iteration| reported.extend(it.cost);
    let err = model_with(engine, &flower.x, &flower.y, &config, &mut observer).unwrap_err();
    let NnError::Diverged { iteration, cost, learning_rate } = err.clone() else {
        panic!("{engine}: expected a divergence, got {err}");
    };
    assert!(!cost.is_finite());
    assert_eq!(learning_rate, 1e6);
    assert!(iteration < config.num_iterations, "{iteration}");
    let message = err.to_string();
    assert!(message.contains("diverged at iteration"), "{message}");
    assert!(message.contains("smaller --learning-rate"), "{message}");
    // Every cost the observer was shown is finite: nothing NaN is ever reported as progress.
    assert!(reported.iter().all(|c| c.is_finite()), "{reported:?}");
    assert!(PlanarError::from(err.clone()).is_divergence());

    // Without every iteration's cost (`--no-plots`) the divergence is caught at the same
    // iteration, with the same cost.
    let lean = ModelConfig { every_cost: false, ..config };
    let lean_err = model_with(engine, &flower.x, &flower.y, &lean, &mut Silent).unwrap_err();
    assert_eq!(lean_err.to_string(), err.to_string());
}

#[test]
fn other_datasets_train_as_in_numpy_and_deterministically() {
    // The notebook leaves these as an exercise; the data sets are generated by
    // `PlanarDataset::generate`, which `numpy-reference/hw2_planar.py` ports to numpy. First and
    // last recorded cost and the accuracy as `python3 hw2_planar.py --preset notes --dataset
    // NAME` prints them (the same on every OpenBLAS kernel tried). The structured sets are
    // learnt, while "no structure" stays at chance.
    let config = ModelConfig::preset(Preset::Notes);
    for (dataset, first, last, numpy_accuracy) in [
        (PlanarDataset::NoisyCircles, "0.694386", "0.464628", 76.5),
        (PlanarDataset::NoisyMoons, "0.678640", "0.301644", 87.0),
        (PlanarDataset::Blobs, "0.764273", "0.004968", 100.0),
        (PlanarDataset::GaussianQuantiles, "0.693851", "0.103693", 95.5),
        (PlanarDataset::NoStructure, "0.693387", "0.692278", 52.0),
    ] {
        let data = dataset.generate(config.init.seed);
        assert_eq!(data.m(), 200, "{dataset}");
        assert_eq!(data, dataset.generate(config.init.seed), "{dataset} is deterministic");
        let model = engines::model(&data.x, &data.y, &config, &mut Silent).unwrap();
        assert_eq!(model.costs.len(), 20, "{dataset}");
        assert_prints_as(model.costs[0], first, &format!("{dataset}: cost after iteration 0"));
        assert_prints_as(model.costs[19], last, &format!("{dataset}: cost after iteration 1900"));
        let acc = accuracy(&data.x, &data.y, &model.parameters).unwrap();
        assert_eq!(acc, numpy_accuracy, "{dataset}");
        let again = engines::model(&data.x, &data.y, &config, &mut Silent).unwrap();
        assert_eq!(again.parameters, model.parameters, "{dataset}: training is deterministic");
    }
}
