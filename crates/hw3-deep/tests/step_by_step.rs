//! The graded cells of *Building your Deep Neural Network: Step by Step*, on the notebook's own
//! test cases (`testCases_v4a.py`): the inputs are drawn with the same seeds and `randn` calls
//! through `NumpyRng`, which reproduces numpy bit for bit.
//!
//! Golden values: the notebook's "Expected output" cells (8 decimals), here at the full
//! precision `python3 numpy-reference/hw3_deep.py --test-cases` prints them (numpy 2.4: the
//! test cases' seeds and `randn` calls through the notebook's formulas). Tolerance 1e-12: the
//! products run in another summation order than numpy's BLAS, so the last bits may differ.

use hw3_deep::{
    Gradients, LayerCache, LayerGradients, LinearCache, compute_cost, initialize_parameters,
    initialize_parameters_deep, l_model_backward, l_model_forward, linear_activation_backward,
    linear_activation_forward, linear_backward, update_parameters,
};
use hw3_deep::{Layer, Parameters};
use linalg_nn::activations::Activation;
use linalg_nn::init::WeightInit;
use linalg_nn::{DMatrix, NumpyRng};
use test_support::close::assert_matrix_close;

const TOL: f64 = 1e-12;

#[test]
fn initialize_parameters_matches_the_notebook() {
    // initialize_parameters(3, 2, 1) after np.random.seed(1).
    let p = initialize_parameters(3, 2, 1, WeightInit::SMALL, &mut NumpyRng::new(1)).unwrap();
    assert_matrix_close(
        &p.layers[0].w,
        &DMatrix::from_row_slice(
            2,
            3,
            &[
                0.01624345363663242,
                -0.006117564136500754,
                -0.005281717522634557,
                -0.010729686221561705,
                0.008654076293246785,
                -0.02301538696880283,
            ],
        ),
        TOL,
        "W1",
    );
    assert_eq!(p.layers[0].b, DMatrix::zeros(2, 1));
    assert_matrix_close(
        &p.layers[1].w,
        &DMatrix::from_row_slice(1, 2, &[0.0174481176421648, -0.007612069008951028]),
        TOL,
        "W2",
    );
    assert_eq!(p.layers[1].b, DMatrix::zeros(1, 1));
    assert_eq!(p.activations(), vec![Activation::Relu, Activation::Sigmoid]);
}

#[test]
fn initialize_parameters_deep_matches_the_notebook() {
    // initialize_parameters_deep([5, 4, 3]) with the exercise's np.random.seed(3) and * 0.01.
    let p =
        initialize_parameters_deep(&[5, 4, 3], WeightInit::SMALL, &mut NumpyRng::new(3)).unwrap();
    assert_matrix_close(
        &p.layers[0].w,
        &DMatrix::from_row_slice(
            4,
            5,
            &[
                0.017886284734303187,
                0.004365098505119894,
                0.0009649746807200863,
                -0.01863492703364491,
                -0.0027738820251439907,
                -0.0035475897926898676,
                -0.0008274148148245977,
                -0.0062700067682384735,
                -0.0004381816897592824,
                -0.004772180303595027,
                -0.013138647533626821,
                0.008846223804995846,
                0.008813180422075299,
                0.017095730636529485,
                0.0005003364217686021,
                -0.0040467741460089085,
                -0.0054535994761953045,
                -0.015464773155829684,
                0.009823674342581601,
                -0.011010676301114757,
            ],
        ),
        TOL,
        "W1",
    );
    assert_matrix_close(
        &p.layers[1].w,
        &DMatrix::from_row_slice(
            3,
            4,
            &[
                -0.011850465270201728,
                -0.0020564989942254107,
                0.014861483550745902,
                0.0023671626722691235,
                -0.010237851399264681,
                -0.007129932001120494,
                0.006252449661628293,
                -0.0016051336318692391,
                -0.0076883635031923005,
                -0.0023003072227793906,
                0.007450562664053709,
                0.019761107831263027,
            ],
        ),
        TOL,
        "W2",
    );
    assert_eq!(p.layers[0].b, DMatrix::zeros(4, 1));
    assert_eq!(p.layers[1].b, DMatrix::zeros(3, 1));
}

#[test]
fn linear_forward_matches_the_notebook() {
    // linear_forward_test_case: seed 1; A = randn(3,2), W = randn(1,3), b = randn(1,1).
    let mut rng = NumpyRng::new(1);
    let (a, w, b) = (rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1));
    let z = hw3_deep::linear_forward(&a, &w, &b).unwrap();
    assert_matrix_close(
        &z,
        &DMatrix::from_row_slice(1, 2, &[3.262953374654174, -1.2342998686128757]),
        TOL,
        "Z",
    );
}

#[test]
fn linear_activation_forward_matches_the_notebook() {
    // linear_activation_forward_test_case: seed 2; A_prev = randn(3,2), W = randn(1,3),
    // b = randn(1,1).
    let mut rng = NumpyRng::new(2);
    let (a_prev, w, b) = (rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1));
    let sig = linear_activation_forward(&a_prev, &w, &b, Activation::Sigmoid).unwrap();
    assert_matrix_close(
        &sig.a,
        &DMatrix::from_row_slice(1, 2, &[0.968900232783661, 0.11013289483978989]),
        TOL,
        "A with sigmoid",
    );
    let relu = linear_activation_forward(&a_prev, &w, &b, Activation::Relu).unwrap();
    assert_matrix_close(
        &relu.a,
        &DMatrix::from_row_slice(1, 2, &[3.4389613134945427, 0.0]),
        TOL,
        "A with ReLU",
    );
    assert_eq!(relu.z, sig.z);
}

#[test]
fn l_model_forward_matches_the_notebook() {
    // L_model_forward_test_case_2hidden: seed 6; X = randn(5,4), W1 = randn(4,5), b1 = randn(4,1),
    // W2 = randn(3,4), b2 = randn(3,1), W3 = randn(1,3), b3 = randn(1,1).
    let mut rng = NumpyRng::new(6);
    let x = rng.randn(5, 4);
    let mut layers = Vec::new();
    for (rows, cols, activation) in
        [(4, 5, Activation::Relu), (3, 4, Activation::Relu), (1, 3, Activation::Sigmoid)]
    {
        let w = rng.randn(rows, cols);
        let b = rng.randn(rows, 1);
        layers.push(Layer { w, b, activation });
    }
    let params = Parameters::new(layers).unwrap();
    let pass = l_model_forward(&x, &params).unwrap();
    assert_matrix_close(
        pass.al(),
        &DMatrix::from_row_slice(
            1,
            4,
            &[0.039216679222503596, 0.7049892075012225, 0.19734387234713996, 0.04728177161977344],
        ),
        TOL,
        "AL",
    );
    // "Length of caches list = 3"
    assert_eq!(pass.caches().len(), 3);
}

#[test]
fn compute_cost_matches_the_notebook() {
    // compute_cost_test_case: Y = [[1, 1, 0]], AL = [[.8, .9, 0.4]] -> cost = 0.2797765635793422
    let y = DMatrix::from_row_slice(1, 3, &[1.0, 1.0, 0.0]);
    let al = DMatrix::from_row_slice(1, 3, &[0.8, 0.9, 0.4]);
    let cost = compute_cost(&al, &y).unwrap();
    assert!((cost - 0.2797765635793422).abs() < 1e-15, "{cost}");
}

#[test]
fn linear_backward_matches_the_notebook() {
    // linear_backward_test_case: seed 1; dZ = randn(3,4), A = randn(5,4), W = randn(3,5),
    // b = randn(3,1).
    let mut rng = NumpyRng::new(1);
    let (dz, a, w, b) = (rng.randn(3, 4), rng.randn(5, 4), rng.randn(3, 5), rng.randn(3, 1));
    let g = linear_backward(&dz, &LinearCache { a_prev: &a, w: &w, b: &b }).unwrap();
    assert_matrix_close(
        &g.da_prev,
        &DMatrix::from_row_slice(
            5,
            4,
            &[
                -1.151713362800674,
                0.06718465115487993,
                -0.3204695951240231,
                2.0981271157690573,
                0.6034587881597019,
                -3.725087007081199,
                5.817007414837717,
                -3.8432683612931164,
                -0.4319552024857888,
                -1.309874173571225,
                1.7235470475890922,
                0.050705776358989506,
                -0.38981414839982087,
                0.6081124403750794,
                -1.259384235864949,
                1.4719159268171638,
                -2.5221492584556406,
                2.678825515032264,
                -0.6794746486966324,
                1.4811954761548511,
            ],
        ),
        TOL,
        "dA_prev",
    );
    assert_matrix_close(
        &g.dw,
        &DMatrix::from_row_slice(
            3,
            5,
            &[
                0.07313866218612716,
                -0.09767149686597656,
                -0.8758582845472835,
                0.7376336184595694,
                0.00785715946106047,
                0.855088183651413,
                0.3753041280392743,
                -0.5991265527518606,
                0.7127818943133358,
                -0.5893180778933307,
                0.9791330403844923,
                -0.2437649374859614,
                -0.08839670601518547,
                0.5515119182005701,
                -0.10290907379316316,
            ],
        ),
        TOL,
        "dW",
    );
    assert_matrix_close(
        &g.db,
        &DMatrix::from_row_slice(
            3,
            1,
            &[-0.14713785610161495, -0.11313155105855677, -0.13209101296824788],
        ),
        TOL,
        "db",
    );
}

#[test]
fn linear_activation_backward_matches_the_notebook() {
    // linear_activation_backward_test_case: seed 2; dA = randn(1,2), A = randn(3,2),
    // W = randn(1,3), b = randn(1,1), Z = randn(1,2).
    let mut rng = NumpyRng::new(2);
    let (da, a, w, b, z) =
        (rng.randn(1, 2), rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1), rng.randn(1, 2));
    let cache = |activation| LayerCache {
        linear: LinearCache { a_prev: &a, w: &w, b: &b },
        z: &z,
        activation,
    };

    let sig = linear_activation_backward(&da, &cache(Activation::Sigmoid)).unwrap();
    assert_matrix_close(
        &sig.da_prev,
        &DMatrix::from_row_slice(
            3,
            2,
            &[
                0.11017993605984744,
                0.011053394707826071,
                0.09466817036241483,
                0.009497234167163682,
                -0.057430922006483635,
                -0.005761544906208916,
            ],
        ),
        TOL,
        "sigmoid dA_prev",
    );
    assert_matrix_close(
        &sig.dw,
        &DMatrix::from_row_slice(
            1,
            3,
            &[0.10266786376828207, 0.09778550500304704, -0.019680842338378784],
        ),
        TOL,
        "sigmoid dW",
    );
    assert_matrix_close(
        &sig.db,
        &DMatrix::from_row_slice(1, 1, &[-0.057296222176291135]),
        TOL,
        "sigmoid db",
    );

    let relu = linear_activation_backward(&da, &cache(Activation::Relu)).unwrap();
    assert_matrix_close(
        &relu.da_prev,
        &DMatrix::from_row_slice(
            3,
            2,
            &[0.4409098893909097, 0.0, 0.37883605687209465, 0.0, -0.2298228005482083, 0.0],
        ),
        TOL,
        "relu dA_prev",
    );
    assert_matrix_close(
        &relu.dw,
        &DMatrix::from_row_slice(
            1,
            3,
            &[0.44513824323337786, 0.37371417697309084, -0.1047898884574992],
        ),
        TOL,
        "relu dW",
    );
    assert_matrix_close(
        &relu.db,
        &DMatrix::from_row_slice(1, 1, &[-0.2083789237027353]),
        TOL,
        "relu db",
    );
}

#[test]
fn l_model_backward_matches_the_notebook() {
    // L_model_backward_test_case: seed 3; AL = randn(1,2), Y = [[1, 0]], A1 = randn(4,2),
    // W1 = randn(3,4), b1 = randn(3,1), Z1 = randn(3,2), A2 = randn(3,2), W2 = randn(1,3),
    // b2 = randn(1,1), Z2 = randn(1,2). (AL is not sigmoid(Z2) in this test case: the
    // notebook's sigmoid_backward recomputes s from Z, and so does ours.)
    let mut rng = NumpyRng::new(3);
    let al = rng.randn(1, 2);
    let y = DMatrix::from_row_slice(1, 2, &[1.0, 0.0]);
    let (a1, w1, b1, z1) = (rng.randn(4, 2), rng.randn(3, 4), rng.randn(3, 1), rng.randn(3, 2));
    let (a2, w2, b2, z2) = (rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1), rng.randn(1, 2));
    let caches = [
        LayerCache {
            linear: LinearCache { a_prev: &a1, w: &w1, b: &b1 },
            z: &z1,
            activation: Activation::Relu,
        },
        LayerCache {
            linear: LinearCache { a_prev: &a2, w: &w2, b: &b2 },
            z: &z2,
            activation: Activation::Sigmoid,
        },
    ];
    let grads = l_model_backward(&al, &y, &caches).unwrap();
    assert_matrix_close(
        &grads.layers[0].dw,
        &DMatrix::from_row_slice(
            3,
            4,
            &[
                0.4101000205028755,
                0.07807203345047609,
                0.13798443640617922,
                0.10502167445111507,
                0.0,
                0.0,
                0.0,
                0.0,
                0.052836517520190085,
                0.01005865436969424,
                0.0177776560038907,
                0.01353079557355724,
            ],
        ),
        TOL,
        "dW1",
    );
    assert_matrix_close(
        &grads.layers[0].db,
        &DMatrix::from_row_slice(3, 1, &[-0.22007063390291245, 0.0, -0.028353487740947435]),
        TOL,
        "db1",
    );
    assert_matrix_close(
        &grads.layers[1].dw,
        &DMatrix::from_row_slice(
            1,
            3,
            &[-0.392024321654423, -0.1332585501664456, -0.04601088924542733],
        ),
        TOL,
        "dW2",
    );
    assert_matrix_close(
        &grads.layers[1].db,
        &DMatrix::from_row_slice(1, 1, &[0.15187860780843926]),
        TOL,
        "db2",
    );

    // The notebook's dA1 = W2^T dZ2 is what linear_activation_backward of layer 2 returns.
    let layer2 =
        linear_activation_backward(&hw3_deep::cost_derivative(&al, &y).unwrap(), &caches[1])
            .unwrap();
    // "dA1 = [[ 0.12913162 -0.44014127] [-0.14175655 0.48317296] [ 0.01663708 -0.05670698]]"
    let expected_da1 = DMatrix::from_row_slice(
        3,
        2,
        &[
            0.1291316175545915,
            -0.4401412678058249,
            -0.1417565465329586,
            0.48317296176062136,
            0.016637075426056504,
            -0.05670697548189487,
        ],
    );
    assert_matrix_close(&layer2.da_prev, &expected_da1, TOL, "dA1");

    // ... and what L_model_backward keeps as grads["dA1"], beside grads["dA0"] = W1^T dZ1, the
    // gradient with respect to the input A1 of the test case (the course's public_tests.py
    // L_model_backward_test expects dA0 = [[0. 0.52257901] [0. -0.3269206] [0. -0.32070404]
    // [0. -0.74079187]]). Full precision: `python3 numpy-reference/hw3_deep.py --test-cases`
    // ("L_model_backward: dA0", numpy 2.4).
    assert_eq!(grads.da.len(), 2, "dA0 and dA1, as the notebook's grads");
    assert_matrix_close(grads.da(1).unwrap(), &expected_da1, TOL, "grads dA1");
    assert_eq!(grads.get("dA1"), grads.da(1));
    let expected_da0 = DMatrix::from_row_slice(
        4,
        2,
        &[
            0.0,
            0.522579012261749,
            0.0,
            -0.32692060097785447,
            0.0,
            -0.3207040360847321,
            0.0,
            -0.7407918718384887,
        ],
    );
    assert_matrix_close(grads.get("dA0").unwrap(), &expected_da0, TOL, "grads dA0");
    assert_eq!(grads.da[0].shape(), a1.shape(), "dA0 is shaped like the layer's input");
    assert!(grads.get("dA2").is_none(), "the notebook's grads has no dA2 (= dAL)");
}

#[test]
fn update_parameters_matches_the_notebook() {
    // update_parameters_test_case: seed 2; W1 = randn(3,4), b1 = randn(3,1), W2 = randn(1,3),
    // b2 = randn(1,1); seed 3; dW1, db1, dW2, db2 likewise; learning_rate = 0.1.
    let mut rng = NumpyRng::new(2);
    let (w1, b1, w2, b2) = (rng.randn(3, 4), rng.randn(3, 1), rng.randn(1, 3), rng.randn(1, 1));
    let mut rng = NumpyRng::new(3);
    let (dw1, db1, dw2, db2) = (rng.randn(3, 4), rng.randn(3, 1), rng.randn(1, 3), rng.randn(1, 1));
    let mut params = Parameters::new(vec![
        Layer { w: w1, b: b1, activation: Activation::Relu },
        Layer { w: w2, b: b2, activation: Activation::Sigmoid },
    ])
    .unwrap();
    let grads = Gradients::new(vec![
        LayerGradients { dw: dw1, db: db1 },
        LayerGradients { dw: dw2, db: db2 },
    ]);
    update_parameters(&mut params, &grads, 0.1).unwrap();
    assert_matrix_close(
        &params.layers[0].w,
        &DMatrix::from_row_slice(
            3,
            4,
            &[
                -0.5956206947485025,
                -0.09991781227752841,
                -2.145845842475655,
                1.8266200787414377,
                -1.7656967649434232,
                -0.8062714677293054,
                0.5111555653062888,
                -1.1825880189248468,
                -1.053570401964746,
                -0.861285811890899,
                0.6828405198826926,
                2.203745774764999,
            ],
        ),
        TOL,
        "W1",
    );
    assert_matrix_close(
        &params.layers[0].b,
        &DMatrix::from_row_slice(
            3,
            1,
            &[-0.046592411222349535, -1.2888827514788117, 0.5340549563631029],
        ),
        TOL,
        "b1",
    );
    assert_matrix_close(
        &params.layers[1].w,
        &DMatrix::from_row_slice(
            1,
            3,
            &[-0.5556919583463779, 0.03540549824080157, 1.3296489510585878],
        ),
        TOL,
        "W2",
    );
    assert_matrix_close(
        &params.layers[1].b,
        &DMatrix::from_row_slice(1, 1, &[-0.8461076927196785]),
        TOL,
        "b2",
    );
}

#[test]
fn update_parameters_rejects_mismatched_gradients() {
    let mut params =
        initialize_parameters_deep(&[3, 2, 1], WeightInit::SMALL, &mut NumpyRng::new(1)).unwrap();
    let before = params.clone();
    let grads = Gradients::new(vec![
        LayerGradients { dw: DMatrix::zeros(2, 3), db: DMatrix::zeros(2, 1) },
        LayerGradients { dw: DMatrix::zeros(1, 3), db: DMatrix::zeros(1, 1) },
    ]);
    let err = update_parameters(&mut params, &grads, 0.1).unwrap_err();
    assert!(err.to_string().contains("dW2 against W2"), "{err}");
    // Nothing was changed by the refused update.
    assert_eq!(params, before);
    let short = Gradients::new(grads.layers[..1].to_vec());
    assert!(update_parameters(&mut params, &short, 0.1).is_err());
}

/// (The training loop's buffer-reusing backward pass on the same network, which skips `dA0`, is
/// checked against this one in `tests/reusing.rs`.)
#[test]
fn every_da_is_the_notebook_loop() {
    // A 3-layer network: L_model_backward's loop by hand, dA[l-1] = W[l]^T dZ[l], from
    // linear_activation_backward layer by layer.
    let mut rng = NumpyRng::new(5);
    let params =
        initialize_parameters_deep(&[4, 3, 2, 1], WeightInit::InverseSqrtFanIn, &mut rng).unwrap();
    let x = rng.randn(4, 5);
    let y = DMatrix::from_row_slice(1, 5, &[1.0, 0.0, 0.0, 1.0, 1.0]);
    let pass = l_model_forward(&x, &params).unwrap();
    let caches = pass.caches();
    let grads = l_model_backward(pass.al(), &y, &caches).unwrap();
    let mut da = hw3_deep::cost_derivative(pass.al(), &y).unwrap();
    for l in (1..=3).rev() {
        let step = linear_activation_backward(&da, &caches[l - 1]).unwrap();
        assert_eq!(grads.layers[l - 1].dw, step.dw, "dW{l}");
        assert_eq!(grads.get(&format!("db{l}")), Some(&step.db), "db{l}");
        assert_matrix_close(
            grads.da(l - 1).unwrap(),
            &step.da_prev,
            1e-15,
            &format!("dA{}", l - 1),
        );
        da = step.da_prev;
    }
    assert_eq!((grads.da.len(), grads.da(3)), (3, None));

    // update_parameters reads dW and db only: the dA's change nothing.
    let (mut with_da, mut without_da) = (params.clone(), params.clone());
    update_parameters(&mut with_da, &grads, 0.1).unwrap();
    update_parameters(&mut without_da, &Gradients::new(grads.layers.clone()), 0.1).unwrap();
    assert_eq!(with_da, without_da);
}

#[test]
fn a_one_layer_network_has_da0_alone() {
    let mut rng = NumpyRng::new(6);
    let params = initialize_parameters_deep(&[3, 1], WeightInit::SMALL, &mut rng).unwrap();
    let x = rng.randn(3, 4);
    let y = DMatrix::from_row_slice(1, 4, &[0.0, 1.0, 1.0, 0.0]);
    let pass = l_model_forward(&x, &params).unwrap();
    let grads = l_model_backward(pass.al(), &y, &pass.caches()).unwrap();
    assert_eq!(grads.da.len(), 1);
    // dZ = AL - Y for a sigmoid output with the cross-entropy; dA0 = W1^T dZ.
    let expected = params.layers[0].w.transpose() * (pass.al() - &y);
    assert_matrix_close(grads.da(0).unwrap(), &expected, 1e-15, "dA0");
}
