//! What every training loop of the course shares: the two sets of settings a run starts from
//! ([`Preset`]), validating the hyperparameters, watching the cost for divergence, and reporting
//! progress ("Cost after iteration i: c") without tying the model crates to a terminal.

use crate::error::{NnError, Result};
use std::fmt;
use std::str::FromStr;

/// Which settings a run starts from; each assignment crate says what they are for its models
/// (command-line flags then override single fields).
///
/// ```
/// use linalg_nn::train::Preset;
/// assert_eq!(Preset::default(), Preset::Notes);
/// assert_eq!("course".parse::<Preset>(), Ok(Preset::Course));
/// assert_eq!(" Study-Notes ".parse::<Preset>(), Ok(Preset::Notes));
/// assert_eq!(Preset::Course.to_string(), "course");
/// for preset in Preset::ALL {
///     assert_eq!(preset.name().parse::<Preset>(), Ok(preset));
/// }
/// assert_eq!(
///     "fast".parse::<Preset>().unwrap_err(),
///     "unknown preset 'fast': expected one of notes (the default), course"
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Preset {
    /// The study notes' settings (the default).
    #[default]
    Notes,
    /// The official notebook's settings.
    Course,
}

impl Preset {
    /// Both presets, the default first.
    pub const ALL: [Preset; 2] = [Preset::Notes, Preset::Course];

    /// The name used on the command line (`--preset notes`, `--preset course`) and in reports.
    pub fn name(self) -> &'static str {
        self.spellings()[0]
    }

    /// What `--preset` accepts for this preset (in lower case), its name first.
    fn spellings(self) -> &'static [&'static str] {
        match self {
            Preset::Notes => &["notes", "default", "study-notes"],
            Preset::Course => &["course", "notebook"],
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Preset {
    type Err = String;

    /// A preset's name, or an alias: `default` or `study-notes` for the notes, `notebook` for
    /// the course; case and surrounding spaces do not matter.
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Preset::ALL.into_iter().find(|p| p.spellings().contains(&wanted.as_str())).ok_or_else(
            || format!("unknown preset '{s}': expected one of notes (the default), course"),
        )
    }
}

/// One step of gradient descent as seen by an observer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Iteration {
    /// The iteration just finished, counting from 0 as the notebooks do.
    pub index: usize,
    /// How many iterations the run has in all.
    pub total: usize,
    /// The cost, on the iterations where it is recorded (every 100 in the notebooks).
    pub cost: Option<f64>,
}

/// Receives every iteration of a training loop (for progress bars and printed costs).
pub trait TrainObserver {
    /// Called once per iteration, after the parameter update.
    fn on_iteration(&mut self, iteration: &Iteration);
}

impl<F: FnMut(&Iteration)> TrainObserver for F {
    fn on_iteration(&mut self, iteration: &Iteration) {
        self(iteration)
    }
}

/// An observer that ignores everything (library calls and tests).
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl TrainObserver for Silent {
    fn on_iteration(&mut self, _: &Iteration) {}
}

/// Checks the two hyperparameters every assignment takes.
///
/// ```
/// use linalg_nn::train::validate_hyperparameters;
/// assert!(validate_hyperparameters(2000, 0.005).is_ok());
/// assert!(validate_hyperparameters(0, 0.005).is_err());
/// assert!(validate_hyperparameters(10, f64::NAN).is_err());
/// assert!(validate_hyperparameters(10, -0.1).is_err());
/// ```
pub fn validate_hyperparameters(num_iterations: usize, learning_rate: f64) -> Result<()> {
    if num_iterations == 0 {
        return Err(NnError::invalid("number of iterations", "must be at least 1, got 0"));
    }
    if !(learning_rate.is_finite() && learning_rate > 0.0) {
        return Err(NnError::invalid(
            "learning rate",
            format!("must be a positive finite number, got {learning_rate}"),
        ));
    }
    Ok(())
}

/// Checks what a binary classifier's `model(X, Y, ...)` is given: the hyperparameters
/// ([`validate_hyperparameters`]), at least one example, one label per column of `X`, and no
/// NaN or infinity in either. Returns the number of examples `m`.
///
/// ```
/// use linalg_nn::DMatrix;
/// use linalg_nn::train::validate_training_set;
/// let x = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let y = DMatrix::from_row_slice(1, 3, &[0.0, 1.0, 1.0]);
/// assert_eq!(validate_training_set(&x, &y, 10, 0.1).unwrap(), 3);
/// let short = DMatrix::from_row_slice(1, 2, &[0.0, 1.0]);
/// assert!(validate_training_set(&x, &short, 10, 0.1).unwrap_err().to_string().contains("Y"));
/// ```
pub fn validate_training_set(
    x: &nalgebra::DMatrix<f64>,
    y: &nalgebra::DMatrix<f64>,
    num_iterations: usize,
    learning_rate: f64,
) -> Result<usize> {
    validate_hyperparameters(num_iterations, learning_rate)?;
    let m = x.ncols();
    if m == 0 {
        return Err(NnError::invalid("X", "training needs at least one example"));
    }
    crate::matrix::ensure_shape(y, (1, m), "Y (one label per column of X)")?;
    crate::matrix::ensure_finite(x, "X")?;
    crate::matrix::ensure_finite(y, "Y")?;
    Ok(m)
}

/// Stops a run whose cost is no longer finite, with a message that suggests a smaller rate.
///
/// ```
/// use linalg_nn::train::check_cost;
/// assert!(check_cost(5, 0.69, 0.5).is_ok());
/// let err = check_cost(7, f64::NAN, 50.0).unwrap_err();
/// assert!(err.to_string().contains("diverged at iteration 7"));
/// assert!(err.to_string().contains("smaller --learning-rate"));
/// ```
pub fn check_cost(iteration: usize, cost: f64, learning_rate: f64) -> Result<()> {
    if cost.is_finite() {
        Ok(())
    } else {
        Err(NnError::Diverged { iteration, cost, learning_rate })
    }
}

/// Whether a matrix of parameters is still all finite (a divergence check that costs no cost
/// evaluation; used on the last iteration, whose cost may not be recorded).
pub fn all_finite(m: &nalgebra::DMatrix<f64>) -> bool {
    // Within a block there is no early exit, so the check compiles to vector instructions;
    // between blocks there is, so a bad value does not cost a scan of the whole matrix.
    m.as_slice().chunks(4096).all(|block| block.iter().fold(true, |ok, v| ok & v.is_finite()))
}
