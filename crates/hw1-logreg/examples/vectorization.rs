//! The course's vectorisation demo (week 2, "Vectorization"): the dot product of two vectors of
//! a million random numbers, once with a `for` loop and once vectorised, both timed.
//!
//! ```sh
//! cargo run --release -p hw1-logreg --example vectorization
//! ```
//!
//! In numpy the loop runs in the Python interpreter and `np.dot` in compiled BLAS code, hence
//! the course's ~300x. In Rust both are compiled, so what is left to see is what the compiler
//! can do with each: the loop as written adds into one variable, one product after the other,
//! and floating-point addition is not associative, so the compiler must keep that order (one
//! add at a time, each waiting for the previous one). `nalgebra`'s `dot` sums into several
//! accumulators, which the CPU adds in parallel, in vector registers. A different order of
//! the additions is a (slightly) different result, which the demo prints as well.
//!
//! `cargo test -p hw1-logreg` runs this file's tests (`test = true` in Cargo.toml).

use linalg_nn::NumpyRng;
use nalgebra::DVector;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The course's vector length.
const N: usize = 1_000_000;
/// `np.random.seed(1)`, so the numbers (and the loop's sum) are numpy's.
const SEED: u32 = 1;
/// Each version is timed this many times; the fastest run is reported.
const REPEATS: usize = 20;

/// The course's loop, as written: `for i in range(n): c += a[i] * b[i]`.
#[allow(clippy::needless_range_loop)] // the point is the indexed loop of the course
fn for_loop_dot(a: &[f64], b: &[f64]) -> f64 {
    let mut c = 0.0;
    for i in 0..a.len() {
        c += a[i] * b[i];
    }
    c
}

/// The idiomatic Rust spelling of the same loop: the same additions in the same order.
fn iterator_dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The products summed with Neumaier's compensation: the rounding error of every addition is
/// carried along, so the result is (nearly always) the exactly rounded sum of the products.
/// The yardstick the other results are measured against.
fn compensated_dot(a: &[f64], b: &[f64]) -> f64 {
    let (mut sum, mut compensation) = (0.0_f64, 0.0_f64);
    for (x, y) in a.iter().zip(b) {
        let p = x * y;
        let t = sum + p;
        compensation += if sum.abs() >= p.abs() { (sum - t) + p } else { (p - t) + sum };
        sum = t;
    }
    sum + compensation
}

/// One version's result and its fastest time.
struct Timed {
    value: f64,
    best: Duration,
}

/// Runs `dot` `repeats` times; the value of the last run and the fastest time.
fn timed(repeats: usize, dot: impl Fn() -> f64) -> Timed {
    let mut best = Duration::MAX;
    let mut value = f64::NAN;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        value = black_box(dot());
        best = best.min(started.elapsed());
    }
    Timed { value, best }
}

/// Everything the demo prints.
struct Demo {
    n: usize,
    repeats: usize,
    for_loop: Timed,
    iterator: Timed,
    nalgebra: Timed,
    compensated: f64,
}

/// `np.random.seed(seed); a = np.random.rand(n); b = np.random.rand(n)`, then the three dot
/// products, each timed `repeats` times.
fn demo(n: usize, seed: u32, repeats: usize) -> Demo {
    let mut rng = NumpyRng::new(seed);
    let a: Vec<f64> = (0..n).map(|_| rng.random_sample()).collect();
    let b: Vec<f64> = (0..n).map(|_| rng.random_sample()).collect();
    let (va, vb) = (DVector::from_column_slice(&a), DVector::from_column_slice(&b));
    Demo {
        n,
        repeats,
        for_loop: timed(repeats, || for_loop_dot(black_box(&a), black_box(&b))),
        iterator: timed(repeats, || iterator_dot(black_box(&a), black_box(&b))),
        nalgebra: timed(repeats, || black_box(&va).dot(black_box(&vb))),
        compensated: compensated_dot(&a, &b),
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The demo's printout.
fn report(d: &Demo) -> String {
    let mut s = String::new();
    let mut line = |text: String| {
        s.push_str(&text);
        s.push('\n');
    };
    line(format!(
        "c = a . b for a, b = np.random.rand({}) after np.random.seed({SEED}); fastest of {} runs each",
        d.n, d.repeats
    ));
    line(String::new());
    for (name, t) in [
        ("for loop (c += a[i] * b[i])", &d.for_loop),
        ("iterator (zip, map, sum)", &d.iterator),
        ("vectorised (nalgebra a.dot(&b))", &d.nalgebra),
    ] {
        line(format!("{name:<32} c = {:<20} {:8.3} ms", t.value, millis(t.best)));
    }
    line(String::new());
    line(format!(
        "for loop / vectorised: {:.1}x slower (numpy in the course: about 300x, its loop is interpreted)",
        d.for_loop.best.as_secs_f64() / d.nalgebra.best.as_secs_f64()
    ));
    line(format!(
        "iterator / for loop:   {:.2}x (the same additions in the same order: the same bits: {})",
        d.iterator.best.as_secs_f64() / d.for_loop.best.as_secs_f64(),
        d.iterator.value.to_bits() == d.for_loop.value.to_bits()
    ));
    line(String::new());
    line(format!("Summation order: the compensated sum is {}", d.compensated));
    for (name, difference) in [
        ("for loop - compensated sum", d.for_loop.value - d.compensated),
        ("vectorised - compensated sum", d.nalgebra.value - d.compensated),
        ("for loop - vectorised", d.for_loop.value - d.nalgebra.value),
    ] {
        line(format!("{name:<29} {difference:+.3e}"));
    }
    s
}

fn main() {
    print!("{}", report(&demo(N, SEED, REPEATS)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_runs_and_its_loop_gives_numpys_loop_result() {
        let d = demo(N, SEED, 2);
        // python3: np.random.seed(1); a = np.random.rand(1000000); b = np.random.rand(1000000);
        // c = 0; for i in range(1000000): c += a[i] * b[i]  ->  249825.02337923684
        assert_eq!(d.for_loop.value, 249825.02337923684);
        assert_eq!(d.iterator.value.to_bits(), d.for_loop.value.to_bits());
        // math.fsum(a * b) = 249825.0233792489: the exactly rounded sum of the products.
        assert_eq!(d.compensated, 249825.0233792489);
        // Another order, another rounding: close, but not the loop's bits.
        assert!((d.nalgebra.value - d.compensated).abs() < 1e-8, "{}", d.nalgebra.value);
        assert_ne!(d.nalgebra.value, d.for_loop.value);
        let text = report(&d);
        assert!(text.contains("c = 249825.02337923684"), "{text}");
        assert!(text.contains("the same bits: true"), "{text}");
        assert_eq!(text.lines().count(), 13, "{text}");
    }

    #[test]
    fn the_three_dots_agree_on_small_exact_cases() {
        let (a, b) = ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]);
        assert_eq!(for_loop_dot(&a, &b), 32.0);
        assert_eq!(iterator_dot(&a, &b), 32.0);
        assert_eq!(compensated_dot(&a, &b), 32.0);
        // 1e16 + 1 - 1e16: the loop loses the 1, the compensated sum keeps it.
        let (a, b) = ([1e16, 1.0, -1e16], [1.0, 1.0, 1.0]);
        assert_eq!(for_loop_dot(&a, &b), 0.0);
        assert_eq!(compensated_dot(&a, &b), 1.0);
    }
}
