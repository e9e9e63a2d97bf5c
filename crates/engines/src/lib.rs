//! `nn-engines`: the speed machinery of dl-course-rs, kept apart from the course so that each
//! assignment's `lib.rs` stays the notebook's plain code and this crate holds everything that
//! makes it fast. Every function here computes what a plain loop of the course computes (the
//! course crates test each engine against that loop), on matrices and slices.
//!
//! | module | what it is | the course code it speeds up |
//! |---|---|---|
//! | [`aligned`] | buffers of `f64` that start on a cache line, so that a vector of eight values at a multiple of eight never straddles two | (the three-layer kernels' rows and columns) |
//! | [`lanes`] | vectors of `f64` behind one trait, one file per instruction set, and the one switch (`DL_COURSE_SIMD`) that picks the level every kernel runs at | (every kernel below) |
//! | [`kernels`] | the heavy matrix products (runtime-dispatched SIMD, a fixed 2-way split) | `np.dot` in every forward and backward pass |
//! | [`logistic`] | logistic regression's gradient descent: one fused pass over `X` per iteration (SIMD, two fixed halves, from floats or bytes), or through `X^T X` | week 2 `propagate`, `optimize`, `predict` |
//! | [`exact_bytes`] | exact products of the pictures' bytes (AVX-512 VNNI, or the lanes elsewhere), the same bits on every CPU | week 2 `propagate`, week 4's first layer |
//! | [`gram`] | the Gram engine: exact full-batch updates of a linear first layer through `X^T X` | week 2/4 `optimize` |
//! | [`inputs`] | `X` as floats or as the pictures' bytes, behind one trait; the fast `X = B / 255` | `train_set_x_flatten / 255.` |
//! | [`pair`] | two threads in lock step for loops cut into two fixed halves | (two cores) |
//! | [`vector_exp`] | the exponential and sigmoid eight or four lanes at a time, the core's bits | `sigmoid(z)` |
//! | [`shallow`] | the one-hidden-layer network's training loop: fixed-size columns, two threads; the sweep on all cores | week 3 `nn_model`, section 6 |
//! | [`tanh`] | `tanh` four or eight lanes at a time, the core's bits | week 3 `np.tanh(Z1)` |
//! | [`three_layer`] | Course 2's three-layer network without allocations: a forward and backward step into gradient buffers, and full-batch gradient descent, SIMD across examples and across gradient entries | course 2 `model` (initialisation; the regularisation and optimisation notebooks' network) |
//!
//! This is the only crate of the workspace with `unsafe` code: SIMD intrinsics behind runtime
//! feature detection, and the thread hand-over. Each `unsafe` block says why it is sound. The
//! vector kernels are written once over [`lanes::Lanes`] and run at the level
//! [`lanes::Level::current`] picks (the environment variable `DL_COURSE_SIMD` can lower it).

pub mod aligned;
pub mod exact_bytes;
pub mod gram;
pub mod inputs;
pub mod kernels;
pub mod lanes;
pub mod logistic;
pub mod pair;
pub mod shallow;
pub mod tanh;
pub mod three_layer;
pub mod vector_exp;
