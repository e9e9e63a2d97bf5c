//! Hostile and broken saved models for `--model-file` (`hw3_deep::model_file`): files that are
//! not models, a saved course two-layer model ([12288, 7, 1]) cut at every sixteenth, edited the
//! way a tool would edit it (a dataset renamed, a type or shape changed, sizes that declare
//! gigabytes, with the header checksums recomputed so the damage reaches the loader's own
//! checks), and 900 seeded mutations aimed at each region of the file. Every load ends
//! in an error naming the file or in finite parameters whose layers chain; never a panic, a load
//! over 2 s, or one allocation beyond what the file's length justifies. Builds the "Saved
//! models" tables of docs/reference/reliability.md. Complements tests/model_file.rs, which checks each
//! validation on hand-built files.

#[path = "../../linalg-nn/tests/hostile_support/mod.rs"]
mod hostile_support;

#[path = "hostile_model/mod.rs"]
mod hostile_model;

use hostile_model::check_model_outcome;
use hostile_support::guard::{LargestAllocation, assert_within_budget, measure};
use hostile_support::layout::{
    FileRegions, Region, fix_v2_checksum, v2_checksum_ok, v2_links, v2_messages,
};
use hostile_support::mutate::{Mutation, SplitMix64, random_mutation};
use hostile_support::oracle::{Outcome, Tally};
use hostile_support::report::{Section, sanitize};
use hw3_deep::model_file::{load_model, model_from_bytes, model_to_bytes};
use hw3_deep::{ModelFileError, Parameters, initialize_parameters_deep};
use linalg_nn::NumpyRng;
use linalg_nn::data::default_data_dir;
use linalg_nn::init::WeightInit;
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

#[global_allocator]
static ALLOC: LargestAllocation = LargestAllocation;

/// The name the in-memory model is loaded under (messages start with it).
const NAME: &str = "model.h5";
/// HDF5 version-2 message types (file format specification, IV.A.2).
const DATASPACE: u8 = 0x01;
const DATATYPE: u8 = 0x03;
const ATTRIBUTE: u8 = 0x0C;

struct SavedModel {
    parameters: Parameters,
    bytes: Vec<u8>,
    regions: FileRegions,
}

/// The course's two-layer network, as `--save-model` writes it.
fn saved() -> &'static SavedModel {
    static MODEL: OnceLock<SavedModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let parameters = initialize_parameters_deep(
            &[12288, 7, 1],
            WeightInit::InverseSqrtFanIn,
            &mut NumpyRng::new(1),
        )
        .unwrap();
        let bytes = model_to_bytes(Path::new(NAME), &parameters).unwrap();
        let regions = FileRegions::of(&bytes);
        for (name, header) in &regions.object_headers {
            assert!(v2_checksum_ok(&bytes, header), "the checksum code disagrees on {name}");
        }
        SavedModel { parameters, bytes, regions }
    })
}

fn load(bytes: Vec<u8>, what: &str) -> Result<Parameters, ModelFileError> {
    let len = bytes.len();
    let (result, cost) = measure(|| model_from_bytes(Path::new(NAME), bytes));
    assert_within_budget(&cost, len, what);
    result
}

fn expect_error(
    s: &mut Section,
    case: &str,
    input: &str,
    bytes: Vec<u8>,
    variant: &str,
    fragment: &str,
) {
    let result = load(bytes, case);
    let outcome = check_model_outcome(&result, NAME);
    let Outcome::Refused { variant: found, message } = outcome else {
        panic!("{case}: expected a {variant} error, got {outcome:?}");
    };
    assert_eq!(found, variant, "{case}: {message}");
    assert!(message.contains(fragment), "{case}: expected «{fragment}» in {message}");
    s.row(case, input, format!("`{variant}` naming the file, saying: {fragment}"), message);
}

fn header(model: &SavedModel, name: &str) -> Range<usize> {
    model.regions.header_of(name)
}

/// The data range of the first message of `kind` in dataset `name`'s header.
fn message_of(bytes: &[u8], model: &SavedModel, name: &str, kind: u8) -> Range<usize> {
    v2_messages(bytes, &header(model, name))
        .into_iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, r)| r)
        .unwrap_or_else(|| panic!("no message {kind:#x} in {name}"))
}

/// A copy with `edit` applied to the header of `name`, checksum recomputed.
fn edit_header(name: &str, edit: impl FnOnce(&mut Vec<u8>, &SavedModel)) -> Vec<u8> {
    let model = saved();
    let mut bytes = model.bytes.clone();
    edit(&mut bytes, model);
    fix_v2_checksum(&mut bytes, &header(model, name));
    bytes
}

/// A version-2 dataspace: version, rank, flags, type, then the 8-byte sizes.
fn set_dim(bytes: &mut [u8], model: &SavedModel, name: &str, i: usize, value: u64) {
    let at = message_of(bytes, model, name, DATASPACE).start + 4 + 8 * i;
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn write_data(bytes: &mut [u8], model: &SavedModel, name: &str, offset: usize, value: &[u8]) {
    let at = model.regions.data_of(name).start + offset;
    bytes[at..at + value.len()].copy_from_slice(value);
}

fn replace_in(bytes: &mut [u8], range: Range<usize>, from: &[u8], to: &[u8]) {
    let at = bytes[range.clone()].windows(from.len()).position(|w| w == from).expect("found")
        + range.start;
    bytes[at..at + to.len()].copy_from_slice(to);
}

#[test]
fn wrong_damaged_and_edited_model_files() {
    let model = saved();
    let mut s = Section::new(
        "model-files",
        "Saved models: wrong, damaged and hand-edited files",
        "`hw3_deep::model_file::load_model` / `model_from_bytes` on files that are not models \
         and on a saved two-layer model ([12288, 7, 1], as `--save-model` writes it) edited in \
         memory. Saved models use version-2 HDF5 headers with checksums: the edits below \
         recompute them, as an editing tool would, so that the loader's own checks are reached.",
    );
    let dir = tempfile::tempdir().unwrap();
    let tmp = [(dir.path(), "$TMP")];
    let on_disk =
        |s: &mut Section, case: &str, input: &str, path: &Path, variant: &str, fragment: &str| {
            let (result, cost) = measure(|| load_model(path));
            assert_within_budget(&cost, 0, case);
            let err = result.expect_err(case);
            let message = sanitize(&err.to_string(), &tmp);
            assert!(message.starts_with("$TMP/"), "{message}");
            assert!(format!("{err:?}").starts_with(variant), "{err:?}");
            assert!(message.contains(fragment), "{case}: expected «{fragment}» in {message}");
            s.row(case, input, format!("`{variant}` naming the file, saying: {fragment}"), message);
        };
    let empty = dir.path().join("empty.h5");
    std::fs::write(&empty, b"").unwrap();
    on_disk(&mut s, "empty file", "0 bytes", &empty, "NotHdf5", "not a model file");
    let folder = dir.path().join("models");
    std::fs::create_dir(&folder).unwrap();
    on_disk(&mut s, "a directory", "a folder", &folder, "Read", "directory");
    let missing = dir.path().join("missing.h5");
    on_disk(&mut s, "missing file", "no such path", &missing, "Read", "cannot read the model file");
    let text = dir.path().join("weights.h5");
    std::fs::write(&text, "W1 = [[0.1, 0.2]]\n").unwrap();
    on_disk(&mut s, "text file named .h5", "W1 = [[0.1, 0.2]]", &text, "NotHdf5", "not valid HDF5");
    let data = default_data_dir().join("test_catvnoncat.h5");
    let err = load_model(&data).expect_err("the data file is not a model");
    let message = sanitize(&err.to_string(), &[(&default_data_dir(), "$DL_COURSE_DATA")]);
    assert!(matches!(err, ModelFileError::NotAModel { .. }), "{err}");
    s.row("the cat data file", "test_catvnoncat.h5", "`NotAModel` naming the file", message);

    let root = header(model, "/");
    expect_error(
        &mut s,
        "dataset renamed",
        "link W2 renamed X2",
        edit_header("/", |b, m| {
            let link = v2_links(b, &header(m, "/")).into_iter().find(|l| l.name == "W2").unwrap();
            b[link.name_bytes.start] = b'X';
        }),
        "Dataset",
        "\"X2\": not part of a 2-layer model",
    );
    expect_error(
        &mut s,
        "format attribute changed",
        "format \"... hw3-deep model v1\" -> \"... hw2-deep model v1\"",
        edit_header("/", |b, _| replace_in(b, root.clone(), b"hw3-deep", b"hw2-deep")),
        "NotAModel",
        "the \"format\" attribute is \"dl-course-rs/hw2-deep model v1\"",
    );
    assert!(v2_messages(&model.bytes, &root).iter().any(|(k, _)| *k == ATTRIBUTE));
    expect_error(
        &mut s,
        "weights as float32",
        "W1 datatype size 8 -> 4",
        edit_header("W1", |b, m| {
            let at = message_of(b, m, "W1", DATATYPE).start;
            b[at + 4] = 4
        }),
        "Dataset",
        "\"W1\": expected float64",
    );
    expect_error(
        &mut s,
        "weights shape changed",
        "W1 shape (7, 12288) -> (7, 12287)",
        edit_header("W1", |b, m| set_dim(b, m, "W1", 1, 12287)),
        "Dataset",
        "expected shape (7, 12288) from layer_dims, found (7, 12287)",
    );
    expect_error(
        &mut s,
        "huge declared size: weights",
        "layer_dims [2^31, 2^31, 1] and W1 shape (2^31, 2^31)",
        edit_header("W1", |b, m| {
            set_dim(b, m, "W1", 0, 1 << 31);
            set_dim(b, m, "W1", 1, 1 << 31);
            write_data(b, m, "layer_dims", 0, &(1i64 << 31).to_le_bytes());
            write_data(b, m, "layer_dims", 8, &(1i64 << 31).to_le_bytes());
        }),
        "Dataset",
        "more data than the whole file",
    );
    expect_error(
        &mut s,
        "huge layer width",
        "layer_dims [12288, 2^40, 1]",
        edit_header("W1", |b, m| write_data(b, m, "layer_dims", 8, &(1i64 << 40).to_le_bytes())),
        "Dataset",
        "expected shape (1099511627776, 12288) from layer_dims",
    );
    expect_error(
        &mut s,
        "huge layer count",
        "layer_dims shape (3,) -> (2^40,)",
        edit_header("layer_dims", |b, m| set_dim(b, m, "layer_dims", 0, 1 << 40)),
        "Dataset",
        "\"layer_dims\": expected shape (L+1,)",
    );
    expect_error(
        &mut s,
        "negative width",
        "layer_dims [12288, -7, 1]",
        edit_header("W1", |b, m| write_data(b, m, "layer_dims", 8, &(-7i64).to_le_bytes())),
        "Dataset",
        "entry 1 is -7",
    );
    expect_error(
        &mut s,
        "NaN weight",
        "W1[0, 3] = NaN",
        edit_header("W1", |b, m| write_data(b, m, "W1", 3 * 8, &f64::NAN.to_le_bytes())),
        "Dataset",
        "entry (0, 3) is NaN; a model's parameters must be finite",
    );
    expect_error(
        &mut s,
        "infinite bias",
        "b2[0] = -inf",
        edit_header("b2", |b, m| write_data(b, m, "b2", 0, &f64::NEG_INFINITY.to_le_bytes())),
        "Dataset",
        "entry (0, 0) is -inf",
    );
    expect_error(
        &mut s,
        "unknown activation",
        "\"relu\" -> \"relx\"",
        edit_header("activations", |b, m| {
            let data = m.regions.data_of("activations");
            replace_in(b, data, b"relu", b"relx");
        }),
        "Dataset",
        "unknown activation 'relx'",
    );
    // Without a recomputed checksum the reader notices any header edit (hdf5-pure's
    // `checksum` feature, on in the workspace manifest for this reason).
    let mut flipped = model.bytes.clone();
    let w1 = header(model, "W1");
    flipped[w1.start + 20] ^= 0x01;
    expect_error(
        &mut s,
        "header bit flip",
        "one bit of W1's header, checksum left stale",
        flipped,
        "NotAModel",
        "checksum mismatch",
    );

    // A flipped low mantissa bit of a weight is harmless and undetectable: it loads with
    // exactly that weight changed.
    let mut bytes = model.bytes.clone();
    let at = model.regions.data_of("W1").start + 5 * 8;
    bytes[at] ^= 0x01;
    let loaded = load(bytes, "weight flip").expect("a flipped weight still loads");
    let (before, after) = (model.parameters.layers[0].w[(0, 5)], loaded.layers[0].w[(0, 5)]);
    assert_eq!(after.to_bits(), before.to_bits() ^ 1);
    let changed = loaded.layers[0]
        .w
        .iter()
        .zip(model.parameters.layers[0].w.iter())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(changed, 1);
    assert_eq!(loaded.layers[1], model.parameters.layers[1]);
    s.row(
        "one weight bit flipped",
        "lowest bit of W1[0, 5]",
        "loads; only that weight differs",
        format!("loaded; W1[0, 5] is {after:e} instead of {before:e}, {changed} weight differs"),
    );

    // Cut at every sixteenth and one byte short.
    let len = model.bytes.len();
    let mut variants = Vec::new();
    for k in 0..=16 {
        let cut = if k == 16 { len - 1 } else { len * k / 16 };
        let result = load(model.bytes[..cut].to_vec(), &format!("cut at {cut}"));
        match check_model_outcome(&result, NAME) {
            Outcome::Refused { variant, .. } => variants.push(variant),
            other => panic!("cut at {cut} of {len}: {other:?}"),
        }
    }
    let mut counts = std::collections::BTreeMap::new();
    for v in &variants {
        *counts.entry(v.as_str()).or_insert(0) += 1;
    }
    let kinds: Vec<String> = counts.iter().map(|(v, n)| format!("{v} {n}")).collect();
    s.row(
        "half-downloaded model",
        format!("{len} bytes cut at 0/16, ..., 15/16 and one byte short"),
        "17 of 17 refused, naming the file",
        format!("17 of 17 refused ({})", kinds.join(", ")),
    );

    s.publish();
}

#[test]
fn nine_hundred_seeded_mutations_give_errors_or_consistent_models() {
    let model = saved();
    let mut s = Section::new(
        "model-mutations",
        "Saved models: seeded mutations",
        "Seeded damage aimed at each region of the saved two-layer model; the same mutation code \
         drives the cargo-fuzz target `load_model`. Header checksums catch metadata damage; \
         damage to weights loads only while every value stays finite.",
    );
    let mut panics = Vec::new();
    // hdf5-pure writes no B-tree or heap for a flat group: three regions, not four.
    let regions: Vec<Region> =
        Region::ALL.into_iter().filter(|&r| model.regions.size(r) > 0).collect();
    assert_eq!(regions, [Region::Superblock, Region::ObjectHeaders, Region::Data]);
    for region in regions {
        let seed = 0x30DE_0000 + region as u64;
        let mut rng = SplitMix64::new(seed);
        let mut tally = Tally::default();
        let count = 300;
        for _ in 0..count {
            let range = model.regions.pick(&mut rng, region);
            let mutation: Mutation = random_mutation(&mut rng, &range, model.bytes.len());
            let mut bytes = model.bytes.clone();
            mutation.apply(&mut bytes);
            let result = load(bytes, &mutation.describe());
            let same = result.as_ref().is_ok_and(|p| p == &model.parameters);
            tally.add(check_model_outcome(&result, NAME), same, &mutation.describe());
        }
        assert_eq!(tally.total(), count);
        panics.extend(tally.contained_panics().iter().cloned());
        s.row(
            format!("{NAME}: {}", region.name()),
            format!(
                "{count} seeded mutations (seed {seed:#x}) in {} bytes",
                model.regions.size(region)
            ),
            "an error naming the file, or finite parameters whose layers chain; no panic, under 2 s",
            tally.observed("changed weights"),
        );
    }
    assert!(panics.is_empty(), "the HDF5 reader panicked on:\n{}", panics.join("\n"));
    s.publish();
}
