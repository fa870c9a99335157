//! The evaluate stage: verdicts (one cell), and later the whole matrix, exposure and
//! diffs, all over the compiled data (never over the facade that holds it).

pub mod diff;
pub mod exposure;
pub mod kernel;
pub mod matrix;
pub mod needs;
pub mod point;
pub mod verdict;

pub use point::{Point, Roster};
pub use verdict::{EndpointView, Evaluator, Layer, NearMiss, PortRef, Query, Verdict};
