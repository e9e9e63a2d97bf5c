//! The notebook's pictures: the football positions (`load_2D_dataset`'s `plt.scatter`), a run's
//! cost curve (`plt.plot(costs)`, kept every [`crate::COST_EVERY`] iterations) and its decision
//! boundary (`plot_decision_boundary(lambda x: predict_dec(parameters, x.T), train_X, train_Y)`
//! of `reg_utils.py`), drawn by [`linalg_nn::plot::three_layer`], which the initialisation
//! notebook shares. Every function takes the output path (`.png` or `.svg`) and writes the
//! file atomically.

pub use linalg_nn::plot::three_layer::{
    FigureError, GRID_RESOLUTION, boundaries_side_by_side, cost_curves, dataset, decision_regions,
};
