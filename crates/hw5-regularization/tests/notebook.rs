//! The "Regularization" notebook's Expected Output, cell by cell: the three trained models (costs
//! at the printed precision, accuracies exactly), the dropout run with fresh masks, the graded
//! cells' test cases, the gradients of the regularised and dropout backward passes against a
//! numerical gradient, and the errors of bad input.
//!
//! Golden values name their source: the notebook's Expected Output, or
//! `python3 numpy-reference/hw5_regularization.py --reg NAME --every-cost` (run from that folder,
//! with DL_COURSE_DATA set), which prints the cost every 1000 iterations with every digit.
//!
//! The data is the course's file: these tests read `$DL_COURSE_DATA` or the workspace's
//! `datasets/` folder and fail (they do not skip) without it, naming `cargo xtask fetch-data`.

use hw5_regularization::{
    Cache, DropoutMasks, Football, Gradients, KEEP_PROB, LAMBD, LEARNING_RATE, MaskSchedule,
    NUM_ITERATIONS, Parameters, Regularization, accuracy, backward_propagation,
    backward_propagation_with_dropout_into, backward_propagation_with_regularization, compute_cost,
    compute_cost_with_regularization, forward_propagation, forward_propagation_with_dropout,
    forward_propagation_with_dropout_into, load_2d_dataset, model,
};
use linalg_nn::gradcheck::{DEFAULT_EPSILON, gradient_check};
use linalg_nn::train::Silent;
use linalg_nn::{DMatrix, NumpyRng};
use test_support::close::{assert_all_print_as, assert_matrix_close, assert_prints_as};

fn football() -> Football {
    load_2d_dataset(&linalg_nn::data::default_data_dir())
        .unwrap_or_else(|e| panic!("these tests need the course's data.mat: {e}"))
}

/// The notebook's `model(train_X, train_Y, ...)`: its costs every 1000 iterations and its
/// train / test accuracies as `predict` prints them.
fn notebook_run(regularization: Regularization) -> (Vec<f64>, f64, f64) {
    let data = football();
    let trained = model(
        &data.train.x,
        &data.train.y,
        LEARNING_RATE,
        NUM_ITERATIONS,
        regularization,
        &mut Silent,
    )
    .unwrap();
    let iterations: Vec<usize> = trained.costs.iter().map(|&(i, _)| i).collect();
    assert_eq!(iterations, (0..30).map(|k| k * 1000).collect::<Vec<_>>());
    let train = accuracy(&data.train.x, &data.train.y, &trained.parameters).unwrap();
    let test = accuracy(&data.test.x, &data.test.y, &trained.parameters).unwrap();
    (trained.costs.iter().map(|&(_, c)| c).collect(), train, test)
}

#[test]
fn without_regularization_the_model_overfits_as_the_notebook_shows() {
    let (costs, train, test) = notebook_run(Regularization::None);
    // Expected Output: "Cost after iteration 0: 0.6557412523481002", "10000:
    // 0.16329987525724216", "20000: 0.13851642423255986"; the lines between from
    // `hw5_regularization.py --reg none --every-cost`.
    assert_all_print_as(
        &costs,
        &[
            "0.655741", "0.222267", "0.202887", "0.182515", "0.180540", "0.176205", "0.168327",
            "0.165836", "0.163127", "0.159426", "0.163300", "0.160986", "0.157645", "0.152136",
            "0.148437", "0.147964", "0.146349", "0.146344", "0.143351", "0.139365", "0.138516",
            "0.141187", "0.136293", "0.131519", "0.130323", "0.132854", "0.128148", "0.132638",
            "0.126784", "0.124088",
        ],
        "costs without regularization",
    );
    // "On the training set: Accuracy: 0.947867298578", "On the test set: Accuracy: 0.915".
    assert_eq!((train, test), (200.0 / 211.0, 0.915));
}

#[test]
fn l2_regularization_reaches_the_notebooks_costs_and_accuracy() {
    let (costs, train, test) = notebook_run(Regularization::l2(LAMBD).unwrap());
    // Expected Output: "Cost after iteration 0: 0.6974484493131264", "10000:
    // 0.2684918873282239", "20000: 0.2680916337127301"; the others from `--reg l2`.
    assert_all_print_as(
        &costs,
        &[
            "0.697448", "0.273046", "0.269858", "0.269508", "0.269265", "0.269043", "0.268897",
            "0.268775", "0.268673", "0.268560", "0.268492", "0.268414", "0.268370", "0.268318",
            "0.268267", "0.268220", "0.268169", "0.268152", "0.268133", "0.268089", "0.268092",
            "0.268038", "0.268060", "0.267829", "0.267895", "0.267943", "0.267854", "0.267916",
            "0.267895", "0.267826",
        ],
        "costs with L2",
    );
    // "On the train set: Accuracy: 0.938388625592", "On the test set: Accuracy: 0.93".
    assert_eq!((train, test), (198.0 / 211.0, 0.93));
}

#[test]
fn dropout_reaches_the_notebooks_costs_and_accuracy() {
    let (costs, train, test) =
        notebook_run(Regularization::dropout(KEEP_PROB, MaskSchedule::Notebook).unwrap());
    // Expected Output: "Cost after iteration 0: 0.6543912405149825", "10000:
    // 0.0610169865749056", "20000: 0.060582435798513114"; the others from `--reg dropout`.
    assert_all_print_as(
        &costs,
        &[
            "0.654391", "0.175978", "0.103967", "0.076613", "0.067199", "0.064669", "0.062410",
            "0.061879", "0.061433", "0.061192", "0.061017", "0.060932", "0.060826", "0.060863",
            "0.060835", "0.060665", "0.060649", "0.060626", "0.060659", "0.060597", "0.060582",
            "0.060559", "0.060579", "0.060565", "0.060504", "0.060502", "0.060522", "0.060473",
            "0.060472", "0.060486",
        ],
        "costs with dropout",
    );
    // "On the train set: Accuracy: 0.928909952607", "On the test set: Accuracy: 0.95".
    assert_eq!((train, test), (196.0 / 211.0, 0.95));
}

#[test]
fn dropout_with_fresh_masks_is_noisier_and_fits_less() {
    let (costs, train, test) =
        notebook_run(Regularization::dropout(KEEP_PROB, MaskSchedule::Fresh).unwrap());
    // `hw5_regularization.py --reg dropout --dropout-masks fresh --every-cost`: the first
    // iteration draws the notebook's masks, the others new ones; the cost no longer decreases
    // steadily (a different network is trained at every step).
    assert_all_print_as(
        &costs,
        &[
            "0.654391", "0.253581", "0.254546", "0.231005", "0.202211", "0.225121", "0.196119",
            "0.214413", "0.173510", "0.171130", "0.197078", "0.190124", "0.170432", "0.214616",
            "0.151596", "0.204235", "0.172723", "0.179892", "0.170427", "0.172190", "0.172427",
            "0.175883", "0.161255", "0.168025", "0.184039", "0.147376", "0.177382", "0.200727",
            "0.170401", "0.171786",
        ],
        "costs with fresh dropout masks",
    );
    // Our run (`hw5-regularization --reg dropout --dropout-masks fresh`): 201 / 211 and 187 /
    // 200, as numpy ends on this machine. The noisy descent amplifies the last bits of the
    // products (summing each gradient over the examples in one chain instead of two halves
    // ended at 200 / 211 and 186 / 200), and one point of each set sits that close to the
    // boundary.
    assert_eq!((train, test), (201.0 / 211.0, 0.935));
}

#[test]
fn graded_cells_match_their_test_cases() {
    // testCases.compute_cost_with_regularization_test_case(): np.random.seed(1), Y = [[1, 1, 0,
    // 1, 0]], W1 = randn(2, 3), b1 = randn(2, 1), W2 = randn(3, 2), b2 = randn(3, 1),
    // W3 = randn(1, 3), b3 = randn(1, 1), a3 = [[0.40682402, 0.01629284, 0.16722898, 0.10118111,
    // 0.40682402]]; Expected Output: "cost = 1.78648594516" (lambd = 0.1).
    let mut rng = NumpyRng::new(1);
    let y = DMatrix::from_row_slice(1, 5, &[1.0, 1.0, 0.0, 1.0, 0.0]);
    let p = test_case_parameters(&mut rng);
    let a3 = DMatrix::from_row_slice(
        1,
        5,
        &[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402],
    );
    let cost = compute_cost_with_regularization(&a3, &y, &p, 0.1).unwrap();
    assert_prints_as(cost, "1.786486", "compute_cost_with_regularization");
    // numpy gives 1.7864859451590758 (hw5_regularization.py's function on the same input).
    assert!((cost - 1.7864859451590758).abs() < 1e-15, "{cost}");

    // forward_propagation_with_dropout_test_case(): np.random.seed(1), X = randn(3, 5), then the
    // parameters as above; Expected Output with keep_prob = 0.7:
    // "A3 = [[0.36974721 0.00305176 0.04565099 0.49683389 0.36974721]]".
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(3, 5);
    let p = test_case_parameters(&mut rng);
    let pass = forward_propagation_with_dropout(&x, &p, 0.7).unwrap();
    let expected = DMatrix::from_row_slice(
        1,
        5,
        &[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721],
    );
    assert_matrix_close(&pass.cache.a3, &expected, 1e-8, "A3 with dropout");
}

/// W1 (2, 3), b1 (2, 1), W2 (3, 2), b2 (3, 1), W3 (1, 3), b3 (1, 1), drawn in that order.
fn test_case_parameters(rng: &mut NumpyRng) -> Parameters {
    Parameters {
        w1: rng.randn(2, 3),
        b1: rng.randn(2, 1),
        w2: rng.randn(3, 2),
        b2: rng.randn(3, 1),
        w3: rng.randn(1, 3),
        b3: rng.randn(1, 1),
    }
}

/// 25 football points and the parameters after 300 steps without regularisation, so that every
/// ReLU unit is active somewhere and no point sits on a kink.
fn gradient_check_setting() -> (DMatrix<f64>, DMatrix<f64>, Parameters) {
    let data = football();
    let x = data.train.x.columns(0, 25).into_owned();
    let y = data.train.y.columns(0, 25).into_owned();
    let trained = model(&x, &y, 0.3, 300, Regularization::None, &mut Silent).unwrap();
    (x, y, trained.parameters)
}

#[test]
fn backward_propagation_is_the_gradient_of_compute_cost() {
    let (x, y, p) = gradient_check_setting();
    let cache = forward_propagation(&x, &p).unwrap();
    let grads = backward_propagation(&x, &y, &cache, &p).unwrap();
    let report =
        gradient_check(&p.to_named_vec(), &grads.parameter_gradients(), DEFAULT_EPSILON, |m| {
            compute_cost(&forward_propagation(&x, &Parameters::from_matrices(m)).unwrap().a3, &y)
                .unwrap()
        })
        .unwrap();
    assert!(report.difference < 1e-7, "{report:?}");
}

#[test]
fn backward_propagation_with_regularization_is_the_gradient_of_the_regularised_cost() {
    let (x, y, p) = gradient_check_setting();
    let cache = forward_propagation(&x, &p).unwrap();
    let grads = backward_propagation_with_regularization(&x, &y, &cache, &p, LAMBD).unwrap();
    let report =
        gradient_check(&p.to_named_vec(), &grads.parameter_gradients(), DEFAULT_EPSILON, |m| {
            let p = Parameters::from_matrices(m);
            let a3 = forward_propagation(&x, &p).unwrap().a3;
            compute_cost_with_regularization(&a3, &y, &p, LAMBD).unwrap()
        })
        .unwrap();
    assert!(report.difference < 1e-7, "{report:?}");
    assert_eq!(report.parameters, 20 * 2 + 20 + 3 * 20 + 3 + 3 + 1);
}

#[test]
fn backward_propagation_with_dropout_is_the_gradient_with_the_masks_held_fixed() {
    let (x, y, p) = gradient_check_setting();
    let keep_prob = 0.8;
    let mut masks = DropoutMasks::zeros([2, 20, 3, 1], x.ncols());
    masks.draw(&mut NumpyRng::new(1), keep_prob);
    assert!(masks.d1.iter().any(|&d| d == 0.0) && masks.d2.iter().any(|&d| d == 0.0));
    let pass = |p: &Parameters| {
        let mut cache = Cache::zeros([2, 20, 3, 1], x.ncols());
        forward_propagation_with_dropout_into(&x, p, &masks, keep_prob, &mut cache).unwrap();
        cache
    };
    let cache = pass(&p);
    let mut grads = Gradients::zeros([2, 20, 3, 1], x.ncols());
    backward_propagation_with_dropout_into(&x, &y, &cache, &masks, &p, keep_prob, &mut grads)
        .unwrap();
    let report =
        gradient_check(&p.to_named_vec(), &grads.parameter_gradients(), DEFAULT_EPSILON, |m| {
            compute_cost(&pass(&Parameters::from_matrices(m)).a3, &y).unwrap()
        })
        .unwrap();
    assert!(report.difference < 1e-7, "{report:?}");
}

#[test]
fn bad_input_is_a_clear_error() {
    let data = football();
    let (x, y) = (&data.train.x, &data.train.y);
    let err = |r: Result<hw5_regularization::TrainedModel, linalg_nn::NnError>| {
        r.unwrap_err().to_string()
    };
    let short_y = y.columns(0, 210).into_owned();
    let message = err(model(x, &short_y, 0.3, 10, Regularization::None, &mut Silent));
    assert!(message.contains("Y (one label per column of X)"), "{message}");
    assert!(message.contains("(1, 211)") && message.contains("(1, 210)"), "{message}");
    let l2 = Regularization::L2 { lambd: f64::NAN };
    assert!(err(model(x, y, 0.3, 10, l2, &mut Silent)).contains("lambd"));
    let dropout = Regularization::Dropout { keep_prob: 0.0, masks: MaskSchedule::Notebook };
    let message = err(model(x, y, 0.3, 10, dropout, &mut Silent));
    assert!(message.contains("keep_prob") && message.contains("(0, 1]"), "{message}");
    let message = Regularization::l2(-0.5).unwrap_err().to_string();
    assert!(message.contains("lambd") && message.contains(">= 0") && message.contains("-0.5"));
    let message =
        forward_propagation_with_dropout(x, &test_case_parameters(&mut NumpyRng::new(1)), 0.5)
            .unwrap_err()
            .to_string();
    assert!(message.contains("X (n_x rows"), "{message}");
    let message = err(model(x, y, 1e300, 10, Regularization::None, &mut Silent));
    assert!(message.contains("diverged at iteration"), "{message}");
}
