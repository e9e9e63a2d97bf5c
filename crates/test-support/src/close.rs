//! Comparing numbers as the course prints them: a cost printed with `%f` (six decimals)
//! matches when the value rounds to the same text, which is what [`assert_prints_as`] checks;
//! other values within a stated tolerance.

use nalgebra::DMatrix;

/// Checks that `value`, printed as the course prints it with `{:.decimals$}` (`%f` is six
/// decimals), reads `printed`: the test is exactly as tight as the printed number.
///
/// ```
/// test_support::close::assert_prints_as(0.6931471805599453, "0.693147", "cost");
/// ```
pub fn assert_prints_as(value: f64, printed: &str, what: &str) {
    let decimals = printed.split_once('.').map_or(0, |(_, fraction)| fraction.len());
    let found = format!("{value:.decimals$}");
    assert_eq!(found, printed, "{what}: {value:e} prints as {found}, expected {printed}");
}

/// Checks every value against its printed text with [`assert_prints_as`].
pub fn assert_all_print_as(values: &[f64], printed: &[&str], what: &str) {
    assert_eq!(values.len(), printed.len(), "{what}: {values:?} against {printed:?}");
    for (k, (value, text)) in values.iter().zip(printed).enumerate() {
        assert_prints_as(*value, text, &format!("{what} [{k}]"));
    }
}

/// Checks `|found - expected| <= tolerance`.
pub fn assert_close(found: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (found - expected).abs() <= tolerance,
        "{what}: found {found:e}, expected {expected:e} (within {tolerance:e})"
    );
}

/// Checks that `found` has `expected`'s shape and every entry within `tolerance` of it. The
/// course prints its arrays with eight decimals, so `5e-9` checks them at printed precision.
pub fn assert_matrix_close(
    found: &DMatrix<f64>,
    expected: &DMatrix<f64>,
    tolerance: f64,
    what: &str,
) {
    assert_eq!(found.shape(), expected.shape(), "{what}: shape");
    for j in 0..expected.ncols() {
        for i in 0..expected.nrows() {
            let (f, e) = (found[(i, j)], expected[(i, j)]);
            assert!(
                (f - e).abs() <= tolerance,
                "{what}[{i}, {j}]: found {f:e}, expected {e:e} (within {tolerance:e})\nfound {found}"
            );
        }
    }
}
