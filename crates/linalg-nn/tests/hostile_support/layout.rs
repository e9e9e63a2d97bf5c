//! Where the parts of an HDF5 file lie — superblock, object headers, raw data and the rest of
//! the metadata (B-trees, heaps, symbol nodes) — so that damage can be aimed at each, plus the
//! few lookups the hand-made damage needs (a dataset's object header and its messages).
//!
//! Data extents come from `hdf5-pure` itself; object headers are found by walking the version-0
//! group structure the course files use (h5py's defaults) or, for version-2 headers such as the
//! saved models', by their `OHDR` signature. Only what the tests need is parsed; anything
//! unexpected panics, since these are the tests' own fixtures.

use std::ops::Range;

/// One of the four kinds of bytes of an HDF5 file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    /// The superblock at the start (signature, versions, root group address, end of file).
    Superblock,
    /// The datasets' and groups' object headers (dataspace, datatype, layout messages...).
    ObjectHeaders,
    /// The datasets' raw bytes (pixels, labels, class names, weights).
    Data,
    /// Everything else: B-trees, local heaps with the link names, symbol table nodes.
    OtherMetadata,
}

impl Region {
    /// Every region, in file order of their first bytes in the course files.
    pub const ALL: [Region; 4] =
        [Region::Superblock, Region::ObjectHeaders, Region::OtherMetadata, Region::Data];

    /// The region's name in the reliability table.
    pub fn name(self) -> &'static str {
        match self {
            Region::Superblock => "superblock",
            Region::ObjectHeaders => "object headers",
            Region::Data => "raw data",
            Region::OtherMetadata => "B-trees, heaps and symbol nodes",
        }
    }
}

/// The byte ranges of each region of one file.
#[derive(Clone, Debug)]
pub struct FileRegions {
    /// The superblock.
    pub superblock: Range<usize>,
    /// Each object header with its name (`/` for the root group, `?` when found by signature).
    pub object_headers: Vec<(String, Range<usize>)>,
    /// Each dataset's contiguous raw data with its name.
    pub data: Vec<(String, Range<usize>)>,
    /// The rest of the file.
    pub other: Vec<Range<usize>>,
}

fn read_le(bytes: &[u8], at: usize, width: usize) -> usize {
    let mut word = [0u8; 8];
    word[..width].copy_from_slice(&bytes[at..at + width]);
    usize::try_from(u64::from_le_bytes(word)).expect("fits in usize")
}

fn expect_signature(bytes: &[u8], at: usize, signature: &[u8]) {
    assert_eq!(&bytes[at..at + signature.len()], signature, "no {signature:?} at byte {at}");
}

/// The messages of a version-1 object header at `at`: `(message type, data range)`.
pub fn v1_messages(bytes: &[u8], at: usize) -> Vec<(u16, Range<usize>)> {
    assert_eq!(bytes[at], 1, "not a version-1 object header at byte {at}");
    let count = read_le(bytes, at + 2, 2);
    let end = at + 16 + read_le(bytes, at + 8, 4);
    let mut messages = Vec::with_capacity(count);
    let mut p = at + 16;
    while messages.len() < count && p + 8 <= end {
        let kind = read_le(bytes, p, 2) as u16;
        let size = read_le(bytes, p + 2, 2);
        messages.push((kind, p + 8..p + 8 + size));
        p += 8 + size;
    }
    messages
}

/// The data range of the first message of type `kind` in the version-1 header at `at`.
pub fn v1_message(bytes: &[u8], at: usize, kind: u16) -> Range<usize> {
    v1_messages(bytes, at)
        .into_iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, range)| range)
        .unwrap_or_else(|| panic!("no message of type {kind:#x} in the header at byte {at}"))
}

/// The length of a version-1 object header at `at` (its 16-byte prefix and messages).
fn v1_header_len(bytes: &[u8], at: usize) -> usize {
    16 + read_le(bytes, at + 8, 4)
}

/// The length of a version-2 object header (`OHDR`) at `at`, checksum included.
fn v2_header_len(bytes: &[u8], at: usize) -> usize {
    let flags = bytes[at + 5];
    let mut p = at + 6;
    if flags & 0x20 != 0 {
        p += 16; // access, modification, change and birth times
    }
    if flags & 0x10 != 0 {
        p += 4; // attribute phase-change values
    }
    let width = 1 << (flags & 3);
    let chunk = read_le(bytes, p, width);
    p + width + chunk + 4 - at
}

/// Walks the version-0 root group (superblock symbol table entry, B-tree, symbol table nodes,
/// local heap) and returns every object header with its name.
fn v0_object_headers(bytes: &[u8], root: usize) -> Vec<(String, Range<usize>)> {
    let mut headers = vec![("/".to_owned(), root..root + v1_header_len(bytes, root))];
    // Symbol table message (type 0x11): the group's B-tree, then its local heap.
    let table = v1_message(bytes, root, 0x11);
    let btree = read_le(bytes, table.start, 8);
    let heap = read_le(bytes, table.start + 8, 8);
    expect_signature(bytes, heap, b"HEAP");
    let names = read_le(bytes, heap + 24, 8);
    expect_signature(bytes, btree, b"TREE");
    assert_eq!(bytes[btree + 5], 0, "only single-level group B-trees are walked");
    let children = read_le(bytes, btree + 6, 2);
    for child in 0..children {
        // Keys and children alternate after the 24-byte node prefix; keys are 8 bytes.
        let node = read_le(bytes, btree + 24 + 8 + 16 * child, 8);
        expect_signature(bytes, node, b"SNOD");
        let symbols = read_le(bytes, node + 6, 2);
        for s in 0..symbols {
            let entry = node + 8 + 40 * s;
            let name_at = names + read_le(bytes, entry, 8);
            let name_end = name_at + bytes[name_at..].iter().position(|&b| b == 0).expect("NUL");
            let name = String::from_utf8_lossy(&bytes[name_at..name_end]).into_owned();
            let header = read_le(bytes, entry + 8, 8);
            headers.push((name, header..header + v1_header_len(bytes, header)));
        }
    }
    headers
}

/// Every `OHDR` header outside the data ranges (version-2 object headers, as hdf5-pure writes
/// them).
fn v2_object_headers(bytes: &[u8], data: &[(String, Range<usize>)]) -> Vec<(String, Range<usize>)> {
    let mut headers = Vec::new();
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(4).position(|w| w == b"OHDR") {
        let start = at + found;
        if data.iter().any(|(_, r)| r.contains(&start)) {
            at = start + 4;
            continue;
        }
        let len = v2_header_len(bytes, start);
        headers.push(("?".to_owned(), start..start + len));
        at = start + len;
    }
    headers
}

impl FileRegions {
    /// Finds the regions of a valid HDF5 file (panics on anything else).
    pub fn of(bytes: &[u8]) -> FileRegions {
        let file = hdf5_pure::File::from_bytes(bytes.to_vec()).expect("a valid HDF5 fixture");
        let superblock = file.superblock();
        assert_eq!((superblock.offset_size, superblock.length_size), (8, 8), "8-byte fields");
        let superblock_len = match superblock.version {
            // Signature, versions, sizes, K values and flags (24 bytes), four addresses and
            // the root group's symbol table entry (40 bytes).
            0 => 24 + 32 + 40,
            // Version 1 adds the indexed-storage K and two reserved bytes.
            1 => 28 + 32 + 40,
            // Signature, version, sizes, flags (12 bytes), four addresses and a checksum.
            _ => 12 + 32 + 4,
        };
        let mut data = Vec::new();
        for name in file.root().datasets().expect("lists the datasets") {
            let ds = file.dataset(&name).expect("opens the dataset");
            if let Ok(hdf5_pure::Layout::Contiguous { address: Some(a), size }) = ds.layout() {
                let a = usize::try_from(a).expect("fits");
                data.push((name, a..a + usize::try_from(size).expect("fits")));
            }
        }
        data.sort_by_key(|(_, r)| r.start);
        let root = usize::try_from(superblock.root_group_address).expect("fits");
        let object_headers = if superblock.version <= 1 {
            v0_object_headers(bytes, root)
        } else {
            let mut headers = v2_object_headers(bytes, &data);
            let root_range = headers.iter().find(|(_, r)| r.start == root).expect("root").1.clone();
            let links = v2_links(bytes, &root_range);
            for (name, range) in &mut headers {
                if range.start == root {
                    *name = "/".to_owned();
                } else if let Some(link) = links.iter().find(|l| l.target == range.start) {
                    name.clone_from(&link.name);
                }
            }
            headers
        };
        let mut taken: Vec<Range<usize>> = std::iter::once(0..superblock_len)
            .chain(object_headers.iter().map(|(_, r)| r.clone()))
            .chain(data.iter().map(|(_, r)| r.clone()))
            .collect();
        taken.sort_by_key(|r| r.start);
        let mut other = Vec::new();
        let mut cursor = 0;
        for range in &taken {
            if range.start > cursor {
                other.push(cursor..range.start);
            }
            cursor = cursor.max(range.end);
        }
        if cursor < bytes.len() {
            other.push(cursor..bytes.len());
        }
        FileRegions { superblock: 0..superblock_len, object_headers, data, other }
    }

    /// The ranges of one region.
    pub fn ranges(&self, region: Region) -> Vec<Range<usize>> {
        match region {
            Region::Superblock => vec![self.superblock.clone()],
            Region::ObjectHeaders => self.object_headers.iter().map(|(_, r)| r.clone()).collect(),
            Region::Data => self.data.iter().map(|(_, r)| r.clone()).collect(),
            Region::OtherMetadata => self.other.clone(),
        }
    }

    /// How many bytes a region spans.
    pub fn size(&self, region: Region) -> usize {
        self.ranges(region).iter().map(Range::len).sum()
    }

    /// A random byte range of `region`, weighted by length so every byte is equally likely.
    pub fn pick(&self, rng: &mut super::mutate::SplitMix64, region: Region) -> Range<usize> {
        let ranges = self.ranges(region);
        let mut offset = rng.below(self.size(region));
        for range in ranges {
            if offset < range.len() {
                return range;
            }
            offset -= range.len();
        }
        unreachable!("offset below the region's size")
    }

    /// The object header of the dataset `name` (course files only: found by walking the group).
    pub fn header_of(&self, name: &str) -> Range<usize> {
        self.object_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("no object header named {name}"))
    }

    /// The raw data of the dataset `name`.
    pub fn data_of(&self, name: &str) -> Range<usize> {
        self.data
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("no contiguous data for {name}"))
    }
}

/// Bob Jenkins' lookup3 `hashlittle` with seed 0, the checksum of HDF5's version-2 metadata
/// (HDF5 file format specification, "Checksums"); lets a test edit a checksummed header the way
/// a tool would, so the damage reaches the loader's own checks.
pub fn lookup3(data: &[u8]) -> u32 {
    fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
        *a = a.wrapping_sub(*c);
        *a ^= c.rotate_left(4);
        *c = c.wrapping_add(*b);
        *b = b.wrapping_sub(*a);
        *b ^= a.rotate_left(6);
        *a = a.wrapping_add(*c);
        *c = c.wrapping_sub(*b);
        *c ^= b.rotate_left(8);
        *b = b.wrapping_add(*a);
        *a = a.wrapping_sub(*c);
        *a ^= c.rotate_left(16);
        *c = c.wrapping_add(*b);
        *b = b.wrapping_sub(*a);
        *b ^= a.rotate_left(19);
        *a = a.wrapping_add(*c);
        *c = c.wrapping_sub(*b);
        *c ^= b.rotate_left(4);
        *b = b.wrapping_add(*a);
    }
    fn word(bytes: &[u8]) -> u32 {
        bytes.iter().enumerate().fold(0, |w, (i, &b)| w | (u32::from(b) << (8 * i)))
    }
    let init = 0xDEAD_BEEFu32.wrapping_add(data.len() as u32);
    let (mut a, mut b, mut c) = (init, init, init);
    let mut rest = data;
    while rest.len() > 12 {
        a = a.wrapping_add(word(&rest[0..4]));
        b = b.wrapping_add(word(&rest[4..8]));
        c = c.wrapping_add(word(&rest[8..12]));
        mix(&mut a, &mut b, &mut c);
        rest = &rest[12..];
    }
    if rest.is_empty() {
        return c;
    }
    a = a.wrapping_add(word(&rest[..rest.len().min(4)]));
    if rest.len() > 4 {
        b = b.wrapping_add(word(&rest[4..rest.len().min(8)]));
    }
    if rest.len() > 8 {
        c = c.wrapping_add(word(&rest[8..]));
    }
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(14));
    a ^= c;
    a = a.wrapping_sub(c.rotate_left(11));
    b ^= a;
    b = b.wrapping_sub(a.rotate_left(25));
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(16));
    a ^= c;
    a = a.wrapping_sub(c.rotate_left(4));
    b ^= a;
    b = b.wrapping_sub(a.rotate_left(14));
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(24));
    c
}

/// Whether the version-2 header at `header` carries a valid checksum.
pub fn v2_checksum_ok(bytes: &[u8], header: &Range<usize>) -> bool {
    let stored = read_le(bytes, header.end - 4, 4) as u32;
    lookup3(&bytes[header.start..header.end - 4]) == stored
}

/// Recomputes the checksum of the version-2 header at `header` after an edit.
pub fn fix_v2_checksum(bytes: &mut [u8], header: &Range<usize>) {
    let sum = lookup3(&bytes[header.start..header.end - 4]);
    bytes[header.end - 4..header.end].copy_from_slice(&sum.to_le_bytes());
}

/// The messages of the version-2 header at `header`: `(message type, data range)`.
pub fn v2_messages(bytes: &[u8], header: &Range<usize>) -> Vec<(u8, Range<usize>)> {
    let flags = bytes[header.start + 5];
    let mut p = header.start + 6;
    if flags & 0x20 != 0 {
        p += 16;
    }
    if flags & 0x10 != 0 {
        p += 4;
    }
    p += 1 << (flags & 3);
    // Each message: type, 2-byte size, flags, and a creation order when the header tracks it.
    let prefix = if flags & 0x04 != 0 { 6 } else { 4 };
    let end = header.end - 4;
    let mut messages = Vec::new();
    while p + prefix <= end {
        let kind = bytes[p];
        let size = read_le(bytes, p + 1, 2);
        messages.push((kind, p + prefix..p + prefix + size));
        p += prefix + size;
    }
    messages
}

/// A hard link of a version-2 group header: the name, where its bytes lie, and the target.
#[derive(Clone, Debug)]
pub struct Link {
    /// The link's name.
    pub name: String,
    /// Where the name's bytes are in the file (to rename the link in place).
    pub name_bytes: Range<usize>,
    /// The address of the linked object's header.
    pub target: usize,
}

/// The hard links (link messages, type 6) of the version-2 group header at `header`.
pub fn v2_links(bytes: &[u8], header: &Range<usize>) -> Vec<Link> {
    v2_messages(bytes, header)
        .into_iter()
        .filter(|(kind, _)| *kind == 6)
        .map(|(_, data)| {
            let flags = bytes[data.start + 1];
            let mut p = data.start + 2;
            assert!(flags & 0x08 == 0 || bytes[p] == 0, "only hard links");
            if flags & 0x08 != 0 {
                p += 1;
            }
            if flags & 0x04 != 0 {
                p += 8;
            }
            if flags & 0x10 != 0 {
                p += 1;
            }
            let width = 1 << (flags & 3);
            let len = read_le(bytes, p, width);
            p += width;
            let name = String::from_utf8_lossy(&bytes[p..p + len]).into_owned();
            let target = read_le(bytes, p + len, 8);
            Link { name, name_bytes: p..p + len, target }
        })
        .collect()
}
