//! Saved models (`--save-model` / `--model-file`): round trips are exact, the file has the
//! documented HDF5 layout, and every kind of bad file — not HDF5, truncated, damaged, another
//! HDF5 file, or a model whose datasets disagree with its `layer_dims` — is a clear error
//! naming the file and the dataset, never a panic.

use hdf5_pure::{AttrValue, FileBuilder};
use hw3_deep::model_file::{
    MODEL_FORMAT, load_model, model_from_bytes, model_to_bytes, save_model,
};
use hw3_deep::{ModelFileError, Parameters};
use linalg_nn::NumpyRng;
use linalg_nn::activations::Activation;
use linalg_nn::init::WeightInit;
use std::path::Path;

mod support;

use support::network;

/// A network of `dims` with He weights and `b = randn` (every value distinct and non-zero, so a
/// value stored in the wrong place shows), drawn after `np.random.seed(seed)`.
fn he_network(dims: &[usize], activations: &[Activation], seed: u32) -> Parameters {
    network(dims, activations, WeightInit::He, 1.0, &mut NumpyRng::new(seed))
}

fn sample() -> Parameters {
    he_network(&[3, 2, 1], &[Activation::Relu, Activation::Sigmoid], 1)
}

#[test]
fn round_trips_are_bit_exact() {
    let dir = tempfile::tempdir().unwrap();
    let nets = [
        sample(),
        he_network(
            &[12, 6, 5, 4, 1],
            &[Activation::Relu, Activation::Tanh, Activation::LeakyRelu, Activation::Sigmoid],
            7,
        ),
        he_network(&[5, 1], &[Activation::Sigmoid], 3),
    ];
    for (i, net) in nets.iter().enumerate() {
        let path = dir.path().join(format!("model{i}.h5"));
        save_model(&path, net).unwrap();
        let loaded = load_model(&path).unwrap();
        assert_eq!(&loaded, net);
        for (a, b) in loaded.layers.iter().zip(&net.layers) {
            assert!(a.w.iter().zip(b.w.iter()).all(|(x, y)| x.to_bits() == y.to_bits()));
        }
    }
}

#[test]
fn the_file_has_the_documented_layout() {
    let net = sample();
    let bytes = model_to_bytes(Path::new("m.h5"), &net).unwrap();
    let file = hdf5_pure::File::from_bytes(bytes).unwrap();
    assert_eq!(file.root().attrs().unwrap()["format"], AttrValue::String(MODEL_FORMAT.into()));
    assert_eq!(file.dataset("layer_dims").unwrap().read_i64().unwrap(), vec![3, 2, 1]);
    let activations = file.dataset("activations").unwrap().read_string().unwrap();
    let trimmed: Vec<&str> = activations.iter().map(|s| s.trim_end_matches('\0')).collect();
    assert_eq!(trimmed, ["relu", "sigmoid"]);
    // W1 is stored (2, 3) row by row, as h5py would give it to numpy.
    let w1 = file.dataset("W1").unwrap();
    assert_eq!(w1.shape().unwrap(), vec![2, 3]);
    let values = w1.read_f64().unwrap();
    assert_eq!(values[1], net.layers[0].w[(0, 1)]);
    assert_eq!(values[3], net.layers[0].w[(1, 0)]);
    assert_eq!(file.dataset("b2").unwrap().shape().unwrap(), vec![1, 1]);
}

#[test]
fn saving_into_a_missing_folder_fails_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-folder").join("model.h5");
    let err = save_model(&path, &sample()).unwrap_err();
    assert!(matches!(err, ModelFileError::Write(_)), "{err:?}");
    assert!(err.to_string().contains("model.h5"), "{err}");
    assert!(!path.exists());
}

#[test]
fn missing_files_and_folders_are_read_errors() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_model(&dir.path().join("nope.h5")).unwrap_err();
    assert!(matches!(err, ModelFileError::Read { .. }), "{err:?}");
    let err = load_model(dir.path()).unwrap_err();
    assert!(err.to_string().contains("directory"), "{err}");
}

#[test]
fn non_hdf5_bytes_are_not_a_model() {
    for bytes in [Vec::new(), b"W1 = [[0.1, 0.2]]\n".to_vec(), vec![0u8; 4096]] {
        let err = model_from_bytes(Path::new("notes.txt"), bytes).unwrap_err();
        assert!(matches!(err, ModelFileError::NotHdf5 { .. }), "{err:?}");
        assert!(err.to_string().starts_with("notes.txt: not a model file"), "{err}");
    }
}

#[test]
fn the_cat_data_file_is_not_a_model() {
    let path = linalg_nn::data::default_data_dir().join("test_catvnoncat.h5");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!("{}: {e}; run `cargo xtask fetch-data` to download it", path.display())
    });
    let err = model_from_bytes(&path, bytes).unwrap_err();
    assert!(matches!(err, ModelFileError::NotAModel { .. }), "{err:?}");
    assert!(err.to_string().contains("no \"format\" attribute"), "{err}");
}

#[test]
fn truncated_and_damaged_files_give_errors_not_panics() {
    let net = he_network(&[8, 4, 1], &[Activation::Relu, Activation::Sigmoid], 5);
    let bytes = model_to_bytes(Path::new("m.h5"), &net).unwrap();
    let len = bytes.len();
    let mut cuts: Vec<usize> = (0..len).step_by(len / 60 + 1).collect();
    cuts.push(len - 1);
    for cut in cuts {
        let result = model_from_bytes(Path::new("cut.h5"), bytes[..cut].to_vec());
        let err = result.expect_err("a truncated model must not load");
        assert!(err.to_string().starts_with("cut.h5: "), "{err}");
    }
    // Flipped bytes: an error, or (when only a weight's bits changed) a model of the same
    // shape; never a panic.
    let mut errors = 0;
    for position in (0..len).step_by(7) {
        let mut damaged = bytes.clone();
        damaged[position] ^= 0xA5;
        match model_from_bytes(Path::new("flip.h5"), damaged) {
            Ok(p) => assert_eq!(p.layer_dims(), vec![8, 4, 1]),
            Err(err) => {
                errors += 1;
                assert!(err.to_string().starts_with("flip.h5: "), "{err}");
            }
        }
    }
    assert!(errors > 0);
}

/// A hand-built model file: the valid [3, 2, 1] model by default, each test breaks one thing.
struct Spec {
    format: Option<AttrValue>,
    dims: Vec<i64>,
    activations: Vec<&'static str>,
    /// (name, row-major values, shape, stored as float32)
    datasets: Vec<(String, Vec<f64>, Vec<u64>, bool)>,
}

impl Spec {
    fn valid() -> Self {
        let net = sample();
        let mut datasets = Vec::new();
        for (i, layer) in net.layers.iter().enumerate() {
            let (r, c) = layer.w.shape();
            datasets.push((
                format!("W{}", i + 1),
                layer.w.transpose().as_slice().to_vec(),
                vec![r as u64, c as u64],
                false,
            ));
            datasets.push((
                format!("b{}", i + 1),
                layer.b.as_slice().to_vec(),
                vec![r as u64, 1],
                false,
            ));
        }
        Spec {
            format: Some(AttrValue::String(MODEL_FORMAT.into())),
            dims: vec![3, 2, 1],
            activations: vec!["relu", "sigmoid"],
            datasets,
        }
    }

    fn dataset(&mut self, name: &str) -> &mut (String, Vec<f64>, Vec<u64>, bool) {
        self.datasets.iter_mut().find(|d| d.0 == name).unwrap()
    }

    fn load(&self) -> Result<Parameters, ModelFileError> {
        let mut b = FileBuilder::new();
        if let Some(format) = &self.format {
            b.set_attr("format", format.clone());
        }
        b.create_dataset("layer_dims").with_i64_data(&self.dims);
        b.create_dataset("activations").with_strings(&self.activations).unwrap();
        for (name, values, shape, as_f32) in &self.datasets {
            let ds = b.create_dataset(name);
            if *as_f32 {
                let v: Vec<f32> = values.iter().map(|&x| x as f32).collect();
                ds.with_f32_data(&v).with_shape(shape);
            } else {
                ds.with_f64_data(values).with_shape(shape);
            }
        }
        model_from_bytes(Path::new("model.h5"), b.finish().unwrap())
    }
}

fn expect_error(spec: &Spec, expected: &str) {
    let err = spec.load().expect_err(expected);
    let message = err.to_string();
    assert!(message.starts_with("model.h5: "), "{message}");
    assert!(message.contains(expected), "expected «{expected}» in «{message}»");
}

#[test]
fn the_hand_built_reference_file_loads() {
    assert_eq!(Spec::valid().load().unwrap(), sample());
}

#[test]
fn a_wrong_or_missing_format_is_not_a_model() {
    let mut spec = Spec::valid();
    spec.format = None;
    expect_error(&spec, "not a hw3-deep model file: no \"format\" attribute");
    spec.format = Some(AttrValue::String("dl-course-rs/hw2-planar model v1".into()));
    expect_error(&spec, "the \"format\" attribute is \"dl-course-rs/hw2-planar model v1\"");
    spec.format = Some(AttrValue::I64(1));
    expect_error(&spec, "expected the string");
}

#[test]
fn layer_dims_must_describe_a_network() {
    let mut spec = Spec::valid();
    spec.dims = vec![3];
    expect_error(&spec, "dataset \"layer_dims\": expected shape (L+1,)");
    let mut spec = Spec::valid();
    spec.dims = vec![3, 0, 1];
    expect_error(&spec, "dataset \"layer_dims\": entry 1 is 0");
    let mut spec = Spec::valid();
    spec.dims = vec![3, -2, 1];
    expect_error(&spec, "entry 1 is -2");
}

#[test]
fn activations_must_be_known_and_one_per_layer() {
    let mut spec = Spec::valid();
    spec.activations = vec!["relu"];
    expect_error(&spec, "dataset \"activations\": expected shape (2,), one per layer");
    spec.activations = vec!["relu", "softmax"];
    expect_error(&spec, "dataset \"activations\": entry 1 (layer 2): unknown activation 'softmax'");
}

#[test]
fn weights_must_match_layer_dims_in_shape_and_type() {
    let mut spec = Spec::valid();
    spec.dataset("W2").2 = vec![2, 1];
    expect_error(&spec, "dataset \"W2\": expected shape (1, 2) from layer_dims, found (2, 1)");

    let mut spec = Spec::valid();
    spec.dataset("b1").2 = vec![2];
    expect_error(&spec, "dataset \"b1\": expected shape (2, 1) from layer_dims, found (2,)");

    let mut spec = Spec::valid();
    spec.dataset("W1").3 = true;
    expect_error(&spec, "dataset \"W1\": expected float64, found f32");

    let mut spec = Spec::valid();
    spec.datasets.retain(|d| d.0 != "b2");
    expect_error(&spec, "dataset \"b2\": missing from the file");

    let mut spec = Spec::valid();
    spec.dataset("W1").1[4] = f64::NAN;
    expect_error(&spec, "dataset \"W1\": entry (1, 1) is NaN");

    // A third layer the dims do not mention.
    let mut spec = Spec::valid();
    spec.datasets.push(("W3".into(), vec![1.0], vec![1, 1], false));
    expect_error(&spec, "dataset \"W3\": not part of a 2-layer model");
}

#[test]
fn declared_sizes_beyond_the_file_are_refused_before_reading() {
    // W1 of a [300, 40, 1] model takes 96000 bytes; cut the file to 5000 and its header still
    // declares (40, 300): refused from the header, before anything is allocated or read.
    let net = he_network(&[300, 40, 1], &[Activation::Relu, Activation::Sigmoid], 2);
    let bytes = model_to_bytes(Path::new("m.h5"), &net).unwrap();
    assert!(bytes.len() > 96_000);
    let err = model_from_bytes(Path::new("m.h5"), bytes[..5000].to_vec()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "m.h5: dataset \"W1\": declares shape (40, 300), more data than the whole file \
         (5000 bytes): truncated or damaged"
    );

    // layer_dims promising a 100000 x 100000 W1 (80 GB) is refused on W1's actual shape.
    let mut spec = Spec::valid();
    spec.dims = vec![100_000, 100_000, 1];
    expect_error(&spec, "dataset \"W1\": expected shape (100000, 100000) from layer_dims");
}
