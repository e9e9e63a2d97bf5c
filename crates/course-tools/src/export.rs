//! `course-tools export-cat` (what `cargo xtask bench` runs before timing): the cat / non-cat
//! pictures in the forms the benchmark feeds the programs: `.npy` files for the numpy port of
//! the notebooks (`numpy-reference/`, which then needs no h5py), and an `.h5` pair whose
//! training set is repeated to time the engines against the number of examples.

use anyhow::{Context, Result};
use linalg_nn::atomic::write_bytes_atomic;
use linalg_nn::data::CatDataset;
use std::path::Path;

/// A `.npy` file (format 1.0) holding `data` with numpy dtype `descr` (`"|u1"`, `"<i8"`) and
/// C-order `shape`, as `np.save` writes it.
///
/// ```
/// let bytes = course_tools::export::npy_bytes("|u1", &[2, 3], &[1, 2, 3, 4, 5, 6]);
/// assert!(bytes.starts_with(b"\x93NUMPY\x01\x00"));
/// let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
/// assert_eq!((10 + header_len) % 64, 0);
/// let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
/// assert!(header.starts_with("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }"));
/// assert_eq!(&bytes[10 + header_len..], &[1, 2, 3, 4, 5, 6]);
/// ```
pub fn npy_bytes(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape_text =
        if dims.len() == 1 { format!("({},)", dims[0]) } else { format!("({})", dims.join(", ")) };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    // Pad with spaces so that the data starts on a multiple of 64 bytes, newline last.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let mut bytes = Vec::with_capacity(10 + header.len() + data.len());
    bytes.extend_from_slice(b"\x93NUMPY\x01\x00");
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(data);
    bytes
}

/// Writes the cat data set as the four `.npy` files the numpy reference reads without h5py
/// (`train_set_x.npy` uint8 `(m, px, px, 3)`, `train_set_y.npy` int64 `(m,)`, and the test
/// pair), with the training set repeated `tile` times.
pub fn export_npy(data: &CatDataset, dir: &Path, tile: usize) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (prefix, split, times) in [("train", &data.train, tile), ("test", &data.test, 1)] {
        let px = split.num_px();
        let pixels = split.pixels().repeat(times);
        let labels: Vec<u8> =
            split.labels().repeat(times).iter().flat_map(|&l| i64::from(l).to_le_bytes()).collect();
        let m = split.m() * times;
        let x_path = dir.join(format!("{prefix}_set_x.npy"));
        write_bytes_atomic(&x_path, &npy_bytes("|u1", &[m, px, px, 3], &pixels))
            .with_context(|| format!("writing {}", x_path.display()))?;
        let y_path = dir.join(format!("{prefix}_set_y.npy"));
        write_bytes_atomic(&y_path, &npy_bytes("<i8", &[m], &labels))
            .with_context(|| format!("writing {}", y_path.display()))?;
    }
    Ok(())
}

/// Writes `train_catvnoncat.h5` with the training set repeated `tile` times, and a copy of the
/// test file, into `dir` (the Rust binaries' input for the scaling runs).
pub fn export_tiled_h5(
    data: &CatDataset,
    source_dir: &Path,
    dir: &Path,
    tile: usize,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let train = &data.train;
    let px = train.num_px() as u64;
    let m = (train.m() * tile) as u64;
    let labels: Vec<i64> = train.labels().repeat(tile).iter().map(|&l| i64::from(l)).collect();
    let mut builder = hdf5_pure::FileBuilder::new();
    builder
        .create_dataset("train_set_x")
        .with_u8_data(&train.pixels().repeat(tile))
        .with_shape(&[m, px, px, 3]);
    builder.create_dataset("train_set_y").with_i64_data(&labels);
    builder
        .create_dataset("list_classes")
        .with_ascii_strings(&["non-cat", "cat"])
        .map_err(|e| anyhow::anyhow!("list_classes: {e}"))?;
    let bytes = builder.finish().map_err(|e| anyhow::anyhow!("building the tiled file: {e}"))?;
    let train_path = dir.join(linalg_nn::data::cat::TRAIN_FILE);
    write_bytes_atomic(&train_path, &bytes)
        .with_context(|| format!("writing {}", train_path.display()))?;
    let test_name = linalg_nn::data::cat::TEST_FILE;
    let test_bytes = std::fs::read(source_dir.join(test_name))
        .with_context(|| format!("reading {}", source_dir.join(test_name).display()))?;
    write_bytes_atomic(&dir.join(test_name), &test_bytes)
        .with_context(|| format!("writing {}", dir.join(test_name).display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_export_round_trips_shapes_and_labels() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = npy_bytes("<i8", &[3], &[1u8; 24]);
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
        assert!(header.contains("'shape': (3,)"), "{header}");
        assert!(header.ends_with('\n'));
        let path = dir.path().join("y.npy");
        write_bytes_atomic(&path, &bytes).unwrap();
        assert_eq!(std::fs::read(&path).unwrap().len(), 10 + header_len + 24);
    }
}
