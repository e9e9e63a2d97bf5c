//! The training loop's contract on small synthetic data: the notebook's models learn, record
//! the cost every 100 iterations, report every iteration to the observer, refuse bad
//! hyperparameters, layer sizes and non-finite labels with clear errors, stop a diverging run,
//! and train on any finite labels as the notebook's models do (the course's own unit test of
//! `two_layer_model` uses real-valued ones), the 0/1 check being made where the data enter.

use hw3_deep::{
    DeepError, EngineOptions, ModelKind, Preset, TrainOptions, TrainedModel, accuracy,
    check_binary_labels, compute_cost, initialize_parameters_deep, l_layer_model,
    l_layer_model_with, l_model_backward, l_model_forward, predict, train_with_engine,
    two_layer_model, two_layer_model_with,
};
use linalg_nn::init::WeightInit;
use linalg_nn::train::{Iteration, Silent};
use linalg_nn::{DMatrix, NnError, NumpyRng};
use nn_engines::gram::Engine;
use test_support::close::{assert_close, assert_matrix_close};

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
fn labels_must_fit_the_examples_and_be_finite() {
    let (x, _) = xor_like();
    let opts = options(10, 0.1);
    let err =
        l_layer_model(&x, &DMatrix::zeros(1, 39), &[3, 2, 1], &opts, &mut Silent).unwrap_err();
    assert!(err.to_string().contains("expected (1, 40), found (1, 39)"), "{err}");
    // A label that is not a number is refused before the first iteration, by both models and
    // both engines, and by the functions of the step-by-step notebook that read Y.
    for (bad, shown) in [(f64::NAN, "NaN"), (f64::INFINITY, "inf"), (f64::NEG_INFINITY, "-inf")] {
        let mut y = DMatrix::zeros(1, 40);
        y[(0, 7)] = bad;
        let expected =
            format!("invalid Y: must contain only finite numbers, found {shown} at (0, 7)");
        let err = l_layer_model(&x, &y, &[3, 2, 1], &opts, &mut Silent).unwrap_err();
        assert!(matches!(err, DeepError::Nn(NnError::InvalidArgument { .. })), "{err:?}");
        assert_eq!(err.to_string(), expected);
        let err = two_layer_model(&x, &y, (3, 2, 1), &opts, &mut Silent).unwrap_err();
        assert_eq!(err.to_string(), expected);
        for engine in [EngineOptions::DIRECT, EngineOptions { engine: Engine::Gram, gram: None }] {
            let start =
                initialize_parameters_deep(&[3, 2, 1], opts.init, &mut NumpyRng::new(1)).unwrap();
            let err = train_with_engine(&x, &y, start, &opts, engine, &mut Silent).unwrap_err();
            assert_eq!(err.to_string(), expected, "{engine:?}");
        }
        let start =
            initialize_parameters_deep(&[3, 2, 1], opts.init, &mut NumpyRng::new(1)).unwrap();
        let pass = l_model_forward(&x, &start).unwrap();
        assert_eq!(compute_cost(pass.al(), &y).unwrap_err().to_string(), expected);
        let err = l_model_backward(pass.al(), &y, &pass.caches()).unwrap_err();
        assert_eq!(err.to_string(), expected);
    }
}

#[test]
fn binary_labels_are_checked_where_the_data_enter_not_by_the_models() {
    let (x, _) = xor_like();
    let mut y = DMatrix::zeros(1, 40);
    y[(0, 7)] = 2.0;
    // The check the binary makes on its data, and `accuracy`, refuse it with the message the
    // models gave before they took any finite label.
    let err = check_binary_labels(&y).unwrap_err();
    assert!(err.to_string().contains("label 7 is 2, expected 0 or 1"), "{err}");
    // The model functions take it, as the notebook's do.
    let trained = l_layer_model(&x, &y, &[3, 2, 1], &options(10, 0.1), &mut Silent).unwrap();
    assert!(trained.costs[0].is_finite());
    let err = accuracy(&x, &y, &trained.parameters).unwrap_err();
    assert!(err.to_string().contains("label 7 is 2, expected 0 or 1"), "{err}");
    assert!(check_binary_labels(&xor_like().1).is_ok());
}

/// A recorded training run: the costs at iterations 0, 100, ... and the trained parameters,
/// `layers[l - 1] = (n[l-1], W[l] row by row, b[l])`.
struct Golden {
    costs: &'static [f64],
    layers: &'static [(usize, &'static [f64], &'static [f64])],
}

/// The course's `two_layer_model_test` (public_tests.py of "Deep Neural Network for Image
/// Classification: Application"), first case: `np.random.seed(1); X = np.random.randn(10, 10);
/// Y = np.random.randn(1, 10)` (real-valued labels), `layers_dims = (10, 4, 1)`, two iterations
/// at 0.0075 from `W = randn * 0.01`. The test expects costs `[0.69315968]`, `W1[0] = [0.01624965,
/// -0.00610741, ...]`, `b2 = [[-0.00689018]]`; here at full precision from numpy-reference:
/// `python3 numpy-reference/hw3_deep.py --test-cases` (its "Y = randn" lines, numpy 2.4).
const TWO_LAYER_2_AT_0_0075: Golden = Golden {
    costs: &[0.6931596772639871],
    layers: &[
        (
            10,
            &[
                0.01624964660498992,
                -0.006107414360151205,
                -0.0052873367979557806,
                -0.010728356443388534,
                0.008663997312887885,
                -0.023011025732772313,
                0.017456389131974746,
                -0.007609485166430089,
                0.0031933999203516486,
                -0.002489713882038872,
                0.014628475127877327,
                -0.02057903652052418,
                -0.00326744740512447,
                -0.0038362506915938627,
                0.01138176321458384,
                -0.010975962356312175,
                -0.0017197359215395762,
                -0.008776009650812575,
                0.0004302200334848795,
                0.005844227648688475,
                -0.010982724875370121,
                0.01148209277314342,
                0.009021021160973084,
                0.005009577586248765,
                0.00900571332843861,
                -0.006831877233980149,
                -0.001234907602317718,
                -0.009371641700219526,
                -0.0026715650224012613,
                0.00532808395811893,
                -0.006934652620590176,
                -0.004000471815553541,
                -0.0068468466636058345,
                -0.008444471535026105,
                -0.006703971546701297,
                -0.0001473074135282208,
                -0.011139765105486817,
                0.0023884567695549516,
                0.016589504245156185,
                0.007382118179787641,
            ],
            &[
                1.1043711146474872e-05,
                1.7843786860149878e-05,
                3.748795485073036e-05,
                -4.4298882368466624e-05,
            ],
        ),
        (
            4,
            &[
                -0.0020028261970134135,
                -0.008885928212794077,
                -0.007511217113885922,
                0.016881618443932035,
            ],
            &[-0.006890179923542933],
        ),
    ],
};

/// The same test's last case: three iterations at 0.1 (the test expects `b2 = [[-0.13451354]]`);
/// the same command prints it.
const TWO_LAYER_3_AT_0_1: Golden = Golden {
    costs: &[0.6931596772639871],
    layers: &[
        (
            10,
            &[
                0.01640027881243304,
                -0.005856988718014422,
                -0.005426329325749122,
                -0.01069332174728052,
                0.008905502213364192,
                -0.02290418336178609,
                0.017653879687158768,
                -0.007546160760574073,
                0.003267122910376144,
                -0.002391589434623329,
                0.014767372533780809,
                -0.02014460611786246,
                -0.004094699237278528,
                -0.003745700735671348,
                0.012217136795732426,
                -0.010540490588547096,
                -0.001641109865963335,
                -0.008725070091102774,
                0.0005859176224552834,
                0.006150770840505486,
                -0.010516211612742393,
                0.012164992825152952,
                0.009119002600924356,
                0.004712597910336583,
                0.00894761303629248,
                -0.006725684870870225,
                -0.001349207549102533,
                -0.009642803045391234,
                -0.0025322305554099176,
                0.005807575748721045,
                -0.007285517167671304,
                -0.004614613956130827,
                -0.006381134252962423,
                -0.00831083791032267,
                -0.006541364214367511,
                -0.0005318599440025123,
                -0.010527712833605995,
                0.0032071869317189168,
                0.016439135338832723,
                0.006671226462326586,
            ],
            &[
                0.0002747815187329567,
                0.00034477325006239667,
                0.0007601612882612177,
                -0.0008449736212436151,
            ],
        ),
        (
            4,
            &[
                -0.0035872506649295226,
                -0.00911994611070044,
                -0.008319794295043696,
                0.016158451227462168,
            ],
            &[-0.13451353678856168],
        ),
    ],
};

/// `L_layer_model` on the same real-valued labels: `layers_dims = [10, 5, 6, 1]` (the course's
/// `L_layer_model_test` network, which it trains on 0/1 labels), two iterations at 0.0075 from
/// `W = randn / sqrt(n[l-1])`: the same command prints it.
const DEEP_2_AT_0_0075: Golden = Golden {
    costs: &[0.7027326187718308],
    layers: &[
        (
            10,
            &[
                0.5137985281112553,
                -0.19323322512054356,
                -0.16721691165615224,
                -0.3392857539007393,
                0.2738879012752905,
                -0.7276913401821717,
                0.5518624158612454,
                -0.24069478068066033,
                0.1009419186036285,
                -0.07874610318698762,
                0.4621242179863069,
                -0.6518737446835335,
                -0.10166250805664423,
                -0.12143365708185758,
                0.35843048122308635,
                -0.34789948093785006,
                -0.05430567442716272,
                -0.2774760414029285,
                0.013336724693709322,
                0.18414050537749752,
                -0.3482819345556296,
                0.36158848718248515,
                0.28507362670285596,
                0.15906039141875683,
                0.28491118380765873,
                -0.21631494169444457,
                -0.03873080631685878,
                -0.295715218679085,
                -0.0848276307444159,
                0.16739638454586336,
                -0.21878024064723303,
                -0.12572392424555973,
                -0.2170856349630127,
                -0.26723456791117206,
                -0.21218868195851137,
                -0.0042296571768564994,
                -0.352990688039866,
                0.07455733495478542,
                0.5247591692273561,
                0.23430166695268725,
                -0.060684795725779866,
                -0.2806773678538143,
                -0.23628308875465326,
                0.5353315269591656,
                0.016170307002723573,
                -0.20132699384044242,
                0.06041248707120444,
                0.6642406236994369,
                0.038089995734074726,
                0.19521078676743697,
            ],
            &[
                0.0001870096529820127,
                -2.815998384495925e-05,
                -0.00048312893560218577,
                -0.0004544115950540243,
                0.0001315177535229051,
            ],
        ),
        (
            5,
            &[
                0.1342037900124378,
                -0.15755707138831956,
                -0.5109483014828238,
                -0.15622885549779186,
                -0.09342034118674182,
                0.2625679727460219,
                0.37523162963255985,
                0.4165110966680054,
                0.12784205790205408,
                0.39618339622559606,
                -0.33743563016721656,
                0.5602531254610146,
                0.22935908007862374,
                -0.1333842343427806,
                0.2182519638235139,
                -0.033963133855467224,
                0.5061765816036649,
                0.679461645546377,
                0.9771698218155991,
                -0.6245993757557906,
                -0.6458258682116151,
                -0.22560221454210372,
                0.07152661029173718,
                0.39174473928161724,
                0.1411236964437033,
                -0.9043550015825048,
                -0.13693753128661373,
                0.37025504437916096,
                0.10284757239212111,
                0.3407622436342744,
            ],
            &[
                -1.961483976098737e-05,
                0.0005847553254740702,
                -0.00024182486059037044,
                -0.0006291975130845325,
                -9.855593021246148e-05,
                -5.9103971443652143e-05,
            ],
        ),
        (
            6,
            &[
                -0.09074547250883543,
                -0.08513698216923672,
                0.07548563231778174,
                0.16562243393696235,
                0.08040709876053531,
                0.04811182318758133,
            ],
            &[-0.007066237809552289],
        ),
    ],
};

/// Checks a training run against a [`Golden`] one, to 1e-12 (the products' summation order is
/// not numpy's).
fn assert_trained_as(trained: &TrainedModel, golden: &Golden, what: &str) {
    assert_eq!(trained.costs.len(), golden.costs.len(), "{what}: costs {:?}", trained.costs);
    for (k, (&found, &expected)) in trained.costs.iter().zip(golden.costs).enumerate() {
        assert_close(found, expected, 1e-12, &format!("{what}: cost {k}"));
    }
    assert_eq!(trained.parameters.depth(), golden.layers.len(), "{what}: depth");
    for (index, (layer, &(inputs, w, b))) in
        trained.parameters.layers.iter().zip(golden.layers).enumerate()
    {
        let l = index + 1;
        let w = DMatrix::from_row_slice(w.len() / inputs, inputs, w);
        assert_matrix_close(&layer.w, &w, 1e-12, &format!("{what}: W{l}"));
        let b = DMatrix::from_column_slice(b.len(), 1, b);
        assert_matrix_close(&layer.b, &b, 1e-12, &format!("{what}: b{l}"));
    }
}

/// The inputs of the course's `two_layer_model_test`: `np.random.seed(1)`, then
/// `X = np.random.randn(10, 10)` and real-valued labels `Y = np.random.randn(1, 10)`.
fn course_unit_test_data() -> (DMatrix<f64>, DMatrix<f64>) {
    let mut rng = NumpyRng::new(1);
    (rng.randn(10, 10), rng.randn(1, 10))
}

#[test]
fn two_layer_model_trains_on_real_valued_labels_as_the_course_unit_test_does() {
    let (x, y) = course_unit_test_data();
    assert!(y.iter().all(|&v| v != 0.0 && v != 1.0), "real-valued labels: {y}");
    let run = |num_iterations, learning_rate, engine| {
        let options =
            TrainOptions { num_iterations, learning_rate, init: WeightInit::SMALL, seed: 1 };
        two_layer_model_with(&x, &y, (10, 4, 1), &options, engine, &mut Silent).unwrap()
    };
    let gram = EngineOptions { engine: Engine::Gram, gram: None };
    let direct = run(2, 0.0075, EngineOptions::DIRECT);
    assert_trained_as(&direct, &TWO_LAYER_2_AT_0_0075, "direct, 2 at 0.0075");
    let options =
        TrainOptions { num_iterations: 2, learning_rate: 0.0075, init: WeightInit::SMALL, seed: 1 };
    assert_eq!(two_layer_model(&x, &y, (10, 4, 1), &options, &mut Silent).unwrap(), direct);
    assert_trained_as(&run(2, 0.0075, gram), &TWO_LAYER_2_AT_0_0075, "gram, 2 at 0.0075");
    assert_trained_as(&run(3, 0.1, EngineOptions::DIRECT), &TWO_LAYER_3_AT_0_1, "direct, 3 at 0.1");
    assert_trained_as(&run(3, 0.1, gram), &TWO_LAYER_3_AT_0_1, "gram, 3 at 0.1");
}

#[test]
fn l_layer_model_trains_on_real_valued_labels() {
    let (x, y) = course_unit_test_data();
    let options = options(2, 0.0075);
    let direct = l_layer_model(&x, &y, &[10, 5, 6, 1], &options, &mut Silent).unwrap();
    assert_trained_as(&direct, &DEEP_2_AT_0_0075, "direct");
    let gram = EngineOptions { engine: Engine::Gram, gram: None };
    let gram = l_layer_model_with(&x, &y, &[10, 5, 6, 1], &options, gram, &mut Silent).unwrap();
    assert_trained_as(&gram, &DEEP_2_AT_0_0075, "gram");
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
        let notes = TrainOptions::preset(Preset::Notes, model);
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
    assert_eq!(
        TrainOptions::preset(Preset::Course, ModelKind::TwoLayer).init,
        WeightInit::Scaled(0.01)
    );
    assert_eq!(
        TrainOptions::preset(Preset::Course, ModelKind::Deep).init,
        WeightInit::InverseSqrtFanIn
    );
    assert_eq!(TrainOptions::preset(Preset::Course, ModelKind::Deep).num_iterations, 2500);
    assert_eq!("course".parse::<Preset>().unwrap(), Preset::Course);
    assert_eq!("default".parse::<Preset>().unwrap(), Preset::Notes);
    assert!("fast".parse::<Preset>().is_err());
    assert_eq!("two-layer".parse::<ModelKind>().unwrap(), ModelKind::TwoLayer);
    assert!("three-layer".parse::<ModelKind>().is_err());
}
