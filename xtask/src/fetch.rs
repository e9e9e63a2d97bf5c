//! `cargo xtask fetch-data`: puts the manifest's data files into a folder, downloaded from the
//! public mirrors (or a file's own URLs) or copied from a local mirror folder, verified by size and SHA-256 and written
//! atomically (the notebooks' `load_dataset()` expects them under `datasets/`).

use crate::manifest::{DataFile, Manifest};
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The manifest's HTTP mirrors, tried in order.
    Mirrors,
    /// A local folder holding the files under their manifest names (`--from DIR`).
    LocalDir(PathBuf),
}

/// What [`fetch_all`] does.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Destination folder; created if missing.
    pub dest: PathBuf,
    /// Where the files come from.
    pub source: Source,
    /// Fetch again even when a verified copy is already present (`--force`).
    pub force: bool,
    /// Draw a progress bar on stderr (only sensible when stderr is a terminal).
    pub progress: bool,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A verified copy was already present; nothing was written.
    Skipped,
    /// The file was absent and has been fetched from `from` (a URL or a path).
    Fetched {
        /// The URL or path the bytes came from.
        from: String,
    },
    /// A file was present but has been fetched again from `from`, because of `reason`
    /// (a size or checksum mismatch, or `--force`).
    Replaced {
        /// The URL or path the bytes came from.
        from: String,
        /// Why the previous file was not kept.
        reason: String,
    },
}

/// The result for one file of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The file's manifest name.
    pub name: String,
    /// Where the verified file now is.
    pub path: PathBuf,
    /// What was done.
    pub outcome: Outcome,
}

impl fmt::Display for FileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Outcome::Skipped => {
                write!(f, "{}: already present and verified, skipped", self.path.display())
            }
            Outcome::Fetched { from } => {
                write!(f, "{}: fetched from {from}, verified", self.path.display())
            }
            Outcome::Replaced { from, reason } => {
                write!(f, "{}: replaced ({reason}) from {from}, verified", self.path.display())
            }
        }
    }
}

/// Whether a file on disk matches its manifest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Size and SHA-256 match.
    Verified,
    /// There is no file at the path.
    Missing,
    /// There is something at the path, but not the expected bytes; the string says how.
    Mismatch(String),
}

/// Puts every file of `manifest` into `options.dest`, calling `on_done` after each one, and
/// returns the reports in manifest order. Stops at the first file that cannot be fetched.
pub fn fetch_all(
    manifest: &Manifest,
    options: &FetchOptions,
    mut on_done: impl FnMut(&FileReport),
) -> anyhow::Result<Vec<FileReport>> {
    std::fs::create_dir_all(&options.dest).with_context(|| {
        format!(
            "cannot create the datasets folder {}; pass --dest DIR with a writable folder",
            options.dest.display()
        )
    })?;
    let agent = http_agent();
    let mut reports = Vec::with_capacity(manifest.files.len());
    for file in &manifest.files {
        let outcome = fetch_file(manifest, file, options, &agent)?;
        let report =
            FileReport { name: file.name.clone(), path: options.dest.join(&file.name), outcome };
        on_done(&report);
        reports.push(report);
    }
    Ok(reports)
}

fn fetch_file(
    manifest: &Manifest,
    file: &DataFile,
    options: &FetchOptions,
    agent: &ureq::Agent,
) -> anyhow::Result<Outcome> {
    let dest_path = options.dest.join(&file.name);
    let previous = match verify_file(&dest_path, file)
        .with_context(|| format!("cannot check the existing {}", dest_path.display()))?
    {
        Verification::Verified if !options.force => return Ok(Outcome::Skipped),
        Verification::Verified => Some("--force given".to_string()),
        Verification::Missing => None,
        Verification::Mismatch(reason) => Some(reason),
    };
    let from = match &options.source {
        Source::LocalDir(dir) => copy_from_dir(manifest, file, dir, &dest_path, options.progress)?,
        Source::Mirrors => download(manifest, file, agent, &dest_path, options.progress)?,
    };
    Ok(match previous {
        None => Outcome::Fetched { from },
        Some(reason) => Outcome::Replaced { from, reason },
    })
}

/// Checks the file at `path` against `file`'s size (cheaply, first) and SHA-256.
pub fn verify_file(path: &Path, file: &DataFile) -> io::Result<Verification> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Verification::Missing),
        Err(err) => return Err(err),
    };
    if !metadata.is_file() {
        return Ok(Verification::Mismatch("not a regular file".to_string()));
    }
    if metadata.len() != file.size {
        return Ok(Verification::Mismatch(format!(
            "expected {} bytes, found {}",
            file.size,
            metadata.len()
        )));
    }
    let actual = sha256_hex(std::fs::File::open(path)?)?;
    Ok(if actual == file.sha256 {
        Verification::Verified
    } else {
        Verification::Mismatch(format!("expected sha256 {}, found {actual}", file.sha256))
    })
}

/// The SHA-256 of everything `reader` yields, as 64 lowercase hex digits.
///
/// ```
/// // FIPS 180-2, appendix B.1: SHA-256("abc").
/// assert_eq!(
///     xtask::fetch::sha256_hex(&b"abc"[..]).unwrap(),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn sha256_hex(mut reader: impl Read) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Ok(hex(&hasher.finalize())),
            Ok(count) => hasher.update(&buffer[..count]),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn copy_from_dir(
    manifest: &Manifest,
    file: &DataFile,
    dir: &Path,
    dest_path: &Path,
    progress: bool,
) -> anyhow::Result<String> {
    if !dir.is_dir() {
        bail!(
            "the mirror folder {} does not exist or is not a folder; pass --from DIR with a \
             folder holding {}, or leave out --from to download them",
            dir.display(),
            manifest.file_names()
        );
    }
    let source_path = dir.join(&file.name);
    let origin = source_path.display().to_string();
    let mut source = std::fs::File::open(&source_path).with_context(|| {
        format!(
            "cannot read {origin}; the folder given to --from must hold {}",
            manifest.file_names()
        )
    })?;
    match transfer(&mut source, file, dest_path, &origin, progress) {
        Ok(()) => Ok(origin),
        Err(Transfer::Rejected(reason)) => Err(anyhow::anyhow!(
            "{reason}; nothing was written to {}. Replace {origin} with a good copy of {} \
             (see datasets/manifest.txt)",
            dest_path.display(),
            file.name
        )),
        Err(Transfer::Write(err)) => Err(destination_error(err)),
    }
}

fn download(
    manifest: &Manifest,
    file: &DataFile,
    agent: &ureq::Agent,
    dest_path: &Path,
    progress: bool,
) -> anyhow::Result<String> {
    let mut failures = Vec::new();
    for url in manifest.urls(file) {
        let response = match agent.get(&url).call() {
            Ok(response) => response,
            Err(err) => {
                failures.push(format!("{url}: {err}"));
                continue;
            }
        };
        let mut body = response.into_body().into_reader();
        match transfer(&mut body, file, dest_path, &url, progress) {
            Ok(()) => return Ok(url),
            Err(Transfer::Rejected(reason)) => failures.push(reason),
            // The next mirror could not be written either.
            Err(Transfer::Write(err)) => return Err(destination_error(err)),
        }
    }
    let tried = if failures.is_empty() {
        format!("  (the manifest lists no mirror and no URL for {})", file.name)
    } else {
        failures.iter().map(|failure| format!("  - {failure}")).collect::<Vec<_>>().join("\n")
    };
    bail!(
        "could not download {} from any mirror; nothing was written to {}. Tried:\n{tried}\n\
         No network? Pass --from DIR with a folder holding {}",
        file.name,
        dest_path.display(),
        manifest.file_names()
    )
}

fn destination_error(err: WriteError) -> anyhow::Error {
    let hint = format!(
        "check that {} is a writable folder, or pass --dest DIR",
        err.path.parent().unwrap_or(Path::new(".")).display()
    );
    anyhow::Error::new(err).context(hint)
}

/// A data file could not be written; `path` is where it was to go.
#[derive(Debug)]
struct WriteError {
    path: PathBuf,
    source: io::Error,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.source)
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// `fill` writes a temporary `.NAME.*.part` file beside `path`, which is synced and renamed to
/// `path` only if everything succeeded, so an interrupted or rejected download never leaves a
/// file under the final name (tempfile removes the temporary file on every error path).
fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> io::Result<()>,
) -> Result<(), WriteError> {
    let fail = |source| WriteError { path: path.to_path_buf(), source };
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".part");
    // tempfile creates 0600 files; the data files are ordinary readable files.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut part = builder.tempfile_in(folder).map_err(fail)?;
    fill(part.as_file_mut()).and_then(|()| part.as_file_mut().flush()).map_err(fail)?;
    part.as_file().sync_all().map_err(fail)?;
    part.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Why a transfer failed: the source was bad (try another) or the destination could not be
/// written (no other source will help).
enum Transfer {
    Rejected(String),
    Write(WriteError),
}

/// Streams `source` into `dest_path` through a temporary file, hashing on the way; the file is
/// renamed into place only if the size and SHA-256 match `file`.
fn transfer(
    source: &mut dyn Read,
    file: &DataFile,
    dest_path: &Path,
    origin: &str,
    progress: bool,
) -> Result<(), Transfer> {
    let mut rejection = None;
    let written = write_atomic(dest_path, |out| {
        match copy_verified(source, out, file, origin, progress) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => {
                rejection = Some(reason);
                // write_atomic discards the temporary file on any error.
                Err(io::Error::other("source rejected"))
            }
            Err(write_err) => Err(write_err),
        }
    });
    match (written, rejection) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(reason)) => Err(Transfer::Rejected(reason)),
        (Err(err), None) => Err(Transfer::Write(err)),
    }
}

/// Copies and hashes; the outer error is a write failure, the inner one a rejected source.
fn copy_verified(
    source: &mut dyn Read,
    out: &mut std::fs::File,
    file: &DataFile,
    origin: &str,
    progress: bool,
) -> io::Result<Result<(), String>> {
    let bar = progress_bar(file, progress);
    let mut hasher = Sha256::new();
    let mut total: u64 = 0;
    let mut buffer = vec![0u8; 64 * 1024];
    // One byte past the expected size is enough to tell that a source is too long, without
    // letting a wrong URL fill the disk.
    let mut limited = source.take(file.size.saturating_add(1));
    loop {
        let count = match limited.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => count,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => {
                bar.abandon();
                return Ok(Err(format!("{origin}: read failed after {total} bytes: {err}")));
            }
        };
        hasher.update(&buffer[..count]);
        out.write_all(&buffer[..count])?;
        total += count as u64;
        bar.inc(count as u64);
    }
    bar.finish_and_clear();
    if total != file.size {
        let found = if total > file.size { "more".to_string() } else { total.to_string() };
        return Ok(Err(format!(
            "{origin}: {} should be {} bytes, got {found} bytes",
            file.name, file.size
        )));
    }
    let actual = hex(&hasher.finalize());
    if actual != file.sha256 {
        return Ok(Err(format!(
            "{origin}: {} should have sha256 {}, got {actual}",
            file.name, file.sha256
        )));
    }
    Ok(Ok(()))
}

fn progress_bar(file: &DataFile, progress: bool) -> ProgressBar {
    if !progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(file.size), ProgressDrawTarget::stderr())
        .with_message(file.name.clone());
    match ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        Ok(style) => bar.with_style(style.progress_chars("=> ")),
        // The template is a constant; the default style is a fine fallback anyway.
        Err(_) => bar,
    }
}

fn http_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(15)))
        .timeout_recv_response(Some(Duration::from_secs(30)))
        // A stalled connection fails after a while; a slow but moving one may finish.
        .timeout_per_read(Some(Duration::from_secs(30)))
        .timeout_global(Some(Duration::from_secs(600)))
        .build()
        .into()
}
