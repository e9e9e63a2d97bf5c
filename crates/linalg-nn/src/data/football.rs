//! The regularisation notebook's data (`reg_utils.load_2D_dataset()`): where the French
//! goalkeeper kicked the ball and which team's player headed it, as the course's MAT-file
//! `datasets/data.mat` holds them (`X (211, 2)`, `y (211, 1)` for training, `Xval`, `yval` for
//! testing), transposed to one example per column.

use super::error::DataError;
use super::mat::{MatClass, MatVariable, read_mat_file};
use super::planar::PlanarData;
use nalgebra::DMatrix;
use std::path::Path;

/// The file name of the course's `datasets/data.mat` in the data folder (`datasets/manifest.txt`).
pub const FOOTBALL_FILE: &str = "regularization_football.mat";

/// The training and test positions of [`load_2d_dataset`].
#[derive(Clone, Debug, PartialEq)]
pub struct Football {
    /// `train_X (2, 211)`, `train_Y (1, 211)`: `X.T`, `y.T`.
    pub train: PlanarData,
    /// `test_X (2, 200)`, `test_Y (1, 200)`: `Xval.T`, `yval.T`.
    pub test: PlanarData,
}

/// `reg_utils.load_2D_dataset()`: reads [`FOOTBALL_FILE`] from `dir` (see [`load_football_file`]).
///
/// ```
/// use linalg_nn::data::{DataError, football::load_2d_dataset};
///
/// let empty = tempfile::tempdir().unwrap();
/// let err = load_2d_dataset(empty.path()).unwrap_err();
/// assert!(matches!(err, DataError::Missing { .. }));
/// assert!(err.to_string().contains("regularization_football.mat"));
/// assert!(err.to_string().contains("cargo xtask fetch-data"));
/// ```
pub fn load_2d_dataset(dir: &Path) -> Result<Football, DataError> {
    load_football_file(&dir.join(FOOTBALL_FILE))
}

/// Reads the course's `data.mat` at `path`: `X` and `Xval` must be `float64` of shape `(m, 2)`,
/// `y` and `yval` `uint8` (the dtypes `scipy.io.loadmat` returns) of shape `(m, 1)` with labels 0 or 1 and the same `m` as their `X`.
/// `train_X = X.T`, `train_Y = y.T`, `test_X = Xval.T`, `test_Y = yval.T`.
pub fn load_football_file(path: &Path) -> Result<Football, DataError> {
    let variables = read_mat_file(path)?;
    let find = |name: &str| {
        variables.iter().find(|v| v.name == name).ok_or_else(|| DataError::MissingVariable {
            path: path.to_path_buf(),
            variable: name.to_owned(),
            found: variables.iter().map(|v| v.name.clone()).collect(),
        })
    };
    let train = split(path, find("X")?, find("y")?)?;
    let test = split(path, find("Xval")?, find("yval")?)?;
    Ok(Football { train, test })
}

/// One split: the points `(m, 2)` and labels `(m, 1)` as `(2, m)` and `(1, m)`.
fn split(path: &Path, x: &MatVariable, y: &MatVariable) -> Result<PlanarData, DataError> {
    let wrong = |v: &MatVariable, expected: String, found: String| DataError::WrongVariable {
        path: path.to_path_buf(),
        variable: v.name.clone(),
        expected,
        found,
    };
    let shape = |v: &MatVariable| {
        let dims: Vec<String> = v.dims.iter().map(usize::to_string).collect();
        format!("shape ({})", dims.join(", "))
    };
    // The dtype `scipy.io.loadmat` gives the notebook: the stored type, not the MATLAB class.
    let dtype = |v: &MatVariable, wanted: MatClass| {
        if v.stored == wanted {
            Ok(())
        } else {
            let found = format!("dtype {} (MATLAB class {})", v.stored.name(), v.class.name());
            Err(wrong(v, format!("dtype {}", wanted.name()), found))
        }
    };
    dtype(x, MatClass::Float64)?;
    dtype(y, MatClass::Uint8)?;
    let &[m, 2] = x.dims.as_slice() else {
        return Err(wrong(x, "shape (m, 2): one point per row".into(), shape(x)));
    };
    if m == 0 {
        return Err(wrong(x, "at least one point".into(), shape(x)));
    }
    if y.dims != [m, 1] {
        return Err(wrong(y, format!("shape ({m}, 1): one label per row of {}", x.name), shape(y)));
    }
    if let Some((index, value)) = y.values.iter().enumerate().find(|(_, v)| **v > 1.0) {
        return Err(wrong(y, "labels 0 or 1".into(), format!("{value} at index {index}")));
    }
    if let Some(index) = x.values.iter().position(|v| !v.is_finite()) {
        let found = format!("{} at row {}, column {}", x.values[index], index % m, index / m);
        return Err(wrong(x, "finite coordinates".into(), found));
    }
    Ok(PlanarData {
        x: DMatrix::from_fn(2, m, |feature, example| x.at(example, feature)),
        y: DMatrix::from_fn(1, m, |_, example| y.at(example, 0)),
    })
}
