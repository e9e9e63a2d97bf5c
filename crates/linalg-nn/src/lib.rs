//! `linalg-nn`: the shared core of dl-course-rs, the Rust companion to Andrew Ng's
//! *Neural Networks and Deep Learning* course.
//!
//! Everything the three programming assignments have in common lives here, so that each
//! assignment crate reads like its notebook and nothing is written twice:
//!
//! | module | what it is | course section |
//! |---|---|---|
//! | [`matrix`] | numpy idioms on nalgebra `DMatrix<f64>` (axis sums, the `+ b` broadcast, ...) | appendix "Python / numpy" |
//! | [`numpy`] | `np.dot`, `np.sum(axis=1)` and the helpers' `sigmoid` with numpy's rounding | week 3, course 2 week 1 |
//! | [`activations`] | sigmoid, tanh, ReLU, leaky ReLU and their derivatives | week 3, "activation functions" |
//! | [`cost`] | cross-entropy cost J and the squared-error loss | week 2, "logistic regression cost function" |
//! | [`init`] | zero, small-random, `1/sqrt(n)` and He initialisers | week 3/4, "random initialisation" |
//! | [`rng`] | a generator that reproduces `np.random.seed` / `randn` / `rand` bit for bit | every notebook's seeded cells |
//! | [`gradcheck`] | central-difference gradient checking | course 2, "gradient checking" |
//! | [`data`] | cat / non-cat HDF5 files, the planar "flower", your own pictures | `lr_utils.py`, `planar_utils.py` |
//! | [`exp`] | the exponential behind the sigmoid, glibc's bits on every machine | week 2, `np.exp` |
//! | [`tanh`] | the hidden layer's tanh, glibc's bits on every machine | week 3, `np.tanh` |
//! | [`three_layer`] | Course 2's helper network LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID: forward, loss, backward, update, predict | course 2, `init_utils.py` / `reg_utils.py` / `opt_utils.py` |
//! | [`train`] | the presets (study notes / notebook), hyperparameter checks, divergence detection, progress observers | every `optimize` / `model` cell |
//! | `cli` (feature `cli`) | flags, console output, `--json` and progress bars shared by the binaries | (project convention) |
//! | [`atomic`] | write-to-temp-then-rename for every file we produce | (project convention) |
//! | `plot` (feature `plot`) | cost curves, cat pictures, the flower and its decision boundaries, heatmaps as PNG/SVG | the notebooks' matplotlib cells |
//!
//! Shapes follow the course: `X` is `(n_x, m)` with one example per column, `W[l]` is
//! `(n[l], n[l-1])`, `b[l]` is `(n[l], 1)`.
//!
//! ```
//! use linalg_nn::{activations::sigmoid, matrix::add_column};
//! use nalgebra::DMatrix;
//!
//! // z = W x + b for two examples, then a = sigmoid(z): the first cell of every notebook.
//! let w = DMatrix::from_row_slice(1, 2, &[1.0, 2.0]);
//! let x = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
//! let b = DMatrix::from_row_slice(1, 1, &[2.0]);
//! let z = add_column(&(&w * &x), &b).unwrap();
//! assert_eq!(z, DMatrix::from_row_slice(1, 2, &[9.0, 12.0]));
//! let a = sigmoid(&z);
//! assert!((a[(0, 0)] - 0.999876605424).abs() < 1e-12);
//! ```

#![forbid(unsafe_code)]

pub mod activations;
pub mod atomic;
#[cfg(feature = "cli")]
pub mod cli;
pub mod cost;
pub mod data;
pub mod error;
pub mod exp;
pub mod gradcheck;
pub mod init;
pub mod matrix;
pub mod numpy;
#[cfg(feature = "plot")]
pub mod plot;
pub mod rng;
pub mod tanh;
pub mod three_layer;
pub mod train;

pub use error::{NnError, Result};
pub use nalgebra::DMatrix;

pub use rng::NumpyRng;

/// The numpy → Rust guide (`docs/numpy-to-rust.md`), included here so that every snippet in it is
/// compiled and run as a doctest.
#[doc = include_str!("../../../docs/numpy-to-rust.md")]
#[cfg(doctest)]
pub struct NumpyToRustGuide;
