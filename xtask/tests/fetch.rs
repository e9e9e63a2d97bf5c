//! Behaviour of `cargo xtask fetch-data` (`xtask::fetch`) on temporary folders: fake mirrors
//! built by each test, the data folder the tests read, and a tiny HTTP server on 127.0.0.1.

use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use xtask::fetch::{
    FetchOptions, FileReport, Outcome, Source, Verification, fetch_all, verify_file,
};
use xtask::manifest::{DataFile, Manifest};

const TRAIN: &[u8] = b"pretend this is train_set_x and train_set_y";
const TEST: &[u8] = b"and this test_set_x";

fn sha256_of(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

fn entry(name: &str, bytes: &[u8]) -> DataFile {
    DataFile {
        name: name.to_string(),
        size: bytes.len() as u64,
        sha256: sha256_of(bytes),
        urls: vec![],
    }
}

/// A manifest for `a.h5` = [`TRAIN`] and `b.h5` = [`TEST`], with the given mirrors.
fn fake_manifest(mirrors: Vec<String>) -> Manifest {
    Manifest { mirrors, files: vec![entry("a.h5", TRAIN), entry("b.h5", TEST)] }
}

/// A folder holding `a.h5` and `b.h5` with the given contents.
fn fake_mirror(root: &Path, a: &[u8], b: &[u8]) -> PathBuf {
    let dir = root.join("mirror");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("a.h5"), a).unwrap();
    std::fs::write(dir.join("b.h5"), b).unwrap();
    dir
}

fn local_options(mirror: &Path, dest: &Path) -> FetchOptions {
    FetchOptions {
        dest: dest.to_path_buf(),
        source: Source::LocalDir(mirror.to_path_buf()),
        force: false,
        progress: false,
    }
}

fn fetch(manifest: &Manifest, options: &FetchOptions) -> anyhow::Result<Vec<FileReport>> {
    fetch_all(manifest, options, |_| {})
}

fn outcomes(reports: &[FileReport]) -> Vec<Outcome> {
    reports.iter().map(|report| report.outcome.clone()).collect()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn fetched_from(dir: &Path, name: &str) -> Outcome {
    Outcome::Fetched { from: dir.join(name).display().to_string() }
}

#[test]
fn copies_from_a_mirror_folder_and_verifies() {
    let work = tempfile::tempdir().unwrap();
    let mirror = fake_mirror(work.path(), TRAIN, TEST);
    let dest = work.path().join("nested/datasets");
    let mut printed = Vec::new();
    let reports = fetch_all(&fake_manifest(vec![]), &local_options(&mirror, &dest), |report| {
        printed.push(report.to_string())
    })
    .unwrap();
    assert_eq!(outcomes(&reports), [fetched_from(&mirror, "a.h5"), fetched_from(&mirror, "b.h5")]);
    assert_eq!(reports[1].path, dest.join("b.h5"));
    assert_eq!(std::fs::read(dest.join("a.h5")).unwrap(), TRAIN);
    assert_eq!(std::fs::read(dest.join("b.h5")).unwrap(), TEST);
    assert_eq!(entries(&dest), ["a.h5", "b.h5"]);
    assert_eq!(
        printed[0],
        format!(
            "{}: fetched from {}, verified",
            dest.join("a.h5").display(),
            mirror.join("a.h5").display()
        )
    );
}

#[test]
fn skips_files_already_present_and_verified() {
    let work = tempfile::tempdir().unwrap();
    let mirror = fake_mirror(work.path(), TRAIN, TEST);
    let dest = work.path().join("datasets");
    let manifest = fake_manifest(vec![]);
    fetch(&manifest, &local_options(&mirror, &dest)).unwrap();
    let modified = std::fs::metadata(dest.join("a.h5")).unwrap().modified().unwrap();
    // Even a broken mirror is not read when nothing needs fetching.
    std::fs::write(mirror.join("a.h5"), b"broken").unwrap();

    let reports = fetch(&manifest, &local_options(&mirror, &dest)).unwrap();
    assert_eq!(outcomes(&reports), [Outcome::Skipped, Outcome::Skipped]);
    assert_eq!(
        reports[0].to_string(),
        format!("{}: already present and verified, skipped", dest.join("a.h5").display())
    );
    assert_eq!(std::fs::metadata(dest.join("a.h5")).unwrap().modified().unwrap(), modified);
    assert_eq!(std::fs::read(dest.join("a.h5")).unwrap(), TRAIN);
}

#[test]
fn force_copies_again() {
    let work = tempfile::tempdir().unwrap();
    let mirror = fake_mirror(work.path(), TRAIN, TEST);
    let dest = work.path().join("datasets");
    let manifest = fake_manifest(vec![]);
    fetch(&manifest, &local_options(&mirror, &dest)).unwrap();

    let options = FetchOptions { force: true, ..local_options(&mirror, &dest) };
    let reports = fetch(&manifest, &options).unwrap();
    let replaced = |name: &str| Outcome::Replaced {
        from: mirror.join(name).display().to_string(),
        reason: "--force given".to_string(),
    };
    assert_eq!(outcomes(&reports), [replaced("a.h5"), replaced("b.h5")]);
    assert_eq!(std::fs::read(dest.join("b.h5")).unwrap(), TEST);
    assert_eq!(entries(&dest), ["a.h5", "b.h5"]);
}

#[test]
fn corrupted_existing_files_are_detected_and_replaced() {
    let work = tempfile::tempdir().unwrap();
    let mirror = fake_mirror(work.path(), TRAIN, TEST);
    let dest = work.path().join("datasets");
    std::fs::create_dir(&dest).unwrap();
    // a.h5: right size, one flipped byte; b.h5: truncated.
    let mut flipped = TRAIN.to_vec();
    flipped[3] ^= 0xff;
    std::fs::write(dest.join("a.h5"), &flipped).unwrap();
    std::fs::write(dest.join("b.h5"), &TEST[..5]).unwrap();
    let manifest = fake_manifest(vec![]);
    assert_eq!(
        verify_file(&dest.join("a.h5"), &manifest.files[0]).unwrap(),
        Verification::Mismatch(format!(
            "expected sha256 {}, found {}",
            sha256_of(TRAIN),
            sha256_of(&flipped)
        ))
    );

    let reports = fetch(&manifest, &local_options(&mirror, &dest)).unwrap();
    assert_eq!(
        outcomes(&reports),
        [
            Outcome::Replaced {
                from: mirror.join("a.h5").display().to_string(),
                reason: format!(
                    "expected sha256 {}, found {}",
                    sha256_of(TRAIN),
                    sha256_of(&flipped)
                ),
            },
            Outcome::Replaced {
                from: mirror.join("b.h5").display().to_string(),
                reason: format!("expected {} bytes, found 5", TEST.len()),
            },
        ]
    );
    assert_eq!(std::fs::read(dest.join("a.h5")).unwrap(), TRAIN);
    assert_eq!(std::fs::read(dest.join("b.h5")).unwrap(), TEST);
    assert_eq!(
        verify_file(&dest.join("b.h5"), &manifest.files[1]).unwrap(),
        Verification::Verified
    );
}

#[test]
fn truncated_mirror_file_fails_and_leaves_nothing_under_the_final_name() {
    let work = tempfile::tempdir().unwrap();
    let mirror = fake_mirror(work.path(), TRAIN, &TEST[..7]);
    let dest = work.path().join("datasets");
    let message =
        format!("{:#}", fetch(&fake_manifest(vec![]), &local_options(&mirror, &dest)).unwrap_err());
    let expected = format!(
        "{}: b.h5 should be {} bytes, got 7 bytes; nothing was written to {}. Replace {} with a good copy of b.h5",
        mirror.join("b.h5").display(),
        TEST.len(),
        dest.join("b.h5").display(),
        mirror.join("b.h5").display(),
    );
    assert!(message.starts_with(&expected), "{message}");
    // a.h5 was good and stays; no b.h5 and no temporary file.
    assert_eq!(entries(&dest), ["a.h5"]);
}

#[test]
fn oversized_or_altered_mirror_file_fails_with_the_checksums() {
    let work = tempfile::tempdir().unwrap();
    let mut altered = TEST.to_vec();
    altered[0] = b'A';
    let mirror = fake_mirror(work.path(), &[TRAIN, b"!"].concat(), &altered);
    let dest = work.path().join("datasets");
    let manifest = fake_manifest(vec![]);

    let message = format!("{:#}", fetch(&manifest, &local_options(&mirror, &dest)).unwrap_err());
    let expected = format!("a.h5 should be {} bytes, got more bytes", TRAIN.len());
    assert!(message.contains(&expected), "{message}");
    assert_eq!(entries(&dest), Vec::<String>::new());

    std::fs::write(mirror.join("a.h5"), TRAIN).unwrap();
    let message = format!("{:#}", fetch(&manifest, &local_options(&mirror, &dest)).unwrap_err());
    let expected =
        format!("b.h5 should have sha256 {}, got {}", sha256_of(TEST), sha256_of(&altered));
    assert!(message.contains(&expected), "{message}");
    assert_eq!(entries(&dest), ["a.h5"]);
}

#[test]
fn unwritable_destination_is_a_clear_error_naming_the_path() {
    let work = tempfile::tempdir().unwrap();
    let mirror = fake_mirror(work.path(), TRAIN, TEST);
    let blocker = work.path().join("a-regular-file");
    std::fs::write(&blocker, b"").unwrap();
    let dest = blocker.join("datasets");
    let message =
        format!("{:#}", fetch(&fake_manifest(vec![]), &local_options(&mirror, &dest)).unwrap_err());
    let expected = format!(
        "cannot create the datasets folder {}; pass --dest DIR with a writable folder: ",
        dest.display()
    );
    assert!(message.starts_with(&expected), "{message}");
    assert_eq!(std::fs::read(&blocker).unwrap(), b"");
}

#[test]
fn destination_file_name_taken_by_a_folder_is_a_write_error_naming_the_path() {
    let work = tempfile::tempdir().unwrap();
    let mirror = fake_mirror(work.path(), TRAIN, TEST);
    let dest = work.path().join("datasets");
    std::fs::create_dir_all(dest.join("a.h5/inside")).unwrap();
    let message =
        format!("{:#}", fetch(&fake_manifest(vec![]), &local_options(&mirror, &dest)).unwrap_err());
    let expected = format!(
        "check that {} is a writable folder, or pass --dest DIR: cannot write {}: ",
        dest.display(),
        dest.join("a.h5").display()
    );
    assert!(message.starts_with(&expected), "{message}");
    assert_eq!(entries(&dest), ["a.h5"]);
    assert!(dest.join("a.h5/inside").is_dir());
}

#[test]
fn missing_mirror_folder_says_what_to_do() {
    let work = tempfile::tempdir().unwrap();
    let mirror = work.path().join("no-such-mirror");
    let dest = work.path().join("datasets");
    let message =
        format!("{:#}", fetch(&fake_manifest(vec![]), &local_options(&mirror, &dest)).unwrap_err());
    assert_eq!(
        message,
        format!(
            "the mirror folder {} does not exist or is not a folder; pass --from DIR with a folder \
             holding a.h5, b.h5, or leave out --from to download them",
            mirror.display()
        )
    );
    assert_eq!(entries(&dest), Vec::<String>::new());
}

#[test]
fn mirror_folder_without_a_file_names_it() {
    let work = tempfile::tempdir().unwrap();
    let mirror = fake_mirror(work.path(), TRAIN, TEST);
    std::fs::remove_file(mirror.join("b.h5")).unwrap();
    let dest = work.path().join("datasets");
    let message =
        format!("{:#}", fetch(&fake_manifest(vec![]), &local_options(&mirror, &dest)).unwrap_err());
    let expected = format!(
        "cannot read {}; the folder given to --from must hold a.h5, b.h5: ",
        mirror.join("b.h5").display()
    );
    assert!(message.starts_with(&expected), "{message}");
    assert_eq!(entries(&dest), ["a.h5"]);
}

/// The data folder the workspace's tests read (`$DL_COURSE_DATA`, which `cargo xtask test` sets
/// after fetching, else `datasets/`) holds exactly the manifest's files, wherever the
/// repository sits and wherever they were fetched from.
#[test]
fn the_tests_data_folder_matches_the_embedded_manifest() {
    let data = xtask::default_data_dir();
    let manifest = Manifest::embedded().unwrap();
    let names: Vec<&str> = manifest.files.iter().map(|file| file.name.as_str()).collect();
    assert_eq!(names, ["train_catvnoncat.h5", "test_catvnoncat.h5", "regularization_football.mat"]);
    for file in &manifest.files {
        let path = data.join(&file.name);
        let verification = verify_file(&path, file).unwrap();
        assert_eq!(
            verification,
            Verification::Verified,
            "{}: run cargo xtask fetch-data",
            path.display()
        );
    }
    // Sizes from datasets/manifest.txt.
    assert_eq!(manifest.files[0].size, 2_572_022);
    assert_eq!(manifest.files[1].size, 616_958);
    assert_eq!(manifest.files[2].size, 6038);
    // HDF5 files start with the format signature (HDF5 spec, "Format Signature").
    let mut signature = [0u8; 8];
    std::fs::File::open(data.join("test_catvnoncat.h5"))
        .unwrap()
        .read_exact(&mut signature)
        .unwrap();
    assert_eq!(&signature, b"\x89HDF\r\n\x1a\n");
    // A level-5 MAT-file starts with its text header (MAT-file format, "Header Format").
    let mut header = [0u8; 19];
    std::fs::File::open(data.join("regularization_football.mat"))
        .unwrap()
        .read_exact(&mut header)
        .unwrap();
    assert_eq!(&header, b"MATLAB 5.0 MAT-file");
}

/// Serves `routes` (path -> status, body) over HTTP/1.1 on 127.0.0.1 and returns the base URL.
fn serve(routes: Vec<(&'static str, u16, Vec<u8>)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            respond(stream, &routes);
        }
    });
    base
}

fn respond(mut stream: TcpStream, routes: &[(&'static str, u16, Vec<u8>)]) {
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => request.push(byte[0]),
            _ => return,
        }
    }
    let request = String::from_utf8_lossy(&request);
    let path = request.split_whitespace().nth(1).unwrap_or("");
    let (status, body) = routes
        .iter()
        .find(|(route, _, _)| *route == path)
        .map_or((404, &b"not found"[..]), |(_, status, body)| (*status, body.as_slice()));
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body));
}

/// A URL on 127.0.0.1 where nothing listens.
fn refused_base() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    base
}

fn http_options(dest: &Path) -> FetchOptions {
    FetchOptions {
        dest: dest.to_path_buf(),
        source: Source::Mirrors,
        force: false,
        progress: false,
    }
}

#[test]
fn downloads_from_the_first_mirror_that_works() {
    let refused = refused_base();
    let server = serve(vec![("/m2/a.h5", 200, TRAIN.to_vec()), ("/m2/b.h5", 200, TEST.to_vec())]);
    let manifest =
        fake_manifest(vec![format!("{refused}/m1/{{file}}"), format!("{server}/m2/{{file}}")]);
    let work = tempfile::tempdir().unwrap();
    let reports = fetch(&manifest, &http_options(work.path())).unwrap();
    assert_eq!(
        outcomes(&reports),
        [
            Outcome::Fetched { from: format!("{server}/m2/a.h5") },
            Outcome::Fetched { from: format!("{server}/m2/b.h5") },
        ]
    );
    assert_eq!(std::fs::read(work.path().join("a.h5")).unwrap(), TRAIN);
    assert_eq!(entries(work.path()), ["a.h5", "b.h5"]);
}

#[test]
fn a_file_with_its_own_url_is_downloaded_from_it_not_from_the_mirrors() {
    // The mirrors hold a.h5; c.mat exists only at its own URL, under another name.
    let server = serve(vec![
        ("/m/a.h5", 200, TRAIN.to_vec()),
        ("/m/c.mat", 200, b"wrong".to_vec()),
        ("/elsewhere/data.mat", 200, TEST.to_vec()),
    ]);
    let own =
        DataFile { urls: vec![format!("{server}/elsewhere/data.mat")], ..entry("c.mat", TEST) };
    let manifest = Manifest {
        mirrors: vec![format!("{server}/m/{{file}}")],
        files: vec![entry("a.h5", TRAIN), own],
    };
    let work = tempfile::tempdir().unwrap();
    let reports = fetch(&manifest, &http_options(work.path())).unwrap();
    assert_eq!(
        outcomes(&reports),
        [
            Outcome::Fetched { from: format!("{server}/m/a.h5") },
            Outcome::Fetched { from: format!("{server}/elsewhere/data.mat") },
        ]
    );
    assert_eq!(std::fs::read(work.path().join("c.mat")).unwrap(), TEST);
    // From a folder, it is read under its manifest name, like every file.
    let mirror = work.path().join("mirror");
    std::fs::create_dir(&mirror).unwrap();
    std::fs::write(mirror.join("a.h5"), TRAIN).unwrap();
    std::fs::write(mirror.join("c.mat"), TEST).unwrap();
    let dest = work.path().join("dest");
    let reports = fetch(&manifest, &local_options(&mirror, &dest)).unwrap();
    assert_eq!(reports[1].outcome, fetched_from(&mirror, "c.mat"));
}

#[test]
fn failing_mirrors_are_all_listed_with_their_reasons() {
    // m1 lacks the file, m2 serves a short one (an honest Content-Length: a truncated upload).
    let server = serve(vec![("/m2/a.h5", 200, TRAIN[..10].to_vec())]);
    let refused = refused_base();
    let manifest = fake_manifest(vec![
        format!("{server}/m1/{{file}}"),
        format!("{server}/m2/{{file}}"),
        format!("{refused}/m3/{{file}}"),
    ]);
    let work = tempfile::tempdir().unwrap();
    let message = format!("{:#}", fetch(&manifest, &http_options(work.path())).unwrap_err());
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "could not download a.h5 from any mirror; nothing was written to {}. Tried:",
            work.path().join("a.h5").display()
        )
    );
    assert_eq!(lines[1], format!("  - {server}/m1/a.h5: http status: 404"));
    assert_eq!(
        lines[2],
        format!("  - {server}/m2/a.h5: a.h5 should be {} bytes, got 10 bytes", TRAIN.len())
    );
    assert!(lines[3].starts_with(&format!("  - {refused}/m3/a.h5: ")), "{message}");
    assert_eq!(lines[4], "No network? Pass --from DIR with a folder holding a.h5, b.h5");
    assert_eq!(entries(work.path()), Vec::<String>::new());
}
