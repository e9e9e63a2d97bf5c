//! The notebook's unit cells (sections 4.2 to 4.4) on hand-made inputs: `initialize_with_zeros`,
//! `propagate` (with a gradient check), `optimize`, `predict`, and how bad input is refused.
//! Each golden is pinned at the precision its source prints: the notebook's expected output, and
//! every digit of `numpy-reference/hw1_logreg.py --unit-cases` (the same cells in plain numpy,
//! each float printed with `repr`).

use hw1_logreg::{
    Classification, Hw1Error, initialize_with_zeros, model, optimize, predict,
    predict_probabilities, propagate,
};
use linalg_nn::gradcheck::{DEFAULT_EPSILON, gradient_check};
use linalg_nn::train::{Iteration, Silent};
use linalg_nn::{NnError, NumpyRng};
use nalgebra::DMatrix;
use test_support::close::{assert_all_print_as, assert_prints_as};

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

#[test]
fn initialize_with_zeros_gives_course_shapes() {
    let (w, b) = initialize_with_zeros(12288);
    assert_eq!(w.shape(), (12288, 1));
    assert!(w.iter().all(|&v| v == 0.0));
    assert_eq!(b, 0.0);
}

#[test]
fn propagate_matches_notebook_expected_output() {
    // Expected output of the notebook's `propagate` cell (issue 4), as printed:
    // dw = [[0.99993216] [1.99980262]], db = 0.499935230625, cost = 6.00006477319.
    let (w, b, x, y) = notebook_case();
    let (grads, cost) = propagate(&w, b, &x, &y).unwrap();
    assert_eq!(grads.dw.shape(), (2, 1));
    assert_all_print_as(grads.dw.as_slice(), &["0.99993216", "1.99980262"], "dw");
    assert_prints_as(grads.db, "0.499935230625", "db");
    assert_prints_as(cost, "6.00006477319", "cost");
}

#[test]
fn propagate_matches_the_numpy_reference_in_every_printed_digit() {
    // numpy-reference: python3 hw1_logreg.py --unit-cases (its first block, every float in full).
    let (w, b, x, y) = notebook_case();
    let (grads, cost) = propagate(&w, b, &x, &y).unwrap();
    assert_all_print_as(grads.dw.as_slice(), &["0.9999321585374046", "1.9998026197868162"], "dw");
    assert_prints_as(grads.db, "0.49993523062470574", "db");
    assert_prints_as(cost, "6.000064773192205", "cost");
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
    // w = [[0.1124579 ] [0.23106775]], b = 1.55930492484, dw = [[0.90158428] [1.76250842]],
    // db = 0.430462071679. numpy prints arrays with eight decimals and drops trailing zeros, so
    // its "0.1124579" is 0.11245790 to eight decimals.
    let (w, b, x, y) = notebook_case();
    let (params, grads, costs) = optimize(&w, b, &x, &y, 100, 0.009, &mut Silent).unwrap();
    assert_all_print_as(params.w.as_slice(), &["0.11245790", "0.23106775"], "w");
    assert_prints_as(params.b, "1.55930492484", "b");
    assert_all_print_as(grads.dw.as_slice(), &["0.90158428", "1.76250842"], "dw");
    assert_prints_as(grads.db, "0.430462071679", "db");
    // Only iteration 0 is recorded in 100 iterations, and its cost is propagate's.
    assert_eq!(costs.len(), 1);
    assert_eq!(costs[0].0, 0);
    assert_prints_as(costs[0].1, "6.00006477319", "cost at iteration 0");
    // The caller's w is not modified (the notebook deep-copies it).
    assert_eq!(w, notebook_case().0);
}

#[test]
fn optimize_matches_the_numpy_reference_in_every_printed_digit() {
    // numpy-reference: python3 hw1_logreg.py --unit-cases (its second block: the notebook's
    // cell above, every float in full).
    let (w, b, x, y) = notebook_case();
    let (params, grads, costs) = optimize(&w, b, &x, &y, 100, 0.009, &mut Silent).unwrap();
    assert_all_print_as(params.w.as_slice(), &["0.1124578970863514", "0.2310677467761294"], "w");
    assert_prints_as(params.b, "1.5593049248448891", "b");
    assert_all_print_as(grads.dw.as_slice(), &["0.9015842801285687", "1.7625084234859343"], "dw");
    assert_prints_as(grads.db, "0.4304620716786828", "db");
    assert_prints_as(costs[0].1, "6.000064773192205", "cost at iteration 0");
}

/// The inputs of the 2021 notebook's `optimize` cell: w = [[1],[2]], b = 1.5,
/// X = [[1,-2,-1],[3,0.5,-3.2]], Y = [[1,1,0]].
fn newer_notebook_case() -> (DMatrix<f64>, f64, DMatrix<f64>, DMatrix<f64>) {
    (
        DMatrix::from_row_slice(2, 1, &[1.0, 2.0]),
        1.5,
        DMatrix::from_row_slice(2, 3, &[1.0, -2.0, -1.0, 3.0, 0.5, -3.2]),
        DMatrix::from_row_slice(1, 3, &[1.0, 1.0, 0.0]),
    )
}

#[test]
fn optimize_matches_the_newer_notebook_cell() {
    // Expected output of the 2021 notebook's `optimize` cell (100 iterations at 0.009), as
    // printed: w = [[0.80956046] [2.0508202 ]] (eight decimals, the trailing zero dropped),
    // b = 1.5948713189708588, dw = [[ 0.17860505] [-0.04840656]], db = -0.08888460336847771,
    // costs = [0.15900538].
    let (w, b, x, y) = newer_notebook_case();
    let (params, grads, costs) = optimize(&w, b, &x, &y, 100, 0.009, &mut Silent).unwrap();
    assert_all_print_as(params.w.as_slice(), &["0.80956046", "2.05082020"], "w");
    assert_prints_as(params.b, "1.5948713189708588", "b");
    assert_all_print_as(grads.dw.as_slice(), &["0.17860505", "-0.04840656"], "dw");
    assert_prints_as(grads.db, "-0.08888460336847771", "db");
    assert_eq!(costs.len(), 1);
    assert_prints_as(costs[0].1, "0.15900538", "cost");
}

#[test]
fn optimize_matches_the_numpy_reference_on_the_newer_cell_in_every_printed_digit() {
    // numpy-reference: python3 hw1_logreg.py --unit-cases (its third block, every float in
    // full).
    let (w, b, x, y) = newer_notebook_case();
    let (params, grads, costs) = optimize(&w, b, &x, &y, 100, 0.009, &mut Silent).unwrap();
    assert_all_print_as(params.w.as_slice(), &["0.8095604646163251", "2.050820199511423"], "w");
    assert_prints_as(params.b, "1.5948713189708588", "b");
    assert_all_print_as(grads.dw.as_slice(), &["0.1786050467423819", "-0.0484065552697953"], "dw");
    assert_prints_as(grads.db, "-0.08888460336847771", "db");
    assert_prints_as(costs[0].1, "0.15900537707692405", "cost");
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
    // The probabilities behind it, sigmoid(w^T X + b), in every digit numpy prints:
    // numpy-reference: python3 hw1_logreg.py --unit-cases (its last line, "A = ...").
    let a = predict_probabilities(&w, -0.3, &x).unwrap();
    assert_all_print_as(
        a.as_slice(),
        &["0.5224197562625682", "0.5096067700926029", "0.34597965087838745"],
        "A",
    );

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
