//! The official notebook's runs on the real cat pictures (`--preset course`): both models, 2500
//! iterations after `np.random.seed(1)`, must print the notebook's costs (to 1e-6) and reach
//! its accuracies; a trained model saved and loaded again predicts identically.
//!
//! These tests read `$DL_COURSE_DATA` or the workspace's `datasets/` folder and FAIL (they do
//! not skip) when the files are missing, naming `cargo xtask fetch-data`. Each runs one full
//! training (12288 x 209 inputs); the two run in parallel.

use hw3_deep::model_file::{load_model, save_model};
use hw3_deep::{
    ModelKind, Preset, TrainedModel, accuracy, l_layer_model, predict_probabilities,
    two_layer_model,
};
use linalg_nn::data::{CatDataset, default_data_dir, load_dataset};
use linalg_nn::train::Silent;
use std::sync::OnceLock;

fn course_data() -> &'static CatDataset {
    static DATA: OnceLock<CatDataset> = OnceLock::new();
    DATA.get_or_init(|| {
        load_dataset(&default_data_dir())
            .unwrap_or_else(|e| panic!("the real-data tests need the course files: {e}"))
    })
}

fn train(model: ModelKind) -> TrainedModel {
    let data = course_data();
    let (x, y) = (data.train.x(), data.train.y());
    let options = Preset::Course.options(model);
    let dims = model.layer_dims(data.train.n_x());
    let started = std::time::Instant::now();
    let trained = match model {
        ModelKind::TwoLayer => {
            two_layer_model(&x, &y, (dims[0], dims[1], dims[2]), &options, &mut Silent)
        }
        ModelKind::Deep => l_layer_model(&x, &y, &dims, &options, &mut Silent),
    }
    .unwrap();
    eprintln!("{model}: 2500 iterations in {:.1} s", started.elapsed().as_secs_f64());
    trained
}

fn assert_costs(found: &[f64], expected: &[f64], model: &str) {
    assert_eq!(found.len(), expected.len(), "{model}: one cost per 100 iterations");
    for (i, (f, e)) in found.iter().zip(expected).enumerate() {
        // The notebook prints 6 decimals: 1e-6 allows the rounding and nothing more.
        assert!((f - e).abs() <= 1e-6, "{model}: cost after iteration {}: {f} vs {e}", i * 100);
    }
}

#[test]
fn two_layer_model_reproduces_the_notebook() {
    let trained = train(ModelKind::TwoLayer);
    // Expected output of two_layer_model(..., num_iterations = 2500, print_cost=True) in
    // "Deep Neural Network for Image Classification: Application", costs at 0, 100, ..., 2400.
    let expected = [
        0.693050, 0.646432, 0.632514, 0.601502, 0.560197, 0.515830, 0.475490, 0.433916, 0.400798,
        0.358071, 0.339428, 0.305275, 0.274914, 0.246818, 0.198507, 0.174483, 0.170808, 0.113065,
        0.096294, 0.083426, 0.074391, 0.066307, 0.059193, 0.053361, 0.048555,
    ];
    assert_costs(&trained.costs, &expected, "two-layer");
    let data = course_data();
    // The notebook: "Accuracy: 1.0" on the training set, "Accuracy: 0.72" on the test set.
    assert_eq!(accuracy(&data.train.x(), &data.train.y(), &trained.parameters).unwrap(), 100.0);
    let test = accuracy(&data.test.x(), &data.test.y(), &trained.parameters).unwrap();
    assert!((test - 72.0).abs() < 1e-9, "{test}");
}

#[test]
fn deep_model_reproduces_the_notebook_and_survives_a_save() {
    let trained = train(ModelKind::Deep);
    // Expected output of L_layer_model(..., layers_dims = [12288, 20, 7, 5, 1],
    // num_iterations = 2500, print_cost = True) in the application notebook.
    let expected = [
        0.771749, 0.672053, 0.648263, 0.611507, 0.567047, 0.540138, 0.527930, 0.465477, 0.369126,
        0.391747, 0.315187, 0.272700, 0.237419, 0.199601, 0.189263, 0.161189, 0.148214, 0.137775,
        0.129740, 0.121225, 0.113821, 0.107839, 0.102855, 0.100897, 0.092878,
    ];
    assert_costs(&trained.costs, &expected, "deep");
    let data = course_data();
    let (train_x, test_x) = (data.train.x(), data.test.x());
    // The notebook: "Accuracy: 0.985645933014" (train), "Accuracy: 0.8" (test).
    let train_accuracy = accuracy(&train_x, &data.train.y(), &trained.parameters).unwrap();
    assert!((train_accuracy - 98.5645933014).abs() < 1e-9, "{train_accuracy}");
    let test_accuracy = accuracy(&test_x, &data.test.y(), &trained.parameters).unwrap();
    assert!((test_accuracy - 80.0).abs() < 1e-9, "{test_accuracy}");

    // Save and load: the same parameters, hence bit-identical probabilities.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.h5");
    save_model(&path, &trained.parameters).unwrap();
    let loaded = load_model(&path).unwrap();
    assert_eq!(loaded, trained.parameters);
    for x in [&train_x, &test_x] {
        let before = predict_probabilities(x, &trained.parameters).unwrap();
        let after = predict_probabilities(x, &loaded).unwrap();
        assert!(before.iter().zip(after.iter()).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
