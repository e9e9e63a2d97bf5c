//! The engines on the course's real pictures: the fast `X = B / 255` gives the core's bits, and
//! the Gram matrix computed exactly from the bytes agrees with `X^T X`. Reads the data from
//! `linalg_nn::data::default_data_dir()` and fails with the loader's message when it is missing.

use linalg_nn::data::{CatDataset, default_data_dir, load_dataset};
use nn_engines::gram::gram_of_pictures;
use nn_engines::inputs::pictures_as_floats;
use std::sync::OnceLock;

fn course_data() -> &'static CatDataset {
    static DATA: OnceLock<CatDataset> = OnceLock::new();
    DATA.get_or_init(|| load_dataset(&default_data_dir()).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn fast_conversion_gives_the_plain_bits() {
    // Two halves on two threads, huge pages, AVX-512 where there is: still CatSplit::x's bits.
    let data = course_data();
    for split in [&data.train, &data.test] {
        let (fast, plain) = (pictures_as_floats(split), split.x());
        assert_eq!(fast.shape(), plain.shape());
        assert!(fast.iter().zip(plain.iter()).all(|(f, p)| f.to_bits() == p.to_bits()));
    }
}

#[test]
fn real_gram_from_the_bytes_matches_x_transpose_x() {
    // gram_of_pictures is exact: (B^T B) / 255^2 for the byte matrix B. Against X^T X in float64
    // (every product rounded) it agrees to a few units in the last place.
    let data = course_data();
    let exact_gram = gram_of_pictures(&data.train);
    assert_eq!(exact_gram.divisor(), 65025.0);
    assert!(exact_gram.values().iter().all(|&v| v.fract() == 0.0 && v >= 0.0));
    let gram = exact_gram.to_matrix();
    assert_eq!(gram.shape(), (209, 209));
    assert_eq!(gram, gram.transpose());
    let x = data.train.x();
    let direct = x.transpose() * &x;
    let scale = direct.abs().max();
    assert!((&gram - &direct).abs().max() < 1e-14 * scale);
    // One entry by hand, in integers: the squared length of picture 0's bytes.
    let exact: u64 = data.train.image(0).iter().map(|&b| u64::from(b) * u64::from(b)).sum();
    assert_eq!(exact_gram.values()[(0, 0)], exact as f64);
    assert_eq!(gram[(0, 0)], exact as f64 / 65025.0);
}
