//! The datasets manifest (`datasets/manifest.txt`): which data files the course notebooks load,
//! their sizes and SHA-256 checksums, and the public mirrors they are downloaded from.

use anyhow::{Context, bail, ensure};

/// The text of `datasets/manifest.txt`, embedded so that the repository holds the checksums in
/// one place only.
pub const EMBEDDED_MANIFEST: &str = include_str!("../../datasets/manifest.txt");

/// The placeholder a mirror URL uses for the file name.
pub const FILE_PLACEHOLDER: &str = "{file}";

/// One data file: the name it has in the destination folder (and in a `--from` folder), where
/// it is downloaded from, and what its bytes must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFile {
    /// A plain file name (no folder part).
    pub name: String,
    /// Exact size in bytes.
    pub size: u64,
    /// SHA-256 of the contents, 64 lowercase hex digits.
    pub sha256: String,
    /// The file's own public copies, tried in order instead of the global mirrors (for a file
    /// the mirrors do not hold, or hold under another name); empty for the mirrors' files.
    pub urls: Vec<String>,
}

/// A parsed manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// URL templates containing [`FILE_PLACEHOLDER`], in the order they are tried.
    pub mirrors: Vec<String>,
    /// The files to fetch, in manifest order.
    pub files: Vec<DataFile>,
}

impl Manifest {
    /// The manifest embedded from `datasets/manifest.txt`.
    pub fn embedded() -> anyhow::Result<Self> {
        Self::parse(EMBEDDED_MANIFEST).context("the embedded datasets/manifest.txt is invalid")
    }

    /// Parses a manifest: blank lines and `#` comments are ignored, every other line is either
    /// `mirror <URL with {file}>` or `file <name> <bytes> <sha256> [<URL>...]`, where the URLs
    /// after the checksum are the file's own copies (tried instead of the mirrors).
    ///
    /// ```
    /// let sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    /// let manifest = xtask::manifest::Manifest::parse(&format!(
    ///     "mirror https://example.org/data/{{file}}\n\
    ///      file a.h5 3 {sha}\n\
    ///      file b.mat 3 {sha} https://example.com/elsewhere/data.mat\n"
    /// ))
    /// .unwrap();
    /// assert_eq!(manifest.files[0].size, 3);
    /// assert_eq!(manifest.urls(&manifest.files[0]), ["https://example.org/data/a.h5"]);
    /// assert_eq!(manifest.urls(&manifest.files[1]), ["https://example.com/elsewhere/data.mat"]);
    /// ```
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let mut mirrors = Vec::new();
        let mut files: Vec<DataFile> = Vec::new();
        for (index, raw_line) in text.lines().enumerate() {
            let line_number = index + 1;
            let line = raw_line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split_whitespace().collect();
            let parsed = match fields.as_slice() {
                ["mirror", url] => parse_mirror(url).map(|url| mirrors.push(url)),
                ["file", name, size, sha256, urls @ ..] => parse_file(name, size, sha256, urls)
                    .and_then(|file| {
                        ensure!(
                            files.iter().all(|known| known.name != file.name),
                            "file `{}` is listed twice",
                            file.name
                        );
                        files.push(file);
                        Ok(())
                    }),
                _ => Err(anyhow::anyhow!(
                    "expected `mirror <URL>` or `file <name> <bytes> <sha256> [<URL>...]`, found `{line}`"
                )),
            };
            parsed.with_context(|| format!("manifest line {line_number}"))?;
        }
        ensure!(!files.is_empty(), "the manifest lists no `file` line");
        Ok(Self { mirrors, files })
    }

    /// The URL of `file` on `mirror` (a template from [`Manifest::mirrors`]).
    pub fn url(&self, mirror: &str, file: &DataFile) -> String {
        mirror.replace(FILE_PLACEHOLDER, &file.name)
    }

    /// Where `file` is downloaded from, in the order tried: its own URLs when the manifest gives
    /// some, else every mirror.
    pub fn urls(&self, file: &DataFile) -> Vec<String> {
        if file.urls.is_empty() {
            self.mirrors.iter().map(|mirror| self.url(mirror, file)).collect()
        } else {
            file.urls.clone()
        }
    }

    /// The names of all files, comma-separated, for messages.
    pub fn file_names(&self) -> String {
        let names: Vec<&str> = self.files.iter().map(|file| file.name.as_str()).collect();
        names.join(", ")
    }
}

fn parse_mirror(url: &str) -> anyhow::Result<String> {
    ensure_http(url, "mirror")?;
    ensure!(
        url.contains(FILE_PLACEHOLDER),
        "mirror `{url}` has no `{FILE_PLACEHOLDER}` placeholder for the file name"
    );
    Ok(url.to_string())
}

fn ensure_http(url: &str, what: &str) -> anyhow::Result<()> {
    ensure!(
        url.starts_with("https://") || url.starts_with("http://"),
        "{what} `{url}` is not an http(s) URL"
    );
    Ok(())
}

fn parse_file(name: &str, size: &str, sha256: &str, urls: &[&str]) -> anyhow::Result<DataFile> {
    // The name is joined to the destination folder and to URLs: it must not escape either.
    if name == "." || name == ".." || name.contains(['/', '\\']) {
        bail!("file name `{name}` must be a plain file name, without a folder part");
    }
    let size: u64 = size
        .parse()
        .with_context(|| format!("size of `{name}`: expected a byte count, found `{size}`"))?;
    ensure!(
        sha256.len() == 64
            && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "sha256 of `{name}`: expected 64 lowercase hex digits, found `{sha256}`"
    );
    for url in urls {
        ensure_http(url, &format!("URL of `{name}`"))?;
    }
    let urls = urls.iter().map(|url| url.to_string()).collect();
    Ok(DataFile { name: name.to_string(), size, sha256: sha256.to_string(), urls })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_manifest_lists_the_course_files_and_their_sources() {
        let manifest = Manifest::embedded().unwrap();
        // Sizes and checksums from the course's files (also in /work/shared/datasets/SHA256SUMS).
        assert_eq!(
            manifest.files,
            vec![
                DataFile {
                    name: "train_catvnoncat.h5".into(),
                    size: 2_572_022,
                    sha256: "fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242"
                        .into(),
                    urls: vec![],
                },
                DataFile {
                    name: "test_catvnoncat.h5".into(),
                    size: 616_958,
                    sha256: "6a9d39ce52fa85953c5834695b8534a30ed8cfd54971fb2f080b5a24d002b951"
                        .into(),
                    urls: vec![],
                },
                // The regularisation notebook's datasets/data.mat, under a name of its own.
                DataFile {
                    name: "regularization_football.mat".into(),
                    size: 6038,
                    sha256: "1218828095bf91d215622d00b2a5b8784c359e29d9d9c5734949b8e60c5bc231"
                        .into(),
                    urls: vec![
                        "https://raw.githubusercontent.com/ElmerAlay/IA1PRO1/\
                         162ed83e1e0c19a80a5a86da40f59c728c7b5e7f/datasets/data.mat"
                            .into()
                    ],
                },
            ]
        );
        // The cat files come from the mirrors, the football file from its own URL only.
        assert_eq!(manifest.urls(&manifest.files[0]).len(), 2);
        assert_eq!(manifest.urls(&manifest.files[2]), manifest.files[2].urls);
        assert_eq!(manifest.mirrors.len(), 2);
        assert_eq!(
            manifest.url(&manifest.mirrors[1], &manifest.files[1]),
            "https://raw.githubusercontent.com/ramakris/coursera-deeplearning/\
             c79617ebb9ff38e765e821f80352adee93f19357/neuralnetworks/week2/datasets/test_catvnoncat.h5"
        );
    }

    #[test]
    fn malformed_lines_are_rejected_with_line_number_and_field() {
        let sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let cases = [
            (
                format!("# c\nfile a.h5 ten {sha}\n"),
                "manifest line 2: size of `a.h5`: expected a byte count, found `ten`",
            ),
            (
                "file a.h5 3 ABC\n".to_string(),
                "sha256 of `a.h5`: expected 64 lowercase hex digits, found `ABC`",
            ),
            (format!("file ../a.h5 3 {sha}\n"), "must be a plain file name"),
            (format!("mirror ftp://x/{{file}}\nfile a.h5 3 {sha}\n"), "is not an http(s) URL"),
            (format!("mirror https://x/a.h5\nfile a.h5 3 {sha}\n"), "has no `{file}` placeholder"),
            (
                format!("file a.mat 3 {sha} https://x/data.mat ftp://y/data.mat\n"),
                "URL of `a.mat` `ftp://y/data.mat` is not an http(s) URL",
            ),
            (
                format!("file a.h5 3 {sha}\nfile a.h5 3 {sha}\n"),
                "manifest line 2: file `a.h5` is listed twice",
            ),
            ("mirror https://x/{file}\n".to_string(), "the manifest lists no `file` line"),
            (
                "files a.h5\n".to_string(),
                "expected `mirror <URL>` or `file <name> <bytes> <sha256> [<URL>...]`, found `files a.h5`",
            ),
        ];
        for (text, expected) in cases {
            let message = format!("{:#}", Manifest::parse(&text).unwrap_err());
            assert!(message.contains(expected), "{text:?}: got `{message}`, expected `{expected}`");
        }
    }
}
