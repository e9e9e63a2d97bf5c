//! The notebook's `sigmoid` and numpy's summation orders, re-exported from the core
//! ([`linalg_nn::numpy`], where Course 2's plain loops take them too): `np.dot` and
//! `np.sum(A, axis=1)` as numpy rounds them decide the last bits at the course's learning rate
//! of 1.2 (see [`crate::nn_model`]).

pub use linalg_nn::numpy::{dot, dot_transposed, sigmoid, sum_rows_like_numpy};
