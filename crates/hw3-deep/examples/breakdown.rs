//! TEMPORARY timing breakdown (to be removed).
use hw3_deep::*;
use linalg_nn::data::{default_data_dir, load_dataset};
use linalg_nn::gram::{Engine, gram_matrix};
use linalg_nn::train::Silent;
use std::time::Instant;

fn main() {
    if std::env::args().nth(1).as_deref() == Some("micro") {
        micro();
        return;
    }
    if std::env::args().nth(1).as_deref() == Some("tail") {
        micro_tail();
        return;
    }
    if std::env::args().nth(1).as_deref() == Some("convert") {
        micro_convert();
        return;
    }
    if std::env::args().nth(1).as_deref() == Some("naive") {
        naive_tail();
        return;
    }
    if std::env::args().nth(1).as_deref() == Some("direct") {
        micro_direct();
        return;
    }
    let model: ModelKind = std::env::args().nth(1).unwrap().parse().unwrap();
    let engine: Engine = std::env::args().nth(2).unwrap().parse().unwrap();
    let t = Instant::now();
    let data = load_dataset(&default_data_dir()).unwrap();
    let t_load = t.elapsed();
    let t = Instant::now();
    let x = data.train.x();
    let y = data.train.y();
    let xt = data.test.x();
    let yt = data.test.y();
    let t_conv = t.elapsed();
    let t = Instant::now();
    let g = (engine == Engine::Gram).then(|| gram_matrix(&x));
    let t_g = t.elapsed();
    let options = Preset::Course.options(model);
    let dims = model.layer_dims(12288);
    let mut rng = linalg_nn::NumpyRng::new(options.seed);
    let params = match model {
        ModelKind::TwoLayer => {
            initialize_parameters(dims[0], dims[1], dims[2], options.init, &mut rng)
        }
        ModelKind::Deep => initialize_parameters_deep(&dims, options.init, &mut rng),
    }
    .unwrap();
    let one = TrainOptions { num_iterations: 1, ..options };
    let t = Instant::now();
    let _ = train_with_engine(
        &x,
        &y,
        params.clone(),
        &one,
        EngineOptions { engine, gram: g.as_ref() },
        &mut Silent,
    )
    .unwrap();
    let t_one = t.elapsed();
    let t = Instant::now();
    let trained = train_with_engine(
        &x,
        &y,
        params,
        &options,
        EngineOptions { engine, gram: g.as_ref() },
        &mut Silent,
    )
    .unwrap();
    let t_train = t.elapsed();
    let t = Instant::now();
    let a = accuracy(&x, &y, &trained.parameters).unwrap();
    let b = accuracy(&xt, &yt, &trained.parameters).unwrap();
    let t_pred = t.elapsed();
    println!(
        "{model} {engine}: load {:.1} ms, convert X {:.1} ms, G {:.1} ms, train {:.1} ms (1 iteration incl. Z1_0 and final W1: {:.1} ms), predictions {:.1} ms; acc {a} {b}",
        t_load.as_secs_f64() * 1e3,
        t_conv.as_secs_f64() * 1e3,
        t_g.as_secs_f64() * 1e3,
        t_train.as_secs_f64() * 1e3,
        t_one.as_secs_f64() * 1e3,
        t_pred.as_secs_f64() * 1e3
    );
}

#[allow(dead_code)]
pub fn micro() {
    use linalg_nn::kernels::{Op, matmul_into};
    use nalgebra::DMatrix;
    let mut rng = linalg_nn::NumpyRng::new(1);
    for (n1, m) in [(20usize, 209usize), (7, 209)] {
        let g = rng.randn(m, m);
        let dz = rng.randn(n1, m);
        let mut out = DMatrix::zeros(n1, m);
        let t = Instant::now();
        for _ in 0..2500 {
            matmul_into(&mut out, &dz, Op::N, &g, Op::N).unwrap();
        }
        println!("gemm crate {n1}x{m}x{m}: {:.1} us", t.elapsed().as_secs_f64() / 2500.0 * 1e6);
        let t = Instant::now();
        for _ in 0..2500 {
            out.gemm(1.0, &dz, &g, 0.0);
        }
        println!("nalgebra {n1}x{m}x{m}: {:.1} us", t.elapsed().as_secs_f64() / 2500.0 * 1e6);
        let x = rng.randn(12288, m);
        let mut gx = DMatrix::zeros(m, m);
        let t = Instant::now();
        matmul_into(&mut gx, &x, Op::T, &x, Op::N).unwrap();
        println!("G: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    }
}

#[allow(dead_code)]
pub fn micro_tail() {
    use linalg_nn::kernels::{Op, gemm_into, matmul_into};
    use nalgebra::DMatrix;
    let mut rng = linalg_nn::NumpyRng::new(1);
    let m = 209;
    for (rows, inner) in [(7usize, 20usize), (5, 7), (1, 5)] {
        let w = rng.randn(rows, inner);
        let a = rng.randn(inner, m);
        let dz = rng.randn(rows, m);
        let mut z = DMatrix::zeros(rows, m);
        let mut dw = DMatrix::zeros(rows, inner);
        let mut da = DMatrix::zeros(inner, m);
        let n = 20000;
        let t = Instant::now();
        for _ in 0..n {
            matmul_into(&mut z, &w, Op::N, &a, Op::N).unwrap();
        }
        let f = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        let t = Instant::now();
        for _ in 0..n {
            gemm_into(&mut dw, 0.0, &dz, Op::N, &a, Op::T, 0.5).unwrap();
        }
        let b = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        let t = Instant::now();
        for _ in 0..n {
            matmul_into(&mut da, &w, Op::T, &dz, Op::N).unwrap();
        }
        let c = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        let t = Instant::now();
        for _ in 0..n {
            z.gemm(1.0, &w, &a, 0.0);
        }
        let f2 = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        let t = Instant::now();
        for _ in 0..n {
            let dzt = dz.transpose();
            let mut dwt = DMatrix::zeros(inner, rows);
            dwt.gemm(0.5, &a, &dzt, 0.0);
            dw = dwt.transpose();
        }
        let b2 = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        let t = Instant::now();
        for _ in 0..n {
            let wt = w.transpose();
            da.gemm(1.0, &wt, &dz, 0.0);
        }
        let c2 = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        println!(
            "{rows}x{inner}: gemm-crate fwd {f:.2} dW {b:.2} dA {c:.2} | nalgebra fwd {f2:.2} dW {b2:.2} dA {c2:.2} us"
        );
    }
    let z1 = rng.randn(20, m);
    let n = 20000;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(linalg_nn::activations::Activation::Relu.forward(&z1));
    }
    println!("relu fwd 20x209 {:.2} us", t.elapsed().as_secs_f64() / n as f64 * 1e6);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(relu_backward(&z1, &z1).unwrap());
    }
    println!("relu bwd 20x209 {:.2} us", t.elapsed().as_secs_f64() / n as f64 * 1e6);
}

#[allow(dead_code)]
pub fn micro_direct() {
    use linalg_nn::kernels::{Op, matmul_into};
    use nalgebra::DMatrix;
    let mut rng = linalg_nn::NumpyRng::new(1);
    let x = rng.rand(12288, 209);
    for n1 in [20usize, 7] {
        let w = rng.randn(n1, 12288);
        let dz = rng.randn(n1, 209);
        let mut z = DMatrix::zeros(n1, 209);
        let mut zt = DMatrix::zeros(209, n1);
        let mut dw = DMatrix::zeros(n1, 12288);
        let mut dwt = DMatrix::zeros(12288, n1);
        let n = 50;
        let time = |f: &mut dyn FnMut()| {
            f();
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed().as_secs_f64() / n as f64 * 1e3
        };
        let a = time(&mut || matmul_into(&mut z, &w, Op::N, &x, Op::N).unwrap());
        let wt = w.transpose();
        let b = time(&mut || matmul_into(&mut zt, &x, Op::T, &wt, Op::N).unwrap());
        let c = time(&mut || matmul_into(&mut dw, &dz, Op::N, &x, Op::T).unwrap());
        let d = time(&mut || {
            matmul_into(&mut dwt, &x, Op::N, &dz, Op::T).unwrap();
            dwt.transpose_to(&mut dw);
        });
        let e = time(&mut || matmul_into(&mut dwt, &x, Op::N, &dz, Op::T).unwrap());
        let dzt = dz.transpose();
        let f = time(&mut || {
            dwt.gemm(1.0, &x, &dzt, 0.0);
        });
        let g = time(&mut || {
            z.gemm(1.0, &w, &x, 0.0);
        });
        // column blocks of X^T split by hand across 2 threads
        let h = time(&mut || {
            let half = 6144;
            let (left, right) = dw.as_mut_slice().split_at_mut(n1 * half);
            let xa = x.rows(0, half).into_owned();
            let _ = (left, right, xa);
        });
        println!("   nalgebra X dZ^T {f:.2} ms, nalgebra W1 X {g:.2} ms, copy half of X {h:.2}");
        println!(
            "n1={n1}: W1 X {a:.2} ms | X^T W1^T {b:.2} | dZ X^T {c:.2} | X dZ^T + transpose {d:.2} (product alone {e:.2})"
        );
    }
}

#[allow(dead_code)]
pub fn naive_tail() {
    use nalgebra::DMatrix;
    let mut rng = linalg_nn::NumpyRng::new(1);
    let m = 209;
    for (rows, inner) in [(7usize, 20usize), (5, 7), (1, 5)] {
        let w = rng.randn(rows, inner);
        let a = rng.randn(inner, m);
        let dz = rng.randn(rows, m);
        let mut z = DMatrix::zeros(rows, m);
        let mut dw = DMatrix::zeros(rows, inner);
        let mut da = DMatrix::zeros(inner, m);
        let n = 20000;
        let t = Instant::now();
        for _ in 0..n {
            // Z = W A, column by column
            for j in 0..m {
                let acol = a.column(j);
                let mut zcol = z.column_mut(j);
                zcol.fill(0.0);
                for p in 0..inner {
                    let s = acol[p];
                    zcol.axpy(s, &w.column(p), 1.0);
                }
            }
            std::hint::black_box(&z);
        }
        let f = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        let t = Instant::now();
        for _ in 0..n {
            // dW[i,p] = sum_j dz[i,j] a[p,j]
            dw.fill(0.0);
            for j in 0..m {
                let dzc = dz.column(j);
                let ac = a.column(j);
                for p in 0..inner {
                    let s = ac[p];
                    dw.column_mut(p).axpy(s, &dzc, 1.0);
                }
            }
            std::hint::black_box(&dw);
        }
        let b = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        let t = Instant::now();
        for _ in 0..n {
            // dA[:, j] = W^T dz[:, j]: dA[p,j] = W[:,p] . dz[:,j]
            for j in 0..m {
                let dzc = dz.column(j);
                for p in 0..inner {
                    da[(p, j)] = w.column(p).dot(&dzc);
                }
            }
            std::hint::black_box(&da);
        }
        let c = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        println!("{rows}x{inner}: naive fwd {f:.2} dW {b:.2} dA {c:.2} us");
    }
}

#[allow(dead_code)]
pub fn micro_convert() {
    use nalgebra::DMatrix;
    let data = load_dataset(&default_data_dir()).unwrap();
    let px = data.train.pixels();
    let (n, m) = (data.train.n_x(), data.train.m());
    let mut best = [f64::MAX; 3];
    for _ in 0..10 {
        let t = Instant::now();
        let a = data.train.x();
        best[0] = best[0].min(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let table: [f64; 256] = std::array::from_fn(|b| b as f64 / 255.0);
        let mut v = Vec::with_capacity(px.len());
        v.extend(px.iter().map(|&p| table[p as usize]));
        let b = DMatrix::from_vec(n, m, v);
        best[1] = best[1].min(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(a, b);
        let t = Instant::now();
        let c = DMatrix::<f64>::zeros(n, m);
        best[2] = best[2].min(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(c);
    }
    println!(
        "CatSplit::x {:.1} ms, table + Vec::extend {:.1} ms, zeros alone {:.1} ms",
        best[0], best[1], best[2]
    );
}
