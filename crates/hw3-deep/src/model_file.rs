//! Saved models: the trained parameters in an HDF5 file, the format of the course's own data
//! files (the application notebook keeps its parameters in memory only; `--save-model` and
//! `--model-file` let a trained network be reused without another 2500 iterations).
//!
//! Layout (every name at the root of the file):
//!
//! | name | kind | contents |
//! |---|---|---|
//! | `format` | string attribute | `"dl-course-rs/hw3-deep model v1"` |
//! | `layer_dims` | int64 dataset `(L+1,)` | `[n[0], n[1], ..., n[L]]` |
//! | `activations` | string dataset `(L,)` | `"relu"`, ..., `"sigmoid"` |
//! | `W1` .. `WL` | float64 dataset `(n[l], n[l-1])` | weights, row-major like numpy |
//! | `b1` .. `bL` | float64 dataset `(n[l], 1)` | biases |
//!
//! h5py reads it as `f["W1"][()]` with the notebook's shapes. Loading validates everything
//! (format, types, shapes against `layer_dims`, sizes against the file length before reading,
//! finite values, no unexpected datasets); damaged bytes give an error naming the file and the
//! dataset, never a panic.

use crate::error::ModelFileError;
use crate::network::{Layer, Parameters};
use hdf5_pure::{AttrValue, DType, FileBuilder};
use linalg_nn::activations::Activation;
use linalg_nn::atomic::write_bytes_atomic;
use nalgebra::DMatrix;
use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// The value of the `format` attribute that marks a model file of this crate.
pub const MODEL_FORMAT: &str = "dl-course-rs/hw3-deep model v1";

/// The most layers a model file may declare (far beyond any network of the course; it bounds
/// the work done on a hostile `layer_dims`).
pub const MAX_LAYERS: usize = 1000;

/// Encodes `parameters` as the bytes of a model file. `path` only names the file in errors.
///
/// ```
/// use hw3_deep::{initialize_parameters_deep, model_file::{model_from_bytes, model_to_bytes}};
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// use std::path::Path;
///
/// let p = initialize_parameters_deep(&[4, 3, 1], WeightInit::He, &mut NumpyRng::new(1)).unwrap();
/// let bytes = model_to_bytes(Path::new("m.h5"), &p).unwrap();
/// assert_eq!(model_from_bytes(Path::new("m.h5"), bytes).unwrap(), p);
/// ```
pub fn model_to_bytes(path: &Path, parameters: &Parameters) -> Result<Vec<u8>, ModelFileError> {
    let encode = |detail: String| ModelFileError::Encode { path: path.to_path_buf(), detail };
    let mut builder = FileBuilder::new();
    builder.set_attr("format", AttrValue::String(MODEL_FORMAT.to_owned()));
    let dims = parameters
        .layer_dims()
        .iter()
        .map(|&n| {
            i64::try_from(n).map_err(|_| encode(format!("layer width {n} does not fit int64")))
        })
        .collect::<Result<Vec<i64>, _>>()?;
    builder.create_dataset("layer_dims").with_i64_data(&dims);
    let names: Vec<&str> = parameters.layers.iter().map(|l| l.activation.name()).collect();
    builder
        .create_dataset("activations")
        .with_strings(&names)
        .map_err(|e| encode(format!("dataset \"activations\": {e}")))?;
    for (index, layer) in parameters.layers.iter().enumerate() {
        let l = index + 1;
        let (rows, cols) = layer.w.shape();
        // numpy and h5py store row by row; nalgebra keeps columns, so write the transpose's
        // column-major data, which is W's row-major data.
        let row_major: Vec<f64> = layer.w.transpose().as_slice().to_vec();
        builder
            .create_dataset(&format!("W{l}"))
            .with_f64_data(&row_major)
            .with_shape(&[rows as u64, cols as u64]);
        builder
            .create_dataset(&format!("b{l}"))
            .with_f64_data(layer.b.as_slice())
            .with_shape(&[layer.b.nrows() as u64, 1]);
    }
    builder.finish().map_err(|e| encode(e.to_string()))
}

/// `--save-model PATH`: writes `parameters` to `path` atomically (a failure leaves any existing
/// file untouched).
pub fn save_model(path: &Path, parameters: &Parameters) -> Result<(), ModelFileError> {
    let bytes = model_to_bytes(path, parameters)?;
    write_bytes_atomic(path, &bytes)?;
    Ok(())
}

/// `--model-file PATH`: reads and validates a model written by [`save_model`].
///
/// ```
/// use hw3_deep::model_file::load_model;
/// let dir = tempfile::tempdir().unwrap();
/// let err = load_model(&dir.path().join("missing.h5")).unwrap_err();
/// assert!(err.to_string().contains("missing.h5: cannot read the model file"));
/// ```
pub fn load_model(path: &Path) -> Result<Parameters, ModelFileError> {
    let read_error = |source| ModelFileError::Read { path: path.to_path_buf(), source };
    if path.is_dir() {
        return Err(read_error(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "this is a directory, expected a model file",
        )));
    }
    let bytes = std::fs::read(path).map_err(read_error)?;
    model_from_bytes(path, bytes)
}

/// Parses the bytes of a model file; `path` only names the file in errors. Any panic inside
/// the HDF5 reader on damaged bytes is turned into [`ModelFileError::NotHdf5`].
pub fn model_from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Parameters, ModelFileError> {
    // hdf5-pure does not promise to be panic-free on hostile input; nothing built inside the
    // closure outlives an unwind, so asserting unwind safety is sound.
    match catch_unwind(AssertUnwindSafe(|| parse(path, bytes))) {
        Ok(result) => result,
        Err(payload) => {
            let reason = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown reason".to_owned());
            Err(ModelFileError::NotHdf5 {
                path: path.to_path_buf(),
                detail: format!("the HDF5 reader failed on damaged data: {reason}"),
            })
        }
    }
}

/// The file being parsed, for error messages and size checks.
struct Reader<'a> {
    path: &'a Path,
    file: hdf5_pure::File,
    file_len: u64,
}

impl Reader<'_> {
    fn path(&self) -> PathBuf {
        self.path.to_path_buf()
    }

    fn dataset_error(&self, dataset: &str, detail: impl Into<String>) -> ModelFileError {
        ModelFileError::Dataset {
            path: self.path(),
            dataset: dataset.to_owned(),
            detail: detail.into(),
        }
    }

    fn not_a_model(&self, detail: impl Into<String>) -> ModelFileError {
        ModelFileError::NotAModel { path: self.path(), detail: detail.into() }
    }

    fn check_format(&self) -> Result<(), ModelFileError> {
        let attrs = self
            .file
            .root()
            .attrs()
            .map_err(|e| self.not_a_model(format!("cannot read the root attributes: {e}")))?;
        let found = match attrs.get("format") {
            None => {
                return Err(self.not_a_model(format!(
                    "no \"format\" attribute (expected \"{MODEL_FORMAT}\")"
                )));
            }
            Some(AttrValue::String(s) | AttrValue::AsciiString(s)) => s.trim_end_matches('\0'),
            Some(other) => {
                return Err(self.not_a_model(format!(
                    "the \"format\" attribute is {other:?}, expected the string \"{MODEL_FORMAT}\""
                )));
            }
        };
        if found == MODEL_FORMAT {
            Ok(())
        } else {
            Err(self.not_a_model(format!(
                "the \"format\" attribute is \"{found}\", expected \"{MODEL_FORMAT}\""
            )))
        }
    }

    fn dataset(&self, name: &str) -> Result<hdf5_pure::Dataset, ModelFileError> {
        self.file.dataset(name).map_err(|e| match e {
            hdf5_pure::Error::Format(hdf5_pure::FormatError::PathNotFound(_))
            | hdf5_pure::Error::NotADataset(_) => self.dataset_error(name, "missing from the file"),
            other => self.dataset_error(name, format!("cannot open: {other}")),
        })
    }

    /// Opens `name`, checks its element type with `accept` and its shape with `shape_ok`, and
    /// that its declared size fits in the file; returns the dataset, its shape and its element
    /// count.
    fn checked_dataset(
        &self,
        name: &str,
        expected_type: &str,
        accept: impl Fn(&DType) -> bool,
        expected_shape: &str,
        shape_ok: impl Fn(&[u64]) -> bool,
    ) -> Result<(hdf5_pure::Dataset, Vec<u64>, usize), ModelFileError> {
        let ds = self.dataset(name)?;
        let dtype = ds
            .dtype()
            .map_err(|e| self.dataset_error(name, format!("cannot read its type: {e}")))?;
        if !accept(&dtype) {
            return Err(
                self.dataset_error(name, format!("expected {expected_type}, found {dtype}"))
            );
        }
        let shape = ds
            .shape()
            .map_err(|e| self.dataset_error(name, format!("cannot read its shape: {e}")))?;
        if !shape_ok(&shape) {
            return Err(self.dataset_error(
                name,
                format!("expected shape {expected_shape}, found {}", format_shape(&shape)),
            ));
        }
        let element_size = ds
            .element_size()
            .map_err(|e| self.dataset_error(name, format!("cannot read its type: {e}")))?;
        let count = shape.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d));
        let bytes = count.and_then(|c| c.checked_mul(element_size));
        match (count, bytes) {
            (Some(count), Some(bytes)) if bytes <= self.file_len => {
                let count = usize::try_from(count).map_err(|_| self.too_big(name, &shape))?;
                Ok((ds, shape, count))
            }
            _ => Err(self.too_big(name, &shape)),
        }
    }

    fn too_big(&self, name: &str, shape: &[u64]) -> ModelFileError {
        self.dataset_error(
            name,
            format!(
                "declares shape {}, more data than the whole file ({} bytes): truncated or damaged",
                format_shape(shape),
                self.file_len
            ),
        )
    }

    fn short_read(&self, name: &str, expected: usize, found: usize) -> ModelFileError {
        self.dataset_error(name, format!("read {found} values, its shape declares {expected}"))
    }

    fn layer_dims(&self) -> Result<Vec<usize>, ModelFileError> {
        let name = "layer_dims";
        let (ds, _, count) = self.checked_dataset(
            name,
            "int64 (or another integer type)",
            is_integer,
            &format!("(L+1,) with 2 <= L+1 <= {}", MAX_LAYERS + 1),
            |s| matches!(s, [n] if (2..=MAX_LAYERS as u64 + 1).contains(n)),
        )?;
        let raw =
            ds.read_i64().map_err(|e| self.dataset_error(name, format!("cannot read: {e}")))?;
        if raw.len() != count {
            return Err(self.short_read(name, count, raw.len()));
        }
        raw.iter()
            .enumerate()
            .map(|(i, &n)| match usize::try_from(n) {
                Ok(n) if n >= 1 => Ok(n),
                _ => Err(self.dataset_error(
                    name,
                    format!("entry {i} is {n}; every width must be at least 1"),
                )),
            })
            .collect()
    }

    fn activations(&self, layers: usize) -> Result<Vec<Activation>, ModelFileError> {
        let name = "activations";
        let (ds, _, count) = self.checked_dataset(
            name,
            "strings",
            |d| matches!(d, DType::String | DType::VariableLengthString),
            &format!("({layers},), one per layer of layer_dims"),
            |s| s == [layers as u64],
        )?;
        let names =
            ds.read_string().map_err(|e| self.dataset_error(name, format!("cannot read: {e}")))?;
        if names.len() != count {
            return Err(self.short_read(name, count, names.len()));
        }
        names
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.trim_end_matches(['\0', ' ']).parse::<Activation>().map_err(|e| {
                    self.dataset_error(name, format!("entry {i} (layer {}): {e}", i + 1))
                })
            })
            .collect()
    }

    fn matrix(&self, name: &str, rows: usize, cols: usize) -> Result<DMatrix<f64>, ModelFileError> {
        let expected = [rows as u64, cols as u64];
        let (ds, _, count) = self.checked_dataset(
            name,
            "float64",
            |d| matches!(d, DType::F64),
            &format!("({rows}, {cols}) from layer_dims"),
            |s| s == expected,
        )?;
        let values =
            ds.read_f64().map_err(|e| self.dataset_error(name, format!("cannot read: {e}")))?;
        if values.len() != count {
            return Err(self.short_read(name, count, values.len()));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(self.dataset_error(
                name,
                format!(
                    "entry ({}, {}) is {}; a model's parameters must be finite",
                    i / cols,
                    i % cols,
                    values[i]
                ),
            ));
        }
        Ok(DMatrix::from_row_slice(rows, cols, &values))
    }

    fn check_no_extra_datasets(&self, layers: usize) -> Result<(), ModelFileError> {
        let mut expected: BTreeSet<String> =
            ["layer_dims".to_owned(), "activations".to_owned()].into_iter().collect();
        for l in 1..=layers {
            expected.insert(format!("W{l}"));
            expected.insert(format!("b{l}"));
        }
        let names = self
            .file
            .root()
            .datasets()
            .map_err(|e| self.not_a_model(format!("cannot list the datasets: {e}")))?;
        match names.iter().find(|n| !expected.contains(n.as_str())) {
            Some(extra) => Err(self.dataset_error(
                extra,
                format!(
                    "not part of a {layers}-layer model (layer_dims has {} entries)",
                    layers + 1
                ),
            )),
            None => Ok(()),
        }
    }
}

fn parse(path: &Path, bytes: Vec<u8>) -> Result<Parameters, ModelFileError> {
    let file_len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    let file = hdf5_pure::File::from_bytes(bytes)
        .map_err(|e| ModelFileError::NotHdf5 { path: path.to_path_buf(), detail: e.to_string() })?;
    let reader = Reader { path, file, file_len };
    reader.check_format()?;
    let dims = reader.layer_dims()?;
    let layers = dims.len() - 1;
    let activations = reader.activations(layers)?;
    reader.check_no_extra_datasets(layers)?;
    let mut built = Vec::with_capacity(layers);
    for (index, activation) in activations.into_iter().enumerate() {
        let l = index + 1;
        let w = reader.matrix(&format!("W{l}"), dims[l], dims[l - 1])?;
        let b = reader.matrix(&format!("b{l}"), dims[l], 1)?;
        built.push(Layer { w, b, activation });
    }
    // The shapes were checked against layer_dims, so the layers chain.
    Parameters::new(built)
        .map_err(|e| ModelFileError::NotAModel { path: path.to_path_buf(), detail: e.to_string() })
}

fn is_integer(dtype: &DType) -> bool {
    matches!(
        dtype,
        DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
    )
}

/// A shape as numpy prints it: `(7, 20)`, `(5,)`.
fn format_shape(shape: &[u64]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!("({})", shape.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")),
    }
}
