//! `hw3_deep::reusing`, the training loops' buffer-reusing twins of the notebook's functions,
//! against those functions: the same bits, whatever the buffers held before (NaN, another
//! pass's values, another network's shapes), and the backward pass of the loops skips `dA0`
//! alone; and the training loops' sigmoid (the engines' vector lanes) gives the bits of the
//! notebook's, forward, backward and over whole training runs. (That the loops then allocate
//! nothing is `tests/allocations.rs`.)

use hw3_deep::engine::VECTOR_SIGMOID;
use hw3_deep::reusing::activation_forward_into;
use hw3_deep::reusing::{
    BackwardBuffers, ElementwiseSigmoid, activation_backward_into, cost_derivative_into,
    l_model_backward_into, l_model_backward_with_da0, l_model_forward_reusing,
    linear_backward_weights_into, linear_forward_into,
};
use hw3_deep::{
    Gradients, LayerGradients, Parameters, activation_backward, compute_cost, cost_derivative,
    gradient_descent, initialize_parameters_deep, l_model_backward, l_model_forward,
    linear_backward, linear_forward, update_parameters,
};
use linalg_nn::activations::Activation;
use linalg_nn::init::WeightInit;
use linalg_nn::train::Silent;
use linalg_nn::{DMatrix, NumpyRng};

mod support;

/// The notebook's sigmoid, one entry at a time.
const PLAIN: ElementwiseSigmoid = ElementwiseSigmoid::PLAIN;

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
    buffers.l_model_backward(&pass, &y, &mut reused, PLAIN).unwrap();
    assert_eq!(reused.layers, grads.layers);
    assert_eq!((reused.da(1), reused.da(2)), (grads.da(1), grads.da(2)));
    assert_eq!((reused.da.len(), reused.da(0)), (3, None));
    // With dA0, as the Gram engine asks: everything the notebook's function returns.
    let da0 = buffers.l_model_backward_with_da0(&pass, &y, &mut reused, PLAIN).unwrap().clone();
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
    buffers.l_model_backward(&pass, &y, &mut reused, PLAIN).unwrap();
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
        let pass =
            l_model_forward_reusing(&x, &params, std::mem::take(&mut outputs), PLAIN).unwrap();
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
            activation_backward_into(da, cache.z, cache.activation, &mut dz, PLAIN).unwrap();
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
        l_model_backward_into(pass.al(), &y, &pass.caches(), &mut into, PLAIN).unwrap();
        assert_eq!(into, grads, "{}", what("l_model_backward_into"));
        let mut with_da0 = stale(&grads);
        let da0 =
            l_model_backward_with_da0(pass.al(), &y, &pass.caches(), &mut with_da0, PLAIN).unwrap();
        assert_eq!((Some(&da0), &with_da0), (grads.da(0), &grads), "{}", what("with dA0"));

        // The loops' BackwardBuffers, kept from the previous case (its dAL, dZ[l] are of another
        // shape, or the same shape and other values).
        let mut skipped = stale(&grads);
        buffers.l_model_backward(&pass, &y, &mut skipped, PLAIN).unwrap();
        assert_eq!(skipped.layers, grads.layers, "{}", what("BackwardBuffers: dW, db"));
        assert_eq!(&skipped.da[1..], &grads.da[1..], "{}", what("BackwardBuffers: dA"));
        assert_eq!(skipped.da(0), None, "{}", what("BackwardBuffers: dA0 skipped"));
        let da0 = buffers.l_model_backward_with_da0(&pass, &y, &mut skipped, PLAIN).unwrap();
        assert_eq!(Some(da0), grads.da(0), "{}", what("BackwardBuffers: dA0"));
        assert_eq!(skipped, grads, "{}", what("BackwardBuffers with dA0"));

        outputs = pass.into_outputs();
    }
}

/// The bits of every entry: `-0.0` differs from `0.0` and NaN equals itself, unlike `==`.
fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// The bits of every weight and bias of a network, layer after layer.
fn parameter_bits(parameters: &Parameters) -> Vec<u64> {
    parameters
        .layers
        .iter()
        .flat_map(|layer| [bits(layer.w.as_slice()), bits(layer.b.as_slice())].concat())
        .collect()
}

/// The bits of every `dW[l]`, `db[l]` and `dA[l]`.
fn gradient_bits(grads: &Gradients) -> Vec<u64> {
    let layers =
        grads.layers.iter().flat_map(|g| [bits(g.dw.as_slice()), bits(g.db.as_slice())].concat());
    layers.chain(grads.da.iter().flat_map(|da| bits(da.as_slice()))).collect()
}

/// The training loops' sigmoid, slice by slice: the plain sigmoid's bits for every length from
/// 0 to 40 (whole vectors of eight and every tail), on values that reach both branches of the
/// sigmoid, its saturation, the exponential's range limit (|z| >= 512), infinities and zeros of
/// both signs.
#[test]
fn the_loops_sigmoid_gives_the_plain_sigmoids_bits_for_every_length() {
    let special = [
        0.0,
        -0.0,
        1e-300,
        -1e-300,
        5e-324,
        36.7,
        -36.7,
        40.0,
        -745.2,
        511.99,
        -511.99,
        512.0,
        -512.0,
        709.0,
        -709.0,
        800.0,
        -800.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
    ];
    let mut rng = NumpyRng::new(12);
    let random = rng.randn(1, 64) * 6.0;
    let values: Vec<f64> = special.iter().copied().chain(random.iter().copied()).collect();
    for len in 0..=40 {
        for start in [0, 3, values.len() - len] {
            let z = &values[start..start + len];
            let (mut vector, mut plain) = (vec![f64::NAN; len], vec![f64::NAN; len]);
            VECTOR_SIGMOID.apply(z, &mut vector);
            PLAIN.apply(z, &mut plain);
            assert_eq!(bits(&vector), bits(&plain), "length {len} from {start}: {z:?}");
        }
    }
    // NaN stays NaN (its payload is not the point).
    let mut out = [0.0; 9];
    VECTOR_SIGMOID.apply(&[f64::NAN; 9], &mut out);
    assert!(out.iter().all(|v| v.is_nan()));
}

/// The networks of the engine-against-plain tests: sigmoid hidden layers as well as the sigmoid
/// output, and sizes `n[l] * m` that are not multiples of eight (the vector lanes' tails).
fn sigmoid_networks() -> [(&'static [usize], &'static [Activation], usize); 6] {
    use Activation::{Relu, Sigmoid, Tanh};
    [
        (&[5, 3, 1], &[Sigmoid, Sigmoid], 7),
        (&[6, 9, 4, 1], &[Sigmoid, Relu, Sigmoid], 13),
        (&[4, 11, 1], &[Sigmoid, Sigmoid], 29),
        (&[8, 5, 3, 1], &[Sigmoid, Tanh, Sigmoid], 17),
        (&[3, 1], &[Sigmoid], 209),
        (&[12, 7, 5, 1], &[Sigmoid, Sigmoid, Sigmoid], 41),
    ]
}

/// The engine path (the reusing twins with [`VECTOR_SIGMOID`], as the training loops call them)
/// against the notebook's functions (the plain sigmoid), bit for bit: every `Z[l]`, `A[l]`,
/// `dZ[l]`, `dW[l]`, `db[l]` and `dA[l]`, on buffers kept from case to case.
#[test]
fn the_engine_path_gives_the_notebook_functions_bits_on_sigmoid_networks() {
    let mut rng = NumpyRng::new(13);
    let (mut outputs, mut buffers) = (Vec::new(), BackwardBuffers::default());
    for (case, (dims, activations, m)) in sigmoid_networks().into_iter().enumerate() {
        let params =
            support::network(dims, activations, WeightInit::InverseSqrtFanIn, 0.5, &mut rng);
        // Inputs of several scales, so that some sigmoids saturate.
        let x = rng.randn(dims[0], m) * 4.0;
        let y = DMatrix::from_fn(1, m, |_, j| ((j * 7 + case) % 3 == 0) as u8 as f64);
        let what = |name: &str| format!("case {case} ({dims:?}, m = {m}): {name}");

        let notebook = l_model_forward(&x, &params).unwrap();
        let pass =
            l_model_forward_reusing(&x, &params, std::mem::take(&mut outputs), VECTOR_SIGMOID)
                .unwrap();
        assert_eq!(pass.len(), activations.len(), "{}", what("L"));
        for (l, &activation) in activations.iter().enumerate() {
            let (engine, plain) = (pass.output(l).unwrap(), notebook.output(l).unwrap());
            assert_eq!(
                bits(engine.z.as_slice()),
                bits(plain.z.as_slice()),
                "{}",
                what(&format!("Z{}", l + 1))
            );
            assert_eq!(
                bits(engine.a.as_slice()),
                bits(plain.a.as_slice()),
                "{}",
                what(&format!("A{}", l + 1))
            );
            let mut a = DMatrix::from_element(engine.z.nrows(), m, f64::NAN);
            activation_forward_into(&engine.z, activation, &mut a, VECTOR_SIGMOID).unwrap();
            assert_eq!(
                bits(a.as_slice()),
                bits(plain.a.as_slice()),
                "{}",
                what(&format!("g(Z{})", l + 1))
            );
        }

        let grads = l_model_backward(notebook.al(), &y, &notebook.caches()).unwrap();
        let dal = cost_derivative(notebook.al(), &y).unwrap();
        for (index, cache) in pass.caches().iter().enumerate() {
            let da = if index + 1 == pass.len() { &dal } else { &grads.da[index + 1] };
            let mut dz = DMatrix::from_element(da.nrows(), m, f64::NAN);
            activation_backward_into(da, cache.z, cache.activation, &mut dz, VECTOR_SIGMOID)
                .unwrap();
            let plain = activation_backward(da, cache.z, cache.activation).unwrap();
            assert_eq!(
                bits(dz.as_slice()),
                bits(plain.as_slice()),
                "{}",
                what(&format!("dZ{}", index + 1))
            );
        }

        let mut engine = stale(&grads);
        buffers.l_model_backward_with_da0(&pass, &y, &mut engine, VECTOR_SIGMOID).unwrap();
        assert_eq!(gradient_bits(&engine), gradient_bits(&grads), "{}", what("gradients"));
        let mut into = stale(&grads);
        l_model_backward_into(pass.al(), &y, &pass.caches(), &mut into, VECTOR_SIGMOID).unwrap();
        assert_eq!(
            gradient_bits(&into),
            gradient_bits(&grads),
            "{}",
            what("l_model_backward_into")
        );

        outputs = pass.into_outputs();
    }
}

/// Whole training runs: the direct engine's loop ([`gradient_descent`], the engines' sigmoid)
/// against the notebook's loop written with its own functions (the plain sigmoid): the same
/// recorded costs and the same trained parameters, bit for bit.
#[test]
fn the_direct_engines_loop_trains_the_notebook_loops_bits_on_sigmoid_networks() {
    let mut rng = NumpyRng::new(14);
    for (case, (dims, activations, m)) in sigmoid_networks().into_iter().enumerate() {
        let start =
            support::network(dims, activations, WeightInit::InverseSqrtFanIn, 0.5, &mut rng);
        let x = rng.randn(dims[0], m);
        let y = DMatrix::from_fn(1, m, |_, j| ((j * 5 + case) % 3 == 0) as u8 as f64);
        let options = support::options(201, 0.3);

        let engine = gradient_descent(&x, &y, start.clone(), &options, &mut Silent).unwrap();

        let (mut notebook, mut costs) = (start, Vec::new());
        for i in 0..options.num_iterations {
            let pass = l_model_forward(&x, &notebook).unwrap();
            if i % hw3_deep::COST_EVERY == 0 {
                costs.push(compute_cost(pass.al(), &y).unwrap());
            }
            let grads = l_model_backward(pass.al(), &y, &pass.caches()).unwrap();
            drop(pass);
            update_parameters(&mut notebook, &grads, options.learning_rate).unwrap();
        }
        let what = format!("case {case} ({dims:?}, m = {m})");
        assert_eq!(engine.costs.len(), 3, "{what}");
        assert_eq!(bits(&engine.costs), bits(&costs), "{what}: costs");
        assert_eq!(parameter_bits(&engine.parameters), parameter_bits(&notebook), "{what}");
    }
}
