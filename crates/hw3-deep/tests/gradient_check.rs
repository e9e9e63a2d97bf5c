//! Gradient checking (course 2, week 1) of `l_model_backward` on small random networks of 3 and
//! more layers: backpropagation must agree with central differences of `compute_cost` to the
//! course's threshold, difference < 1e-7.

use hw3_deep::{Layer, Parameters, compute_cost, l_model_backward, l_model_forward};
use linalg_nn::activations::Activation;
use linalg_nn::gradcheck::{DEFAULT_EPSILON, GradCheckReport, gradient_check};
use linalg_nn::init::WeightInit;
use linalg_nn::{DMatrix, NumpyRng};

mod support;

use support::{hidden_then_sigmoid, network};

/// A network of `dims` drawn from `rng`: `W = randn / sqrt(n_prev)`, `b = randn * 0.1` (not
/// zero, so their gradients are exercised from a generic point), hidden activation `hidden`,
/// sigmoid output.
fn random_network(dims: &[usize], hidden: Activation, rng: &mut NumpyRng) -> Parameters {
    let activations = hidden_then_sigmoid(dims.len() - 1, hidden);
    network(dims, &activations, WeightInit::InverseSqrtFanIn, 0.1, rng)
}

fn labels(m: usize, rng: &mut NumpyRng) -> DMatrix<f64> {
    DMatrix::from_fn(1, m, |_, _| if rng.random_sample() > 0.5 { 1.0 } else { 0.0 })
}

/// Runs the course's check of `l_model_backward` for `params` on `(x, y)`; `tamper` may alter
/// the analytic gradients first (to show that the check catches a mistake).
fn check(
    params: &Parameters,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    tamper: impl FnOnce(&mut Vec<DMatrix<f64>>),
) -> GradCheckReport {
    let pass = l_model_forward(x, params).unwrap();
    let grads = l_model_backward(pass.al(), y, &pass.caches()).unwrap();
    let names: Vec<(String, String)> =
        (1..=params.depth()).map(|l| (format!("W{l}"), format!("b{l}"))).collect();
    let mut named = Vec::new();
    let mut analytic = Vec::new();
    for ((w_name, b_name), (layer, grad)) in
        names.iter().zip(params.layers.iter().zip(&grads.layers))
    {
        named.push((w_name.as_str(), layer.w.clone()));
        analytic.push(grad.dw.clone());
        named.push((b_name.as_str(), layer.b.clone()));
        analytic.push(grad.db.clone());
    }
    tamper(&mut analytic);
    let activations = params.activations();
    gradient_check(&named, &analytic, DEFAULT_EPSILON, |theta| {
        let layers = theta
            .chunks(2)
            .zip(&activations)
            .map(|(wb, &activation)| Layer { w: wb[0].clone(), b: wb[1].clone(), activation })
            .collect();
        let perturbed = Parameters { layers };
        compute_cost(l_model_forward(x, &perturbed).unwrap().al(), y).unwrap()
    })
    .unwrap()
}

#[test]
fn backward_of_a_four_layer_relu_network_passes_gradient_checking() {
    let mut rng = NumpyRng::new(4);
    let params = random_network(&[6, 5, 4, 3, 1], Activation::Relu, &mut rng);
    let x = rng.randn(6, 10);
    let y = labels(10, &mut rng);
    let report = check(&params, &x, &y, |_| {});
    assert!(report.passed(), "{report}");
    assert!(report.difference < 1e-7, "{report}");
    // 5*6+5 + 4*5+4 + 3*4+3 + 1*3+1 parameters.
    assert_eq!(report.parameters, 78);
}

#[test]
fn backward_of_a_three_layer_network_passes_for_other_hidden_activations() {
    for (seed, hidden) in [(5, Activation::Tanh), (6, Activation::LeakyRelu), (7, Activation::Relu)]
    {
        let mut rng = NumpyRng::new(seed);
        let params = random_network(&[4, 3, 3, 1], hidden, &mut rng);
        let x = rng.randn(4, 7);
        let y = labels(7, &mut rng);
        let report = check(&params, &x, &y, |_| {});
        assert!(report.difference < 1e-7, "{hidden}: {report}");
    }
}

#[test]
fn gradient_checking_catches_a_wrong_gradient() {
    let mut rng = NumpyRng::new(4);
    let params = random_network(&[6, 5, 4, 3, 1], Activation::Relu, &mut rng);
    let x = rng.randn(6, 10);
    let y = labels(10, &mut rng);
    // A classic mistake: forgetting the 1/m in db2 (index 3: W1, b1, W2, b2, ...).
    let report = check(&params, &x, &y, |grads| grads[3] *= 10.0);
    assert!(!report.passed(), "{report}");
    assert_eq!(report.worst.name, "b2", "{report}");
}
