//! The notebook's checked values: the unit tests' expected outputs (sections 4.2-4.3), the
//! course preset's costs and accuracy (section 4.4), the hidden-layer sweep (section 6) and the
//! logistic-regression baseline (section 3).

use hw2_planar::baseline::{BASELINE_ITERATIONS, BASELINE_LEARNING_RATE, logistic_regression};
use hw2_planar::{
    COURSE_SWEEP_ITERATIONS, COURSE_SWEEP_SIZES, Initialization, Parameters, Preset, TrainedModel,
    accuracy, backward_propagation, compute_cost, forward_propagation, hidden_layer_sweep,
    initialize_parameters, nn_model, sum_rows_like_numpy, update_parameters,
};
use linalg_nn::activations::Activation;
use linalg_nn::data::planar::load_planar_dataset;
use linalg_nn::train::{Iteration, Silent};
use linalg_nn::{DMatrix, NumpyRng};
use std::sync::OnceLock;

fn assert_close(found: &DMatrix<f64>, expected: &DMatrix<f64>, tolerance: f64, what: &str) {
    assert_eq!(found.shape(), expected.shape(), "{what}");
    for (f, e) in found.iter().zip(expected.iter()) {
        assert!((f - e).abs() < tolerance, "{what}: found {found}, expected {expected}");
    }
}

/// The notebook's `backward_propagation_test_case` parameters (those `initialize_parameters`
/// prints) and its inputs `np.random.seed(1); X = randn(2, 3); Y = randn(1, 3) > 0`.
fn test_case() -> (Parameters, DMatrix<f64>, DMatrix<f64>) {
    let parameters = initialize_parameters(2, 4, 1, &Initialization::COURSE).unwrap();
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(2, 3);
    let y = rng.randn(1, 3).map(|v| if v > 0.0 { 1.0 } else { 0.0 });
    (parameters, x, y)
}

#[test]
fn initialize_parameters_matches_the_notebook() {
    // Expected output of the notebook's initialize_parameters(2, 4, 1) cell.
    let p = initialize_parameters(2, 4, 1, &Initialization::COURSE).unwrap();
    let w1 = DMatrix::from_row_slice(
        4,
        2,
        &[
            -0.00416758,
            -0.00056267,
            -0.02136196,
            0.01640271,
            -0.01793436,
            -0.00841747,
            0.00502881,
            -0.01245288,
        ],
    );
    let w2 = DMatrix::from_row_slice(1, 4, &[-0.01057952, -0.00909008, 0.00551454, 0.02292208]);
    assert_close(&p.w1, &w1, 1e-8, "W1");
    assert_close(&p.w2, &w2, 1e-8, "W2");
    assert_eq!(p.b1, DMatrix::zeros(4, 1));
    assert_eq!(p.b2, DMatrix::zeros(1, 1));
}

#[test]
fn forward_cost_and_backward_match_the_notebook_test_cases() {
    let (parameters, x, y) = test_case();
    let cache = forward_propagation(&x, &parameters).unwrap();
    // The cache of backward_propagation_test_case: A2 = [[0.5002307, 0.49985831, 0.50023963]].
    let a2 = DMatrix::from_row_slice(1, 3, &[0.5002307, 0.49985831, 0.50023963]);
    assert_close(&cache.a2, &a2, 1e-8, "A2");
    assert_close(
        &cache.a1.rows(0, 1).into_owned(),
        &DMatrix::from_row_slice(1, 3, &[-0.00616578, 0.0020626, 0.00349619]),
        1e-8,
        "A1 row 0",
    );

    // compute_cost_test_case (Y = randn(1, 3) > 0 after seed 1, the A2 above): 0.693058761...
    // (the notebook prints 0.6930587610394646 with numpy 2.x).
    let cost = compute_cost(&a2, &DMatrix::from_row_slice(1, 3, &[1.0, 0.0, 0.0])).unwrap();
    assert!((cost - 0.6930587610394646).abs() < 1e-15, "{cost}");

    // Expected output of the notebook's backward_propagation cell.
    let grads = backward_propagation(&parameters, &cache, &x, &y).unwrap();
    let dw1 = DMatrix::from_row_slice(
        4,
        2,
        &[
            0.00301023,
            -0.00747267,
            0.00257968,
            -0.00641288,
            -0.00156892,
            0.003893,
            -0.00652037,
            0.01618243,
        ],
    );
    let db1 = DMatrix::from_row_slice(4, 1, &[0.00176201, 0.00150995, -0.00091736, -0.00381422]);
    let dw2 = DMatrix::from_row_slice(1, 4, &[0.00078841, 0.01765429, -0.00084166, -0.01022527]);
    let db2 = DMatrix::from_row_slice(1, 1, &[-0.16655712]);
    assert_close(&grads.dw1, &dw1, 1e-8, "dW1");
    assert_close(&grads.db1, &db1, 1e-8, "db1");
    assert_close(&grads.dw2, &dw2, 1e-8, "dW2");
    assert_close(&grads.db2, &db2, 1e-8, "db2");
}

/// One course-preset run shared by the tests that check it (10000 iterations).
fn course_run() -> &'static (TrainedModel, f64, Vec<Iteration>) {
    static RUN: OnceLock<(TrainedModel, f64, Vec<Iteration>)> = OnceLock::new();
    RUN.get_or_init(|| {
        let flower = load_planar_dataset();
        let mut seen = Vec::new();
        let mut observer = |it: &Iteration| {
            if it.cost.is_some() {
                seen.push(*it);
            }
        };
        let model = nn_model(&flower.x, &flower.y, &Preset::Course.config(), &mut observer)
            .expect("the course preset trains");
        let acc = accuracy(&model.parameters, &flower.x, &flower.y).unwrap();
        (model, acc, seen)
    })
}

#[test]
fn course_preset_costs_match_the_notebook() {
    // The notebook's nn_model(X, Y, n_h = 4, num_iterations = 10000, print_cost=True) with
    // learning rate 1.2, as numpy 2.x prints it (float64), per issue 5. Iterations 8000 and 9000
    // amplify rounding differences (the 2017 notebook printed 0.219454 and 0.218607), hence the
    // looser tolerance there.
    let expected = [
        0.693048, 0.288083, 0.254385, 0.233864, 0.226792, 0.222644, 0.219731, 0.217504, 0.219444,
        0.218555,
    ];
    let (model, _, seen) = course_run();
    assert_eq!(model.costs.len(), expected.len());
    assert_eq!(model.cost_history.len(), 10_000);
    for (k, (found, want)) in model.costs.iter().zip(expected).enumerate() {
        let tolerance = if k * 1000 <= 7000 { 1e-6 } else { 1e-3 };
        assert!(
            (found - want).abs() <= tolerance,
            "cost after iteration {}: found {found:.9}, expected {want}",
            k * 1000
        );
        assert_eq!(model.cost_history[k * 1000], *found);
    }
    // The observer saw exactly the recorded costs, at iterations 0, 1000, ..., 9000.
    let indices: Vec<usize> = seen.iter().map(|it| it.index).collect();
    assert_eq!(indices, (0..10).map(|k| k * 1000).collect::<Vec<_>>());
    assert!(seen.iter().all(|it| it.total == 10_000));
}

#[test]
fn course_preset_accuracy_is_90_75() {
    // The notebook: "Accuracy: 90%" (printed with %d of 90.75); numpy 2.4 gives 90.75.
    let (model, acc, _) = course_run();
    assert_eq!(*acc, 90.75);
    // At learning rate 1.2 the end of training is a two-state cycle: one more step gives the
    // other state (90.5 %, as numpy's iteration 9999 or 10001), the next one 90.75 % again.
    let flower = load_planar_dataset();
    let mut parameters = model.parameters.clone();
    let mut next = Vec::new();
    for _ in 0..2 {
        let cache = forward_propagation(&flower.x, &parameters).unwrap();
        let grads = backward_propagation(&parameters, &cache, &flower.x, &flower.y).unwrap();
        update_parameters(&mut parameters, &grads, 1.2).unwrap();
        next.push(accuracy(&parameters, &flower.x, &flower.y).unwrap());
    }
    assert_eq!(next, [90.5, 90.75]);
}

#[test]
fn row_sums_round_like_numpy() {
    // np.random.seed(0); a = np.random.randn(3, 400); np.sum(a, axis=1) (numpy 2.4), printed
    // with repr. A left-to-right sum gives -47.404410941513696 for row 1.
    let a = NumpyRng::new(0).randn(3, 400);
    let sums = sum_rows_like_numpy(&a);
    let numpy = [-11.420798082325112, -47.40441094151371, 32.78404910751904];
    for (i, want) in numpy.into_iter().enumerate() {
        assert_eq!(sums[(i, 0)], want, "row {i}");
    }
}

#[test]
fn hidden_layer_sweep_matches_the_course() {
    // Section 6 of the notebook, 5000 iterations per size at learning rate 1.2: "Accuracy for 1
    // hidden units: 67.5 %", ... Late iterations at this rate are sensitive to rounding, so
    // within 1 point (numpy 2.4 itself gives 90.5 for n_h = 20).
    let course = [67.5, 67.25, 90.75, 90.5, 91.25, 90.0, 90.25];
    let flower = load_planar_dataset();
    let config = hw2_planar::ModelConfig {
        num_iterations: COURSE_SWEEP_ITERATIONS,
        ..Preset::Course.config()
    };
    let runs =
        hidden_layer_sweep(&flower.x, &flower.y, &COURSE_SWEEP_SIZES, &config, |_| Silent).unwrap();
    let sizes: Vec<usize> = runs.iter().map(|r| r.hidden_units).collect();
    assert_eq!(sizes, COURSE_SWEEP_SIZES);
    for (run, want) in runs.iter().zip(course) {
        assert!(
            (run.accuracy - want).abs() <= 1.0,
            "n_h = {}: accuracy {} %, the course reports {want} %",
            run.hidden_units,
            run.accuracy
        );
        assert_eq!(run.model.cost_history.len(), COURSE_SWEEP_ITERATIONS);
        assert_eq!(run.model.parameters.w1.nrows(), run.hidden_units);
    }
    // The first three sizes are exact (no chaotic late phase at that capacity).
    assert_eq!(runs[0].accuracy, 67.5);
    assert_eq!(runs[1].accuracy, 67.25);
    assert_eq!(runs[2].accuracy, 90.75);
}

#[test]
fn notes_preset_reaches_88_percent() {
    // The study notes' setting (2000 iterations at 0.5, W2 unscaled, seed 2). Golden values
    // from a numpy port of the notebook with that initialisation: first cost 0.684638, last
    // recorded (iteration 1900) 0.284554, accuracy 88.0 %.
    let flower = load_planar_dataset();
    let model = nn_model(&flower.x, &flower.y, &Preset::Notes.config(), &mut Silent).unwrap();
    assert_eq!(model.costs.len(), 20);
    assert!((model.costs[0] - 0.684638).abs() < 1e-6, "{}", model.costs[0]);
    assert!((model.costs[19] - 0.284554).abs() < 1e-6, "{}", model.costs[19]);
    assert_eq!(accuracy(&model.parameters, &flower.x, &flower.y).unwrap(), 88.0);
}

#[test]
fn logistic_regression_baseline_gets_47_percent() {
    // Section 3: "Accuracy of logistic regression: 47 % (percentage of correctly labelled
    // datapoints)" (sklearn's LogisticRegressionCV). hw1's model from zeros converges to the
    // same line: numpy gives cost 0.6731461686 and w = (0.02809092, -0.20318475).
    let flower = load_planar_dataset();
    let lr = logistic_regression(
        &flower.x,
        &flower.y,
        BASELINE_ITERATIONS,
        BASELINE_LEARNING_RATE,
        &mut Silent,
    )
    .unwrap();
    assert_eq!(lr.train_accuracy, 47.0);
    assert!((lr.w[(0, 0)] - 0.02809092).abs() < 1e-8, "{}", lr.w);
    assert!((lr.w[(1, 0)] + 0.20318475).abs() < 1e-8, "{}", lr.w);
    let (_, last) = *lr.costs.last().unwrap();
    assert!((last - 0.6731461686).abs() < 1e-9, "{last}");
}

#[test]
fn every_hidden_activation_learns_the_flower() {
    // Not a course value: the notes' point that any non-linear hidden layer beats the 47 % of a
    // linear classifier. This implementation (notes preset): sigmoid 88.5 %, tanh 88 %, ReLU
    // 72.75 %, leaky ReLU 72.25 % (four ReLU units make a few straight pieces, not petals).
    let flower = load_planar_dataset();
    for activation in Activation::ALL {
        let config = hw2_planar::ModelConfig { activation, ..Preset::Notes.config() };
        let model = nn_model(&flower.x, &flower.y, &config, &mut Silent).unwrap();
        let acc = accuracy(&model.parameters, &flower.x, &flower.y).unwrap();
        assert!(acc > 70.0, "{activation}: {acc} %");
        assert!(model.costs.last() < model.costs.first(), "{activation}: {:?}", model.costs);
    }
}
