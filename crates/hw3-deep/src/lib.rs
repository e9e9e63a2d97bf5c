//! `hw3-deep`: course 1, week 4 of *Neural Networks and Deep Learning* — "Building your Deep
//! Neural Network: Step by Step" and its application "Deep Neural Network for Image
//! Classification", in Rust, with the same numbers as the notebooks.
//!
//! The functions carry the notebooks' names so the two can be read side by side; the crate root
//! re-exports exactly what a learner meets in the notebooks, in their order:
//!
//! | notebook | here |
//! |---|---|
//! | `initialize_parameters` (2-layer) | [`initialize_parameters`] |
//! | `initialize_parameters_deep` | [`initialize_parameters_deep`] ([`Parameters`], [`Layer`]) |
//! | `linear_forward` | [`linear_forward`] |
//! | `sigmoid`, `relu` (`dnn_utils`) | [`Activation::forward`](linalg_nn::activations::Activation::forward) |
//! | `linear_activation_forward` | [`linear_activation_forward`] (`A` and `Z`: [`LayerOutput`]) |
//! | `L_model_forward`, its `caches` | [`l_model_forward`], [`ForwardPass::caches`] ([`LayerCache`], [`LinearCache`]) |
//! | `compute_cost` | [`compute_cost`] |
//! | `linear_backward` | [`linear_backward`] ([`LinearGradients`]) |
//! | `sigmoid_backward`, `relu_backward` (`dnn_utils`) | [`sigmoid_backward`], [`relu_backward`] ([`activation_backward`] for any activation) |
//! | `linear_activation_backward` | [`linear_activation_backward`] |
//! | `dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))` | [`cost_derivative`] |
//! | `L_model_backward` | [`l_model_backward`] |
//! | `grads["dA" + str(l)]`, `grads["dW" + str(l)]`, `grads["db" + str(l)]` | `grads.da[l]`, `grads.layers[l - 1].dw`, `.db` ([`Gradients::get`]) |
//! | `update_parameters` | [`update_parameters`] |
//! | `two_layer_model` | [`two_layer_model`] |
//! | `L_layer_model` | [`l_layer_model`] |
//! | `predict` | [`predict`] ([`predict_probabilities`], [`accuracy`]) |
//! | `print_mislabeled_images` | [`figures::mislabeled_images`] |
//!
//! Besides these the root holds the crate's own model types: [`ModelKind`], [`TrainOptions`]
//! (a [`Preset`]'s settings: [`TrainOptions::preset`]), [`TrainedModel`], [`EngineOptions`], the
//! errors ([`DeepError`]) and the training loops ([`gradient_descent`], [`train_with_engine`]).
//!
//! The training loops call the notebook's functions through buffer-reusing twins, in
//! [`reusing`] (`hw3_deep::reusing::linear_forward_into`, `l_model_forward_reusing`,
//! `BackwardBuffers`, ...): the same bits, into buffers allocated once, so that no iteration
//! allocates.
//!
//! Two engines run the same gradient descent ([`EngineOptions`], `--engine`): `direct`
//! ([`gradient_descent`]) is the notebook's computation step for step, `W1 X` forward and
//! `dZ1 X^T` backward every iteration (on the cat pictures themselves,
//! [`gradient_descent_direct`] takes both products from the pictures' bytes, exactly); `gram` ([`gradient_descent_gram`]) keeps `Z1 = W1 X + b1`
//! and updates it through the 209 x 209 matrix `X^T X`, computed once, so the 12288 x 209
//! pictures are not touched inside the loop (about 2 MFLOP per iteration of the deep model
//! instead of 205; the costs agree to about 1e-14, see `docs/reference/gram-engine.md`). `auto`, the
//! binary's default, picks `gram` when there are more features than examples, as for the
//! pictures, and says which engine ran. The notebook-named functions ([`two_layer_model`],
//! [`l_layer_model`]) run the direct engine; their `_with` versions take the choice.
//!
//! Shapes follow the course: `X` is `(n_x, m)`, `W[l]` is `(n[l], n[l-1])`, `b[l]` is
//! `(n[l], 1)`, and `parameters.layers[0]` holds `W1`, `b1`. Labels `Y` are `(1, m)`: the model
//! functions take any finite labels, as the notebook's do; the 0/1 labels of a classifier are
//! checked where the data enter ([`check_binary_labels`]: the data loaders, the binary,
//! [`accuracy`]).
//!
//! Run it with `cargo run --release -p hw3-deep -- [--model two-layer|deep] [--preset course]`.
//! It prints the cost every 100 iterations ("Cost after iteration 100: 0.672053"), the train
//! and test accuracies, and writes the cost curve and the mislabeled test pictures to
//! `out/hw3-deep/`. `--layers 12288,20,7,5,1` picks any depth and widths, `--save-model` /
//! `--model-file` keep a trained network in an HDF5 file, `--image cat.jpg` classifies a
//! picture of your own, `--engine direct|gram|auto` picks the engine, `--json` prints one JSON
//! object, `--help` lists everything.
//!
//! ```
//! use hw3_deep::{initialize_parameters_deep, l_model_backward, l_model_forward, compute_cost, update_parameters};
//! use linalg_nn::{NumpyRng, init::WeightInit};
//! use nalgebra::DMatrix;
//!
//! // One step of gradient descent on a [3, 4, 1] network, the notebook's loop body.
//! let mut rng = NumpyRng::new(1);
//! let mut params = initialize_parameters_deep(&[3, 4, 1], WeightInit::InverseSqrtFanIn, &mut rng).unwrap();
//! let x = rng.randn(3, 8);
//! let y = DMatrix::from_row_slice(1, 8, &[1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
//! let pass = l_model_forward(&x, &params).unwrap();
//! let before = compute_cost(pass.al(), &y).unwrap();
//! let grads = l_model_backward(pass.al(), &y, &pass.caches()).unwrap();
//! drop(pass);
//! update_parameters(&mut params, &grads, 0.1).unwrap();
//! let after = compute_cost(l_model_forward(&x, &params).unwrap().al(), &y).unwrap();
//! assert!(after < before);
//! ```

#![forbid(unsafe_code)]

pub mod backward;
pub mod engine;
pub mod error;
pub mod figures;
pub mod forward;
pub mod model;
pub mod model_file;
pub mod network;
pub mod reusing;

pub use backward::{
    Gradients, LayerGradients, LinearGradients, activation_backward, cost_derivative,
    l_model_backward, linear_activation_backward, linear_backward, relu_backward, sigmoid_backward,
};
pub use engine::{EngineOptions, gradient_descent, gradient_descent_direct, gradient_descent_gram};
pub use error::{DeepError, ModelFileError, Result};
pub use forward::{
    ForwardPass, LayerCache, LayerOutput, LinearCache, compute_cost, l_model_forward,
    linear_activation_forward, linear_forward,
};
pub use linalg_nn::train::Preset;
pub use model::{
    COST_EVERY, DEEP_HIDDEN, DEFAULT_SEED, LEARNING_RATE, ModelKind, TWO_LAYER_HIDDEN,
    TrainOptions, TrainedModel, accuracy, check_binary_labels, check_model_fits, l_layer_model,
    l_layer_model_with, mislabeled_indices, predict, predict_probabilities, train_with_engine,
    two_layer_model, two_layer_model_with,
};
pub use network::{
    Layer, Parameters, check_layers_fit_data, initialize_parameters, initialize_parameters_deep,
    update_parameters, validate_layer_dims,
};
