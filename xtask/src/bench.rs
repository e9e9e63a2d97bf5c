//! `cargo xtask bench`: issue 8's end-to-end measurement. Runs every course preset as a user
//! runs it (the release binaries, whole process, data loading included; with `--no-plots`,
//! since the numpy port draws no figures and both sides must do the same work), reports
//! the median wall time and the peak resident memory of each, and, when `python3` with numpy is
//! installed, runs the numpy port of the same notebooks (`numpy-reference/`) alternately with
//! ours and prints the ratios. `--scaling` adds the time per iteration as the number of
//! examples and the first layer's width grow. `docs/reference/performance.md` shows a run.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wait4::Wait4;

/// Environment variables that tune OpenBLAS for a machine; they are removed from the numpy
/// runs so that numpy picks its kernels as it would on a fresh install.
pub const OPENBLAS_TUNING_VARS: [&str; 2] = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

/// Peak memory allowed per run (issue 8): three times the float64 training matrix, plus 30 MB.
///
/// ```
/// // The cat pictures: X is 12288 x 209 float64 = 20.5 MB.
/// let limit = xtask::bench::rss_limit_bytes(12288 * 209 * 8);
/// assert_eq!(limit, 3 * 12288 * 209 * 8 + 30_000_000);
/// ```
pub fn rss_limit_bytes(training_matrix_bytes: u64) -> u64 {
    3 * training_matrix_bytes + 30_000_000
}

/// What `cargo xtask bench` does.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// The workspace (for `cargo build`, the binaries and `numpy-reference/`).
    pub workspace_root: PathBuf,
    /// Folder with the course's cat files.
    pub data_dir: PathBuf,
    /// Runs of each program (the median is reported).
    pub repetitions: usize,
    /// Untimed runs of each program before its timed ones, one after another in the same
    /// alternation: the first run after the wait for a quiet machine (or any idle spell) can
    /// take twice as long on a virtual machine whose CPUs wake slowly (hw2's 36 ms run took
    /// 55-78 ms after 20 s idle).
    pub warmup: usize,
    /// Only the runs whose name contains one of these (all when empty).
    pub only: Vec<String>,
    /// Also measure the time per iteration against `m` and the first layer's width.
    pub scaling: bool,
    /// Do not run the numpy reference even if numpy is installed.
    pub no_numpy: bool,
    /// Do not build the release binaries first (they must exist).
    pub skip_build: bool,
}

/// The outcome of one child process.
#[derive(Clone, Debug)]
pub struct Measurement {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// Peak resident set size in bytes (`wait4`'s `ru_maxrss` of this child, or the peak working
    /// set on Windows).
    pub peak_rss: u64,
    /// Its `--json` output.
    pub report: Value,
}

/// Runs `command` with stdout captured, and returns its wall time, peak RSS and the JSON it
/// printed. Fails with the child's stderr when it exits with an error.
pub fn measure(command: &mut Command) -> Result<Measurement> {
    let described = format!("{command:?}");
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn().with_context(|| format!("cannot start {described}"))?;
    // Drain both pipes on threads while the child runs, so it never blocks on a full pipe.
    let mut stdout = child.stdout.take().context("child stdout")?;
    let mut stderr = child.stderr.take().context("child stderr")?;
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).map(|_| text)
    });
    let used = child.wait4().context("waiting for a benchmark run")?;
    let peak_rss = used.rusage.maxrss;
    let wall = started.elapsed();
    let out = out_reader.join().map_err(|_| anyhow::anyhow!("stdout reader panicked"))??;
    let err = err_reader.join().map_err(|_| anyhow::anyhow!("stderr reader panicked"))??;
    if !used.status.success() {
        let status =
            used.status.code().map_or_else(|| used.status.to_string(), |c| format!("status {c}"));
        bail!("{described} exited with {status}:\n{}", err.trim_end());
    }
    let report: Value = serde_json::from_str(out.trim()).with_context(|| {
        format!("{described} did not print one JSON object on stdout; it printed:\n{out}")
    })?;
    Ok(Measurement { wall, peak_rss, report })
}

/// The median of `values` (the mean of the middle two for an even count); `None` when empty.
///
/// ```
/// use xtask::bench::median;
/// assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
/// assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
/// assert_eq!(median(&[]), None);
/// ```
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The binaries that generate their data (they take no `--data-dir`).
const GENERATED_DATA: [&str; 3] = ["hw2-planar", "hw4-initialization", "hw7-optimization"];

/// The package and binary that writes the benchmark's copies of the cat data
/// (`course-tools export-cat`, crates/course-tools/src/export.rs).
pub const EXPORT_TOOL: &str = "course-tools";

/// Runs `course-tools export-cat` from `bin`: the cat pictures of `data_dir` as `format`
/// (`npy` or `h5`) in `to`, the training set repeated `tile` times. Returns the number of
/// training examples written.
fn export_cat(bin: &Path, data_dir: &Path, to: &Path, format: &str, tile: usize) -> Result<usize> {
    let exe = bin.join(EXPORT_TOOL);
    let mut command = Command::new(&exe);
    command.arg("export-cat").arg("--data-dir").arg(data_dir).arg("--to").arg(to);
    command.args(["--format", format, "--tile", &tile.to_string()]);
    let out = command.output().with_context(|| format!("cannot run {}", exe.display()))?;
    if !out.status.success() {
        bail!("{command:?} failed: {}", String::from_utf8_lossy(&out.stderr).trim_end());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim().parse().with_context(|| format!("{command:?} printed {text:?}, not a count"))
}

/// python3 with numpy, as found on this machine.
#[derive(Clone, Debug)]
pub struct Numpy {
    /// The interpreter to run.
    pub python: OsString,
    /// What it says about itself: versions, BLAS library and kernel, threads.
    pub description: String,
}

/// Looks for `python3` with numpy (never installs anything). `Err` says what is missing.
pub fn find_numpy() -> std::result::Result<Numpy, String> {
    let python = OsString::from("python3");
    let probe = r#"
import sys, numpy
print("numpy %s, Python %s" % (numpy.__version__, sys.version.split()[0]))
try:
    from threadpoolctl import threadpool_info
    for pool in threadpool_info():
        print("%s %s, kernel %s, %s threads" % (pool.get("internal_api"), pool.get("version"), pool.get("architecture"), pool.get("num_threads")))
except ImportError:
    cfg = numpy.show_config(mode="dicts") if hasattr(numpy, "show_config") else None
    blas = (cfg or {}).get("Build Dependencies", {}).get("blas", {})
    print("BLAS %s %s (install threadpoolctl to see its kernel)" % (blas.get("name", "?"), blas.get("version", "")))
"#;
    let mut command = Command::new(&python);
    command.args(["-c", probe]);
    for var in OPENBLAS_TUNING_VARS {
        command.env_remove(var);
    }
    match command.output() {
        Err(e) => Err(format!("python3 not found ({e})")),
        Ok(out) if !out.status.success() => Err(format!(
            "python3 has no numpy ({})",
            String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("import failed")
        )),
        Ok(out) => Ok(Numpy {
            python,
            description: String::from_utf8_lossy(&out.stdout).trim().replace('\n', "; "),
        }),
    }
}

/// One program the benchmark runs: a Rust binary with arguments, or a numpy script.
#[derive(Clone, Debug)]
struct Program {
    /// Row label.
    label: String,
    /// Executable and arguments.
    argv: Vec<OsString>,
    /// Whether it is the numpy reference (its environment drops [`OPENBLAS_TUNING_VARS`]).
    numpy: bool,
}

impl Program {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.argv[0]);
        command.args(&self.argv[1..]);
        if self.numpy {
            for var in OPENBLAS_TUNING_VARS {
                command.env_remove(var);
            }
        }
        command
    }
}

/// One notebook run, measured for each engine of ours against the same numpy run.
#[derive(Clone, Debug)]
struct Group {
    /// The notebook run, e.g. "hw3 deep [12288,20,7,5,1], 2500 iterations".
    name: String,
    /// (engine, program, target speed-up over numpy).
    ours: Vec<(String, Program, f64)>,
    numpy: Option<Program>,
    /// Bytes of the float64 training matrix.
    matrix_bytes: u64,
}

/// The final cost and accuracy a report carries (both programs print the same fields).
fn summary(report: &Value) -> String {
    let last_cost = report["costs"].as_array().and_then(|c| c.last()).and_then(|last| {
        // Our binaries record [iteration, cost] pairs (docs/reference/json.md); the numpy ports of hw2
        // and hw3 print plain costs.
        last.as_f64().or_else(|| last.get(1).and_then(Value::as_f64))
    });
    let accuracy = report["train_accuracy"].as_f64().or_else(|| report["accuracy"].as_f64());
    match (last_cost, accuracy) {
        (Some(c), Some(a)) => format!("last cost {c:.6}, train accuracy {a:.4} %"),
        _ => "no cost/accuracy in the output".to_string(),
    }
}

fn os(s: impl Into<OsString>) -> OsString {
    s.into()
}

/// The command line of one of our binaries as the benchmark runs it: `exe`, `args`, then
/// `--quiet --json --no-plots` (the numpy port draws no figures, so neither side does; hence no
/// `--out` either) and `--data-dir` when the binary reads the cat pictures (`None` for
/// hw2-planar, which generates its data and has no such flag).
fn our_argv(
    exe: OsString,
    args: impl IntoIterator<Item = OsString>,
    data_dir: Option<&Path>,
) -> Vec<OsString> {
    let mut argv = vec![exe];
    argv.extend(args);
    argv.extend([os("--quiet"), os("--json"), os("--no-plots")]);
    if let Some(dir) = data_dir {
        argv.extend([os("--data-dir"), dir.as_os_str().to_owned()]);
    }
    argv
}

/// The course presets: hw1 (both engines), hw2, hw3 two-layer and deep (both engines when the
/// binary has `--engine`).
fn course_groups(
    bin: &Path,
    data_dir: &Path,
    numpy: Option<(&Numpy, &Path, &Path)>,
    hw3_engines: bool,
) -> Vec<Group> {
    let cat_bytes = 12288 * 209 * 8;
    let ours = |label: &str, binary: &str, args: &[&str]| -> Program {
        // hw2-planar, hw4-initialization and hw7-optimization generate their data: they have no
        // --data-dir.
        let data_dir = (!GENERATED_DATA.contains(&binary)).then_some(data_dir);
        let argv = our_argv(bin.join(binary).into_os_string(), args.iter().map(os), data_dir);
        Program { label: label.to_string(), argv, numpy: false }
    };
    let numpy_program = |script: &str, args: &[&str]| -> Option<Program> {
        numpy.map(|(np, reference, npy_dir)| {
            let mut argv = vec![np.python.clone(), reference.join(script).into_os_string()];
            argv.extend(args.iter().map(os));
            argv.extend([os("--quiet"), os("--json"), os("--data-dir"), npy_dir.into()]);
            Program { label: format!("numpy {script}"), argv, numpy: true }
        })
    };
    // hw5-regularization's reference reads the course's MAT-file (with scipy), not the cat
    // copies: it gets the data folder itself.
    let hw5 = |reg: &str| -> Group {
        let args = ["--reg", reg];
        let numpy = numpy.map(|(np, reference, _)| {
            let mut argv =
                vec![np.python.clone(), reference.join("hw5_regularization.py").into_os_string()];
            argv.extend(args.iter().map(os));
            argv.extend([os("--quiet"), os("--json"), os("--data-dir"), data_dir.into()]);
            Program { label: "numpy hw5_regularization.py".into(), argv, numpy: true }
        });
        Group {
            name: format!("hw5 regularization {reg}, 30000 iterations"),
            ours: vec![(
                "three-layer".into(),
                ours(&format!("hw5-regularization {reg}"), "hw5-regularization", &args),
                20.0,
            )],
            numpy,
            matrix_bytes: 2 * 211 * 8,
        }
    };
    let hw3 = |model: &str, engine: &str| -> Program {
        let mut args = vec!["--preset", "course", "--model", model];
        if hw3_engines {
            args.extend(["--engine", engine]);
        }
        ours(&format!("hw3-deep {model} {engine}"), "hw3-deep", &args)
    };
    let hw3_rows = |model: &str, direct_target: f64| -> Vec<(String, Program, f64)> {
        let mut rows = vec![("direct".to_string(), hw3(model, "direct"), direct_target)];
        if hw3_engines {
            rows.push(("gram".to_string(), hw3(model, "gram"), 50.0));
        }
        rows
    };
    vec![
        Group {
            name: "hw1, 2000 iterations".into(),
            ours: vec![
                (
                    "direct".into(),
                    ours("hw1-logreg direct", "hw1-logreg", &["--engine", "direct"]),
                    5.0,
                ),
                (
                    "gram".into(),
                    ours("hw1-logreg gram", "hw1-logreg", &["--engine", "gram"]),
                    100.0,
                ),
            ],
            numpy: numpy_program("hw1_logreg.py", &[]),
            matrix_bytes: cat_bytes,
        },
        Group {
            name: "hw2, 10000 iterations, n_h = 4".into(),
            ours: vec![(
                "direct".into(),
                ours("hw2-planar", "hw2-planar", &["--preset", "course"]),
                10.0,
            )],
            numpy: numpy_program("hw2_planar.py", &[]),
            matrix_bytes: 2 * 400 * 8,
        },
        Group {
            name: "hw4 He initialization, 15000 iterations".into(),
            ours: vec![(
                "three-layer".into(),
                ours("hw4-initialization he", "hw4-initialization", &["--init", "he"]),
                20.0,
            )],
            numpy: numpy_program("hw4_initialization.py", &["--init", "he"]),
            matrix_bytes: 2 * 300 * 8,
        },
        hw5("none"),
        hw5("l2"),
        hw5("dropout"),
        Group {
            name: "hw3 two-layer, 2500 iterations".into(),
            ours: hw3_rows("two-layer", 4.0),
            numpy: numpy_program("hw3_deep.py", &["--model", "two-layer"]),
            matrix_bytes: cat_bytes,
        },
        Group {
            name: "hw3 deep [12288,20,7,5,1], 2500 iterations".into(),
            ours: hw3_rows("deep", 2.5),
            numpy: numpy_program("hw3_deep.py", &["--model", "deep"]),
            matrix_bytes: cat_bytes,
        },
    ]
    .into_iter()
    .chain(hw7_groups(&ours, &numpy_program))
    .collect()
}

/// hw7-optimization's seven runs of the notebook (5000 epochs of mini-batches of 64 on the
/// moons), each against `hw7_optimization.py` with the same flags; the target is per run.
fn hw7_groups(
    ours: &dyn Fn(&str, &str, &[&str]) -> Program,
    numpy_program: &dyn Fn(&str, &[&str]) -> Option<Program>,
) -> Vec<Group> {
    let runs = [
        ("gd", "none"),
        ("momentum", "none"),
        ("adam", "none"),
        ("gd", "update"),
        ("gd", "schedule"),
        ("momentum", "schedule"),
        ("adam", "schedule"),
    ];
    runs.iter()
        .map(|&(optimizer, decay)| {
            let args = ["--optimizer", optimizer, "--decay", decay];
            Group {
                name: format!("hw7 {optimizer}, decay {decay}, 5000 epochs"),
                ours: vec![(
                    "three-layer".into(),
                    ours(
                        &format!("hw7-optimization {optimizer} {decay}"),
                        "hw7-optimization",
                        &args,
                    ),
                    20.0,
                )],
                numpy: numpy_program("hw7_optimization.py", &args),
                matrix_bytes: 2 * 300 * 8,
            }
        })
        .collect()
}

/// What the machine is, for the report's header.
fn machine_description(numpy: &std::result::Result<Numpy, String>) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    #[cfg(target_arch = "x86_64")]
    let features: Vec<String> = [
        ("AVX2", std::is_x86_feature_detected!("avx2")),
        ("FMA", std::is_x86_feature_detected!("fma")),
        ("AVX-512F", std::is_x86_feature_detected!("avx512f")),
    ]
    .into_iter()
    .map(|(name, present)| format!("{name} {}", if present { "yes" } else { "no" }))
    .collect();
    #[cfg(not(target_arch = "x86_64"))]
    let features: Vec<String> = vec![format!("{} (no x86 features)", std::env::consts::ARCH)];
    let rustc = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "rustc ?".to_string());
    let tuning: Vec<String> = OPENBLAS_TUNING_VARS
        .iter()
        .filter_map(|v| std::env::var(v).ok().map(|value| format!("{v}={value}")))
        .collect();
    let mut text = format!("- CPU: {cpu}, {cores} cores available, {}\n", features.join(", "));
    let _ = writeln!(text, "- {rustc}, release profile (`cargo build --release`)");
    // The programs' own switches, inherited by every run of ours (see the README).
    for (variable, default) in [
        ("DL_COURSE_SIMD", "the best instruction-set level the CPU has"),
        ("DL_COURSE_THREADS", "every core"),
    ] {
        let value =
            std::env::var(variable).map_or_else(|_| "unset".to_string(), |v| format!("{v:?}"));
        let _ = writeln!(text, "- ours with {variable} {value} (unset: {default})");
    }
    match numpy {
        Ok(np) => {
            let _ = writeln!(text, "- {}", np.description);
        }
        Err(why) => {
            let _ = writeln!(text, "- numpy: not available ({why})");
        }
    }
    if !tuning.is_empty() {
        let _ = writeln!(text, "- removed from the numpy runs' environment: {}", tuning.join(", "));
    }
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let _ = writeln!(text, "- load average before the run: {}", load.trim());
    }
    text
}

/// The 1-minute load average, when the system reports one.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Runs the benchmark and prints its report (markdown tables) through `print`.
pub fn run(options: &BenchOptions, print: &mut dyn FnMut(&str)) -> Result<()> {
    let root = &options.workspace_root;
    if options.repetitions == 0 {
        bail!("--reps must be at least 1");
    }
    if !options.skip_build {
        let mut packages = vec![
            "hw1-logreg",
            "hw2-planar",
            "hw3-deep",
            "hw4-initialization",
            "hw5-regularization",
            "hw7-optimization",
        ];
        packages.push(EXPORT_TOOL);
        crate::build_release(root, &packages)?;
    }
    let bin = crate::release_dir(root);
    let numpy = if options.no_numpy { Err("--no-numpy given".to_string()) } else { find_numpy() };
    if let Err(why) = &numpy {
        print(&format!(
            "numpy reference: not run: {why}. Reporting ours only (install python3 and numpy to compare)."
        ));
    }
    // The build just now (or anything else) raises the load average: give it a minute to
    // settle, since the times are meant for a quiet machine.
    let settle_until = Instant::now() + Duration::from_secs(90);
    while load_average().is_some_and(|l| l > 0.5) && Instant::now() < settle_until {
        std::thread::sleep(Duration::from_secs(5));
    }
    if let Some(load) = load_average().filter(|&l| l > 0.5) {
        print(&format!(
            "warning: the load average is {load:.2}: other work is running, so the times below are not those of a quiet machine."
        ));
    }
    let scratch = tempfile::tempdir().context("creating a scratch folder")?;
    let npy_dir = scratch.path().join("npy");
    // Also the check that the data are there, before anything is timed.
    export_cat(&bin, &options.data_dir, &npy_dir, "npy", 1).with_context(|| {
        format!("the benchmark needs the cat data set in {}", options.data_dir.display())
    })?;
    let reference = root.join("numpy-reference");
    let help = Command::new(bin.join("hw3-deep"))
        .arg("--help")
        .output()
        .with_context(|| format!("running {} --help", bin.join("hw3-deep").display()))?;
    let hw3_engines = String::from_utf8_lossy(&help.stdout).contains("--engine");
    let numpy_ref = numpy.as_ref().ok().map(|np| (np, reference.as_path(), npy_dir.as_path()));
    let groups = course_groups(&bin, &options.data_dir, numpy_ref, hw3_engines);
    let selected: Vec<&Group> = groups
        .iter()
        .filter(|g| options.only.is_empty() || options.only.iter().any(|o| g.name.contains(o)))
        .collect();

    let mut report = String::new();
    let _ = writeln!(report, "### Machine\n\n{}", machine_description(&numpy));
    let _ = writeln!(
        report,
        "### Course presets (median of {} runs, alternating ours and numpy, after {} untimed warm-up round{})\n",
        options.repetitions,
        options.warmup,
        if options.warmup == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        report,
        "| run | engine | ours (s) | ours peak RSS (MB) | RSS limit (MB) | numpy (s) | numpy peak RSS (MB) | speed-up | target |"
    );
    let _ = writeln!(report, "|---|---|---|---|---|---|---|---|---|");
    let mut checks = String::new();
    for group in selected {
        print(&format!("{} ...", group.name));
        let mut programs: Vec<&Program> = Vec::new();
        programs.extend(group.numpy.as_ref());
        programs.extend(group.ours.iter().map(|(_, p, _)| p));
        let mut results: BTreeMap<String, Vec<Measurement>> = BTreeMap::new();
        // The warm-up rounds first, then the timed ones, all in the same alternation.
        for round in 0..options.warmup + options.repetitions {
            let warm_up = round < options.warmup;
            for program in &programs {
                let run = if warm_up {
                    format!("warm-up run {}", round + 1)
                } else {
                    format!("repetition {}", round - options.warmup + 1)
                };
                let measured = measure(&mut program.command())
                    .with_context(|| format!("{} ({run})", program.label))?;
                let tail = if warm_up {
                    "(warm-up, not counted)".to_string()
                } else {
                    format!("{:>7.1} MB", megabytes(measured.peak_rss))
                };
                print(&format!(
                    "  {:<28} {:>8.3} s  {tail}",
                    program.label,
                    measured.wall.as_secs_f64()
                ));
                if !warm_up {
                    results.entry(program.label.clone()).or_default().push(measured);
                }
            }
        }
        let stats = |label: &str| -> Option<(f64, u64, Value)> {
            let runs = results.get(label)?;
            let times: Vec<f64> = runs.iter().map(|m| m.wall.as_secs_f64()).collect();
            let rss = runs.iter().map(|m| m.peak_rss).max()?;
            Some((median(&times)?, rss, runs.last()?.report.clone()))
        };
        let numpy_stats = group.numpy.as_ref().and_then(|p| stats(&p.label));
        let limit = rss_limit_bytes(group.matrix_bytes);
        if let Some((_, _, np_report)) = &numpy_stats {
            let _ = writeln!(checks, "- {}: numpy: {}", group.name, summary(np_report));
        }
        for (engine, program, target) in &group.ours {
            let Some((time, rss, ours_report)) = stats(&program.label) else { continue };
            let _ =
                writeln!(checks, "- {} ({engine}): ours: {}", group.name, summary(&ours_report));
            let within = if rss <= limit { "" } else { " (over)" };
            let (numpy_time, numpy_rss, speedup) = match &numpy_stats {
                Some((nt, nr, _)) => (
                    format!("{nt:.3}"),
                    format!("{:.1}", megabytes(*nr)),
                    format!(
                        "{:.1}x{}",
                        nt / time,
                        if nt / time >= *target { "" } else { " (below)" }
                    ),
                ),
                None => ("-".into(), "-".into(), "-".into()),
            };
            let _ = writeln!(
                report,
                "| {} | {engine} | {time:.3} | {:.1}{within} | {:.1} | {numpy_time} | {numpy_rss} | {speedup} | >= {target}x |",
                group.name,
                megabytes(rss),
                megabytes(limit),
            );
        }
    }
    let _ = writeln!(
        report,
        "\nSame results (last recorded cost and training accuracy of each program):\n\n{checks}"
    );
    print(&report);

    if options.scaling {
        let scaling = run_scaling(
            options,
            &bin,
            numpy.as_ref().ok(),
            &reference,
            scratch.path(),
            hw3_engines,
            print,
        )?;
        print(&scaling);
    }
    Ok(())
}

/// Time per iteration from two runs of different lengths: `(T(long) - T(short)) / (long -
/// short)`, which cancels the start-up and the data loading.
fn per_iteration(
    repetitions: usize,
    short: usize,
    long: usize,
    program: &dyn Fn(usize) -> Program,
) -> Result<f64> {
    let mut differences = Vec::new();
    for _ in 0..repetitions {
        let t_short = measure(&mut program(short).command())?.wall.as_secs_f64();
        let t_long = measure(&mut program(long).command())?.wall.as_secs_f64();
        differences.push((t_long - t_short) / (long - short) as f64);
    }
    median(&differences).context("no repetitions")
}

/// The scaling tables: time per iteration against `m` (the training pictures tiled 1, 2, 4, 8
/// times) and against the first hidden layer's width (two-layer network, m = 209).
#[allow(clippy::too_many_arguments)]
fn run_scaling(
    options: &BenchOptions,
    bin: &Path,
    numpy: Option<&Numpy>,
    reference: &Path,
    scratch: &Path,
    hw3_engines: bool,
    print: &mut dyn FnMut(&str),
) -> Result<String> {
    let reps = options.repetitions;
    let mut text = String::new();
    let ms = |s: f64| format!("{:.3}", s * 1e3);
    // Only hw1-logreg and hw3-deep are scaled: both read the (tiled) cat pictures.
    let ours = |binary: &str, data_dir: &Path, args: Vec<String>| -> Program {
        let argv = our_argv(
            bin.join(binary).into_os_string(),
            args.into_iter().map(OsString::from),
            Some(data_dir),
        );
        Program { label: binary.to_string(), argv, numpy: false }
    };
    let numpy_program = |np: &Numpy, script: &str, npy_dir: &Path, args: Vec<String>| {
        let mut argv = vec![np.python.clone(), reference.join(script).into_os_string()];
        argv.extend(args.into_iter().map(OsString::from));
        argv.extend([os("--quiet"), os("--json"), os("--data-dir"), npy_dir.into()]);
        Program { label: script.to_string(), argv, numpy: true }
    };
    let npy_dir = scratch.join("npy");
    let engines: &[&str] = if hw3_engines { &["direct", "gram"] } else { &["direct"] };

    let _ = writeln!(
        text,
        "\n### Time per iteration (ms) against m (training pictures tiled), median of {reps}\n"
    );
    let mut header = "| m |".to_string();
    let mut columns: Vec<String> = vec!["hw1 direct".into(), "hw1 gram".into()];
    if numpy.is_some() {
        columns.push("hw1 numpy".into());
    }
    for engine in engines {
        columns.push(format!("hw3 two-layer {engine}"));
    }
    if numpy.is_some() {
        columns.push("hw3 two-layer numpy".into());
    }
    for c in &columns {
        let _ = write!(header, " {c} |");
    }
    let _ = writeln!(text, "{header}\n|{}", "---|".repeat(columns.len() + 1));
    for tile in [1usize, 2, 4, 8] {
        let tiled = scratch.join(format!("tile-{tile}"));
        let m = export_cat(bin, &options.data_dir, &tiled, "h5", tile)?;
        print(&format!("scaling: m = {m} ..."));
        let mut row = format!("| {m} |");
        for engine in ["direct", "gram"] {
            let (short, long) = if engine == "gram" { (100, 1100) } else { (20, 120) };
            let t = per_iteration(reps, short, long, &|n| {
                ours(
                    "hw1-logreg",
                    &tiled,
                    vec!["--engine".into(), engine.into(), "--epochs".into(), n.to_string()],
                )
            })?;
            let _ = write!(row, " {} |", ms(t));
        }
        if let Some(np) = numpy {
            let t = per_iteration(reps, 10, 60, &|n| {
                numpy_program(
                    np,
                    "hw1_logreg.py",
                    &npy_dir,
                    vec!["--epochs".into(), n.to_string(), "--tile".into(), tile.to_string()],
                )
            })?;
            let _ = write!(row, " {} |", ms(t));
        }
        for engine in engines {
            let (short, long) = if *engine == "gram" { (100, 600) } else { (10, 60) };
            let t = per_iteration(reps, short, long, &|n| {
                let mut args = vec![
                    "--preset".into(),
                    "course".into(),
                    "--model".into(),
                    "two-layer".into(),
                    "--iterations".into(),
                    n.to_string(),
                ];
                if hw3_engines {
                    args.extend(["--engine".into(), engine.to_string()]);
                }
                ours("hw3-deep", &tiled, args)
            })?;
            let _ = write!(row, " {} |", ms(t));
        }
        if let Some(np) = numpy {
            let t = per_iteration(reps, 5, 30, &|n| {
                numpy_program(
                    np,
                    "hw3_deep.py",
                    &npy_dir,
                    vec![
                        "--model".into(),
                        "two-layer".into(),
                        "--iterations".into(),
                        n.to_string(),
                        "--tile".into(),
                        tile.to_string(),
                    ],
                )
            })?;
            let _ = write!(row, " {} |", ms(t));
        }
        let _ = writeln!(text, "{row}");
    }

    let _ = writeln!(
        text,
        "\n### Time per iteration (ms) against the first layer's width n1 (two-layer [12288, n1, 1], m = 209), median of {reps}\n"
    );
    let mut header = "| n1 |".to_string();
    let mut columns: Vec<String> = engines.iter().map(|e| format!("ours {e}")).collect();
    if numpy.is_some() {
        columns.push("numpy".into());
    }
    for c in &columns {
        let _ = write!(header, " {c} |");
    }
    let _ = writeln!(text, "{header}\n|{}", "---|".repeat(columns.len() + 1));
    for width in [7usize, 20, 50, 100] {
        print(&format!("scaling: n1 = {width} ..."));
        let mut row = format!("| {width} |");
        for engine in engines {
            let (short, long) = if *engine == "gram" { (100, 600) } else { (10, 60) };
            let t = per_iteration(reps, short, long, &|n| {
                let mut args = vec![
                    "--preset".into(),
                    "course".into(),
                    "--model".into(),
                    "two-layer".into(),
                    "--layers".into(),
                    format!("12288,{width},1"),
                    "--iterations".into(),
                    n.to_string(),
                ];
                if hw3_engines {
                    args.extend(["--engine".into(), engine.to_string()]);
                }
                ours("hw3-deep", &options.data_dir, args)
            })?;
            let _ = write!(row, " {} |", ms(t));
        }
        if let Some(np) = numpy {
            let t = per_iteration(reps, 5, 30, &|n| {
                numpy_program(
                    np,
                    "hw3_deep.py",
                    &npy_dir,
                    vec![
                        "--model".into(),
                        "two-layer".into(),
                        "--hidden".into(),
                        width.to_string(),
                        "--iterations".into(),
                        n.to_string(),
                    ],
                )
            })?;
            let _ = write!(row, " {} |", ms(t));
        }
        let _ = writeln!(text, "{row}");
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn measures_a_child_that_prints_json() {
        let mut command = Command::new("sh");
        command
            .args(["-c", "echo '{\"costs\": [[0, 0.7], [100, 0.5]], \"train_accuracy\": 99.5}'"]);
        let measured = measure(&mut command).unwrap();
        assert_eq!(measured.report["train_accuracy"], json!(99.5));
        assert!(measured.peak_rss > 0);
        assert_eq!(summary(&measured.report), "last cost 0.500000, train accuracy 99.5000 %");
    }

    #[test]
    fn a_failing_child_is_an_error_with_its_stderr() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo 'no data here' >&2; exit 3"]);
        let err = measure(&mut command).unwrap_err().to_string();
        assert!(err.contains("status 3") && err.contains("no data here"), "{err}");
        let mut silent = Command::new("sh");
        silent.args(["-c", "echo not json"]);
        let err = format!("{:#}", measure(&mut silent).unwrap_err());
        assert!(err.contains("did not print one JSON object"), "{err}");
    }

    #[test]
    fn peak_rss_is_the_childs_own() {
        // A child that fills 64 MB (every page touched), then one that touches almost nothing:
        // the second one's peak must not be the first one's (getrusage(RUSAGE_CHILDREN) would
        // report 64 MB).
        let mut big = Command::new("python3");
        big.args(["-c", "b = b'x' * (64 * 1024 * 1024); print('{\"costs\": []}')"]);
        let Ok(big_run) = measure(&mut big) else {
            // No python3 here: the shell alone must still report a small, positive peak.
            let mut small = Command::new("sh");
            small.args(["-c", "echo '{}'"]);
            let small_run = measure(&mut small).unwrap();
            assert!(small_run.peak_rss > 0 && small_run.peak_rss < 64 << 20);
            return;
        };
        assert!(big_run.peak_rss >= 64 << 20, "{}", big_run.peak_rss);
        let mut small = Command::new("sh");
        small.args(["-c", "echo '{}'"]);
        let small_run = measure(&mut small).unwrap();
        assert!(small_run.peak_rss < 32 << 20, "{}", small_run.peak_rss);
    }

    #[test]
    fn numpy_runs_drop_the_openblas_tuning_variables() {
        let program = |numpy| Program { label: "p".into(), argv: vec![os("true")], numpy };
        // get_envs() lists a removed variable with the value None.
        let removed: Vec<OsString> = program(true)
            .command()
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(key, _)| key.to_owned())
            .collect();
        assert_eq!(removed, OPENBLAS_TUNING_VARS.map(OsString::from));
        assert_eq!(program(false).command().get_envs().count(), 0);
    }

    #[test]
    fn our_runs_draw_no_figures_and_generated_data_gets_no_data_dir() {
        let data = Path::new("/data");
        let groups = course_groups(Path::new("/bin"), data, None, true);
        let programs: Vec<&Program> =
            groups.iter().flat_map(|g| g.ours.iter().map(|(_, p, _)| p)).collect();
        // hw1 x2, hw2, hw4, hw5 x3 (none, l2, dropout), hw3 two-layer and deep x2, hw7 x7.
        assert_eq!(programs.len(), 11 + 7);
        for program in programs {
            let argv: Vec<&str> = program.argv.iter().filter_map(|a| a.to_str()).collect();
            assert_eq!(argv.iter().filter(|a| **a == "--no-plots").count(), 1, "{argv:?}");
            assert!(!argv.contains(&"--out"), "{argv:?}");
            let reads_data = !GENERATED_DATA.iter().any(|b| argv[0].ends_with(b));
            assert_eq!(argv.contains(&"--data-dir"), reads_data, "{argv:?}");
        }
        let argv = our_argv(os("hw3-deep"), [os("--iterations"), os("5")], Some(data));
        assert_eq!(
            argv,
            [
                "hw3-deep",
                "--iterations",
                "5",
                "--quiet",
                "--json",
                "--no-plots",
                "--data-dir",
                "/data"
            ]
            .map(OsString::from)
        );
    }

    #[test]
    fn summary_reads_every_reports_shape() {
        let ours = json!({"costs": [[0, 0.69], [9000, 0.2185]], "train_accuracy": 90.75});
        assert_eq!(summary(&ours), "last cost 0.218500, train accuracy 90.7500 %");
        let numpy_hw2 = json!({"costs": [0.69, 0.2185], "accuracy": 90.75});
        assert_eq!(summary(&numpy_hw2), "last cost 0.218500, train accuracy 90.7500 %");
        assert_eq!(summary(&json!({})), "no cost/accuracy in the output");
    }
}
