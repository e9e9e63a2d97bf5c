//! The "Optimization Methods" notebook's Expected Output, cell by cell: the update rules' test
//! cells, random_mini_batches (its test cell and the model's partition of the moons), the seven
//! trained models (costs every 1000 epochs at the printed precision, the learning rates printed
//! under decay, the accuracies exactly), the gradients of backward_propagation on a mini-batch
//! against a numerical gradient of compute_cost, and the errors of bad input.
//!
//! Golden values name their source: the notebook's Expected Output, or
//! `python3 numpy-reference/hw7_optimization.py` (run from that folder), which prints the same
//! numbers and keeps every 100th cost (`--json`).

use hw7_optimization::{
    Adam, Decay, Optimizer, Parameters, Settings, TrainedModel, accuracy, backward_propagation,
    compute_cost, forward_propagation, gd_step, initialize_adam, initialize_parameters,
    initialize_velocity, load_dataset, model, momentum_step, random_mini_batches,
    schedule_lr_decay, update_lr, update_parameters_with_adam, update_parameters_with_momentum,
};
use linalg_nn::gradcheck::{DEFAULT_EPSILON, gradient_check};
use linalg_nn::train::Silent;
use linalg_nn::{DMatrix, NumpyRng};
use test_support::close::{assert_all_print_as, assert_matrix_close};

/// The notebook's call for `optimizer` and `decay`: its costs every 1000 epochs, its rates
/// after those epochs and the accuracy `predict` prints.
fn notebook_run(optimizer: Optimizer, decay: Decay) -> (Vec<f64>, Vec<f64>, f64) {
    let data = load_dataset();
    let settings = Settings::notebook_with_decay(optimizer, decay);
    let trained = model(&data.x, &data.y, &settings, &mut Silent).unwrap();
    let every_1000 = |pairs: &[(usize, f64)]| -> Vec<f64> {
        pairs.iter().filter(|(i, _)| i % 1000 == 0).map(|&(_, v)| v).collect()
    };
    let accuracy = accuracy(&data.x, &data.y, &trained.parameters).unwrap();
    (every_1000(&trained.costs), every_1000(&trained.learning_rates), accuracy)
}

#[test]
fn mini_batch_gradient_descent_momentum_and_adam() {
    // Expected Output (sections 5.1-5.3): "Cost after epoch 0: 0.702405", ..., and "Accuracy:
    // 0.7166666666666667" for gradient descent and momentum, "Accuracy: 0.9433333333333334"
    // for Adam.
    let runs = [
        (Optimizer::Gd, ["0.702405", "0.668101", "0.635288", "0.600491", "0.573367"], 215.0),
        (Optimizer::Momentum, ["0.702413", "0.668167", "0.635388", "0.600591", "0.573444"], 215.0),
        (Optimizer::Adam, ["0.702166", "0.167845", "0.141316", "0.138788", "0.136066"], 283.0),
    ];
    for (optimizer, costs, correct) in runs {
        let (printed, rates, accuracy) = notebook_run(optimizer, Decay::None);
        assert_all_print_as(&printed, &costs, optimizer.name());
        assert!(rates.iter().all(|&r| r == 0.0007), "{optimizer}: {rates:?}");
        assert_eq!(accuracy, correct / 300.0, "{optimizer}");
    }
}

#[test]
fn learning_rate_decay_runs() {
    // Expected Output (section 7): the costs and "learning rate after epoch i" lines of the
    // four decay runs, and their accuracies 0.6533333333333333, 0.9433333333333334,
    // 0.9533333333333334 and 0.94.
    let update = ["0.100000", "0.000100", "0.000050", "0.000033", "0.000025"];
    let schedule = ["0.100000", "0.050000", "0.033333", "0.025000", "0.020000"];
    let schedule_adam = ["0.010000", "0.005000", "0.003333", "0.002500", "0.002000"];
    let runs = [
        (
            Optimizer::Gd,
            Decay::Update,
            ["0.701091", "0.661884", "0.658620", "0.656765", "0.655486"],
            update,
            196.0,
        ),
        (
            Optimizer::Gd,
            Decay::Schedule,
            ["0.701091", "0.127161", "0.120304", "0.117033", "0.117512"],
            schedule,
            283.0,
        ),
        (
            Optimizer::Momentum,
            Decay::Schedule,
            ["0.702226", "0.128974", "0.125965", "0.123375", "0.123218"],
            schedule,
            286.0,
        ),
        (
            Optimizer::Adam,
            Decay::Schedule,
            ["0.699346", "0.130074", "0.129826", "0.129282", "0.128361"],
            schedule_adam,
            282.0,
        ),
    ];
    for (optimizer, decay, costs, rates, correct) in runs {
        let label = format!("{optimizer} with {decay}");
        let (printed, printed_rates, accuracy) = notebook_run(optimizer, decay);
        assert_all_print_as(&printed, &costs, &label);
        assert_all_print_as(&printed_rates, &rates, &label);
        assert_eq!(accuracy, correct / 300.0, "{label}");
    }
}

#[test]
fn decay_functions_match_the_notebooks_cells() {
    // update_lr_test: update_lr(1, 2, 1) = 0.3333333333333333; schedule_lr_decay_test:
    // schedule_lr_decay(1, 100, 1, 100) = 0.5, schedule_lr_decay(1, 10, 1, 100) = 1.
    assert_eq!(update_lr(1.0, 2, 1.0), 0.3333333333333333);
    assert_eq!(schedule_lr_decay(1.0, 100, 1.0, 100), 0.5);
    assert_eq!(schedule_lr_decay(1.0, 10, 1.0, 100), 1.0);
    // The model's rates: after epoch 1000, 0.1 / 1001 (printed 0.000100) and 0.1 / 2.
    assert_eq!(update_lr(0.1, 1000, 1.0), 0.1 / 1001.0);
    assert_eq!(schedule_lr_decay(0.1, 1999, 1.0, 1000), 0.05);
}

/// `update_parameters_with_momentum_test_case()` (and gd's, Adam's): `np.random.seed(1)`, then
/// `W1 (2, 3)`, `b1 (2, 1)`, `W2 (3, 3)`, `b2 (3, 1)` and their gradients, drawn in that order.
fn two_layer_case() -> (Vec<DMatrix<f64>>, Vec<DMatrix<f64>>) {
    let mut rng = NumpyRng::new(1);
    let shapes = [(2, 3), (2, 1), (3, 3), (3, 1)];
    let parameters = shapes.iter().map(|&(r, c)| rng.randn(r, c)).collect();
    let grads = shapes.iter().map(|&(r, c)| rng.randn(r, c)).collect();
    (parameters, grads)
}

#[test]
fn update_rules_match_the_notebooks_test_cells() {
    // update_parameters_with_gd(parameters, grads, 0.01): W1 = [[1.63535156, -0.62320365,
    // -0.53718766], [-1.07799357, 0.85639907, -2.29470142]], b2 = [[-0.88020257],
    // [0.02561572], [0.57539477]] (every digit from hw7_optimization.py's functions).
    let (mut p, g) = two_layer_case();
    for (w, dw) in p.iter_mut().zip(&g) {
        gd_step(w, dw, 0.01);
    }
    let w1 = [
        1.6353515554353708,
        -0.6232036507484715,
        -0.5371876594693836,
        -1.077993565545189,
        0.8563990698320344,
        -2.2947014182885392,
    ];
    assert_eq!(p[0], DMatrix::from_row_slice(2, 3, &w1));
    let b2 = [-0.8802025748995427, 0.025615724944494125, 0.5753947721100489];
    assert_eq!(p[3], DMatrix::from_row_slice(3, 1, &b2));

    // update_parameters_with_momentum(parameters, grads, v, beta = 0.9, learning_rate = 0.01):
    // W1 = [[1.62544598, -0.61290114, -0.52907334], [-1.07347112, 0.86450677, -2.30085497]],
    // v["dW1"] = [[-0.11006192, 0.11447237, 0.09015907], [0.05024943, 0.09008559, -0.06837279]].
    let (mut p, g) = two_layer_case();
    let mut v: Vec<DMatrix<f64>> = p.iter().map(|m| m.map(|_| 0.0)).collect();
    for ((w, dw), v) in p.iter_mut().zip(&g).zip(&mut v) {
        momentum_step(w, dw, v, 0.9, 0.01);
    }
    let w1 = [
        1.6254459828404546,
        -0.612901137359915,
        -0.5290733429840485,
        -1.0734711164950723,
        0.8645067733754142,
        -2.3008549690211084,
    ];
    assert_eq!(p[0], DMatrix::from_row_slice(2, 3, &w1));
    let v_dw1 = [
        -0.1100619177212921,
        0.11447237098396139,
        0.09015907205927953,
        0.05024943389018681,
        0.09008559492644116,
        -0.0683727859174333,
    ];
    assert_eq!(v[0], DMatrix::from_row_slice(2, 3, &v_dw1));

    // update_parameters_with_adam(parameters, grads, v, s, t = 2, learning_rate = 0.02,
    // beta1 = 0.8, beta2 = 0.888, epsilon = 1e-2): W1 = [[1.63942428, -0.6268425,
    // -0.54320974], [-1.08782943, 0.85036983, -2.2865723]], b2 = [[-0.89228024],
    // [0.02707193], [0.56782561]], s["dW1"] = [[0.13567261, 0.14676395, 0.09104097],
    // [0.02828006, 0.09089264, 0.05235818]].
    let (mut p, g) = two_layer_case();
    let mut v: Vec<DMatrix<f64>> = p.iter().map(|m| m.map(|_| 0.0)).collect();
    let mut s = v.clone();
    let adam = Adam::new(2, 0.8, 0.888, 1e-2).unwrap();
    for (((w, dw), v), s) in p.iter_mut().zip(&g).zip(&mut v).zip(&mut s) {
        adam.step(w, dw, v, s, 0.02);
    }
    let w1 = [
        1.639424282075354,
        -0.6268424990180875,
        -0.5432097379151726,
        -1.0878294290106922,
        0.850369827794223,
        -2.286572299182693,
    ];
    assert_eq!(p[0], DMatrix::from_row_slice(2, 3, &w1));
    let b2 = [-0.8922802400762183, 0.027071928209959982, 0.5678256085947565];
    assert_eq!(p[3], DMatrix::from_row_slice(3, 1, &b2));
    let s_dw1 = [
        0.13567260820387095,
        0.14676394564932455,
        0.09104097267541206,
        0.028280062790383666,
        0.09089264142840946,
        0.052358183966045066,
    ];
    assert_matrix_close(&s[0], &DMatrix::from_row_slice(2, 3, &s_dw1), 1e-17, "s[dW1]");
}

#[test]
fn random_mini_batches_matches_the_notebooks_test_cell() {
    // random_mini_batches_test_case(): np.random.seed(1); X = randn(12288, 148);
    // Y = randn(1, 148) < 0.5; batches of 64 with the default seed 0. Expected Output:
    // "shape of the 1st mini_batch_X: (12288, 64)", 2nd (12288, 64), 3rd (12288, 20), the
    // Y's (1, 64), (1, 64), (1, 20), "mini batch sanity check: [ 0.90085595 -0.7612069
    // 0.2344157 ]" (mini_batches[0][0][0][0:3]).
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(12288, 148);
    let y = rng.randn(1, 148).map(|v| if v < 0.5 { 1.0 } else { 0.0 });
    let batches = random_mini_batches(&x, &y, 64, 0).unwrap();
    let shapes: Vec<_> = batches.iter().map(|b| (b.x.shape(), b.y.shape())).collect();
    assert_eq!(shapes, [((12288, 64), (1, 64)), ((12288, 64), (1, 64)), ((12288, 20), (1, 20))]);
    let first = &batches[0].x;
    assert_eq!(
        [first[(0, 0)], first[(0, 1)], first[(0, 2)]],
        [0.9008559492644118, -0.7612069008951028, 0.23441569781709215]
    );
    // mini_batches[0][1][0][0:3] from hw7_optimization.py's random_mini_batches.
    assert_eq!(batches[0].y.columns(0, 3), DMatrix::from_row_slice(1, 3, &[1.0, 0.0, 1.0]));
}

#[test]
fn the_models_partition_of_the_moons() {
    // Epoch 0 shuffles after np.random.seed(11): np.random.permutation(300)[:6] = [174, 113,
    // 86, 239, 12, 252]; batches [0:64], ..., [256:300]; every point once.
    let data = load_dataset();
    let batches = random_mini_batches(&data.x, &data.y, 64, 11).unwrap();
    let sizes: Vec<usize> = batches.iter().map(|b| b.x.ncols()).collect();
    assert_eq!(sizes, [64, 64, 64, 64, 44]);
    for (k, column) in [174, 113, 86, 239, 12, 252].into_iter().enumerate() {
        assert_eq!(batches[0].x.column(k), data.x.column(column), "column {k}");
        assert_eq!(batches[0].y[(0, k)], data.y[(0, column)]);
    }
    let total: f64 = batches.iter().map(|b| b.x.sum()).sum();
    assert!((total - data.x.sum()).abs() < 1e-9);
    // Epoch 1, seed 12: [224, 136, 67, ...].
    let next = random_mini_batches(&data.x, &data.y, 64, 12).unwrap();
    assert_eq!(next[0].x.column(0), data.x.column(224));
    // One batch of everything, and batches of one.
    assert_eq!(random_mini_batches(&data.x, &data.y, 300, 11).unwrap().len(), 1);
    assert_eq!(random_mini_batches(&data.x, &data.y, 1, 11).unwrap().len(), 300);
}

/// The parameters as gradient_check takes them, and back.
fn flatten(p: &Parameters) -> Vec<(&'static str, DMatrix<f64>)> {
    p.named().iter().map(|(name, m)| (*name, (*m).clone())).collect()
}

fn rebuild(m: &[DMatrix<f64>]) -> Parameters {
    let [w1, b1, w2, b2, w3, b3] = m else { panic!("six matrices") };
    let (w1, b1, w2, b2, w3, b3) =
        (w1.clone(), b1.clone(), w2.clone(), b2.clone(), w3.clone(), b3.clone());
    Parameters { w1, b1, w2, b2, w3, b3 }
}

#[test]
fn backward_propagation_is_the_gradient_of_the_mini_batch_cost() {
    // Adam for 300 epochs moves the He weights so that the ReLU units are active on some
    // points; then the first mini-batch of the next epoch. dz3 = (1/m)(a3 - Y) is the gradient
    // of the mean cost, compute_cost / m.
    let data = load_dataset();
    let settings = Settings { num_epochs: 300, ..Settings::notebook(Optimizer::Adam) };
    let trained: TrainedModel = model(&data.x, &data.y, &settings, &mut Silent).unwrap();
    let batch = &random_mini_batches(&data.x, &data.y, 64, 311).unwrap()[0];
    let p = &trained.parameters;
    let cache = forward_propagation(&batch.x, p).unwrap();
    let grads = backward_propagation(&batch.x, &batch.y, &cache, p).unwrap();
    let cost = |p: &Parameters| {
        compute_cost(&forward_propagation(&batch.x, p).unwrap().a3, &batch.y).unwrap() / 64.0
    };
    let report = gradient_check(
        &flatten(p),
        &[grads.dw1, grads.db1, grads.dw2, grads.db2, grads.dw3, grads.db3],
        DEFAULT_EPSILON,
        |m| cost(&rebuild(m)),
    )
    .unwrap();
    assert!(report.difference < 1e-7, "{report}");
    assert_eq!(report.parameters, 5 * 2 + 5 + 2 * 5 + 2 + 2 + 1);
}

#[test]
fn bad_input_is_a_clear_error() {
    let data = load_dataset();
    let (x, y) = (&data.x, &data.y);
    let run = |settings: Settings| model(x, y, &settings, &mut Silent).unwrap_err().to_string();
    let adam = Settings { num_epochs: 10, ..Settings::notebook(Optimizer::Adam) };

    let message = run(Settings { mini_batch_size: 0, ..adam });
    assert!(message.contains("mini_batch_size") && message.contains("got 0"), "{message}");
    let message = random_mini_batches(x, y, 0, 1).unwrap_err().to_string();
    assert!(message.contains("mini_batch_size"), "{message}");

    let message = run(Settings { learning_rate: f64::NAN, ..adam });
    assert!(message.contains("learning rate") && message.contains("NaN"), "{message}");
    let message = run(Settings { beta: 1.0, ..adam });
    assert!(message.contains("beta") && message.contains("[0, 1)"), "{message}");
    let message = run(Settings { beta1: -0.1, ..adam });
    assert!(message.contains("beta1"), "{message}");
    let message = run(Settings { beta2: f64::NAN, ..adam });
    assert!(message.contains("beta2"), "{message}");
    let message = run(Settings { epsilon: 0.0, ..adam });
    assert!(message.contains("epsilon"), "{message}");
    let message = run(Settings { time_interval: 0, ..adam });
    assert!(message.contains("time_interval"), "{message}");

    let short_y = y.columns(0, 299).into_owned();
    let message = model(x, &short_y, &adam, &mut Silent).unwrap_err().to_string();
    assert!(message.contains("(1, 300)") && message.contains("(1, 299)"), "{message}");

    // The update rules check what they are given.
    let mut p = initialize_parameters(&[2, 5, 2, 1]).unwrap();
    let cache = forward_propagation(x, &p).unwrap();
    let grads = backward_propagation(x, y, &cache, &p).unwrap();
    let mut v = initialize_velocity(&p);
    let message =
        update_parameters_with_momentum(&mut p, &grads, &mut v, 1.5, 0.1).unwrap_err().to_string();
    assert!(message.contains("beta"), "{message}");
    let (mut v, mut s) = initialize_adam(&p);
    let message =
        update_parameters_with_adam(&mut p, &grads, &mut v, &mut s, 0, 0.01, 0.9, 0.999, 1e-8)
            .unwrap_err()
            .to_string();
    assert!(message.contains("starts at 1"), "{message}");
    let mut wrong = initialize_velocity(&initialize_parameters(&[3, 5, 2, 1]).unwrap());
    let message = update_parameters_with_momentum(&mut p, &grads, &mut wrong, 0.9, 0.1)
        .unwrap_err()
        .to_string();
    assert!(message.contains("v[\"dW1\"]"), "{message}");

    // A learning rate far too large: the run stops with the epoch and a hint.
    let message = run(Settings { learning_rate: 1e300, ..adam });
    assert!(message.contains("diverged at iteration"), "{message}");
}
