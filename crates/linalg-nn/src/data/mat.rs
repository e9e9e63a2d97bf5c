//! A small reader of MATLAB level-5 MAT-files, the format of the regularisation notebook's
//! `datasets/data.mat` (read there with `scipy.io.loadmat`): the 128-byte header, then one data
//! element per variable, each usually zlib-compressed (`miCOMPRESSED`) around a numeric
//! `miMATRIX`. Only what the course's files use is read: real, full numeric arrays of any class,
//! little-endian. Everything else is refused with an error naming the file, the variable and
//! what was expected (docs/reference/crates.md says why this is not the `matfile` crate).

use super::error::DataError;
use std::path::Path;

/// The numeric classes of a MATLAB array (`mxDOUBLE_CLASS`, `mxUINT8_CLASS`, ...), named as numpy
/// names the dtype `scipy.io.loadmat` gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatClass {
    /// `mxDOUBLE_CLASS` (6).
    Float64,
    /// `mxSINGLE_CLASS` (7).
    Float32,
    /// `mxINT8_CLASS` (8).
    Int8,
    /// `mxUINT8_CLASS` (9).
    Uint8,
    /// `mxINT16_CLASS` (10).
    Int16,
    /// `mxUINT16_CLASS` (11).
    Uint16,
    /// `mxINT32_CLASS` (12).
    Int32,
    /// `mxUINT32_CLASS` (13).
    Uint32,
    /// `mxINT64_CLASS` (14).
    Int64,
    /// `mxUINT64_CLASS` (15).
    Uint64,
}

impl MatClass {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            6 => MatClass::Float64,
            7 => MatClass::Float32,
            8 => MatClass::Int8,
            9 => MatClass::Uint8,
            10 => MatClass::Int16,
            11 => MatClass::Uint16,
            12 => MatClass::Int32,
            13 => MatClass::Uint32,
            14 => MatClass::Int64,
            15 => MatClass::Uint64,
            _ => return None,
        })
    }

    /// numpy's name for the class: `float64`, `uint8`, ...
    pub fn name(self) -> &'static str {
        match self {
            MatClass::Float64 => "float64",
            MatClass::Float32 => "float32",
            MatClass::Int8 => "int8",
            MatClass::Uint8 => "uint8",
            MatClass::Int16 => "int16",
            MatClass::Uint16 => "uint16",
            MatClass::Int32 => "int32",
            MatClass::Uint32 => "uint32",
            MatClass::Int64 => "int64",
            MatClass::Uint64 => "uint64",
        }
    }
}

/// One variable of a MAT-file: its name, class, storage type, dimensions and values in MATLAB's
/// column-major order, widened to `f64` (exact for every type the course uses: `double` and
/// `uint8`).
#[derive(Clone, Debug, PartialEq)]
pub struct MatVariable {
    /// The variable's name, e.g. `Xval`.
    pub name: String,
    /// Its MATLAB class (`double` for all four variables of the course's file).
    pub class: MatClass,
    /// The type its values are stored as, which MATLAB may narrow (the labels `y` are `double`
    /// arrays stored as bytes). `scipy.io.loadmat` returns this type by default, so it is the
    /// dtype the notebook sees: `float64` for `X`, `uint8` for `y`.
    pub stored: MatClass,
    /// Its dimensions, e.g. `[211, 2]`.
    pub dims: Vec<usize>,
    /// `dims.iter().product()` values, the first index varying fastest (column-major).
    pub values: Vec<f64>,
}

impl MatVariable {
    /// The value at `(row, column)` of a 2-D variable (column-major storage).
    pub fn at(&self, row: usize, column: usize) -> f64 {
        self.values[column * self.dims[0] + row]
    }
}

/// The variables of a MAT-file, in file order.
///
/// ```
/// use linalg_nn::data::mat::read_mat_file;
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("data.mat");
/// std::fs::write(&path, b"not a MAT-file").unwrap();
/// let err = read_mat_file(&path).unwrap_err().to_string();
/// assert!(err.contains("data.mat: not a valid MATLAB level-5 MAT-file"), "{err}");
/// ```
pub fn read_mat_file(path: &Path) -> Result<Vec<MatVariable>, DataError> {
    let bytes = super::cat::read_file(path, super::cat::FETCH_HINT)?;
    parse_mat(path, &bytes)
}

/// The header's length; the data elements follow it.
const HEADER_LEN: usize = 128;
/// Data types of the elements (the MAT-file format's `miINT8` ... `miCOMPRESSED`).
const MI_INT8: u32 = 1;
const MI_UINT8: u32 = 2;
const MI_INT16: u32 = 3;
const MI_UINT16: u32 = 4;
const MI_INT32: u32 = 5;
const MI_UINT32: u32 = 6;
const MI_SINGLE: u32 = 7;
const MI_DOUBLE: u32 = 9;
const MI_INT64: u32 = 12;
const MI_UINT64: u32 = 13;
const MI_MATRIX: u32 = 14;
const MI_COMPRESSED: u32 = 15;
/// A variable's decompressed size is refused beyond this (the course's variables are a few
/// kilobytes; a damaged size field must not exhaust memory).
const MAX_VARIABLE_BYTES: usize = 256 << 20;

/// Parses the bytes of a MAT-file read from `path` (named in the errors).
pub fn parse_mat(path: &Path, bytes: &[u8]) -> Result<Vec<MatVariable>, DataError> {
    let not_mat = |detail: String| DataError::NotMat { path: path.to_path_buf(), detail };
    if bytes.len() < HEADER_LEN {
        return Err(not_mat(format!("{} bytes, shorter than the 128-byte header", bytes.len())));
    }
    if !bytes.starts_with(b"MATLAB 5.0 MAT-file") {
        return Err(not_mat("the header does not start with \"MATLAB 5.0 MAT-file\"".into()));
    }
    match &bytes[126..128] {
        b"IM" => {}
        b"MI" => return Err(not_mat("big-endian MAT-files are not supported".into())),
        other => return Err(not_mat(format!("bad endian indicator {other:?} at byte 126"))),
    }
    let mut variables = Vec::new();
    let mut offset = HEADER_LEN;
    while offset < bytes.len() {
        let element = Element::at(bytes, offset).map_err(|e| {
            not_mat(format!("variable {} (at byte {offset}): {e}", variables.len() + 1))
        })?;
        let next = offset + element.len_with_padding();
        match element.kind {
            MI_COMPRESSED => {
                let inflated = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(
                    element.data,
                    MAX_VARIABLE_BYTES,
                )
                .map_err(|e| DataError::Corrupt {
                    path: path.to_path_buf(),
                    detail: format!(
                        "variable {} (at byte {offset}): its zlib stream does not decompress ({:?})",
                        variables.len() + 1,
                        e.status
                    ),
                })?;
                let inner = Element::at(&inflated, 0).map_err(|e| {
                    not_mat(format!(
                        "variable {} (compressed at byte {offset}): {e}",
                        variables.len() + 1
                    ))
                })?;
                variables.push(matrix(path, &inner, variables.len() + 1)?);
            }
            _ => variables.push(matrix(path, &element, variables.len() + 1)?),
        }
        // A compressed element's stream is not padded; the others are, to 8 bytes.
        offset = if element.kind == MI_COMPRESSED { offset + 8 + element.data.len() } else { next };
    }
    Ok(variables)
}

/// One data element: its type and its bytes (without the tag and the padding).
struct Element<'a> {
    kind: u32,
    data: &'a [u8],
    /// Whether it used the 8-byte "small data element" form (data inside the tag).
    small: bool,
}

impl<'a> Element<'a> {
    /// The element whose tag starts at `offset` of `bytes`.
    fn at(bytes: &'a [u8], offset: usize) -> Result<Self, String> {
        let tag = bytes.get(offset..offset + 8).ok_or_else(|| {
            format!(
                "the file ends inside an element's 8-byte tag ({} bytes left)",
                bytes.len().saturating_sub(offset)
            )
        })?;
        let first = u32::from_le_bytes([tag[0], tag[1], tag[2], tag[3]]);
        if first >> 16 != 0 {
            // Small data element: the type in the low half, the byte count in the high half,
            // up to four bytes of data in the tag's second word.
            let len = (first >> 16) as usize;
            if len > 4 {
                return Err(format!("a small element declares {len} bytes, at most 4 fit"));
            }
            return Ok(Element { kind: first & 0xffff, data: &tag[4..4 + len], small: true });
        }
        let len = u32::from_le_bytes([tag[4], tag[5], tag[6], tag[7]]) as usize;
        let data = bytes.get(offset + 8..offset + 8 + len).ok_or_else(|| {
            format!(
                "an element of type {first} declares {len} bytes, but only {} follow its tag",
                bytes.len().saturating_sub(offset + 8)
            )
        })?;
        Ok(Element { kind: first, data, small: false })
    }

    /// The bytes from this element's tag to the next element's.
    fn len_with_padding(&self) -> usize {
        if self.small { 8 } else { 8 + self.data.len().div_ceil(8) * 8 }
    }
}

/// The sub-elements of a `miMATRIX`, in order.
fn sub_elements<'a>(data: &'a [u8]) -> Result<Vec<Element<'a>>, String> {
    let mut elements = Vec::new();
    let mut offset = 0;
    while offset < data.len() {
        let element = Element::at(data, offset)?;
        offset += element.len_with_padding();
        elements.push(element);
    }
    Ok(elements)
}

/// A `miMATRIX` element as a numeric variable.
fn matrix(path: &Path, element: &Element<'_>, index: usize) -> Result<MatVariable, DataError> {
    let not_mat = |detail: String| DataError::NotMat {
        path: path.to_path_buf(),
        detail: format!("variable {index}: {detail}"),
    };
    if element.kind != MI_MATRIX {
        return Err(not_mat(format!(
            "expected an array (miMATRIX, 14), found element type {}",
            element.kind
        )));
    }
    let parts = sub_elements(element.data).map_err(not_mat)?;
    let [flags, dims, name, real, rest @ ..] = parts.as_slice() else {
        return Err(not_mat(format!(
            "an array needs flags, dimensions, a name and data; found {} parts",
            parts.len()
        )));
    };
    let name = match name.kind {
        MI_INT8 | MI_UINT8 => String::from_utf8_lossy(name.data).into_owned(),
        other => {
            return Err(not_mat(format!(
                "the array name has element type {other}, expected miINT8"
            )));
        }
    };
    let wrong = |expected: &str, found: String| DataError::WrongVariable {
        path: path.to_path_buf(),
        variable: name.clone(),
        expected: expected.to_owned(),
        found,
    };
    if flags.kind != MI_UINT32 || flags.data.len() != 8 {
        return Err(not_mat(format!("\"{name}\": its array flags are not two miUINT32 values")));
    }
    let class_code = flags.data[0];
    let class = MatClass::from_code(class_code)
        .ok_or_else(|| wrong("a numeric array", format!("MATLAB class {class_code}")))?;
    if flags.data[1] & 0x08 != 0 || !rest.is_empty() {
        return Err(wrong("a real array", "a complex one".into()));
    }
    if dims.kind != MI_INT32 || !dims.data.len().is_multiple_of(4) {
        return Err(not_mat(format!("\"{name}\": its dimensions are not miINT32 values")));
    }
    let dims: Vec<usize> = dims
        .data
        .chunks_exact(4)
        .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .map(|d| usize::try_from(d).map_err(|_| not_mat(format!("\"{name}\": dimension {d}"))))
        .collect::<Result<_, _>>()?;
    let (values, stored) = numbers(real).ok_or_else(|| {
        not_mat(format!(
            "\"{name}\": data of element type {} with {} bytes",
            real.kind,
            real.data.len()
        ))
    })?;
    let count: usize = dims.iter().product();
    if values.len() != count {
        return Err(DataError::Corrupt {
            path: path.to_path_buf(),
            detail: format!(
                "variable \"{name}\": dimensions {dims:?} need {count} values, the data holds {}",
                values.len()
            ),
        });
    }
    Ok(MatVariable { name, class, stored, dims, values })
}

/// The values of a numeric element, widened to `f64`, and their stored type; `None` for another
/// element type or a length that is not a whole number of values.
fn numbers(element: &Element<'_>) -> Option<(Vec<f64>, MatClass)> {
    fn read<const N: usize>(data: &[u8], f: impl Fn([u8; N]) -> f64) -> Option<Vec<f64>> {
        if !data.len().is_multiple_of(N) {
            return None;
        }
        Some(data.chunks_exact(N).map(|c| f(c.try_into().expect("chunks of N bytes"))).collect())
    }
    let data = element.data;
    let values = match element.kind {
        MI_INT8 => read(data, |b: [u8; 1]| f64::from(i8::from_le_bytes(b))),
        MI_UINT8 => read(data, |b: [u8; 1]| f64::from(b[0])),
        MI_INT16 => read(data, |b| f64::from(i16::from_le_bytes(b))),
        MI_UINT16 => read(data, |b| f64::from(u16::from_le_bytes(b))),
        MI_INT32 => read(data, |b| f64::from(i32::from_le_bytes(b))),
        MI_UINT32 => read(data, |b| f64::from(u32::from_le_bytes(b))),
        MI_SINGLE => read(data, |b| f64::from(f32::from_le_bytes(b))),
        MI_DOUBLE => read(data, f64::from_le_bytes),
        // The course's files hold no 64-bit integers; beyond 2^53 they would round.
        MI_INT64 => read(data, |b| i64::from_le_bytes(b) as f64),
        MI_UINT64 => read(data, |b| u64::from_le_bytes(b) as f64),
        _ => None,
    }?;
    let stored = match element.kind {
        MI_INT8 => MatClass::Int8,
        MI_UINT8 => MatClass::Uint8,
        MI_INT16 => MatClass::Int16,
        MI_UINT16 => MatClass::Uint16,
        MI_INT32 => MatClass::Int32,
        MI_UINT32 => MatClass::Uint32,
        MI_SINGLE => MatClass::Float32,
        MI_DOUBLE => MatClass::Float64,
        MI_INT64 => MatClass::Int64,
        _ => MatClass::Uint64,
    };
    Some((values, stored))
}
