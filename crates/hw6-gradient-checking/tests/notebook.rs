//! The "Gradient Checking" notebook's Expected Output, cell by cell: the 1-D check (both
//! notebook versions' `x`), the N-dimensional check with the planted bugs and without them, the
//! parameter each bug makes worst, gc_utils' vector round trip, and the errors of bad input.
//!
//! Golden values name their source: the notebook's Expected Output, or
//! `python3 numpy-reference/hw6_gradient_checking.py --digits --backprop NAME` (run from that
//! folder), which prints every cost, gradient and norm with all its digits.

use hw6_gradient_checking::{
    BLOCKS, Backprop, NUM_PARAMETERS, backward_propagation_n, dictionary_to_vector,
    forward_propagation_n, gradient_check, gradient_check_n, gradient_check_n_test_case,
    gradients_to_vector, notebook_check, vector_to_dictionary,
};
use linalg_nn::DMatrix;
use linalg_nn::gradcheck::DEFAULT_EPSILON;
use test_support::close::assert_matrix_close;

#[test]
fn one_dimensional_check_matches_both_notebooks() {
    // Expected Output: "Your backward propagation works perfectly fine! difference =
    // 7.814075313343006e-11" (x, theta = 3, 4). The older notebook (x = 2) shows
    // 2.9193358103083e-10 in its Expected Output table; numpy 2.4 prints 2.919335883291695e-10:
    // 2.919336e-10 to seven significant digits either way.
    let report = gradient_check(3.0, 4.0, DEFAULT_EPSILON).unwrap();
    assert_eq!(report.difference, 7.814075313343006e-11);
    assert!(report.passed());
    assert_eq!(report.grad, [3.0]);
    assert_eq!(report.gradapprox, [2.9999999995311555]);
    let older = gradient_check(2.0, 4.0, DEFAULT_EPSILON).unwrap();
    assert_eq!(older.difference, 2.919335883291695e-10);
    assert_eq!(format!("{:.6e}", older.difference), "2.919336e-10");
}

#[test]
fn buggy_backpropagation_is_caught_with_the_notebooks_difference() {
    // Expected Output: "There is a mistake in the backward propagation! difference =
    // 0.2850931567761623"; the worst entry from hw6_gradient_checking.py: index 20 (b1),
    // grad 2.5316314879024926, gradapprox 0.6329079460520859.
    let report = notebook_check(Backprop::Buggy, DEFAULT_EPSILON).unwrap();
    assert_eq!(report.difference, 0.2850931567761623);
    assert_eq!(format!("{:.6}", report.difference), "0.285093");
    assert!(!report.passed());
    assert_eq!(report.parameters, NUM_PARAMETERS);
    let worst = &report.worst;
    assert_eq!((worst.name.as_str(), worst.position, worst.index), ("b1", (0, 0), 20));
    assert_eq!((worst.analytic, worst.numeric), (2.5316314879024926, 0.6329079460520859));
    // db1 is 4 times too large: |4g - g| / (|4g| + |g|) = 3/5 over b1; dW2 twice: 1/3.
    let block = |name: &str| report.blocks.iter().find(|b| b.name == name).unwrap().difference;
    assert!((block("b1") - 0.6).abs() < 1e-6, "{}", block("b1"));
    assert!((block("W2") - 1.0 / 3.0).abs() < 1e-6, "{}", block("W2"));
    assert!(block("W1") < 1e-6 && block("b2") < 1e-6 && block("W3") < 1e-6);
}

#[test]
fn fixed_backpropagation_passes_with_the_notebooks_difference() {
    // The notebook's accepted values are [0.2850931567761623, 1.1890913024229996e-07]: the
    // second with both bugs fixed, "Your backward propagation works perfectly fine!".
    let report = notebook_check(Backprop::Fixed, DEFAULT_EPSILON).unwrap();
    assert_eq!(report.difference, 1.1890913024229996e-07);
    assert_eq!(format!("{:.6e}", report.difference), "1.189091e-7");
    assert!(report.passed());
    // hw6_gradient_checking.py --backprop fixed: worst index 7 (W1[1, 3]), grad
    // -0.07674312151045774, gradapprox -0.07674277435754107.
    assert_eq!(report.worst.to_string(), "W1[1, 3]");
    assert_eq!(report.worst.index, 7);
    assert_eq!(report.worst.numeric, -0.07674277435754107);
}

#[test]
fn each_planted_bug_is_found_on_its_own() {
    // hw6_gradient_checking.py --backprop dw2: 0.17344196893145924, worst index 35 (W2[2, 0]);
    // --backprop db1: 0.2544229712458523, worst index 20 (b1[0, 0]).
    let dw2 = notebook_check(Backprop::Dw2, DEFAULT_EPSILON).unwrap();
    assert_eq!(dw2.difference, 0.17344196893145924);
    assert!(!dw2.passed());
    assert_eq!((dw2.worst.to_string(), dw2.worst.index), ("W2[2, 0]".to_string(), 35));
    let db1 = notebook_check(Backprop::Db1, DEFAULT_EPSILON).unwrap();
    assert_eq!(db1.difference, 0.2544229712458523);
    assert!(!db1.passed());
    assert_eq!(db1.worst.to_string(), "b1[0, 0]");
}

#[test]
fn cost_and_gradients_match_numpy_bit_for_bit() {
    // hw6_gradient_checking.py --digits --backprop fixed: "cost 2.407833389834357" and the first
    // gradients; every gradapprox rests on this cost's last bits.
    let (x, y, parameters) = gradient_check_n_test_case();
    let (cost, cache) = forward_propagation_n(&x, &y, &parameters).unwrap();
    assert_eq!(cost, 2.407833389834357);
    let gradients = backward_propagation_n(&x, &y, &cache, &parameters, Backprop::Fixed).unwrap();
    let grad = gradients_to_vector(&gradients);
    assert_eq!(
        grad[..4],
        [-0.37347778780965, -1.4790321603097862, 0.17596142534290177, -1.3368503644957601]
    );
    // An unfused product rounds grad[1] to -1.4790321603097865 instead.
    assert_eq!(grad.len(), NUM_PARAMETERS);
}

#[test]
fn dictionary_to_vector_and_back() {
    let (_, _, parameters) = gradient_check_n_test_case();
    let (theta, keys) = dictionary_to_vector(&parameters);
    assert_eq!(theta.len(), 47);
    // The keys run W1 x20, b1 x5, W2 x15, b2 x3, W3 x3, b3 x1, as BLOCKS says.
    let mut expected = Vec::new();
    for (name, (rows, cols)) in BLOCKS {
        expected.extend(std::iter::repeat_n(name, rows * cols));
    }
    assert_eq!(keys, expected);
    // Row by row, as numpy's reshape(-1, 1): theta[4] is W1[1, 0], theta[25 + 5] is W2[1, 0].
    assert_eq!(theta[4], parameters.w1[(1, 0)]);
    assert_eq!(theta[30], parameters.w2[(1, 0)]);
    assert_eq!(theta[46], parameters.b3[(0, 0)]);
    assert_eq!(vector_to_dictionary(&theta).unwrap(), parameters);
    // The test case's first draws (np.random.seed(1); randn(4, 3)): X[0] = [1.62434536,
    // -0.61175641, -0.52817175].
    let (x, _, _) = gradient_check_n_test_case();
    assert_matrix_close(
        &x.rows(0, 1).into_owned(),
        &DMatrix::from_row_slice(1, 3, &[1.62434536, -0.61175641, -0.52817175]),
        1e-8,
        "X[0]",
    );
}

#[test]
fn bad_input_is_a_clear_error() {
    let message = gradient_check(3.0, 4.0, -1e-7).unwrap_err().to_string();
    assert!(message.contains("epsilon") && message.contains("positive"), "{message}");
    let message = gradient_check(f64::NAN, 4.0, 1e-7).unwrap_err().to_string();
    assert!(message.contains('x') && message.contains("NaN"), "{message}");
    let message = notebook_check(Backprop::Fixed, f64::NAN).unwrap_err().to_string();
    assert!(message.contains("epsilon"), "{message}");
    let message = vector_to_dictionary(&[0.0; 48]).unwrap_err().to_string();
    assert!(message.contains("47") && message.contains("48"), "{message}");
    // Another network than the notebook's 4-5-3-1 is refused by gradient_check_n.
    let (x, y, mut parameters) = gradient_check_n_test_case();
    let (_, cache) = forward_propagation_n(&x, &y, &parameters).unwrap();
    let gradients = backward_propagation_n(&x, &y, &cache, &parameters, Backprop::Fixed).unwrap();
    parameters.w1 = DMatrix::zeros(5, 2);
    let message = gradient_check_n(&parameters, &gradients, &x, &y, 1e-7).unwrap_err().to_string();
    assert!(message.contains("4-5-3-1"), "{message}");
    // Labels that do not fit X.
    let (x, _, parameters) = gradient_check_n_test_case();
    let short = DMatrix::from_row_slice(1, 2, &[1.0, 0.0]);
    let message = forward_propagation_n(&x, &short, &parameters).unwrap_err().to_string();
    assert!(message.contains("Y (one label per column of X)"), "{message}");
}
