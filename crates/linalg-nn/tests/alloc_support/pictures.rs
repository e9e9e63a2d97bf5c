//! Random pictures as a course file's training split, for the tests that train on the bytes
//! (`CatSplit`) without the real data set.

use hdf5_pure::FileBuilder;
use linalg_nn::NumpyRng;
use linalg_nn::data::{CatSplit, Split};

/// `m` random pictures of `num_px` x `num_px` pixels (labels alternating 0, 1) as the split a
/// course file `train_set_x` / `train_set_y` holds.
pub fn pictures(m: usize, num_px: usize) -> CatSplit {
    let mut rng = NumpyRng::new(7);
    let n_x = num_px * num_px * 3;
    let pixels: Vec<u8> = (0..m * n_x).map(|_| (rng.random_sample() * 256.0) as u8).collect();
    let labels: Vec<i64> = (0..m as i64).map(|j| j % 2).collect();
    let side = num_px as u64;
    let mut fb = FileBuilder::new();
    fb.create_dataset("train_set_x").with_u8_data(&pixels).with_shape(&[m as u64, side, side, 3]);
    fb.create_dataset("train_set_y").with_i64_data(&labels);
    fb.create_dataset("list_classes").with_ascii_strings(&["non-cat", "cat"]).unwrap();
    let bytes = fb.finish().unwrap();
    CatSplit::from_bytes(std::path::Path::new("pictures.h5"), bytes, Split::Train).unwrap()
}
