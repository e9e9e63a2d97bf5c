//! The "Initialization" notebook's Expected Output, cell by cell: the three initialisers' test
//! cells, the three trained models (costs at the printed precision, accuracies exactly), the
//! gradients of backward_propagation against a numerical gradient of compute_loss, and the
//! errors of bad input.
//!
//! Golden values name their source: the notebook's Expected Output, or
//! `python3 numpy-reference/hw4_initialization.py --init NAME` (run from that folder), which
//! prints the same numbers and every cost line in between.

use hw4_initialization::{
    Initialization, LEARNING_RATE, NUM_ITERATIONS, Parameters, accuracy, backward_propagation,
    compute_loss, forward_propagation, initialize_parameters_he, initialize_parameters_random,
    initialize_parameters_zeros, load_dataset, model,
};
use linalg_nn::DMatrix;
use linalg_nn::gradcheck::{DEFAULT_EPSILON, gradient_check};
use linalg_nn::train::Silent;
use test_support::close::{assert_all_print_as, assert_close, assert_matrix_close};

/// The notebook's `model(train_X, train_Y, initialization = init)`: its costs and its
/// train / test accuracies as `predict` prints them.
fn notebook_run(init: Initialization) -> (Vec<(usize, f64)>, f64, f64) {
    let data = load_dataset();
    let trained =
        model(&data.train.x, &data.train.y, LEARNING_RATE, NUM_ITERATIONS, init, &mut Silent)
            .unwrap();
    let train = accuracy(&data.train.x, &data.train.y, &trained.parameters).unwrap();
    let test = accuracy(&data.test.x, &data.test.y, &trained.parameters).unwrap();
    (trained.costs, train, test)
}

fn costs_only(costs: &[(usize, f64)]) -> Vec<f64> {
    costs.iter().map(|&(_, c)| c).collect()
}

#[test]
fn he_initialization_reaches_the_notebooks_accuracy() {
    let (costs, train, test) = notebook_run(Initialization::He);
    let iterations: Vec<usize> = costs.iter().map(|&(i, _)| i).collect();
    assert_eq!(iterations, (0..15).map(|k| k * 1000).collect::<Vec<_>>());
    // Expected Output: "Cost after iteration 0: 0.8830537463419761", ..., "14000:
    // 0.07357895962677366"; the lines between from `hw4_initialization.py --init he`.
    assert_all_print_as(
        &costs_only(&costs),
        &[
            "0.883054", "0.687983", "0.675129", "0.652612", "0.608296", "0.530494", "0.413865",
            "0.311780", "0.236962", "0.185973", "0.150156", "0.123251", "0.099177", "0.084571",
            "0.073579",
        ],
        "He costs",
    );
    // "On the train set: Accuracy: 0.993333333333", "On the test set: Accuracy: 0.96".
    assert_eq!((train, test), (298.0 / 300.0, 0.96));
}

#[test]
fn zero_initialization_never_breaks_symmetry() {
    let (costs, train, test) = notebook_run(Initialization::Zeros);
    // Expected Output: "Cost after iteration 0: 0.6931471805599453" on every line: with every
    // weight zero the output is sigmoid(0) = 0.5 and no gradient reaches the hidden layers.
    // Only b3 moves, by the rounding of a sum that is zero (numpy, too, prints
    // 0.6931471805599455 on two of the lines).
    assert_all_print_as(&costs_only(&costs), &["0.693147"; 15], "zero-initialisation costs");
    assert!(costs.iter().all(|&(_, c)| (c - std::f64::consts::LN_2).abs() < 1e-15), "{costs:?}");
    assert_eq!((train, test), (0.5, 0.5));
}

#[test]
fn large_random_initialization_starts_at_an_infinite_cost() {
    let (costs, train, test) = notebook_run(Initialization::Random);
    // Expected Output: "Cost after iteration 0: inf" (a sigmoid saturated at exactly 1 on a
    // label 0), then a slow descent; "On the train set: Accuracy: 0.83", "On the test set:
    // Accuracy: 0.86".
    assert_eq!(costs[0], (0, f64::INFINITY));
    assert_eq!((train, test), (0.83, 0.86));
    // The later costs depend on the last bits of saturated sigmoids (copies of the notebook
    // disagree in the third decimal): `hw4_initialization.py --init random` prints
    // 0.6244196071819332 at 1000 and 0.3827475248529389 at 14000.
    assert_close(costs[1].1, 0.6244196071819332, 5e-3, "cost at 1000");
    assert_close(costs[14].1, 0.3827475248529389, 5e-3, "cost at 14000");
}

#[test]
fn initializers_match_the_notebooks_test_cells() {
    // initialize_parameters_zeros([3, 2, 1]): W1 = [[0, 0, 0], [0, 0, 0]], b1 = [[0], [0]].
    let zeros = initialize_parameters_zeros(&[3, 2, 1, 1]).unwrap();
    assert_eq!(zeros.w1, DMatrix::zeros(2, 3));
    assert_eq!(zeros.b1, DMatrix::zeros(2, 1));
    // initialize_parameters_random([3, 2, 1]): W1 = [[17.88628473, 4.36509851, 0.96497468],
    // [-18.63492703, -2.77388203, -3.54758979]], W2 = [[-0.82741481, -6.27000677]].
    let random = initialize_parameters_random(&[3, 2, 1, 1]).unwrap();
    let w1 = DMatrix::from_row_slice(
        2,
        3,
        &[17.88628473, 4.36509851, 0.96497468, -18.63492703, -2.77388203, -3.54758979],
    );
    assert_matrix_close(&random.w1, &w1, 1e-8, "random W1");
    assert_matrix_close(
        &random.w2,
        &DMatrix::from_row_slice(1, 2, &[-0.82741481, -6.27000677]),
        1e-8,
        "random W2",
    );
    // initialize_parameters_he([2, 4, 1]): W1 = [[1.78862847, 0.43650985], [0.09649747,
    // -1.8634927], [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]],
    // W2 = [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]].
    let he = initialize_parameters_he(&[2, 4, 1, 1]).unwrap();
    let w1 = DMatrix::from_row_slice(
        4,
        2,
        &[
            1.78862847,
            0.43650985,
            0.09649747,
            -1.8634927,
            -0.2773882,
            -0.35475898,
            -0.08274148,
            -0.62700068,
        ],
    );
    assert_matrix_close(&he.w1, &w1, 1e-8, "He W1");
    let w2 = DMatrix::from_row_slice(1, 4, &[-0.03098412, -0.33744411, -0.92904268, 0.62552248]);
    assert_matrix_close(&he.w2, &w2, 1e-8, "He W2");
    assert_eq!(he.b2, DMatrix::zeros(1, 1));
}

#[test]
fn backward_propagation_is_the_gradient_of_compute_loss() {
    // He weights on 20 of the circles, moved off the initialisation by 200 steps so that every
    // ReLU unit is active on some points and no point sits on a kink.
    let data = load_dataset();
    let x = data.train.x.columns(0, 20).into_owned();
    let y = data.train.y.columns(0, 20).into_owned();
    let trained = model(&x, &y, 0.05, 200, Initialization::He, &mut Silent).unwrap();
    let p = trained.parameters;
    let cache = forward_propagation(&x, &p).unwrap();
    let grads = backward_propagation(&x, &y, &cache, &p).unwrap();
    let report =
        gradient_check(&p.to_named_vec(), &grads.parameter_gradients(), DEFAULT_EPSILON, |m| {
            compute_loss(&forward_propagation(&x, &Parameters::from_matrices(m)).unwrap().a3, &y)
                .unwrap()
        })
        .unwrap();
    assert!(report.difference < 1e-7, "{report:?}");
    assert_eq!(report.parameters, 10 * 2 + 10 + 5 * 10 + 5 + 5 + 1);
}

#[test]
fn bad_input_is_a_clear_error() {
    let data = load_dataset();
    let (x, y) = (&data.train.x, &data.train.y);
    let err = |r: Result<hw4_initialization::TrainedModel, linalg_nn::NnError>| {
        r.unwrap_err().to_string()
    };
    let short_y = y.columns(0, 299).into_owned();
    let message = err(model(x, &short_y, 0.01, 10, Initialization::He, &mut Silent));
    assert!(message.contains("Y (one label per column of X)"), "{message}");
    assert!(message.contains("(1, 300)") && message.contains("(1, 299)"), "{message}");
    let mut nan_x = x.clone();
    nan_x[(1, 7)] = f64::NAN;
    let message = err(model(&nan_x, y, 0.01, 10, Initialization::He, &mut Silent));
    assert!(message.contains('X') && message.contains("NaN"), "{message}");
    let message = err(model(x, y, 0.01, 0, Initialization::He, &mut Silent));
    assert!(message.contains("number of iterations"), "{message}");
    let message = initialize_parameters_he(&[2, 4, 1]).unwrap_err().to_string();
    assert!(message.contains("[n_x, n1, n2, 1]") && message.contains("[2, 4, 1]"), "{message}");
    // A learning rate far too large: the parameters overflow and the run stops with the
    // iteration and a hint, instead of training on NaN.
    let message = err(model(x, y, 1e300, 10, Initialization::He, &mut Silent));
    assert!(message.contains("diverged at iteration"), "{message}");
}
