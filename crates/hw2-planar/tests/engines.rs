//! The binary's engine against the notebook's loop: `engines::model` (`nn_engines::shallow`)
//! must give exactly the bits of `nn_model` (lib.rs, the notebook's functions as written), every
//! cost and every parameter, for the engine's fixed-size loop (one output, up to 8 hidden units,
//! every activation) and its matrix loop (more hidden units, more outputs), with and without
//! every iteration's cost; the sweep must give the notebook sweep's runs, and the figures'
//! `engines::predict` the notebook's `predict`. Section 3's
//! baseline on hw1's direct engine agrees with hw1's notebook loop to float64 rounding.

use hw2_planar::baseline::{self, BASELINE_ITERATIONS, BASELINE_LEARNING_RATE};
use hw2_planar::engines::{self, Engine, hidden_layer_sweep_with, model_with};
use hw2_planar::figures::GRID_RESOLUTION;
use hw2_planar::{
    ModelConfig, Preset, TrainedModel, accuracy, hidden_layer_sweep, nn_model, predict,
};
use linalg_nn::DMatrix;
use linalg_nn::activations::Activation;
use linalg_nn::data::planar::load_planar_dataset;
use linalg_nn::train::Silent;

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// Every cost and every parameter of the two runs, bit for bit.
fn assert_same_bits(engine: &TrainedModel, plain: &TrainedModel, what: &str) {
    assert_eq!(bits(&engine.costs), bits(&plain.costs), "{what}: recorded costs");
    assert_eq!(bits(&engine.cost_history), bits(&plain.cost_history), "{what}: every cost");
    assert_eq!(engine.cost_every, plain.cost_every, "{what}");
    assert_eq!(engine.parameters.activation, plain.parameters.activation, "{what}");
    for ((name, e), (_, p)) in engine.parameters.named().into_iter().zip(plain.parameters.named()) {
        assert_eq!(e.shape(), p.shape(), "{what}: {name}");
        assert_eq!(bits(e.as_slice()), bits(p.as_slice()), "{what}: {name}");
    }
}

#[test]
fn the_shallow_engine_gives_the_notebook_loops_bits() {
    let flower = load_planar_dataset();
    // Long enough at learning rate 1.2 for any rounding difference to show; 1 to 8 hidden units
    // take the engine's fixed-size loop, 9 and 20 its matrix loop.
    for (hidden_units, activation, num_iterations) in [
        (4, Activation::Tanh, 1500),
        (1, Activation::Tanh, 300),
        (5, Activation::Relu, 300),
        (8, Activation::Sigmoid, 300),
        (9, Activation::Tanh, 300),
        (20, Activation::LeakyRelu, 300),
    ] {
        let config = ModelConfig {
            hidden_units,
            activation,
            num_iterations,
            ..ModelConfig::preset(Preset::Course)
        };
        let what = format!("n_h = {hidden_units}, {activation}");
        let plain = nn_model(&flower.x, &flower.y, &config, &mut Silent).unwrap();
        let fast = engines::model(&flower.x, &flower.y, &config, &mut Silent).unwrap();
        assert_same_bits(&fast, &plain, &what);
        // Without every iteration's cost (`--no-plots`): the same parameters and recorded costs.
        let lean_config = ModelConfig { every_cost: false, ..config };
        let lean = engines::model(&flower.x, &flower.y, &lean_config, &mut Silent).unwrap();
        assert!(lean.cost_history.is_empty(), "{what}");
        let plain_lean = nn_model(&flower.x, &flower.y, &lean_config, &mut Silent).unwrap();
        assert_same_bits(&lean, &plain_lean, &format!("{what}, every_cost off"));
    }
}

#[test]
fn the_course_preset_is_the_same_on_both_loops() {
    // The whole course run (10000 iterations at 1.2, where training ends in a two-state cycle
    // and the last bits pick the state): the notebook's loop prints what the binary prints,
    // 0.693048 ... 0.218575 and 90.75 %.
    let flower = load_planar_dataset();
    let config = ModelConfig::preset(Preset::Course);
    let plain = nn_model(&flower.x, &flower.y, &config, &mut Silent).unwrap();
    let fast = engines::model(&flower.x, &flower.y, &config, &mut Silent).unwrap();
    assert_same_bits(&fast, &plain, "course preset");
    assert_eq!(accuracy(&flower.x, &flower.y, &plain.parameters).unwrap(), 90.75);
}

#[test]
fn two_outputs_take_the_engines_matrix_loop_with_the_same_bits() {
    // The notebook has one output unit; both loops are written for any n_y: the flower's labels
    // and their complement as two outputs.
    let flower = load_planar_dataset();
    let m = flower.y.ncols();
    let y = DMatrix::from_fn(
        2,
        m,
        |i, j| if i == 0 { flower.y[(0, j)] } else { 1.0 - flower.y[(0, j)] },
    );
    let config = ModelConfig { num_iterations: 300, ..ModelConfig::preset(Preset::Notes) };
    let plain = nn_model(&flower.x, &y, &config, &mut Silent).unwrap();
    let fast = engines::model(&flower.x, &y, &config, &mut Silent).unwrap();
    assert_eq!(fast.parameters.w2.shape(), (2, 4));
    assert_same_bits(&fast, &plain, "two outputs");
}

#[test]
fn every_sweep_gives_the_notebook_sweeps_runs_in_order() {
    let flower = load_planar_dataset();
    let config = ModelConfig { num_iterations: 200, ..ModelConfig::preset(Preset::Course) };
    let sizes = [3, 1, 9, 4];
    let plain = hidden_layer_sweep(&flower.x, &flower.y, &sizes, &config, |_| Silent).unwrap();
    for engine in Engine::ALL {
        let runs =
            hidden_layer_sweep_with(engine, &flower.x, &flower.y, &sizes, &config, |_| Silent)
                .unwrap();
        assert_eq!(runs.len(), sizes.len());
        for (run, want) in runs.iter().zip(&plain) {
            let what = format!("{engine}, n_h = {}", want.hidden_units);
            assert_eq!(run.hidden_units, want.hidden_units, "{what}");
            assert_eq!(run.accuracy, want.accuracy, "{what}");
            assert_same_bits(&run.model, &want.model, &what);
        }
    }
    // A sweep's run is the run alone.
    let alone = model_with(Engine::Shallow, &flower.x, &flower.y, &config, &mut Silent).unwrap();
    assert_same_bits(&plain[3].model, &alone, "n_h = 4 alone");
}

#[test]
fn the_baseline_on_hw1s_direct_engine_agrees_with_hw1s_notebook_loop() {
    // The same gradient descent summed in another order: hw1's tolerances for its notebook loop
    // against its direct engine (costs to 1e-13, weights to 1e-12 relative, the same
    // predictions).
    let flower = load_planar_dataset();
    let (iterations, rate) = (BASELINE_ITERATIONS, BASELINE_LEARNING_RATE);
    let plain =
        baseline::logistic_regression(&flower.x, &flower.y, iterations, rate, &mut Silent).unwrap();
    let engine =
        engines::logistic_regression(&flower.x, &flower.y, iterations, rate, &mut Silent).unwrap();
    assert_eq!(plain.costs.len(), engine.costs.len());
    for (&(i, a), &(j, b)) in engine.costs.iter().zip(&plain.costs) {
        assert_eq!(i, j);
        assert!((a - b).abs() < 1e-13, "iteration {i}: engine {a}, plain {b}");
    }
    assert_eq!(plain.y_prediction_train, engine.y_prediction_train);
    assert_eq!(plain.train_accuracy, engine.train_accuracy);
    let relative = (&plain.w - &engine.w).abs().max() / engine.w.abs().max();
    assert!(relative < 1e-12, "weights differ by {relative:e} relative");
    assert!((plain.b - engine.b).abs() < 1e-12 * engine.b.abs().max(1.0));
}

#[test]
fn the_figures_predict_as_the_notebook_predicts() {
    // A decision boundary's mesh (GRID_RESOLUTION² points over the flower and beyond) through
    // networks trained with every hidden activation.
    let flower = load_planar_dataset();
    let n = GRID_RESOLUTION;
    let mesh = DMatrix::from_fn(2, n * n, |i, j| {
        let cell = if i == 0 { j % n } else { j / n };
        -5.0 + 10.0 * (cell as f64 + 0.5) / n as f64
    });
    for activation in Activation::ALL {
        let config =
            ModelConfig { activation, num_iterations: 300, ..ModelConfig::preset(Preset::Course) };
        let model = engines::model(&flower.x, &flower.y, &config, &mut Silent).unwrap();
        let plain = predict(&model.parameters, &mesh).unwrap();
        let fast = engines::predict(&model.parameters, &mesh).unwrap();
        assert_eq!(fast, plain, "{activation}");
        assert!(plain.iter().any(|&c| c == 1.0) && plain.iter().any(|&c| c == 0.0));
    }
}
