//! Issue 10 on small synthetic data: the Gram engine follows the direct engine's gradient
//! descent for any depth (including a single layer) and any activations, `auto` picks it only
//! for wide data, a Gram matrix computed before is used or refused by its shape, and a diverging
//! run stops the same way; and the direct engine on pictures given as bytes (issue 8's exact
//! byte products) follows the same engine on their float64 `X`, diverging runs included. (The
//! course-preset comparisons on the real pictures are in `course_preset.rs`.)

use hw3_deep::{
    DeepError, EngineOptions, Parameters, TrainedModel, gradient_descent, gradient_descent_direct,
    gradient_descent_gram, l_layer_model_with, train_with_engine,
};
use linalg_nn::activations::Activation;
use linalg_nn::init::WeightInit;
use linalg_nn::train::{Iteration, Silent};
use linalg_nn::{DMatrix, NnError, NumpyRng};
use nn_engines::gram::{Engine, GramMatrix, gram_matrix};

#[path = "../../linalg-nn/tests/alloc_support/pictures.rs"]
mod pictures;
mod support;

use support::{network, options, relative_gaps};

/// Wide data like the pictures: 60 features, 12 examples, labels from a random hyperplane.
fn wide() -> (DMatrix<f64>, DMatrix<f64>) {
    let mut rng = NumpyRng::new(21);
    let x = rng.randn(60, 12);
    let direction = rng.randn(1, 60);
    let y = (&direction * &x).map(|v| if v > 0.0 { 1.0 } else { 0.0 });
    (x, y)
}

/// A network of `dims` with the given activations (one per layer): `W = randn / sqrt(n_prev)`,
/// `b = randn * 0.1`, drawn after `np.random.seed(seed)`.
fn start_network(dims: &[usize], activations: &[Activation], seed: u32) -> Parameters {
    network(dims, activations, WeightInit::InverseSqrtFanIn, 0.1, &mut NumpyRng::new(seed))
}

/// Largest difference of all weights and biases, relative to the largest direct value.
fn relative_parameter_gap(direct: &Parameters, gram: &Parameters) -> f64 {
    let (w, b) = relative_gaps(direct, gram);
    w.max(b)
}

fn assert_same_descent(direct: &TrainedModel, gram: &TrainedModel) {
    assert_eq!((direct.engine, gram.engine), (Engine::Direct, Engine::Gram));
    assert_eq!(direct.costs.len(), gram.costs.len());
    for (i, (d, g)) in direct.costs.iter().zip(&gram.costs).enumerate() {
        assert!((d - g).abs() < 1e-12, "cost {i}: direct {d}, gram {g}");
    }
    assert_eq!(direct.parameters.layer_dims(), gram.parameters.layer_dims());
    assert_eq!(direct.parameters.activations(), gram.parameters.activations());
    let gap = relative_parameter_gap(&direct.parameters, &gram.parameters);
    assert!(gap < 1e-10, "parameters differ by {gap:e} relative");
}

#[test]
fn gram_follows_direct_for_every_depth_and_activation() {
    use Activation::{LeakyRelu, Relu, Sigmoid, Tanh};
    let (x, y) = wide();
    let cases: [(&[usize], &[Activation]); 4] = [
        // One layer: logistic regression, the Gram engine's first layer is also the output.
        (&[60, 1], &[Sigmoid]),
        (&[60, 5, 1], &[Relu, Sigmoid]),
        (&[60, 6, 4, 3, 1], &[Relu, Relu, Relu, Sigmoid]),
        (&[60, 4, 3, 1], &[Tanh, LeakyRelu, Sigmoid]),
    ];
    for (dims, activations) in cases {
        let start = start_network(dims, activations, 7);
        let opts = options(400, 0.05);
        let direct = gradient_descent(&x, &y, start.clone(), &opts, &mut Silent).unwrap();
        let gram = gradient_descent_gram(&x, &y, start.clone(), &opts, None, &mut Silent).unwrap();
        assert_same_descent(&direct, &gram);
        // Training happened: the cost went down and the weights moved.
        assert!(gram.costs[3] < gram.costs[0], "{dims:?}: {:?}", gram.costs);
        assert_ne!(gram.parameters.layers[0].w, start.layers[0].w);
    }
}

#[test]
fn auto_picks_gram_for_wide_data_and_direct_for_tall_data() {
    let (x, y) = wide();
    let opts = options(150, 0.05);
    let trained =
        l_layer_model_with(&x, &y, &[60, 4, 1], &opts, EngineOptions::default(), &mut Silent)
            .unwrap();
    assert_eq!(trained.engine, Engine::Gram);

    // 3 features, 40 examples: n_x <= m, so auto runs the notebook's computation.
    let mut rng = NumpyRng::new(5);
    let tall_x = rng.randn(3, 40);
    let tall_y = DMatrix::from_fn(1, 40, |_, j| if tall_x[(0, j)] > 0.0 { 1.0 } else { 0.0 });
    let tall = l_layer_model_with(
        &tall_x,
        &tall_y,
        &[3, 4, 1],
        &opts,
        EngineOptions::default(),
        &mut Silent,
    )
    .unwrap();
    assert_eq!(tall.engine, Engine::Direct);
    // Forcing the Gram engine on tall data still gives the same descent (only slower).
    let forced = EngineOptions { engine: Engine::Gram, gram: None };
    let gram =
        l_layer_model_with(&tall_x, &tall_y, &[3, 4, 1], &opts, forced, &mut Silent).unwrap();
    assert_same_descent(&tall, &gram);
}

#[test]
fn a_shared_gram_matrix_gives_the_same_run_and_a_wrong_one_is_refused() {
    let (x, y) = wide();
    let start = start_network(&[60, 5, 1], &[Activation::Relu, Activation::Sigmoid], 3);
    let opts = options(200, 0.05);
    let g = gram_matrix(&x);
    let shared = EngineOptions { engine: Engine::Gram, gram: Some(&g) };
    let with_g = train_with_engine(&x, &y, start.clone(), &opts, shared, &mut Silent).unwrap();
    let without = gradient_descent_gram(&x, &y, start.clone(), &opts, None, &mut Silent).unwrap();
    assert_eq!(with_g, without);

    let wrong = GramMatrix::new(DMatrix::zeros(11, 11), 1.0).unwrap();
    let bad = EngineOptions { engine: Engine::Gram, gram: Some(&wrong) };
    let err = train_with_engine(&x, &y, start, &opts, bad, &mut Silent).unwrap_err();
    assert!(matches!(err, DeepError::Nn(NnError::ShapeMismatch { .. })), "{err:?}");
    assert!(err.to_string().contains("the Gram matrix X^T X"), "{err}");
}

#[test]
fn the_gram_engine_reports_every_iteration_and_checks_its_inputs() {
    let (x, y) = wide();
    let start = start_network(&[60, 5, 1], &[Activation::Relu, Activation::Sigmoid], 3);
    let mut seen = Vec::new();
    let mut observer = |it: &Iteration| seen.push(*it);
    let trained =
        gradient_descent_gram(&x, &y, start.clone(), &options(201, 0.05), None, &mut observer)
            .unwrap();
    assert_eq!(seen.len(), 201);
    assert_eq!(seen[200], Iteration { index: 200, total: 201, cost: Some(trained.costs[2]) });
    assert_eq!(seen[57].cost, None);

    let err = gradient_descent_gram(&x, &y, start.clone(), &options(0, 0.05), None, &mut Silent)
        .unwrap_err();
    assert!(err.to_string().contains("must be at least 1, got 0"), "{err}");
    let err = gradient_descent_gram(
        &x,
        &DMatrix::zeros(1, 11),
        start.clone(),
        &options(5, 0.05),
        None,
        &mut Silent,
    )
    .unwrap_err();
    assert!(err.to_string().contains("expected (1, 12), found (1, 11)"), "{err}");
    let narrow = start_network(&[59, 5, 1], &[Activation::Relu, Activation::Sigmoid], 3);
    let err =
        gradient_descent_gram(&x, &y, narrow, &options(5, 0.05), None, &mut Silent).unwrap_err();
    assert!(matches!(err, DeepError::Layers { .. }), "{err:?}");
}

#[test]
fn a_diverging_gram_run_stops_like_a_direct_one() {
    let (x, y) = wide();
    let start = start_network(&[60, 8, 1], &[Activation::Relu, Activation::Sigmoid], 9);
    let opts = options(500, 1e4);
    let direct = gradient_descent(&x, &y, start.clone(), &opts, &mut Silent).unwrap_err();
    let gram = gradient_descent_gram(&x, &y, start, &opts, None, &mut Silent).unwrap_err();
    match (&direct, &gram) {
        (
            DeepError::Nn(NnError::Diverged { iteration: a, .. }),
            DeepError::Nn(NnError::Diverged { iteration: b, .. }),
        ) => assert_eq!(a, b, "both stop at the same recorded cost"),
        other => panic!("expected two divergences, got {other:?}"),
    }
    assert!(gram.to_string().contains("smaller --learning-rate"), "{gram}");
}

#[test]
fn the_direct_engine_on_bytes_follows_it_on_floats_for_every_depth_and_activation() {
    // 30 pictures of 6 x 6 pixels (108 bytes each), as the binary reads them.
    let split = pictures::pictures(30, 6);
    let (x, y) = (split.x(), split.y());
    let cases: [(&[usize], &[Activation]); 4] = [
        (&[108, 1], &[Activation::Sigmoid]),
        (&[108, 5, 1], &[Activation::Relu, Activation::Sigmoid]),
        (&[108, 4, 3, 1], &[Activation::Tanh, Activation::LeakyRelu, Activation::Sigmoid]),
        (
            &[108, 20, 7, 5, 1],
            &[Activation::Relu, Activation::Relu, Activation::Relu, Activation::Sigmoid],
        ),
    ];
    for (dims, activations) in cases {
        let start = start_network(dims, activations, 4);
        let opts = options(300, 0.05);
        let floats = gradient_descent(&x, &y, start.clone(), &opts, &mut Silent).unwrap();
        let bytes = gradient_descent_direct(&split, &y, start, &opts, &mut Silent).unwrap();
        assert_eq!(bytes.engine, Engine::Direct);
        for (b, f) in bytes.costs.iter().zip(&floats.costs) {
            assert!((b - f).abs() < 1e-13, "{dims:?}: cost {b} against {f}");
        }
        let gap = relative_parameter_gap(&floats.parameters, &bytes.parameters);
        assert!(gap < 1e-12, "{dims:?}: parameters differ by {gap:e} relative");
    }
    // A learning rate far too large: both stop at the same recorded cost.
    let start = start_network(&[108, 8, 1], &[Activation::Relu, Activation::Sigmoid], 9);
    let opts = options(500, 1e4);
    let floats = gradient_descent(&x, &y, start.clone(), &opts, &mut Silent).unwrap_err();
    let bytes = gradient_descent_direct(&split, &y, start, &opts, &mut Silent).unwrap_err();
    match (&floats, &bytes) {
        (
            DeepError::Nn(NnError::Diverged { iteration: a, .. }),
            DeepError::Nn(NnError::Diverged { iteration: b, .. }),
        ) => assert_eq!(a, b, "both stop at the same recorded cost"),
        other => panic!("expected two divergences, got {other:?}"),
    }
}
