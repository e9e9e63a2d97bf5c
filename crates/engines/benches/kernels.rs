//! `cargo bench -p linalg-nn --bench kernels`: the matrix products of training on the course's
//! real shapes (the cat pictures, `X` is 12288 x 209), computed by nalgebra's own product, by
//! the `gemm` crate and by faer (one thread each), and by `nn_engines::kernels` (its fixed-order
//! product on two fixed column blocks, on two threads for the large products), as
//! docs/reference/performance.md reports. The data is random (the values do not change the time of a dense product).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use linalg_nn::NumpyRng;
use nalgebra::DMatrix;
use nn_engines::exact_bytes::{ByteFirstLayer, ColumnTiles, Digits};
use nn_engines::gram::GramRows;
use nn_engines::kernels::{Op, byte_gram_into, gram_into, matmul_into, matvec_into};
use std::hint::black_box;
use std::time::Duration;

const N_X: usize = 12288;
const M: usize = 209;

fn faer_ref(m: &DMatrix<f64>) -> MatRef<'_, f64> {
    MatRef::from_column_major_slice(m.as_slice(), m.nrows(), m.ncols())
}

fn faer_mut(m: &mut DMatrix<f64>) -> MatMut<'_, f64> {
    let (rows, cols) = m.shape();
    MatMut::from_column_major_slice_mut(m.as_mut_slice(), rows, cols)
}

/// `dst = op(a) op(b)` by the `gemm` crate on one thread.
fn gemm_crate(dst: &mut DMatrix<f64>, a: &DMatrix<f64>, op_a: Op, b: &DMatrix<f64>, op_b: Op) {
    let (m, n) = dst.shape();
    let k = if op_a == Op::N { a.ncols() } else { a.nrows() };
    assert_eq!(k, if op_b == Op::N { b.nrows() } else { b.ncols() });
    let strides = |x: &DMatrix<f64>, op: Op| -> (isize, isize) {
        let ld = x.nrows() as isize;
        if op == Op::N { (ld, 1) } else { (1, ld) }
    };
    let ((a_cs, a_rs), (b_cs, b_rs)) = (strides(a, op_a), strides(b, op_b));
    // SAFETY: dst is (m, n) column-major with leading dimension m; op(a) is (m, k) and op(b)
    // (k, n) inside their buffers with the strides above (shapes asserted).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            m as isize,
            1,
            false,
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            b_cs,
            b_rs,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}

fn ok(result: linalg_nn::Result<()>) {
    if let Err(err) = result {
        panic!("benchmark product failed: {err}");
    }
}

/// `Z1 = W1 X` for the first layer's widths of the course (1: logistic regression, 7: the
/// two-layer model, 20: the deep one).
fn forward(c: &mut Criterion) {
    let mut rng = NumpyRng::new(1);
    let x = rng.rand(N_X, M);
    let mut group = c.benchmark_group("forward W1*X (n1 x 12288) * (12288 x 209)");
    group.sample_size(20).measurement_time(Duration::from_secs(3));
    for n1 in [1usize, 7, 20] {
        let w = rng.randn(n1, N_X);
        let mut z = DMatrix::zeros(n1, M);
        group.bench_with_input(BenchmarkId::new("nalgebra w*x", n1), &n1, |b, _| {
            b.iter(|| black_box(&w * &x))
        });
        group.bench_with_input(
            BenchmarkId::new("kernels matmul_into (2 blocks)", n1),
            &n1,
            |b, _| b.iter(|| ok(matmul_into(&mut z, &w, Op::N, &x, Op::N))),
        );
        group.bench_with_input(BenchmarkId::new("gemm crate 1 thread", n1), &n1, |b, _| {
            b.iter(|| gemm_crate(&mut z, &w, Op::N, &x, Op::N))
        });
        group.bench_with_input(BenchmarkId::new("faer 1 thread", n1), &n1, |b, _| {
            b.iter(|| {
                matmul(faer_mut(&mut z), Accum::Replace, faer_ref(&w), faer_ref(&x), 1.0, Par::Seq)
            })
        });
        if n1 == 1 {
            // hw1 keeps w as a column: w^T X.
            let w_col = w.transpose();
            group.bench_with_input(BenchmarkId::new("nalgebra w.tr_mul(x)", n1), &n1, |b, _| {
                b.iter(|| black_box(w_col.tr_mul(&x)))
            });
        }
    }
    group.finish();
}

/// `dW1 = dZ1 X^T`, the backward product of the first layer.
fn backward(c: &mut Criterion) {
    let mut rng = NumpyRng::new(2);
    let x = rng.rand(N_X, M);
    let mut group = c.benchmark_group("backward dZ1*X^T (n1 x 209) * (209 x 12288)");
    group.sample_size(20).measurement_time(Duration::from_secs(3));
    for n1 in [7usize, 20] {
        let dz = rng.randn(n1, M);
        let mut dw = DMatrix::zeros(n1, N_X);
        group.bench_with_input(BenchmarkId::new("nalgebra dz*x.transpose()", n1), &n1, |b, _| {
            b.iter(|| black_box(&dz * x.transpose()))
        });
        group.bench_with_input(BenchmarkId::new("nalgebra (x*dz^T)^T", n1), &n1, |b, _| {
            b.iter(|| black_box((&x * dz.transpose()).transpose()))
        });
        group.bench_with_input(
            BenchmarkId::new("kernels matmul_into (2 blocks)", n1),
            &n1,
            |b, _| b.iter(|| ok(matmul_into(&mut dw, &dz, Op::N, &x, Op::T))),
        );
        group.bench_with_input(BenchmarkId::new("gemm crate 1 thread", n1), &n1, |b, _| {
            b.iter(|| gemm_crate(&mut dw, &dz, Op::N, &x, Op::T))
        });
        group.bench_with_input(BenchmarkId::new("faer 1 thread", n1), &n1, |b, _| {
            b.iter(|| {
                matmul(
                    faer_mut(&mut dw),
                    Accum::Replace,
                    faer_ref(&dz),
                    faer_ref(&x).transpose(),
                    1.0,
                    Par::Seq,
                )
            })
        });
    }
    group.finish();
}

/// `G = X^T X`, the Gram engine's one-off product.
fn gram(c: &mut Criterion) {
    let x = NumpyRng::new(3).rand(N_X, M);
    let mut g = DMatrix::zeros(M, M);
    let mut group = c.benchmark_group("gram X^T*X (209 x 12288) * (12288 x 209)");
    group.sample_size(10).measurement_time(Duration::from_secs(4));
    group.bench_function("nalgebra x.tr_mul(x)", |b| b.iter(|| black_box(x.tr_mul(&x))));
    group.bench_function("nalgebra x.transpose()*x", |b| b.iter(|| black_box(x.transpose() * &x)));
    group.bench_function("kernels matmul_into (2 blocks)", |b| {
        b.iter(|| ok(matmul_into(&mut g, &x, Op::T, &x, Op::N)))
    });
    group.bench_function("kernels gram_into (lower triangle, 2 parts)", |b| {
        b.iter(|| ok(gram_into(&mut g, &x)))
    });
    // The pictures' bytes (X = B / 255): the exact single-precision path of CatSplit::gram.
    let bytes: Vec<u8> = x.iter().map(|v| (v * 256.0) as u8).collect();
    group.bench_function("kernels byte_gram_into (exact, 2 threads)", |b| {
        b.iter(|| ok(byte_gram_into(&mut g, &bytes, N_X)))
    });
    group.bench_function("gemm crate 1 thread", |b| {
        b.iter(|| gemm_crate(&mut g, &x, Op::T, &x, Op::N))
    });
    group.bench_function("faer 1 thread", |b| {
        b.iter(|| {
            matmul(
                faer_mut(&mut g),
                Accum::Replace,
                faer_ref(&x).transpose(),
                faer_ref(&x),
                1.0,
                Par::Seq,
            )
        })
    });
    group.finish();
}

/// The Gram engine's per-iteration product `dZ1 G` (n1 x 209) * (209 x 209).
fn gram_step(c: &mut Criterion) {
    let mut rng = NumpyRng::new(4);
    let g = {
        let x = rng.rand(N_X, M);
        x.transpose() * &x
    };
    let mut group = c.benchmark_group("gram step dZ1*G (n1 x 209) * (209 x 209)");
    group.sample_size(50).measurement_time(Duration::from_secs(2));
    for n1 in [1usize, 7, 20] {
        let dz = rng.randn(n1, M);
        let mut out = DMatrix::zeros(n1, M);
        group.bench_with_input(BenchmarkId::new("nalgebra", n1), &n1, |b, _| {
            b.iter(|| black_box(&dz * &g))
        });
        group.bench_with_input(BenchmarkId::new("kernels matmul_into", n1), &n1, |b, _| {
            b.iter(|| ok(matmul_into(&mut out, &dz, Op::N, &g, Op::N)))
        });
        if n1 == 1 {
            // What GramFirstLayer::step runs for one row: G dZ^T, as G is symmetric.
            group.bench_with_input(BenchmarkId::new("kernels matvec_into", n1), &n1, |b, _| {
                b.iter(|| ok(matvec_into(out.as_mut_slice(), &g, dz.as_slice())))
            });
            // What the engine runs now: the two halves of G's rows as GramRows, on the exact
            // integers B^T B of byte pictures (stored as u32), one after the other.
            let bytes: Vec<u8> = rng.rand(1, N_X * M).iter().map(|&v| (v * 256.0) as u8).collect();
            let mut integers = DMatrix::zeros(M, M);
            ok(byte_gram_into(&mut integers, &bytes, N_X));
            let halves = [
                GramRows::new(&integers, 0..M.div_ceil(2)),
                GramRows::new(&integers, M.div_ceil(2)..M),
            ];
            group.bench_with_input(
                BenchmarkId::new("GramRows, u32, both halves", n1),
                &n1,
                |b, _| {
                    b.iter(|| {
                        for half in &halves {
                            half.product(dz.as_slice(), &mut out.as_mut_slice()[half.rows()]);
                        }
                        black_box(out[(0, 0)])
                    })
                },
            );
        }
        group.bench_with_input(BenchmarkId::new("gemm crate 1 thread", n1), &n1, |b, _| {
            b.iter(|| gemm_crate(&mut out, &dz, Op::N, &g, Op::N))
        });
        group.bench_with_input(BenchmarkId::new("faer 1 thread", n1), &n1, |b, _| {
            b.iter(|| {
                matmul(
                    faer_mut(&mut out),
                    Accum::Replace,
                    faer_ref(&dz),
                    faer_ref(&g),
                    1.0,
                    Par::Seq,
                )
            })
        });
    }
    group.finish();
}

/// hw1's direct pass from the pictures' bytes (`nn_engines::exact_bytes`), one thread, all 209
/// columns: `w^T B` from `B^T`'s tiles, `B s` from `B`'s tiles (with splitting `s` into digits),
/// and splitting `w` into digits, against the float64 matvec on `X`.
fn exact_bytes(c: &mut Criterion) {
    let mut rng = NumpyRng::new(4);
    let pixels: Vec<u8> = (0..N_X * M).map(|_| (rng.random_sample() * 256.0) as u8).collect();
    let w: Vec<f64> = rng.randn_vec(N_X).iter().map(|v| v * 0.01).collect();
    let s: Vec<f64> = rng.randn_vec(M).iter().map(|v| v * 0.1).collect();
    let forward = ColumnTiles::transposed(&pixels, N_X, 0..M);
    let mut backward = ColumnTiles::new(&pixels, N_X, 0..M);
    let mut digits = Digits::new(N_X);
    let (mut z, mut dw) = (vec![0.0; M], vec![0.0; N_X]);
    let mut group = c.benchmark_group("exact byte products (12288 x 209, 1 thread)");
    group.sample_size(30).measurement_time(Duration::from_secs(3));
    group.bench_function("split w into digits", |b| b.iter(|| black_box(digits.fill(&w))));
    digits.fill(&w);
    group.bench_function("w^T B (transposed tiles)", |b| {
        b.iter(|| black_box(forward.product(&digits, &mut z)))
    });
    group.bench_function("B s (tiles, s split here)", |b| {
        b.iter(|| black_box(backward.combination(&s, &mut dw)))
    });
    let mut other_digits = digits.clone();
    other_digits.fill(&w.iter().map(|v| -v).collect::<Vec<_>>());
    let mut other_z = vec![0.0; M];
    // Two rows of W1 in one pass over the bytes, as ByteFirstLayer takes them (without VNNI
    // each byte is converted once for both; with VNNI, two products).
    group.bench_function("w^T B for two vectors at once (product_pair)", |b| {
        b.iter(|| black_box(forward.product_pair([&digits, &other_digits], [&mut z, &mut other_z])))
    });
    // Both cores on the same tiles at once, as the first layer's two halves of W1's rows.
    group.bench_function("w^T B on both cores at once (one each)", |b| {
        b.iter(|| {
            nn_engines::pair::join(
                || forward.product(&digits, &mut z),
                || forward.product(&other_digits, &mut other_z),
            )
        })
    });
    group.bench_function("building both tiles", |b| {
        b.iter(|| {
            let tiles =
                (ColumnTiles::transposed(&pixels, N_X, 0..M), ColumnTiles::new(&pixels, N_X, 0..M));
            black_box(tiles.0.rows() + tiles.1.rows())
        })
    });
    group.finish();
}

/// One step of the deep model's first layer on the pictures' bytes (`ByteFirstLayer`, `n1 = 20`,
/// both cores): 20 products `B dZ1[r, :]^T`, the update of `W1`, 20 splits into digits and 20
/// products `W1[r, :] B`.
fn byte_first_layer(c: &mut Criterion) {
    let mut rng = NumpyRng::new(5);
    let pixels: Vec<u8> = (0..N_X * M).map(|_| (rng.random_sample() * 256.0) as u8).collect();
    let w = rng.randn(20, N_X) * 0.01;
    let dz = rng.randn(20, M) * 0.01;
    let mut layer = ByteFirstLayer::new(&pixels, N_X, w, DMatrix::zeros(20, 1), 1e-6).unwrap();
    let mut group = c.benchmark_group("ByteFirstLayer (12288 x 209, n1 = 20)");
    group.sample_size(30).measurement_time(Duration::from_secs(3));
    group.bench_function("step", |b| b.iter(|| ok(layer.step(&dz))));
    group.finish();
}

criterion_group!(benches, forward, backward, gram, gram_step, exact_bytes, byte_first_layer, lanes);
criterion_main!(benches);

/// The kernels written once over `nn_engines`' lanes, on the course's sizes: the hidden layer's
/// `tanh` and the exponential (4 x 400 values), the sigmoid of hw1's 209 examples, the bytes
/// into floats, the products from the pictures' bytes, and hw1's fused float pass (one thread:
/// 64 pictures' worth of columns stays under the two-thread threshold).
fn lanes(c: &mut Criterion) {
    use nn_engines::inputs::{Inputs, pixels_to_unit_into};
    let mut rng = NumpyRng::new(9);
    let mut group = c.benchmark_group("lanes");
    group.sample_size(30);
    let z: Vec<f64> = rng.randn_vec(1600).iter().map(|v| v * 2.0).collect();
    let mut out = vec![0.0; z.len()];
    group.bench_function("tanh_into 1600", |b| {
        b.iter(|| nn_engines::tanh::tanh_into(black_box(&z), &mut out))
    });
    group.bench_function("exp_into 1600", |b| {
        b.iter(|| nn_engines::vector_exp::exp_into(black_box(&z), &mut out))
    });
    group.bench_function("sigmoid_into 1600", |b| {
        b.iter(|| nn_engines::vector_exp::sigmoid_into(black_box(&z), &mut out))
    });
    let bytes: Vec<u8> = (0..1 << 16).map(|_| (rng.random_sample() * 256.0) as u8).collect();
    let mut floats = vec![0.0; bytes.len()];
    group.bench_function("pixels_to_unit_into 65536", |b| {
        b.iter(|| pixels_to_unit_into(&mut floats, black_box(&bytes)))
    });
    // 209 pictures of 64 x 64 x 3 bytes, as the course's training set.
    let pixels: Vec<u8> = (0..N_X * M).map(|_| (rng.random_sample() * 256.0) as u8).collect();
    let mut file = hdf5_pure::FileBuilder::new();
    file.create_dataset("train_set_x").with_u8_data(&pixels).with_shape(&[M as u64, 64, 64, 3]);
    file.create_dataset("train_set_y").with_i64_data(&vec![1; M]);
    file.create_dataset("list_classes").with_ascii_strings(&["non-cat", "cat"]).unwrap();
    let split = linalg_nn::data::CatSplit::from_bytes(
        std::path::Path::new("bench.h5"),
        file.finish().unwrap(),
        linalg_nn::data::Split::Train,
    )
    .unwrap();
    let w = rng.randn(N_X, 1);
    let mut z1 = DMatrix::zeros(1, M);
    group.bench_function("pictures w^T X", |b| b.iter(|| ok(split.tr_mul_into(&mut z1, &w))));
    let s = rng.randn(4, M);
    let mut dw = DMatrix::zeros(4, N_X);
    group.bench_function("pictures S X^T (4 rows)", |b| {
        b.iter(|| ok(split.gemm_transposed_into(&mut dw, 0.0, &s, 1.0)))
    });
    let x = rng.rand(N_X, 64);
    let y = rng.rand(1, 64).map(|v| if v > 0.5 { 1.0 } else { 0.0 });
    let w0 = DMatrix::zeros(N_X, 1);
    let schedule = nn_engines::logistic::Schedule {
        num_iterations: 10,
        learning_rate: 0.005,
        cost_every: 100,
    };
    let mut silent = linalg_nn::train::Silent;
    group.bench_function("direct_descent 12288 x 64, 10 iterations", |b| {
        b.iter(|| {
            nn_engines::logistic::direct_descent(&w0, 0.0, &x, &y, schedule, &mut silent).unwrap()
        })
    });
    group.finish();
}
