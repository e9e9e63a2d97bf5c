//! Buffers of `f64` that start on a cache line, for the vector kernels' rows and columns: a
//! 512-bit load or store of eight values at a multiple of eight then never straddles two
//! 64-byte lines. The allocator only promises 16 bytes; on the test machine a straddling
//! 512-bit store costs about twice an aligned one, and the three-layer forward kernel, bound
//! by its stores, took a quarter longer on rows that did not start a line.

use std::ops::{Deref, DerefMut};

/// `len` values of `f64`, the first at an address that is a multiple of [`AlignedVec::LINE`]
/// bytes (and so every value whose index is a multiple of eight). It derefs to a slice of
/// exactly `len` values; a clone is aligned too.
///
/// ```
/// use nn_engines::aligned::AlignedVec;
/// let mut rows = AlignedVec::zeros(20);
/// assert_eq!(rows.len(), 20);
/// assert_eq!(rows.as_ptr() as usize % AlignedVec::LINE, 0);
/// rows[19] = 1.5;
/// let copy = rows.clone();
/// assert_eq!(copy.as_ptr() as usize % AlignedVec::LINE, 0);
/// assert_eq!(copy[19], 1.5);
/// ```
#[derive(Default)]
pub struct AlignedVec {
    /// Room for `len` values after up to seven that bring the start to a line.
    values: Vec<f64>,
    /// The index of the first value in use: a `Vec`'s buffer does not move while it is neither
    /// grown nor shrunk, and this one never is, so the index stays that of the line's start.
    start: usize,
    len: usize,
}

impl AlignedVec {
    /// The alignment in bytes: one cache line (eight values).
    pub const LINE: usize = 64;

    /// `len` zeros.
    pub fn zeros(len: usize) -> Self {
        const SIZE: usize = std::mem::size_of::<f64>();
        let values = vec![0.0; len + Self::LINE / SIZE - 1];
        // The allocation is aligned for f64, so the distance to the next line is whole values.
        let address = values.as_ptr() as usize;
        let start = (address.next_multiple_of(Self::LINE) - address) / SIZE;
        AlignedVec { values, start, len }
    }
}

impl Deref for AlignedVec {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        &self.values[self.start..self.start + self.len]
    }
}

impl DerefMut for AlignedVec {
    fn deref_mut(&mut self) -> &mut [f64] {
        &mut self.values[self.start..self.start + self.len]
    }
}

impl Clone for AlignedVec {
    /// A new buffer with the same values (a `Vec`'s clone could start elsewhere in a line).
    fn clone(&self) -> Self {
        let mut copy = AlignedVec::zeros(self.len);
        copy.copy_from_slice(self);
        copy
    }
}

impl std::fmt::Debug for AlignedVec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_starts_on_a_line_and_holds_its_values() {
        // Many allocations of each size, so that the allocator's other offsets come up too.
        let buffers: Vec<AlignedVec> = (0..200).map(|n| AlignedVec::zeros(n % 37)).collect();
        for (i, buffer) in buffers.iter().enumerate() {
            assert_eq!(buffer.len(), i % 37);
            assert!(buffer.iter().all(|&v| v == 0.0));
            if !buffer.is_empty() {
                assert_eq!(buffer.as_ptr() as usize % AlignedVec::LINE, 0, "length {}", i % 37);
            }
        }
        let mut values = AlignedVec::zeros(9);
        for (i, v) in values.iter_mut().enumerate() {
            *v = i as f64;
        }
        let copy = values.clone();
        assert_eq!(&copy[..], &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        assert_eq!(copy.as_ptr() as usize % AlignedVec::LINE, 0);
        assert_eq!(format!("{:?}", AlignedVec::zeros(2)), "[0.0, 0.0]");
        assert!(AlignedVec::default().is_empty());
    }
}
