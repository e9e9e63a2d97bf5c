//! The two ways this assignment is run: the study notes' settings (the default) and the official
//! notebook's `nn_model(X, Y, n_h = 4, num_iterations = 10000, print_cost=True)` with learning
//! rate 1.2 (section 4.4, "Integrate parts 4.1, 4.2 and 4.3 in nn_model()").

use linalg_nn::NnError;
use linalg_nn::activations::Activation;
use linalg_nn::train::Preset;

/// The notebook's hard-coded hidden layer size (`layer_sizes`: "n_h = 4").
pub const DEFAULT_HIDDEN_UNITS: usize = 4;

/// The seed of the study-notes preset; it is the notebook's `np.random.seed(2)` of
/// `initialize_parameters`, so both presets start from the same `W1`.
pub const DEFAULT_SEED: u32 = 2;

/// Iterations per network in the notebook's hidden-layer-size sweep (section 6, "Tuning hidden
/// layer size": `nn_model(X, Y, n_h, num_iterations = 5000)`).
pub const COURSE_SWEEP_ITERATIONS: usize = 5000;

/// The hidden layer sizes the notebook's sweep tries.
pub const COURSE_SWEEP_SIZES: [usize; 7] = [1, 2, 3, 4, 5, 20, 50];

/// How `W1` and `W2` are drawn: `np.random.seed(seed)`, then `W1 = randn(n_h, n_x) * w1_scale`,
/// then `W2 = randn(n_y, n_h) * w2_scale`, from the same generator; biases are zeros.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Initialization {
    /// The seed given to the numpy-compatible generator right before drawing `W1`.
    pub seed: u32,
    /// Scale of `W1` (0.01 in both presets: small weights keep tanh away from saturation).
    pub w1_scale: f64,
    /// Scale of `W2` (0.01 in the notebook, 1 in the study notes).
    pub w2_scale: f64,
}

impl Initialization {
    /// The notebook's `initialize_parameters`: `np.random.seed(2)`, both weights `randn * 0.01`.
    /// (`nn_model` first calls `np.random.seed(3)`, but the re-seeding inside
    /// `initialize_parameters` makes that call irrelevant.)
    pub const COURSE: Initialization = Initialization { seed: 2, w1_scale: 0.01, w2_scale: 0.01 };

    /// The study notes' variant: `W1 = randn * 0.01`, `W2 = randn` (not scaled).
    pub const NOTES: Initialization =
        Initialization { seed: DEFAULT_SEED, w1_scale: 0.01, w2_scale: 1.0 };
}

/// Everything `nn_model` needs besides the data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelConfig {
    /// `n_h`, the number of hidden units.
    pub hidden_units: usize,
    /// Gradient-descent iterations.
    pub num_iterations: usize,
    /// The step size `alpha` of `W := W - alpha dW`.
    pub learning_rate: f64,
    /// The hidden layer's activation `g[1]` (the output layer is always sigmoid).
    pub activation: Activation,
    /// How the weights start.
    pub init: Initialization,
    /// The cost is recorded (and printed) every `cost_every` iterations, from iteration 0.
    pub cost_every: usize,
    /// Also keep the cost of every iteration ([`crate::TrainedModel::cost_history`], the cost
    /// curve's points). Without it the cost is worked out only every `cost_every` iterations
    /// and whenever it could be infinite (a probability of exactly 0 or 1, or NaN, or a label
    /// outside `[-1, 1]`: [`linalg_nn::cost::labels_keep_cost_finite`]), so a
    /// divergence still stops training at the same iteration; the 400 logarithms of the
    /// other iterations are skipped (`hw2-planar --no-plots`, which draws no cost curve).
    pub every_cost: bool,
}

impl ModelConfig {
    /// Checks every field, so a bad flag fails before any training starts.
    ///
    /// ```
    /// use hw2_planar::{ModelConfig, Preset};
    /// let mut config = ModelConfig::preset(Preset::Course);
    /// assert!(config.validate().is_ok());
    /// config.hidden_units = 0;
    /// assert!(config.validate().unwrap_err().to_string().contains("hidden units"));
    /// ```
    pub fn validate(&self) -> Result<(), NnError> {
        linalg_nn::train::validate_hyperparameters(self.num_iterations, self.learning_rate)?;
        if self.hidden_units == 0 {
            return Err(NnError::invalid(
                "number of hidden units (n_h)",
                "must be at least 1, got 0: a hidden layer without units cannot pass anything on",
            ));
        }
        if self.cost_every == 0 {
            return Err(NnError::invalid("cost recording interval", "must be at least 1, got 0"));
        }
        for (name, scale) in [("W1", self.init.w1_scale), ("W2", self.init.w2_scale)] {
            if !scale.is_finite() {
                return Err(NnError::invalid(
                    format!("{name} initial scale"),
                    format!("must be a finite number, got {scale}"),
                ));
            }
        }
        Ok(())
    }

    /// The settings of `preset` for this assignment:
    ///
    /// - [`Preset::Notes`], the study notes: 2000 iterations at learning rate 0.5, `n_h = 4`,
    ///   `W2` not scaled, cost every 100 iterations. About 88-90 % training accuracy.
    /// - [`Preset::Course`], the official notebook: 10000 iterations at learning rate 1.2,
    ///   `n_h = 4`, seed 2, both weights `randn * 0.01`, cost every 1000 iterations. 90.75 %
    ///   training accuracy.
    ///
    /// ```
    /// use hw2_planar::{ModelConfig, Preset};
    /// let course = ModelConfig::preset(Preset::Course);
    /// assert_eq!((course.num_iterations, course.learning_rate), (10000, 1.2));
    /// assert_eq!(course.init.seed, 2);
    /// assert_eq!(ModelConfig::preset(Preset::Notes).init.w2_scale, 1.0);
    /// ```
    pub fn preset(preset: Preset) -> ModelConfig {
        match preset {
            Preset::Notes => ModelConfig {
                hidden_units: DEFAULT_HIDDEN_UNITS,
                num_iterations: 2000,
                learning_rate: 0.5,
                activation: Activation::Tanh,
                init: Initialization::NOTES,
                cost_every: 100,
                every_cost: true,
            },
            Preset::Course => ModelConfig {
                hidden_units: DEFAULT_HIDDEN_UNITS,
                num_iterations: 10_000,
                learning_rate: 1.2,
                activation: Activation::Tanh,
                init: Initialization::COURSE,
                cost_every: 1000,
                every_cost: true,
            },
        }
    }
}

/// Iterations per network of the hidden-layer sweep under `preset`: the notebook's
/// [`COURSE_SWEEP_ITERATIONS`] for the course, the preset's own count for the study notes.
///
/// ```
/// use hw2_planar::{ModelConfig, Preset, sweep_iterations};
/// assert_eq!(sweep_iterations(Preset::Course), 5000);
/// assert_eq!(sweep_iterations(Preset::Notes), ModelConfig::preset(Preset::Notes).num_iterations);
/// ```
pub fn sweep_iterations(preset: Preset) -> usize {
    match preset {
        Preset::Notes => ModelConfig::preset(preset).num_iterations,
        Preset::Course => COURSE_SWEEP_ITERATIONS,
    }
}
