//! Issue 10's contract for logistic regression: the Gram engine gives the notebook's expected
//! output like the direct engine does, with costs agreeing to 1e-8, identical predictions and
//! accuracies, and weights agreeing to 1e-9 relative, on the real cat data; and both engines
//! give it from the pictures' bytes as from the float64 `X`. The direct engine on the float64
//! `X` (the notebook's computation) is the reference of every comparison, trained once.

mod support;

use hw1_logreg::engines::{
    Engine, EngineModel, Inputs, ModelOptions, gram_matrix, model_with, predict_probabilities,
};
use hw1_logreg::{LEARNING_RATE, LogisticModel, NUM_ITERATIONS, python_float};
use linalg_nn::train::Silent;
use std::sync::OnceLock;
use support::{COURSE_ACCURACIES, COURSE_COSTS};
use test_support::close::assert_all_print_as;

/// The course's `model` (2000 iterations at 0.005) on the given inputs and engine.
fn course_model(
    x_train: &dyn Inputs,
    x_test: &dyn Inputs,
    options: ModelOptions<'_>,
) -> EngineModel {
    let f = support::floats();
    model_with(
        x_train,
        &f.y_train,
        x_test,
        &f.y_test,
        NUM_ITERATIONS,
        LEARNING_RATE,
        options,
        &mut Silent,
    )
    .unwrap()
}

/// The direct engine on the float64 `X`: the notebook's computation, the reference of every
/// test here, trained once for all of them.
fn direct_on_floats() -> &'static EngineModel {
    static DIRECT: OnceLock<EngineModel> = OnceLock::new();
    DIRECT.get_or_init(|| {
        let f = support::floats();
        course_model(&f.x_train, &f.x_test, ModelOptions { engine: Engine::Direct, gram: None })
    })
}

/// The notebook's section 5 expected output, as printed: the 20 costs to six decimals and the
/// accuracies in every digit (support::COURSE_COSTS, support::COURSE_ACCURACIES).
fn assert_course_output(run: &LogisticModel, what: &str) {
    let costs: Vec<f64> = run.costs.iter().map(|&(_, cost)| cost).collect();
    assert_all_print_as(&costs, &COURSE_COSTS, what);
    assert_eq!(python_float(run.train_accuracy), COURSE_ACCURACIES.0, "{what}: train accuracy");
    assert_eq!(python_float(run.test_accuracy), COURSE_ACCURACIES.1, "{what}: test accuracy");
}

#[test]
fn gram_and_direct_engines_agree_on_the_course_run() {
    let f = support::floats();
    let direct = direct_on_floats();
    let gram = gram_matrix(&f.x_train);
    let fast = course_model(
        &f.x_train,
        &f.x_test,
        ModelOptions { engine: Engine::Gram, gram: Some(&gram) },
    );
    assert_eq!((direct.engine, fast.engine), (Engine::Direct, Engine::Gram));
    // `auto` picks Gram for 12288 features and 209 examples.
    assert_eq!(Engine::Auto.resolve(f.x_train.nrows(), f.x_train.ncols()), Engine::Gram);

    assert_course_output(&direct.model, "direct engine");
    assert_agrees_with_direct(&fast.model, &direct.model);
}

/// Issue 10's contract between a Gram run and the direct run: costs to 1e-8, the notebook's
/// expected output (issue 4), identical predictions, weights to 1e-9 relative.
fn assert_agrees_with_direct(fast: &LogisticModel, direct: &LogisticModel) {
    assert_eq!(direct.costs.len(), fast.costs.len());
    for (&(i, a), &(j, b)) in direct.costs.iter().zip(&fast.costs) {
        assert_eq!(i, j);
        assert!((a - b).abs() < 1e-8, "iteration {i}: direct {a}, gram {b}");
    }
    assert_course_output(fast, "gram engine");
    assert_eq!(fast.y_prediction_train, direct.y_prediction_train);
    assert_eq!(fast.y_prediction_test, direct.y_prediction_test);

    let relative = (&fast.w - &direct.w).abs().max() / direct.w.abs().max();
    assert!(relative < 1e-9, "weights differ by {relative:e} relative");
    assert!((fast.b - direct.b).abs() <= 1e-9 * direct.b.abs().max(1.0));
}

/// What `hw1-logreg --engine gram` runs: the Gram engine on the pictures' bytes
/// (`nn_engines::inputs`, no float64 `X`), against the direct engine on the float64 `X`.
#[test]
fn gram_engine_on_the_pictures_bytes_gives_the_course_output() {
    let data = support::dataset();
    let gram = gram_matrix(&data.train);
    let options = ModelOptions { engine: Engine::Gram, gram: Some(&gram) };
    let run = course_model(&data.train, &data.test, options);
    assert_eq!(run.engine, Engine::Gram);
    let bytes = &run.model;
    assert_agrees_with_direct(bytes, &direct_on_floats().model);
    // And the probabilities of the test pictures, computed from the bytes or from the floats.
    let (from_bytes, from_floats) = (
        predict_probabilities(&bytes.w, bytes.b, &data.test).unwrap(),
        predict_probabilities(&bytes.w, bytes.b, &support::floats().x_test).unwrap(),
    );
    assert!((from_bytes - from_floats).abs().max() < 1e-14);
}

/// What `hw1-logreg --engine direct` runs: the direct engine on the pictures' bytes (exact
/// integer products, `nn_engines::exact_bytes`) against the same engine on the float64 `X`:
/// the notebook's expected output, and the two differing by float64 rounding only.
#[test]
fn direct_engine_on_the_pictures_bytes_agrees_with_the_float64_pass() {
    let data = support::dataset();
    let floats = &direct_on_floats().model;
    let run =
        course_model(&data.train, &data.test, ModelOptions { engine: Engine::Direct, gram: None });
    assert_eq!(run.engine, Engine::Direct);
    let bytes = &run.model;
    assert_eq!(bytes.costs.len(), floats.costs.len());
    for (&(i, a), &(j, b)) in floats.costs.iter().zip(&bytes.costs) {
        assert_eq!(i, j);
        assert!((a - b).abs() < 1e-13, "iteration {i}: floats {a}, bytes {b}");
    }
    assert_course_output(bytes, "direct engine on bytes");
    assert_eq!(bytes.y_prediction_train, floats.y_prediction_train);
    assert_eq!(bytes.y_prediction_test, floats.y_prediction_test);
    let relative = (&bytes.w - &floats.w).abs().max() / floats.w.abs().max();
    assert!(relative < 1e-12, "weights differ by {relative:e} relative");
    assert!((bytes.b - floats.b).abs() < 1e-12 * floats.b.abs().max(1.0));
}

/// The notebook's loop as `lib.rs` writes it ([`hw1_logreg::model`]: `propagate` with
/// nalgebra's products, then the update) against the direct engine on the same float64 `X`:
/// the same gradient descent summed in another order, so the two agree to float64 rounding
/// (the tolerances of the bytes-against-floats test above), and the plain loop prints the
/// notebook's expected output too.
#[test]
fn the_notebook_loop_agrees_with_the_direct_engine() {
    let f = support::floats();
    let engine = &direct_on_floats().model;
    let plain = hw1_logreg::model(
        &f.x_train,
        &f.y_train,
        &f.x_test,
        &f.y_test,
        NUM_ITERATIONS,
        LEARNING_RATE,
        &mut Silent,
    )
    .unwrap();
    assert_eq!(plain.costs.len(), engine.costs.len());
    for (&(i, a), &(j, b)) in engine.costs.iter().zip(&plain.costs) {
        assert_eq!(i, j);
        assert!((a - b).abs() < 1e-13, "iteration {i}: engine {a}, plain {b}");
    }
    assert_course_output(&plain, "the notebook's loop");
    assert_eq!(plain.y_prediction_train, engine.y_prediction_train);
    assert_eq!(plain.y_prediction_test, engine.y_prediction_test);
    let relative = (&plain.w - &engine.w).abs().max() / engine.w.abs().max();
    assert!(relative < 1e-12, "weights differ by {relative:e} relative");
    assert!((plain.b - engine.b).abs() < 1e-12 * engine.b.abs().max(1.0));
}
