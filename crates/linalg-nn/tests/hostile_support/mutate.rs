//! Seeded damage to a file's bytes, shared by the stable hostile tests and the cargo-fuzz
//! targets: the tests draw [`Mutation`]s from a [`SplitMix64`] aimed at one region of the file,
//! the fuzz targets decode them from libFuzzer's input with [`decode_mutations`]; both apply
//! them with [`Mutation::apply`]. Standard library only, so the fuzz crate can include it.

use std::ops::Range;

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, seedable and good enough to spread damage
/// over a file; the same seed gives the same mutations on every machine.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n >= 1`); the modulo bias is irrelevant for picking offsets.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// A position inside `range` (which must not be empty).
    pub fn inside(&mut self, range: &Range<usize>) -> usize {
        range.start + self.below(range.len())
    }
}

/// Values a damaged size, count or address field is most likely to hold, and the ones that
/// break careless readers: zero, one, sign bits, all ones, just past 32 bits, a terabyte.
pub const INTERESTING_VALUES: [u64; 12] = [
    0,
    1,
    0x7F,
    0xFF,
    0x7FFF,
    0xFFFF,
    0x7FFF_FFFF,
    0xFFFF_FFFF,
    1 << 32,
    1 << 40,
    0x7FFF_FFFF_FFFF_FFFF,
    u64::MAX,
];

/// One change to a file's bytes. Offsets past the end are clamped, so any mutation applies to
/// any file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mutation {
    /// Inverts bit `bit` (0..8) of the byte at `at`.
    FlipBit { at: usize, bit: u8 },
    /// Replaces the byte at `at`.
    SetByte { at: usize, value: u8 },
    /// Writes the low `width` bytes (1, 2, 4 or 8) of `value`, little-endian, at `at`: a size,
    /// count or address field declaring something else.
    SetWord { at: usize, width: u8, value: u64 },
    /// Keeps only the first `len` bytes: a half-downloaded file.
    Truncate { len: usize },
    /// Zeroes `len` bytes from `at`: a hole left by a crashed copy.
    Zero { at: usize, len: usize },
    /// Inserts `bytes` at `at`, shifting everything after it.
    Insert { at: usize, bytes: Vec<u8> },
    /// Removes `len` bytes from `at`, shifting everything after it back.
    Remove { at: usize, len: usize },
}

impl Mutation {
    /// Applies the change to `bytes`.
    pub fn apply(&self, bytes: &mut Vec<u8>) {
        let len = bytes.len();
        match *self {
            Mutation::FlipBit { at, bit } => {
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << (bit % 8);
                }
            }
            Mutation::SetByte { at, value } => {
                if let Some(b) = bytes.get_mut(at) {
                    *b = value;
                }
            }
            Mutation::SetWord { at, width, value } => {
                let width = usize::from(width.clamp(1, 8));
                let end = at.saturating_add(width).min(len);
                let start = at.min(end);
                let le = value.to_le_bytes();
                bytes[start..end].copy_from_slice(&le[..end - start]);
            }
            Mutation::Truncate { len: keep } => bytes.truncate(keep),
            Mutation::Zero { at, len: n } => {
                let start = at.min(len);
                let end = start.saturating_add(n).min(len);
                bytes[start..end].fill(0);
            }
            Mutation::Insert { at, bytes: ref extra } => {
                let at = at.min(len);
                bytes.splice(at..at, extra.iter().copied());
            }
            Mutation::Remove { at, len: n } => {
                let start = at.min(len);
                let end = start.saturating_add(n).min(len);
                bytes.drain(start..end);
            }
        }
    }

    /// A short description for failure messages, e.g. `flip bit 3 of byte 1234`.
    pub fn describe(&self) -> String {
        match self {
            Mutation::FlipBit { at, bit } => format!("flip bit {bit} of byte {at}"),
            Mutation::SetByte { at, value } => format!("set byte {at} to {value:#04x}"),
            Mutation::SetWord { at, width, value } => {
                format!("write the {width}-byte value {value:#x} at byte {at}")
            }
            Mutation::Truncate { len } => format!("truncate to {len} bytes"),
            Mutation::Zero { at, len } => format!("zero {len} bytes from byte {at}"),
            Mutation::Insert { at, bytes } => format!("insert {} bytes at byte {at}", bytes.len()),
            Mutation::Remove { at, len } => format!("remove {len} bytes from byte {at}"),
        }
    }
}

/// Draws one mutation aimed at `target` (a region of a file of `file_len` bytes): mostly bit
/// flips and byte changes, some size fields set to [`INTERESTING_VALUES`], and a few
/// structural changes (holes, insertions, removals, truncation inside the region).
pub fn random_mutation(rng: &mut SplitMix64, target: &Range<usize>, file_len: usize) -> Mutation {
    let at = rng.inside(target);
    match rng.below(16) {
        0..=6 => Mutation::FlipBit { at, bit: rng.below(8) as u8 },
        7..=9 => Mutation::SetByte { at, value: rng.next_u64() as u8 },
        10..=12 => Mutation::SetWord {
            at,
            width: [1u8, 2, 4, 8][rng.below(4)],
            value: INTERESTING_VALUES[rng.below(INTERESTING_VALUES.len())],
        },
        13 => Mutation::Zero { at, len: 1 + rng.below(64) },
        14 => {
            if rng.below(2) == 0 {
                Mutation::Insert { at, bytes: vec![rng.next_u64() as u8; 1 + rng.below(16)] }
            } else {
                Mutation::Remove { at, len: 1 + rng.below(16) }
            }
        }
        _ => Mutation::Truncate { len: at.min(file_len) },
    }
}

/// Reads mutations from a fuzzer's input, 13 bytes each: a kind byte, a little-endian `u32`
/// position (taken modulo `file_len`) and a little-endian `u64` argument. Trailing bytes that
/// do not fill a record are ignored, and at most `max` mutations are read.
pub fn decode_mutations(data: &[u8], file_len: usize, max: usize) -> Vec<Mutation> {
    data.chunks_exact(13)
        .take(max)
        .map(|record| {
            let kind = record[0];
            let position = u32::from_le_bytes([record[1], record[2], record[3], record[4]]);
            let at = position as usize % file_len.max(1);
            let mut arg = [0u8; 8];
            arg.copy_from_slice(&record[5..13]);
            let arg = u64::from_le_bytes(arg);
            match kind % 7 {
                0 => Mutation::FlipBit { at, bit: (arg % 8) as u8 },
                1 => Mutation::SetByte { at, value: arg as u8 },
                2 => Mutation::SetWord {
                    at,
                    width: [1u8, 2, 4, 8][(kind / 7 % 4) as usize],
                    value: if kind & 0x80 != 0 {
                        INTERESTING_VALUES[(arg % INTERESTING_VALUES.len() as u64) as usize]
                    } else {
                        arg
                    },
                },
                3 => Mutation::Truncate { len: at },
                4 => Mutation::Zero { at, len: (arg % 256) as usize },
                5 => Mutation::Insert { at, bytes: vec![arg as u8; (arg >> 8) as usize % 32 + 1] },
                _ => Mutation::Remove { at, len: (arg % 64) as usize + 1 },
            }
        })
        .collect()
}
