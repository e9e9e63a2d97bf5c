//! The tables of `docs/reference/reliability.md`, built by the hostile tests from what they observed.
//!
//! Each test fills a [`Section`] and calls [`Section::publish`]: the committed block (between
//! its `<!-- hostile:begin ID -->` and `<!-- hostile:end ID -->` markers) must equal what the
//! test just observed, so the document cannot drift from the code without a test failing. With
//! `DL_COURSE_WRITE_RELIABILITY=1` a block that differs is also replaced, atomically, and the
//! test fails all the same: the next run checks the new text.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Set to `1` to have a failing check rewrite its block of the document as well.
pub const WRITE_ENV: &str = "DL_COURSE_WRITE_RELIABILITY";

/// The command that regenerates every table (quoted at the top of the document).
pub const REGENERATE: &str = "DL_COURSE_WRITE_RELIABILITY=1 DL_COURSE_DATA=/path/to/datasets \
     cargo test -p linalg-nn -p hw1-logreg -p hw2-planar -p hw3-deep --test 'hostile_*'";

/// Every section, in document order; a block with another id is reported as stale.
pub const SECTIONS: [&str; 10] = [
    "cat-files",
    "cat-truncation",
    "cat-mutations",
    "model-files",
    "model-mutations",
    "images",
    "image-mutations",
    "hw1-cli",
    "hw2-cli",
    "hw3-cli",
];

/// One case: what was tried, on what, what must happen, and what did.
#[derive(Clone, Debug)]
pub struct Row {
    /// Short name of the case.
    pub case: String,
    /// The input, e.g. the file and the change made to it.
    pub input: String,
    /// The behaviour required.
    pub expected: String,
    /// The behaviour seen, with the message when there is one.
    pub observed: String,
}

/// One table of the document.
#[derive(Clone, Debug)]
pub struct Section {
    id: &'static str,
    title: String,
    intro: String,
    rows: Vec<Row>,
}

impl Section {
    /// An empty section; `id` must be one of [`SECTIONS`].
    pub fn new(id: &'static str, title: impl Into<String>, intro: impl Into<String>) -> Self {
        assert!(SECTIONS.contains(&id), "unknown section {id}");
        Section { id, title: title.into(), intro: intro.into(), rows: Vec::new() }
    }

    /// Adds a row.
    pub fn row(
        &mut self,
        case: impl Into<String>,
        input: impl Into<String>,
        expected: impl Into<String>,
        observed: impl Into<String>,
    ) {
        self.rows.push(Row {
            case: case.into(),
            input: input.into(),
            expected: expected.into(),
            observed: observed.into(),
        });
    }

    /// The rows added so far.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    fn begin(&self) -> String {
        format!("<!-- hostile:begin {} -->", self.id)
    }

    fn end(&self) -> String {
        format!("<!-- hostile:end {} -->", self.id)
    }

    /// The block as it appears in the document, markers included.
    pub fn render(&self) -> String {
        let mut out = format!("{}\n## {}\n\n", self.begin(), self.title);
        if !self.intro.is_empty() {
            out.push_str(&self.intro);
            out.push_str("\n\n");
        }
        out.push_str("| Case | Input | Expected | Observed |\n|---|---|---|---|\n");
        for row in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                cell(&row.case),
                cell(&row.input),
                cell(&row.expected),
                cell(&row.observed)
            ));
        }
        out.push_str(&self.end());
        out
    }

    /// Checks that the committed document holds exactly this block. The check runs in every
    /// environment; with [`WRITE_ENV`] set to `1`, a block that differs is also written into the
    /// document, and the test still fails (run it again to see it pass on the new text).
    pub fn publish(&self) {
        if let Err(difference) = self.check() {
            if std::env::var(WRITE_ENV).is_ok_and(|v| v == "1") {
                self.write();
                panic!("{difference}\nrewritten: review the change to the document and run again");
            }
            panic!("{difference}\nregenerate it with\n  {REGENERATE}");
        }
    }

    /// The first way the committed document differs from this block, if any.
    fn check(&self) -> Result<(), String> {
        let path = document_path();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some((_, id)) =
            block_ids(&text).into_iter().find(|(_, id)| !SECTIONS.contains(&id.as_str()))
        {
            return Err(format!("{}: stale section {id}", path.display()));
        }
        let rendered = self.render();
        let committed = find_block(&text, &self.begin(), &self.end())
            .map(|range| &text[range])
            .unwrap_or_default();
        if committed != rendered {
            let (line, want, got) = first_difference(committed, &rendered);
            return Err(format!(
                "{} is out of date in section \"{}\" at line {line} of the block:\n  \
                 committed: {want}\n  observed:  {got}",
                path.display(),
                self.id
            ));
        }
        Ok(())
    }

    fn write(&self) {
        // Test threads of one binary share the mutex; other test binaries (and other crates'
        // tests) are held off by a lock on the docs folder.
        static IN_PROCESS: Mutex<()> = Mutex::new(());
        let _guard = IN_PROCESS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let path = document_path();
        let folder = path.parent().expect("docs/ folder");
        let lock = std::fs::File::open(folder).expect("opens docs/ for locking");
        lock.lock().expect("locks docs/");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| String::new());
        let updated = insert_block(&text, self);
        linalg_nn::atomic::write_bytes_atomic(&path, updated.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// `docs/reference/reliability.md` of this workspace.
pub fn document_path() -> PathBuf {
    linalg_nn::data::workspace_dir().join("docs").join("reference").join("reliability.md")
}

/// A table cell: no pipes, line breaks or raw HTML from error messages.
fn cell(text: &str) -> String {
    // `<` could open an HTML tag; `>` alone is literal in a table cell.
    text.replace('|', "\\|").replace('<', "&lt;").replace('\n', "<br>")
}

/// Where `marker` starts a line of `text` (the page's prose may quote a marker inline).
fn line_start(text: &str, marker: &str) -> Option<usize> {
    text.match_indices(marker).map(|(at, _)| at).find(|&at| at == 0 || text[..at].ends_with('\n'))
}

fn find_block(text: &str, begin: &str, end: &str) -> Option<std::ops::Range<usize>> {
    let start = line_start(text, begin)?;
    let stop = line_start(&text[start..], end)? + start + end.len();
    Some(start..stop)
}

/// The ids of the blocks in `text`, in order.
fn block_ids(text: &str) -> Vec<(usize, String)> {
    let mut offset = 0;
    let mut ids = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.trim_end().strip_prefix("<!-- hostile:begin ")
            && let Some(id) = rest.strip_suffix(" -->")
        {
            ids.push((offset, id.to_owned()));
        }
        offset += line.len();
    }
    ids
}

fn insert_block(text: &str, section: &Section) -> String {
    let rendered = section.render();
    if let Some(range) = find_block(text, &section.begin(), &section.end()) {
        return format!("{}{}{}", &text[..range.start], rendered, &text[range.end..]);
    }
    // Before the first block that comes later in SECTIONS, else at the end.
    let order = |id: &str| SECTIONS.iter().position(|s| *s == id);
    let mine = order(section.id);
    let later = block_ids(text).into_iter().find(|(_, id)| order(id) > mine);
    match later {
        Some((at, _)) => format!("{}{rendered}\n\n{}", &text[..at], &text[at..]),
        None => {
            let trimmed = text.trim_end();
            let sep = if trimmed.is_empty() { "" } else { "\n\n" };
            format!("{trimmed}{sep}{rendered}\n")
        }
    }
}

fn first_difference(committed: &str, rendered: &str) -> (usize, String, String) {
    let mut a = committed.lines();
    let mut b = rendered.lines();
    let mut line = 1;
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (None, None) => return (line, String::new(), String::new()),
            (x, y) => {
                let show = |s: Option<&str>| s.map_or("(nothing)".to_owned(), str::to_owned);
                return (line, show(x), show(y));
            }
        }
    }
}

/// Replaces the machine-specific parts of a message (temporary folders, the data folder) by
/// fixed names, so the table reads the same on every machine.
pub fn sanitize(message: &str, replacements: &[(&Path, &str)]) -> String {
    let mut out = message.to_owned();
    for (path, name) in replacements {
        out = out.replace(&path.display().to_string(), name);
    }
    out
}

/// Names the variant of an error from its `Debug` form (`Corrupt { .. }` gives `Corrupt`).
pub fn variant_name(debug: &str) -> String {
    debug.split([' ', '(', '{']).next().unwrap_or_default().to_owned()
}
