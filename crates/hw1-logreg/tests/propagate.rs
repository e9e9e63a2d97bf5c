//! The notebook's unit cells (sections 4.2 to 4.4) on hand-made inputs: `initialize_with_zeros`,
//! `propagate` (with a gradient check), `optimize`, `predict`, and how bad input is refused.

use hw1_logreg::{
    Classification, Hw1Error, initialize_with_zeros, model, optimize, predict, predict_proba,
    propagate,
};
use linalg_nn::gradcheck::{DEFAULT_EPSILON, gradient_check};
use linalg_nn::train::{Iteration, Silent};
use linalg_nn::{NnError, NumpyRng};
use nalgebra::DMatrix;

/// The notebook's test inputs for `propagate` and `optimize`: w = [[1],[2]], b = 2,
/// X = [[1,2],[3,4]], Y = [[1,0]].
fn notebook_case() -> (DMatrix<f64>, f64, DMatrix<f64>, DMatrix<f64>) {
    (
        DMatrix::from_row_slice(2, 1, &[1.0, 2.0]),
        2.0,
        DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]),
        DMatrix::from_row_slice(1, 2, &[1.0, 0.0]),
    )
}

fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: expected {expected}, got {actual} (tolerance {tolerance})"
    );
}

#[test]
fn initialize_with_zeros_gives_course_shapes() {
    let (w, b) = initialize_with_zeros(12288);
    assert_eq!(w.shape(), (12288, 1));
    assert!(w.iter().all(|&v| v == 0.0));
    assert_eq!(b, 0.0);
}

#[test]
fn propagate_matches_notebook_expected_output() {
    // Expected output of the notebook's `propagate` cell (issue 4):
    // dw = [[0.99993216], [1.99980262]], db = 0.499935230625, cost = 6.00006477319.
    let (w, b, x, y) = notebook_case();
    let (grads, cost) = propagate(&w, b, &x, &y).unwrap();
    assert_eq!(grads.dw.shape(), (2, 1));
    assert_close(grads.dw[(0, 0)], 0.99993216, 5e-9, "dw[0]");
    assert_close(grads.dw[(1, 0)], 1.99980262, 5e-9, "dw[1]");
    assert_close(grads.db, 0.499935230625, 5e-13, "db");
    assert_close(cost, 6.00006477319, 5e-12, "cost");
}

/// Runs the course's gradient check on `propagate` at (w, b) for data (x, y).
fn check_propagate(w: &DMatrix<f64>, b: f64, x: &DMatrix<f64>, y: &DMatrix<f64>) -> f64 {
    let (grads, _) = propagate(w, b, x, y).unwrap();
    let b_matrix = DMatrix::from_element(1, 1, b);
    let report = gradient_check(
        &[("w", w.clone()), ("b", b_matrix)],
        &[grads.dw, DMatrix::from_element(1, 1, grads.db)],
        DEFAULT_EPSILON,
        |p| propagate(&p[0], p[1][(0, 0)], x, y).map_or(f64::NAN, |(_, cost)| cost),
    )
    .unwrap();
    assert!(report.passed(), "{report}");
    report.difference
}

#[test]
fn propagate_passes_the_gradient_check() {
    // Not at the notebook's test point: there A = 0.999995 for a y = 0 example, and 1 - A
    // loses so many digits that central differences of J are only good to ~1e-5.
    let x = DMatrix::from_row_slice(2, 3, &[1.0, -2.0, -1.0, 3.0, 0.5, -3.2]);
    let y = DMatrix::from_row_slice(1, 3, &[1.0, 1.0, 0.0]);
    let w = DMatrix::from_row_slice(2, 1, &[0.3, -0.2]);
    assert!(check_propagate(&w, 0.1, &x, &y) < 1e-7);

    // A larger random problem: 5 features, 12 examples, seeded like the notebooks.
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(5, 12);
    let y = rng.rand(1, 12).map(|v| if v > 0.5 { 1.0 } else { 0.0 });
    let w = rng.randn(5, 1) * 0.5;
    assert!(check_propagate(&w, -0.3, &x, &y) < 1e-7);
}

#[test]
fn gradient_check_catches_a_gradient_without_one_over_m() {
    // Guards the check above: the classic mistake (forgetting 1/m) must fail it.
    let (w, b, x, y) = notebook_case();
    let (grads, _) = propagate(&w, b, &x, &y).unwrap();
    let m = x.ncols() as f64;
    let report = gradient_check(
        &[("w", w.clone()), ("b", DMatrix::from_element(1, 1, b))],
        &[&grads.dw * m, DMatrix::from_element(1, 1, grads.db * m)],
        DEFAULT_EPSILON,
        |p| propagate(&p[0], p[1][(0, 0)], &x, &y).map_or(f64::NAN, |(_, cost)| cost),
    )
    .unwrap();
    assert!(!report.passed(), "{report}");
}

#[test]
fn optimize_matches_notebook_expected_output() {
    // Expected output of the notebook's `optimize` cell (100 iterations, learning rate 0.009):
    // w = [[0.1124579], [0.23106775]], b = 1.55930492484, dw = [[0.90158428], [1.76250842]],
    // db = 0.430462071679; cross-checked with a numpy port of the notebook.
    let (w, b, x, y) = notebook_case();
    let (params, grads, costs) = optimize(&w, b, &x, &y, 100, 0.009, &mut Silent).unwrap();
    assert_close(params.w[(0, 0)], 0.1124579, 5e-8, "w[0]");
    assert_close(params.w[(1, 0)], 0.23106775, 5e-9, "w[1]");
    assert_close(params.b, 1.55930492484, 5e-12, "b");
    assert_close(grads.dw[(0, 0)], 0.90158428, 5e-9, "dw[0]");
    assert_close(grads.dw[(1, 0)], 1.76250842, 5e-9, "dw[1]");
    assert_close(grads.db, 0.430462071679, 5e-13, "db");
    // Only iteration 0 is recorded in 100 iterations, and its cost is propagate's.
    assert_eq!(costs.len(), 1);
    assert_eq!(costs[0].0, 0);
    assert_close(costs[0].1, 6.00006477319, 5e-12, "cost at iteration 0");
    // The caller's w is not modified (the notebook deep-copies it).
    assert_eq!(w, notebook_case().0);
}

#[test]
fn optimize_matches_the_newer_notebook_cell() {
    // The 2021 version of the notebook tests optimize on w = [[1],[2]], b = 1.5,
    // X = [[1,-2,-1],[3,0.5,-3.2]], Y = [[1,1,0]]: w = [[0.80956046], [2.0508202]],
    // b = 1.5948713189708588, dw = [[0.17860505], [-0.04840656]], db = -0.08888460336847771,
    // costs = [0.15900538].
    let w = DMatrix::from_row_slice(2, 1, &[1.0, 2.0]);
    let x = DMatrix::from_row_slice(2, 3, &[1.0, -2.0, -1.0, 3.0, 0.5, -3.2]);
    let y = DMatrix::from_row_slice(1, 3, &[1.0, 1.0, 0.0]);
    let (params, grads, costs) = optimize(&w, 1.5, &x, &y, 100, 0.009, &mut Silent).unwrap();
    assert_close(params.w[(0, 0)], 0.80956046, 5e-9, "w[0]");
    assert_close(params.w[(1, 0)], 2.0508202, 5e-8, "w[1]");
    assert_close(params.b, 1.5948713189708588, 1e-13, "b");
    assert_close(grads.dw[(0, 0)], 0.17860505, 5e-9, "dw[0]");
    assert_close(grads.dw[(1, 0)], -0.04840656, 5e-9, "dw[1]");
    assert_close(grads.db, -0.08888460336847771, 1e-14, "db");
    assert_close(costs[0].1, 0.15900538, 5e-9, "cost");
}

#[test]
fn optimize_reports_every_iteration_and_records_every_hundredth_cost() {
    let (w, b, x, y) = notebook_case();
    let mut seen: Vec<Iteration> = Vec::new();
    let mut observer = |it: &Iteration| seen.push(*it);
    let (_, _, costs) = optimize(&w, b, &x, &y, 250, 0.009, &mut observer).unwrap();
    assert_eq!(seen.len(), 250);
    assert!(seen.iter().enumerate().all(|(i, it)| it.index == i && it.total == 250));
    let with_cost: Vec<(usize, f64)> =
        seen.iter().filter_map(|it| it.cost.map(|c| (it.index, c))).collect();
    assert_eq!(with_cost, costs);
    assert_eq!(costs.iter().map(|c| c.0).collect::<Vec<_>>(), vec![0, 100, 200]);
    assert!(costs[0].1 > costs[1].1 && costs[1].1 > costs[2].1, "{costs:?}");
}

#[test]
fn predict_matches_notebook_and_thresholds_strictly_above_half() {
    // Expected output of the notebook's `predict` cell: [[1. 1. 0.]].
    let w = DMatrix::from_row_slice(2, 1, &[0.1124579, 0.23106775]);
    let x = DMatrix::from_row_slice(2, 3, &[1.0, -1.1, -3.2, 1.2, 2.0, 0.1]);
    assert_eq!(predict(&w, -0.3, &x).unwrap(), DMatrix::from_row_slice(1, 3, &[1.0, 1.0, 0.0]));
    // The probabilities behind it, from a numpy port: sigmoid(w^T X + b).
    let a = predict_proba(&w, -0.3, &x).unwrap();
    for (got, expected) in
        a.iter().zip([0.5224197562625682, 0.5096067700926029, 0.34597965087838745])
    {
        assert_close(*got, expected, 1e-15, "A");
    }

    // Hand-made: z = x1 - x2 + 0; exactly 0.5 is predicted 0 (the notebook tests A > 0.5).
    let w = DMatrix::from_row_slice(2, 1, &[1.0, -1.0]);
    let x = DMatrix::from_row_slice(2, 4, &[3.0, 0.0, 2.0, 500.0, 3.0, 1.0, 0.0, -500.0]);
    assert_eq!(predict(&w, 0.0, &x).unwrap(), DMatrix::from_row_slice(1, 4, &[0.0, 0.0, 1.0, 1.0]));
    assert_eq!(Classification::from_probability(0.5).label, 0);
    assert_eq!(Classification::from_probability(0.5000001).class_name(), "cat");
}

#[test]
fn invalid_hyperparameters_are_rejected_with_a_clear_message() {
    let (w, b, x, y) = notebook_case();
    let message =
        |epochs, rate| optimize(&w, b, &x, &y, epochs, rate, &mut Silent).unwrap_err().to_string();
    assert!(message(0, 0.01).contains("must be at least 1, got 0"));
    assert!(message(10, f64::NAN).contains("must be a positive finite number, got NaN"));
    assert!(message(10, -0.5).contains("must be a positive finite number, got -0.5"));
    assert!(message(10, 0.0).contains("learning rate"));
    let err = model(&x, &y, &x, &y, 0, 0.01, &mut Silent).unwrap_err();
    assert!(matches!(err, Hw1Error::Nn(NnError::InvalidArgument { .. })), "{err}");
}

#[test]
fn wrong_shapes_and_bad_values_are_named() {
    let (w, b, x, y) = notebook_case();
    let err = propagate(&DMatrix::zeros(3, 1), b, &x, &y).unwrap_err().to_string();
    assert_eq!(
        err,
        "shape mismatch for w against X (one weight per row of X): expected (2, 1), found (3, 1)"
    );
    let err = propagate(&w, b, &x, &DMatrix::zeros(1, 3)).unwrap_err().to_string();
    assert!(err.contains("Y against X") && err.contains("expected (1, 2), found (1, 3)"), "{err}");
    let err = propagate(&w, b, &DMatrix::zeros(2, 0), &DMatrix::zeros(1, 0)).unwrap_err();
    assert!(err.to_string().contains("no examples"), "{err}");

    let mut with_nan = x.clone();
    with_nan[(1, 0)] = f64::NAN;
    let err = optimize(&w, b, &with_nan, &y, 10, 0.01, &mut Silent).unwrap_err().to_string();
    assert_eq!(err, "invalid X: must contain only finite numbers, found NaN at (1, 0)");
    let err = model(&x, &y, &x, &DMatrix::zeros(1, 5), 10, 0.01, &mut Silent).unwrap_err();
    assert!(err.to_string().contains("Y_test against X_test"), "{err}");
}

#[test]
fn a_diverging_learning_rate_stops_with_advice() {
    // With alpha = 1e6 the first step saturates the sigmoid on a wrongly classified example,
    // so the cost of iteration 1 is infinite (numpy prints inf there).
    let (w, b, x, y) = notebook_case();
    let err = optimize(&w, b, &x, &y, 10, 1e6, &mut Silent).unwrap_err();
    assert!(
        matches!(err, Hw1Error::Nn(NnError::Diverged { iteration: 1, .. })),
        "unexpected error: {err}"
    );
    assert!(err.to_string().contains("smaller --learning-rate"), "{err}");
}
