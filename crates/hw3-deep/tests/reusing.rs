//! `hw3_deep::reusing`, the training loops' buffer-reusing twins of the notebook's functions,
//! against those functions: the same bits, whatever the buffers held before (NaN, another
//! pass's values, another network's shapes), and the backward pass of the loops skips `dA0`
//! alone. (That the loops then allocate nothing is `tests/allocations.rs`.)

use hw3_deep::reusing::{
    BackwardBuffers, activation_backward_into, cost_derivative_into, l_model_backward_into,
    l_model_backward_with_da0, l_model_forward_reusing, linear_backward_weights_into,
    linear_forward_into,
};
use hw3_deep::{
    Gradients, LayerGradients, activation_backward, cost_derivative, initialize_parameters_deep,
    l_model_backward, l_model_forward, linear_backward, linear_forward,
};
use linalg_nn::activations::Activation;
use linalg_nn::init::WeightInit;
use linalg_nn::{DMatrix, NumpyRng};

mod support;

/// `grads` with every entry NaN: what a buffer holds that no pass should read.
fn stale(grads: &Gradients) -> Gradients {
    let mut stale = grads.clone();
    for layer in &mut stale.layers {
        layer.dw.fill(f64::NAN);
        layer.db.fill(f64::NAN);
    }
    stale.da.iter_mut().for_each(|da| da.fill(f64::NAN));
    stale
}

#[test]
fn the_training_loops_backward_pass_skips_only_da0() {
    // The 3-layer network of step_by_step.rs's `every_da_is_the_notebook_loop`.
    let mut rng = NumpyRng::new(5);
    let params =
        initialize_parameters_deep(&[4, 3, 2, 1], WeightInit::InverseSqrtFanIn, &mut rng).unwrap();
    let x = rng.randn(4, 5);
    let y = DMatrix::from_row_slice(1, 5, &[1.0, 0.0, 0.0, 1.0, 1.0]);
    let pass = l_model_forward(&x, &params).unwrap();
    let grads = l_model_backward(pass.al(), &y, &pass.caches()).unwrap();

    // The training loop's buffers: the same dW, db, dA2 and dA1; dA0 skipped, and emptied if an
    // earlier pass (here the notebook's) had left one in the buffers.
    let mut buffers = BackwardBuffers::default();
    let mut reused = grads.clone();
    buffers.l_model_backward(&pass, &y, &mut reused).unwrap();
    assert_eq!(reused.layers, grads.layers);
    assert_eq!((reused.da(1), reused.da(2)), (grads.da(1), grads.da(2)));
    assert_eq!((reused.da.len(), reused.da(0)), (3, None));
    // With dA0, as the Gram engine asks: everything the notebook's function returns.
    let da0 = buffers.l_model_backward_with_da0(&pass, &y, &mut reused).unwrap().clone();
    assert_eq!(Some(&da0), grads.da(0));
    assert_eq!(reused, grads);
}

#[test]
fn a_one_layer_networks_training_loop_skips_its_da0() {
    // The network of step_by_step.rs's `a_one_layer_network_has_da0_alone`.
    let mut rng = NumpyRng::new(6);
    let params = initialize_parameters_deep(&[3, 1], WeightInit::SMALL, &mut rng).unwrap();
    let x = rng.randn(3, 4);
    let y = DMatrix::from_row_slice(1, 4, &[0.0, 1.0, 1.0, 0.0]);
    let pass = l_model_forward(&x, &params).unwrap();
    let grads = l_model_backward(pass.al(), &y, &pass.caches()).unwrap();
    let mut buffers = BackwardBuffers::default();
    let mut reused = Gradients::zeros_like(&params);
    buffers.l_model_backward(&pass, &y, &mut reused).unwrap();
    assert_eq!((reused.layers == grads.layers, reused.da.len(), reused.da(0)), (true, 1, None));
}

/// Every twin, on buffers kept from one case to the next: networks of several depths and
/// activations and batches of several sizes, so that the buffers hold another pass's values,
/// NaN, or the wrong shapes. Each result must be bit for bit its notebook function's.
#[test]
fn every_twin_gives_its_notebook_functions_bits_whatever_its_buffers_held() {
    use Activation::{LeakyRelu, Relu, Sigmoid, Tanh};
    let cases: [(&[usize], &[Activation], usize); 5] = [
        (&[4, 3, 2, 1], &[Relu, Relu, Sigmoid], 5),
        (&[4, 3, 2, 1], &[Relu, Relu, Sigmoid], 7),
        (&[6, 5, 1], &[Tanh, Sigmoid], 3),
        (&[3, 1], &[Sigmoid], 4),
        (&[4, 3, 2, 1], &[LeakyRelu, Tanh, Sigmoid], 5),
    ];
    let mut rng = NumpyRng::new(8);
    let (mut outputs, mut buffers) = (Vec::new(), BackwardBuffers::default());
    for (case, &(dims, activations, m)) in cases.iter().enumerate() {
        let params =
            support::network(dims, activations, WeightInit::InverseSqrtFanIn, 0.1, &mut rng);
        let x = rng.randn(dims[0], m);
        // Real-valued labels in [0, 1], as the notebook's functions take any finite ones.
        let y = rng.rand(1, m);
        let what = |name: &str| format!("case {case} ({dims:?}, m = {m}): {name}");

        // L_model_forward into the previous case's Z[l], A[l].
        let notebook = l_model_forward(&x, &params).unwrap();
        let pass = l_model_forward_reusing(&x, &params, std::mem::take(&mut outputs)).unwrap();
        assert_eq!(pass.len(), notebook.len(), "{}", what("L"));
        for l in 0..pass.len() {
            assert_eq!(
                pass.output(l),
                notebook.output(l),
                "{}",
                what(&format!("Z, A of layer {}", l + 1))
            );
        }
        let grads = l_model_backward(notebook.al(), &y, &notebook.caches()).unwrap();

        // The backward steps layer by layer, into NaN-filled buffers.
        let mut dal = DMatrix::from_element(1, m, f64::NAN);
        cost_derivative_into(pass.al(), &y, &mut dal).unwrap();
        assert_eq!(dal, cost_derivative(notebook.al(), &y).unwrap(), "{}", what("dAL"));
        for (index, cache) in pass.caches().iter().enumerate() {
            let layer = &params.layers[index];
            let mut z = DMatrix::from_element(layer.w.nrows(), m, f64::NAN);
            linear_forward_into(cache.linear.a_prev, &layer.w, &layer.b, &mut z).unwrap();
            let expected = linear_forward(cache.linear.a_prev, &layer.w, &layer.b).unwrap();
            assert_eq!(z, expected, "{}", what(&format!("Z{}", index + 1)));

            let da = if index + 1 == pass.len() { &dal } else { &grads.da[index + 1] };
            let mut dz = DMatrix::from_element(da.nrows(), da.ncols(), f64::NAN);
            activation_backward_into(da, cache.z, cache.activation, &mut dz).unwrap();
            let expected = activation_backward(da, cache.z, cache.activation).unwrap();
            assert_eq!(dz, expected, "{}", what(&format!("dZ{}", index + 1)));

            let mut weights = LayerGradients {
                dw: DMatrix::from_element(layer.w.nrows(), layer.w.ncols(), f64::NAN),
                db: DMatrix::from_element(layer.b.nrows(), 1, f64::NAN),
            };
            linear_backward_weights_into(&dz, &cache.linear, &mut weights).unwrap();
            let expected = linear_backward(&dz, &cache.linear).unwrap();
            assert_eq!((weights.dw, weights.db), (expected.dw, expected.db), "{}", what("dW, db"));
        }

        // L_model_backward into stale gradients, with and without dA0.
        let mut into = stale(&grads);
        l_model_backward_into(pass.al(), &y, &pass.caches(), &mut into).unwrap();
        assert_eq!(into, grads, "{}", what("l_model_backward_into"));
        let mut with_da0 = stale(&grads);
        let da0 = l_model_backward_with_da0(pass.al(), &y, &pass.caches(), &mut with_da0).unwrap();
        assert_eq!((Some(&da0), &with_da0), (grads.da(0), &grads), "{}", what("with dA0"));

        // The loops' BackwardBuffers, kept from the previous case (its dAL, dZ[l] are of another
        // shape, or the same shape and other values).
        let mut skipped = stale(&grads);
        buffers.l_model_backward(&pass, &y, &mut skipped).unwrap();
        assert_eq!(skipped.layers, grads.layers, "{}", what("BackwardBuffers: dW, db"));
        assert_eq!(&skipped.da[1..], &grads.da[1..], "{}", what("BackwardBuffers: dA"));
        assert_eq!(skipped.da(0), None, "{}", what("BackwardBuffers: dA0 skipped"));
        let da0 = buffers.l_model_backward_with_da0(&pass, &y, &mut skipped).unwrap();
        assert_eq!(Some(da0), grads.da(0), "{}", what("BackwardBuffers: dA0"));
        assert_eq!(skipped, grads, "{}", what("BackwardBuffers with dA0"));

        outputs = pass.into_outputs();
    }
}
