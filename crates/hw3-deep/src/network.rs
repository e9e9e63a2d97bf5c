//! The parameters of an L-layer network and their initialisation: section 3 "Initialization" of
//! *Building your Deep Neural Network: Step by Step* (`initialize_parameters`,
//! `initialize_parameters_deep`) and section 6 "Update Parameters" (`update_parameters`).

use crate::backward::Gradients;
use crate::error::{DeepError, Result};
use linalg_nn::NumpyRng;
use linalg_nn::activations::Activation;
use linalg_nn::init::{WeightInit, zeros_bias};
use linalg_nn::matrix::ensure_shape;
use nalgebra::DMatrix;

/// One layer `l`: `W[l]` of shape `(n[l], n[l-1])`, `b[l]` of shape `(n[l], 1)` and the
/// activation `g[l]` applied to `Z[l] = W[l] A[l-1] + b[l]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// `W[l]`, `(n[l], n[l-1])`.
    pub w: DMatrix<f64>,
    /// `b[l]`, `(n[l], 1)`.
    pub b: DMatrix<f64>,
    /// `g[l]`: ReLU for the hidden layers, sigmoid for the output layer in the course.
    pub activation: Activation,
}

impl Layer {
    /// `n[l]`, the number of units.
    pub fn units(&self) -> usize {
        self.w.nrows()
    }

    /// `n[l-1]`, the width of the layer's input.
    pub fn inputs(&self) -> usize {
        self.w.ncols()
    }
}

/// The notebook's `parameters` dictionary (`W1, b1, ..., WL, bL`), one [`Layer`] per entry of
/// `layers` (so `layers[0]` holds `W1` and `b1`).
#[derive(Clone, Debug, PartialEq)]
pub struct Parameters {
    /// Layers 1 to L, in order.
    pub layers: Vec<Layer>,
}

impl Parameters {
    /// Builds parameters from layers, checking that they chain: `W[l]` has as many columns as
    /// `W[l-1]` has rows and every `b[l]` is `(n[l], 1)`.
    ///
    /// ```
    /// use hw3_deep::{Layer, Parameters};
    /// use linalg_nn::activations::Activation;
    /// use nalgebra::DMatrix;
    ///
    /// let layer = |rows, cols, activation| Layer {
    ///     w: DMatrix::zeros(rows, cols),
    ///     b: DMatrix::zeros(rows, 1),
    ///     activation,
    /// };
    /// let p = Parameters::new(vec![layer(3, 4, Activation::Relu), layer(1, 3, Activation::Sigmoid)])
    ///     .unwrap();
    /// assert_eq!(p.layer_dims(), vec![4, 3, 1]);
    /// // W2 must take the 3 outputs of layer 1.
    /// let bad = Parameters::new(vec![layer(3, 4, Activation::Relu), layer(1, 2, Activation::Sigmoid)]);
    /// assert!(bad.unwrap_err().to_string().contains("W2"));
    /// ```
    pub fn new(layers: Vec<Layer>) -> Result<Self> {
        if layers.is_empty() {
            return Err(DeepError::layers(&[], "a network needs at least one layer"));
        }
        for (index, layer) in layers.iter().enumerate() {
            let l = index + 1;
            if layer.units() == 0 || layer.inputs() == 0 {
                return Err(DeepError::layers(
                    &[layer.inputs(), layer.units()],
                    format!(
                        "W{l} is {:?}; every layer needs at least one unit and input",
                        layer.w.shape()
                    ),
                ));
            }
            if index > 0 {
                let previous = layers[index - 1].units();
                ensure_shape(&layer.w, (layer.units(), previous), &format!("W{l}"))?;
            }
            ensure_shape(&layer.b, (layer.units(), 1), &format!("b{l}"))?;
        }
        Ok(Parameters { layers })
    }

    /// The notebook's `layers_dims`: `[n[0], n[1], ..., n[L]]`.
    pub fn layer_dims(&self) -> Vec<usize> {
        let mut dims = Vec::with_capacity(self.layers.len() + 1);
        dims.extend(self.layers.first().map(Layer::inputs));
        dims.extend(self.layers.iter().map(Layer::units));
        dims
    }

    /// `L`, the number of layers with parameters (the input layer is not counted).
    pub fn depth(&self) -> usize {
        self.layers.len()
    }

    /// `n[0]`, the number of input features the network takes.
    pub fn n_x(&self) -> usize {
        self.layers.first().map_or(0, Layer::inputs)
    }

    /// The activations `g[1], ..., g[L]`.
    pub fn activations(&self) -> Vec<Activation> {
        self.layers.iter().map(|l| l.activation).collect()
    }

    /// Whether every weight and bias is finite (a diverged run leaves NaN or infinity behind).
    pub fn all_finite(&self) -> bool {
        self.layers
            .iter()
            .all(|l| linalg_nn::train::all_finite(&l.w) && linalg_nn::train::all_finite(&l.b))
    }
}

/// Checks `layers_dims` as a network's shape: at least an input and an output width, and no
/// width of 0.
///
/// ```
/// use hw3_deep::validate_layer_dims;
/// assert!(validate_layer_dims(&[12288, 20, 7, 5, 1]).is_ok());
/// assert!(validate_layer_dims(&[]).is_err());
/// assert!(validate_layer_dims(&[12288]).is_err());
/// assert!(validate_layer_dims(&[12288, 0, 1]).is_err());
/// ```
pub fn validate_layer_dims(layers_dims: &[usize]) -> Result<()> {
    if layers_dims.len() < 2 {
        return Err(DeepError::layers(
            layers_dims,
            format!(
                "need at least two widths (input and output), e.g. 12288,7,1; got {}",
                layers_dims.len()
            ),
        ));
    }
    if let Some(position) = layers_dims.iter().position(|&n| n == 0) {
        return Err(DeepError::layers(
            layers_dims,
            format!(
                "width {} (layer {position}) is 0; every layer needs at least one unit",
                position + 1
            ),
        ));
    }
    Ok(())
}

/// Checks that `layers_dims` fits the data: the first width is the number of features of `X`
/// and the last is 1 (one sigmoid unit for the cat / non-cat label).
///
/// ```
/// use hw3_deep::check_layers_fit_data;
/// assert!(check_layers_fit_data(&[12288, 7, 1], 12288).is_ok());
/// let err = check_layers_fit_data(&[100, 7, 1], 12288).unwrap_err();
/// assert!(err.to_string().contains("must equal the number of input features, 12288"));
/// assert!(check_layers_fit_data(&[12288, 7, 2], 12288).is_err());
/// ```
pub fn check_layers_fit_data(layers_dims: &[usize], n_x: usize) -> Result<()> {
    validate_layer_dims(layers_dims)?;
    if layers_dims[0] != n_x {
        return Err(DeepError::layers(
            layers_dims,
            format!(
                "the first width is {} but must equal the number of input features, {n_x} \
                 (num_px * num_px * 3 for the pictures)",
                layers_dims[0]
            ),
        ));
    }
    let output = layers_dims[layers_dims.len() - 1];
    if output != 1 {
        return Err(DeepError::layers(
            layers_dims,
            format!("the last width is {output} but must be 1: one sigmoid unit for cat / non-cat"),
        ));
    }
    Ok(())
}

/// The 2-layer notebook's `initialize_parameters(n_x, n_h, n_y)`: `W1` `(n_h, n_x)`, then `W2`
/// `(n_y, n_h)`, drawn in that order from `rng`, biases zero; LINEAR->RELU->LINEAR->SIGMOID.
///
/// The course draws with `init = WeightInit::SMALL` (`np.random.randn(...) * 0.01`) right after
/// `np.random.seed(1)`, i.e. `rng = NumpyRng::new(1)`.
///
/// ```
/// use hw3_deep::initialize_parameters;
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// // The notebook's "initialize_parameters(3,2,1)" test: W1 = [[0.01624345, -0.00611756, ...
/// let p = initialize_parameters(3, 2, 1, WeightInit::SMALL, &mut NumpyRng::new(1)).unwrap();
/// assert!((p.layers[0].w[(0, 0)] - 0.01624345).abs() < 1e-8);
/// assert!((p.layers[1].w[(0, 1)] - -0.00761207).abs() < 1e-8);
/// assert_eq!(p.layer_dims(), vec![3, 2, 1]);
/// ```
pub fn initialize_parameters(
    n_x: usize,
    n_h: usize,
    n_y: usize,
    init: WeightInit,
    rng: &mut NumpyRng,
) -> Result<Parameters> {
    initialize_parameters_deep(&[n_x, n_h, n_y], init, rng)
}

/// The notebook's `initialize_parameters_deep(layer_dims)`: for `l = 1 .. L` in order,
/// `W[l] = init(n[l], n[l-1])` drawn from `rng`, `b[l] = 0`; ReLU on the hidden layers, sigmoid
/// on the last (`[LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID`).
///
/// The application notebook (`dnn_app_utils_v3`) uses `np.random.seed(1)` and
/// `init = WeightInit::InverseSqrtFanIn` (`randn / np.sqrt(layer_dims[l-1])`); the step-by-step
/// exercise uses seed 3 and `randn * 0.01`.
///
/// ```
/// use hw3_deep::initialize_parameters_deep;
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// // The step-by-step notebook's test, initialize_parameters_deep([5,4,3]) with seed 3:
/// // W1[0, 0] = 0.01788628, W2 = [[-0.01185047, ...
/// let p = initialize_parameters_deep(&[5, 4, 3], WeightInit::SMALL, &mut NumpyRng::new(3)).unwrap();
/// assert!((p.layers[0].w[(0, 0)] - 0.01788628).abs() < 1e-8);
/// assert!((p.layers[1].w[(0, 0)] - -0.01185047).abs() < 1e-8);
/// assert_eq!(p.layers[1].b.shape(), (3, 1));
/// ```
pub fn initialize_parameters_deep(
    layer_dims: &[usize],
    init: WeightInit,
    rng: &mut NumpyRng,
) -> Result<Parameters> {
    validate_layer_dims(layer_dims)?;
    let last = layer_dims.len() - 1;
    let layers = (1..=last)
        .map(|l| {
            Ok(Layer {
                w: init.weights(rng, layer_dims[l], layer_dims[l - 1])?,
                b: zeros_bias(layer_dims[l]),
                activation: if l == last { Activation::Sigmoid } else { Activation::Relu },
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Parameters::new(layers)
}

/// The notebook's `update_parameters(parameters, grads, learning_rate)`: one step of gradient
/// descent, `W[l] = W[l] - alpha dW[l]`, `b[l] = b[l] - alpha db[l]`, in place. Only the
/// parameters' gradients [`Gradients::layers`] are read; the `dA[l]` are not.
///
/// ```
/// use hw3_deep::{Gradients, LayerGradients, initialize_parameters_deep, update_parameters};
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// use nalgebra::DMatrix;
///
/// let mut p = initialize_parameters_deep(&[2, 1], WeightInit::Zeros, &mut NumpyRng::new(1)).unwrap();
/// let grads = Gradients::new(vec![LayerGradients {
///     dw: DMatrix::from_row_slice(1, 2, &[1.0, -2.0]),
///     db: DMatrix::from_row_slice(1, 1, &[0.5]),
/// }]);
/// update_parameters(&mut p, &grads, 0.1).unwrap();
/// assert_eq!(p.layers[0].w, DMatrix::from_row_slice(1, 2, &[-0.1, 0.2]));
/// assert_eq!(p.layers[0].b[(0, 0)], -0.05);
/// ```
pub fn update_parameters(
    parameters: &mut Parameters,
    grads: &Gradients,
    learning_rate: f64,
) -> Result<()> {
    if grads.layers.len() != parameters.layers.len() {
        return Err(DeepError::layers(
            &parameters.layer_dims(),
            format!(
                "{} layers of parameters but {} of gradients",
                parameters.layers.len(),
                grads.layers.len()
            ),
        ));
    }
    for (index, (layer, grad)) in parameters.layers.iter().zip(&grads.layers).enumerate() {
        // The messages are built only for a mismatch: a training loop calls this every iteration.
        let l = index + 1;
        if grad.dw.shape() != layer.w.shape() {
            ensure_shape(&grad.dw, layer.w.shape(), &format!("dW{l} against W{l}"))?;
        }
        if grad.db.shape() != layer.b.shape() {
            ensure_shape(&grad.db, layer.b.shape(), &format!("db{l} against b{l}"))?;
        }
    }
    // Over the flat buffers (the shapes were checked above): nalgebra's zip_apply walks them by
    // index and is not vectorised, which made this 5 % of a direct-engine run (W1 is n1 x 12288).
    let step = |values: &mut [f64], gradients: &[f64]| {
        for (value, &gradient) in values.iter_mut().zip(gradients) {
            *value -= learning_rate * gradient;
        }
    };
    for (layer, grad) in parameters.layers.iter_mut().zip(&grads.layers) {
        step(layer.w.as_mut_slice(), grad.dw.as_slice());
        step(layer.b.as_mut_slice(), grad.db.as_slice());
    }
    Ok(())
}
