//! The engine against the plain functions of `linalg_nn::three_layer`, at every SIMD level this
//! CPU has: every step's gradients and loss and the trained parameters, to the bit.

use super::*;
use linalg_nn::NumpyRng;
use linalg_nn::data::circles::make_circles;
use linalg_nn::init::WeightInit;
use linalg_nn::three_layer::{compute_loss, initialize};
use linalg_nn::train::Silent;

fn bits(m: &DMatrix<f64>) -> Vec<u64> {
    m.iter().map(|v| v.to_bits()).collect()
}

/// The initialisation notebook's data: `make_circles(m, noise=.05)` with seed 1 (its 300
/// training points for `m = 300`).
fn circles(m: usize) -> (DMatrix<f64>, DMatrix<f64>) {
    let data = make_circles(&mut NumpyRng::new(1), m, 0.05, 0.8);
    (data.x, data.y)
}

/// `steps` iterations of the plain loop and of the engine side by side, from the same start:
/// each step's six gradients and loss, then the parameters, must be the same bits.
fn compare_steps(dims: [usize; 4], init: WeightInit, m: usize, steps: usize, rate: f64) {
    let (x, y) = circles(m);
    let x = if dims[0] == 2 { x } else { NumpyRng::new(5).randn(dims[0], m) };
    let start = initialize(&dims, init, 3).unwrap();
    for level in Level::available() {
        let what = format!("{dims:?} {init:?} m = {m} at {}", level.name());
        let mut workspace = Workspace::new(dims, m + 5).unwrap().at_level(level);
        workspace.load(&x, &y).unwrap();
        let mut grads = WeightGradients::zeros(dims);
        let (mut fast, mut plain) = (start.clone(), start.clone());
        for i in 0..steps {
            workspace.step(&fast, &mut grads).unwrap();
            let cache = forward_propagation(&x, &plain).unwrap();
            let expected = backward_propagation(&x, &y, &cache, &plain).unwrap();
            let loss = compute_loss(&cache.a3, &y).unwrap();
            assert_eq!(workspace.loss().to_bits(), loss.to_bits(), "{what}: loss of step {i}");
            let a3: Vec<u64> = workspace.output().map(|v| v.to_bits()).collect();
            assert_eq!(a3, bits(&cache.a3), "{what}: a3 of step {i}");
            let plain_grads = [
                &expected.dw1,
                &expected.db1,
                &expected.dw2,
                &expected.db2,
                &expected.dw3,
                &expected.db3,
            ];
            for ((name, got), want) in grads.named().into_iter().zip(plain_grads) {
                assert_eq!(bits(got), bits(want), "{what}: {name} of step {i}");
            }
            update_parameters(&mut fast, &grads, rate);
            plain = linalg_nn::three_layer::update_parameters(&plain, &expected, rate);
        }
        for ((name, f), (_, p)) in fast.named().into_iter().zip(plain.named()) {
            assert_eq!(bits(f), bits(p), "{what}: {name}");
        }
    }
}

/// `schedule` of the plain loop (`forward_propagation`, `compute_loss` every `cost_every`
/// iterations, `backward_propagation`, `update_parameters`) and of [`train_at`] at every level,
/// from `start`: the kept costs and the trained parameters must be the same bits.
fn compare_training(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    start: &Parameters,
    schedule: &Schedule,
    case: &str,
) {
    let (mut plain, mut plain_costs) = (start.clone(), Vec::new());
    for i in 0..schedule.num_iterations {
        let cache = forward_propagation(x, &plain).unwrap();
        if i % schedule.cost_every == 0 {
            plain_costs.push((i, compute_loss(&cache.a3, y).unwrap()));
        }
        let grads = backward_propagation(x, y, &cache, &plain).unwrap();
        plain = linalg_nn::three_layer::update_parameters(&plain, &grads, schedule.learning_rate);
    }
    let costs = |c: &[(usize, f64)]| -> Vec<(usize, u64)> {
        c.iter().map(|&(i, c)| (i, c.to_bits())).collect()
    };
    for level in Level::available() {
        let trained = train_at(level, x, y, start.clone(), schedule, None, &mut Silent).unwrap();
        let what = format!("{case}, m = {} at {}", x.ncols(), level.name());
        assert_eq!(costs(&trained.costs), costs(&plain_costs), "{what}");
        for ((name, f), (_, p)) in trained.parameters.named().into_iter().zip(plain.named()) {
            assert_eq!(bits(f), bits(p), "{what}: {name}");
        }
    }
}

#[test]
fn every_step_has_the_plain_bits_for_the_three_initialisations() {
    // The notebook's sizes and data; random (randn * 10) makes infinite losses.
    for init in [WeightInit::Zeros, WeightInit::Scaled(10.0), WeightInit::He] {
        compare_steps([2, 10, 5, 1], init, 300, 60, 0.01);
    }
    let (x, y) = circles(300);
    let start = initialize(&[2, 10, 5, 1], WeightInit::Scaled(10.0), 3).unwrap();
    let cache = forward_propagation(&x, &start).unwrap();
    assert_eq!(compute_loss(&cache.a3, &y).unwrap(), f64::INFINITY, "the notebook's inf");
}

#[test]
fn odd_sizes_and_large_steps_keep_the_plain_bits() {
    // m below a vector, not a multiple of 8, at and above numpy's 128-value pairwise block (the
    // forward kernel sums db1 itself from 8 to 128 examples per part; 257 and 272 cut into two
    // parts of 128 and 129, 136 and 136); a large learning rate makes dead units (zero masks)
    // and large values.
    for m in [1, 2, 7, 8, 9, 13, 128, 129, 257, 272] {
        compare_steps([2, 10, 5, 1], WeightInit::He, m, 25, 0.5);
    }
    compare_steps([2, 10, 5, 1], WeightInit::Scaled(10.0), 37, 25, 1.0);
}

#[test]
fn the_examples_are_cut_where_numpys_pairwise_sum_cuts_them() {
    // hw4's 300 examples: parts of 144 and 156, the second part's first example the batch's
    // 144th; hw5's 211: 104 and 107; 100: one part.
    let (x, y) = circles(300);
    let mut workspace = Workspace::new([2, 10, 5, 1], 300).unwrap();
    let parts = |w: &Workspace| [w.parts[0].m, w.parts[1].m];
    workspace.load(&x, &y).unwrap();
    assert_eq!(parts(&workspace), [144, 156]);
    assert_eq!(workspace.parts[1].bufs.x[0], x[(0, 144)]);
    let (x, y) = circles(211);
    workspace.load(&x, &y).unwrap();
    assert_eq!(parts(&workspace), [104, 107]);
    let (x, y) = circles(100);
    workspace.load(&x, &y).unwrap();
    assert_eq!(parts(&workspace), [100, 0]);
}

#[test]
fn training_in_two_parts_keeps_the_plain_bits() {
    // hw4's network at 300 examples, hw5's at 211 (whose parts' bias sums the forward kernel
    // makes), 136 (parts of 64 and 72) and opt_utils' network at 190.
    for (dims, m) in
        [([2, 10, 5, 1], 300), ([2, 20, 3, 1], 211), ([2, 10, 5, 1], 136), ([2, 5, 2, 1], 190)]
    {
        let (x, y) = circles(m);
        let start = initialize(&dims, WeightInit::He, 3).unwrap();
        let schedule = Schedule { num_iterations: 60, learning_rate: 0.3, cost_every: 20 };
        compare_training(&x, &y, &start, &schedule, &format!("{dims:?}"));
    }
}

#[test]
fn the_other_helper_networks_keep_the_plain_bits() {
    // reg_utils' [2, 20, 3, 1] (with a1 in the lanes of dW2's sums at AVX-512: at 211 examples
    // each part's db1 summed in the forward kernel, at 300 after it from dz1's columns, at 37
    // one part with a partial tile), opt_utils' [2, 5, 2, 1], and a size without kernels.
    for m in [211, 300, 37] {
        compare_steps([2, 20, 3, 1], WeightInit::He, m, 20, 0.3);
    }
    compare_steps([2, 5, 2, 1], WeightInit::He, 64, 20, 0.3);
    compare_steps([3, 4, 2, 1], WeightInit::He, 11, 5, 0.3);
    compare_steps([3, 4, 2, 1], WeightInit::He, 150, 3, 0.3);
}

#[test]
fn training_gives_the_plain_loops_bits_at_every_level() {
    // The notebook's 300 examples (two parts of 144 and 156), and 264 (128 and 136).
    for (m, init) in [300, 264].into_iter().flat_map(|m| {
        [WeightInit::Zeros, WeightInit::Scaled(10.0), WeightInit::He].map(|init| (m, init))
    }) {
        let (x, y) = circles(m);
        let start = initialize(&[2, 10, 5, 1], init, 3).unwrap();
        let schedule = Schedule { num_iterations: 400, learning_rate: 0.01, cost_every: 100 };
        compare_training(&x, &y, &start, &schedule, &format!("{init:?}"));
    }
}

#[test]
fn a_diverging_run_stops_where_the_plain_loop_stops() {
    // Learning rates this large overflow the weights within a few iterations; 300 examples
    // run on two threads where there are two cores, 100 on one.
    for m in [300, 100] {
        let (x, y) = circles(m);
        let start = initialize(&[2, 10, 5, 1], WeightInit::He, 3).unwrap();
        let rate = 1e150;
        let mut plain = start.clone();
        let (mut iteration, mut cost) = (None, f64::NAN);
        for i in 0..50 {
            let cache = forward_propagation(&x, &plain).unwrap();
            let grads = backward_propagation(&x, &y, &cache, &plain).unwrap();
            plain = linalg_nn::three_layer::update_parameters(&plain, &grads, rate);
            if !plain.named().iter().all(|(_, m)| all_finite(m)) {
                (iteration, cost) = (Some(i), compute_loss(&cache.a3, &y).unwrap());
                break;
            }
        }
        let iteration = iteration.expect("the plain loop diverges");
        let schedule = Schedule { num_iterations: 50, learning_rate: rate, cost_every: 1000 };
        for level in Level::available() {
            match train_at(level, &x, &y, start.clone(), &schedule, None, &mut Silent) {
                Err(NnError::Diverged { iteration: i, cost: c, learning_rate }) => {
                    let what = format!("m = {m} at {}", level.name());
                    assert_eq!((i, learning_rate), (iteration, rate), "{what}");
                    assert_eq!(c.to_bits(), cost.to_bits(), "{what}");
                }
                other => panic!("expected divergence at iteration {iteration}, got {other:?}"),
            }
        }
    }
}

#[test]
fn mini_batches_are_the_columns_picked() {
    let (x, y) = circles(300);
    let p = initialize(&[2, 10, 5, 1], WeightInit::He, 3).unwrap();
    let columns: Vec<usize> = (0..300).rev().step_by(7).collect();
    let picked_x = DMatrix::from_fn(2, columns.len(), |k, t| x[(k, columns[t])]);
    let picked_y = DMatrix::from_fn(1, columns.len(), |_, t| y[(0, columns[t])]);
    let mut workspace = Workspace::new([2, 10, 5, 1], 64).unwrap();
    let (mut from_columns, mut from_matrix) =
        (WeightGradients::zeros([2, 10, 5, 1]), WeightGradients::zeros([2, 10, 5, 1]));
    workspace.load_columns(&x, &y, &columns).unwrap();
    assert_eq!(workspace.examples(), columns.len());
    workspace.step(&p, &mut from_columns).unwrap();
    let loss = workspace.loss();
    workspace.load(&picked_x, &picked_y).unwrap();
    workspace.step(&p, &mut from_matrix).unwrap();
    assert_eq!(from_columns, from_matrix);
    assert_eq!(loss.to_bits(), workspace.loss().to_bits());
    // A smaller batch after a larger one in the same buffers.
    workspace.load_columns(&x, &y, &columns[..5]).unwrap();
    workspace.step(&p, &mut from_columns).unwrap();
    let cache = forward_propagation(&picked_x.columns(0, 5).into(), &p).unwrap();
    let expected = backward_propagation(
        &picked_x.columns(0, 5).into(),
        &picked_y.columns(0, 5).into(),
        &cache,
        &p,
    )
    .unwrap();
    assert_eq!(from_columns.dw1, expected.dw1);
    assert_eq!(from_columns.db3, expected.db3);
}

#[test]
fn bad_sizes_are_refused() {
    let err = |r: Result<Workspace, NnError>| r.unwrap_err().to_string();
    assert!(err(Workspace::new([2, 10, 5, 2], 10)).contains("layers_dims"));
    assert!(err(Workspace::new([2, 10, 5, 1], 0)).contains("capacity"));
    let mut workspace = Workspace::new([2, 10, 5, 1], 10).unwrap();
    let (x, y) = circles(20);
    let e = workspace.load(&x, &y).unwrap_err().to_string();
    assert!(e.contains("capacity 10"), "{e}");
    let e = workspace.load_columns(&x, &y, &[3, 20]).unwrap_err().to_string();
    assert!(e.contains("column 20"), "{e}");
    let p = initialize(&[2, 10, 5, 1], WeightInit::He, 3).unwrap();
    let mut grads = WeightGradients::zeros([2, 10, 5, 1]);
    let e = workspace.step(&p, &mut grads).unwrap_err().to_string();
    assert!(e.contains("none loaded"), "{e}");
    let other = initialize(&[2, 5, 2, 1], WeightInit::He, 3).unwrap();
    workspace.load_columns(&x, &y, &[1, 2, 3]).unwrap();
    assert!(workspace.step(&other, &mut grads).is_err());
    let schedule = Schedule { num_iterations: 10, learning_rate: 0.1, cost_every: 0 };
    let e = train(&x, &y, p, &schedule, &mut Silent).unwrap_err().to_string();
    assert!(e.contains("at least 1"), "{e}");
}

#[test]
fn dw2s_sums_put_the_layer_that_fills_the_lanes_best_in_them() {
    use kernels::{a1_columns, column_width};
    // reg_utils' [2, 20, 3, 1]: with AVX-512, a1's 20 units take 3 vectors per entry of dz2
    // (9 in all) instead of 20 vectors with 3 of 8 lanes used; with AVX2 the two more
    // transposes outweigh 20 against 15; one lane gains nothing.
    assert!(a1_columns(8, 20, 3));
    assert!(!a1_columns(4, 20, 3));
    assert!(!a1_columns(1, 20, 3));
    // init_utils' [2, 10, 5, 1]: 10 vectors either way with AVX-512, 20 against 15 with AVX2.
    assert!(!a1_columns(8, 10, 5));
    assert!(a1_columns(4, 10, 5));
    // opt_utils' [2, 5, 2, 1]: 2 vectors instead of 5, in as many transposes.
    assert!(a1_columns(8, 5, 2));
    // A column holds dz1, a1 or dz2, a2, and room for the last vector read from each.
    assert_eq!(column_width(20, 20, 3), 48);
    assert_eq!(column_width(20, 3, 3), 32);
    assert_eq!(column_width(5, 5, 2), 24);
}

/// With AVX-512 the last few sums of a column go into one 256-bit vector when they fit in four
/// lanes; AVX2 and one lane have nothing narrower.
#[cfg(target_arch = "x86_64")]
#[test]
fn the_weight_sums_take_the_narrow_vectors_for_a_short_tail() {
    use crate::lanes::{Avx2, Avx512, Scalar};
    use kernels::vectors_of;
    // [2, 20, 3, 1]: 20 units as 2 x 8 + 4, 3 as one of 4.
    assert_eq!(vectors_of::<Avx512>(20), (2, true));
    assert_eq!(vectors_of::<Avx512>(3), (0, true));
    // [2, 10, 5, 1]: 10 as 8 + 2; 5 needs a wide one.
    assert_eq!(vectors_of::<Avx512>(10), (1, true));
    assert_eq!(vectors_of::<Avx512>(5), (1, false));
    assert_eq!(vectors_of::<Avx512>(16), (2, false));
    assert_eq!(vectors_of::<Avx2>(20), (5, false));
    assert_eq!(vectors_of::<Avx2>(3), (1, false));
    assert_eq!(vectors_of::<Scalar>(3), (3, false));
}

#[test]
fn bias_sums_after_the_kernel_are_numpys_at_every_level() {
    // hw4's network and hw5's (whose columns hold a1 after dz1, rather than dz2).
    bias_sums_are_numpys::<10, 5>();
    bias_sums_are_numpys::<20, 3>();
}

/// [`kernels::pairwise_bias`] of a network `[2, N1, N2, 1]` against `pairwise_sum` of each
/// unit's values, over one block, two, and more (700: three levels of halves), at every level.
fn bias_sums_are_numpys<const N1: usize, const N2: usize>() {
    let stride = 704;
    let values = NumpyRng::new(9).randn(N1 + N2 + 1, stride) * 1e3;
    for level in Level::available() {
        let lanes = match level {
            Level::Scalar => 1,
            Level::Avx2 => 4,
            Level::Avx512 => 8,
        };
        let width = kernels::width_of::<N1, N2>(lanes);
        let mut bufs = Buffers::new([2, N1, N2], stride);
        for j in 0..stride {
            for k in 0..N1 {
                bufs.columns[j * width + k] = values[(k, j)];
            }
            for i in 0..N2 {
                bufs.dz2[i * stride + j] = values[(N1 + i, j)];
            }
            bufs.dz3[j] = values[(N1 + N2, j)];
        }
        let blocks = [[0, 0], [0, 1], [0, 7], [8, 8], [16, 9], [0, 16], [0, 127], [0, 128]];
        let blocks = blocks.into_iter().chain([[40, 129], [0, 300], [0, 700]]);
        for [from, m] in blocks {
            let mut sums = vec![0.0; N1 + N2 + 1];
            kernels::pairwise_bias::<N1, N2>(level, &bufs, stride, [from, m], &mut sums);
            for (r, got) in sums.iter().enumerate() {
                let row: Vec<f64> = (from..from + m).map(|j| values[(r, j)]).collect();
                let what = format!("[2, {N1}, {N2}, 1] unit {r} of {m} from {from} at {level:?}");
                assert_eq!(got.to_bits(), pairwise_sum(&row).to_bits(), "{what}");
            }
        }
    }
}

// `reg_utils`' form. hw5-regularization's tests/engine.rs compares it with the notebook's loop
// at every level; here, the levels with each other and the refusals.

#[test]
fn the_reg_utils_form_gives_the_same_bits_at_every_level() {
    let (x, y) = circles(211);
    let start = initialize(&[2, 20, 3, 1], WeightInit::InverseSqrtFanIn, 3).unwrap();
    let mut rng = NumpyRng::new(1);
    let mask = |rng: &mut NumpyRng, n: usize| {
        DMatrix::from_fn(n, 211, |_, _| f64::from(rng.random_sample() < 0.86))
    };
    let (d1, d2) = (mask(&mut rng, 20), mask(&mut rng, 3));
    let penalty = |p: &Parameters| p.w1[(0, 0)] * 1e-3;
    let schedule = Schedule { num_iterations: 300, learning_rate: 0.3, cost_every: 50 };
    let forms = [
        RegUtils { l2: None, dropout: None },
        RegUtils { l2: Some(L2 { lambd: 0.7, cost: &penalty }), dropout: None },
        RegUtils { l2: None, dropout: Some(FixedMasks { d1: &d1, d2: &d2, keep_prob: 0.86 }) },
    ];
    for (f, form) in forms.iter().enumerate() {
        let runs: Vec<Trained> = Level::available()
            .map(|level| {
                train_reg_utils_at(level, &x, &y, start.clone(), &schedule, form, &mut Silent)
                    .unwrap()
            })
            .collect();
        for run in &runs[1..] {
            let costs = |t: &Trained| t.costs.iter().map(|c| c.1.to_bits()).collect::<Vec<_>>();
            assert_eq!(costs(run), costs(&runs[0]), "form {f}");
            for ((name, a), (_, b)) in
                run.parameters.named().into_iter().zip(runs[0].parameters.named())
            {
                assert_eq!(bits(a), bits(b), "form {f}: {name}");
            }
        }
        // Not init_utils' bits: the 1/m comes after the sums.
        assert_ne!(
            runs[0].parameters,
            train(&x, &y, start.clone(), &schedule, &mut Silent).unwrap().parameters
        );
    }
}

#[test]
fn the_reg_utils_form_refuses_what_it_cannot_run() {
    let (x, y) = circles(20);
    let err = |r: Result<Workspace, NnError>| r.unwrap_err().to_string();
    assert!(
        err(Workspace::new([2, 20, 3, 1], 20).unwrap().reg_utils(Some(-1.0))).contains("lambd")
    );
    let mut plain = Workspace::new([2, 20, 3, 1], 20).unwrap();
    plain.load(&x, &y).unwrap();
    let (d1, d2) = (DMatrix::from_element(20, 20, 1.0), DMatrix::from_element(3, 20, 1.0));
    let masks = FixedMasks { d1: &d1, d2: &d2, keep_prob: 0.5 };
    assert!(plain.load_dropout_masks(&masks).unwrap_err().to_string().contains("reg_utils"));
    let mut workspace = Workspace::new([2, 20, 3, 1], 20).unwrap().reg_utils(None).unwrap();
    workspace.load(&x, &y).unwrap();
    let bad = FixedMasks { keep_prob: 0.0, ..masks };
    assert!(workspace.load_dropout_masks(&bad).unwrap_err().to_string().contains("keep_prob"));
    let short = DMatrix::from_element(3, 19, 1.0);
    let bad = FixedMasks { d2: &short, ..masks };
    assert!(workspace.load_dropout_masks(&bad).unwrap_err().to_string().contains("D2"));
    workspace.load_dropout_masks(&masks).unwrap();
    let p = initialize(&[2, 20, 3, 1], WeightInit::He, 3).unwrap();
    let mut grads = WeightGradients::zeros([2, 20, 3, 1]);
    workspace.step(&p, &mut grads).unwrap();
    workspace.load_columns(&x, &y, &[1, 2, 3]).unwrap();
    let e = workspace.step(&p, &mut grads).unwrap_err().to_string();
    assert!(e.contains("masks are for 20 examples"), "{e}");
    let mut other = Workspace::new([3, 4, 2, 1], 20).unwrap().reg_utils(None).unwrap();
    other.load(&NumpyRng::new(2).randn(3, 20), &y).unwrap();
    let p = initialize(&[3, 4, 2, 1], WeightInit::He, 3).unwrap();
    let e = other.step(&p, &mut WeightGradients::zeros([3, 4, 2, 1])).unwrap_err().to_string();
    assert!(e.contains("reg_utils form runs"), "{e}");
}
