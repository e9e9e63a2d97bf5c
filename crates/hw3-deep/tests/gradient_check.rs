//! Gradient checking (course 2, week 1) of `l_model_backward` on small random networks of 3 and
//! more layers: backpropagation must agree with central differences of `compute_cost` to the
//! course's threshold, difference < 1e-7, for every `dW[l]`, `db[l]` and `dA[l]`, on 0/1 and on
//! real-valued labels.

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

/// Real-valued labels (`randn`, as the course's unit test of `two_layer_model` uses): the
/// notebook's `dAL = -(Y / AL - (1 - Y) / (1 - AL))` is the derivative of its cost for any `Y`.
#[test]
fn backward_passes_gradient_checking_on_real_valued_labels() {
    let mut rng = NumpyRng::new(9);
    let params = random_network(&[5, 4, 3, 1], Activation::Relu, &mut rng);
    let x = rng.randn(5, 8);
    let y = rng.randn(1, 8);
    let report = check(&params, &x, &y, |_| {});
    assert!(report.passed(), "{report}");
}

/// Every `dA[l]` of `l_model_backward` (the notebook's `grads["dA" + str(l)]`, `l = 0 .. L-1`)
/// against central differences of the cost with respect to `A[l]`, through the layers
/// `l+1 .. L` that take it (`A[0] = X`). The notebook's `dA[l]` is per example, `m` times the
/// derivative of the cost (the `1/m` enters in `dW`, `db`).
#[test]
fn every_da_is_m_times_the_gradient_of_the_cost_with_respect_to_its_activation() {
    let mut rng = NumpyRng::new(10);
    let params = random_network(&[5, 4, 3, 1], Activation::Relu, &mut rng);
    let m = 6;
    let x = rng.randn(5, m);
    for y in [labels(m, &mut rng), rng.randn(1, m)] {
        let pass = l_model_forward(&x, &params).unwrap();
        let grads = l_model_backward(pass.al(), &y, &pass.caches()).unwrap();
        assert_eq!(grads.da.len(), params.depth());
        for l in 0..params.depth() {
            let a = if l == 0 { x.clone() } else { pass.output(l - 1).unwrap().a.clone() };
            let above = Parameters { layers: params.layers[l..].to_vec() };
            let name = format!("A{l}");
            let analytic = grads.da(l).unwrap() / m as f64;
            let report =
                gradient_check(&[(name.as_str(), a)], &[analytic], DEFAULT_EPSILON, |theta| {
                    compute_cost(l_model_forward(&theta[0], &above).unwrap().al(), &y).unwrap()
                })
                .unwrap();
            assert!(report.passed(), "dA{l}: {report}");
        }
    }
}
