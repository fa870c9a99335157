//! The facade hosts and the CLI hold: a model, compiled once for a dataplane, answering
//! many questions. It only wires the stages together; each stage works on plain data.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::compile::mesh::Mesh;
use crate::compile::policy::CompiledPolicy;
use crate::compile::{compile, Compiled};
use crate::error::{Error, Result};
use crate::evaluate::matrix::{Matrix, MatrixOptions};
use crate::evaluate::needs::{Needs, Starved};
use crate::evaluate::{Point, Query, Roster, Verdict};
use crate::findings::Warning;
use crate::model::{Endpoint, Input, Invalid, Model};
use crate::source::Limits;

pub use crate::compile::dataplane::{Dataplane, DataplaneChoice};

/// How to load a cluster.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `None`: the dataplane the input shows ([`Dataplane::detect`]).
    pub dataplane: Option<Dataplane>,
    pub limits: Limits,
}

/// The model, compiled once, answering many questions.
pub struct Cluster {
    model: Model,
    compiled: Compiled,
    pub dataplane: Dataplane,
    /// The dataplane and why: given by the caller, or detected in the input.
    pub dataplane_choice: DataplaneChoice,
    warnings: Vec<Warning>,
    needs: OnceLock<Needs>,
    starved: OnceLock<BTreeMap<usize, Starved>>,
}

impl Cluster {
    pub fn load(inputs: &[Input], options: Options) -> Result<Cluster> {
        let model = Model::load(inputs, options.limits)?;
        Ok(Cluster::from_model(model, options.dataplane))
    }

    /// Compiles a model for a dataplane (`None`: the one the input shows).
    pub fn from_model(model: Model, dataplane: Option<Dataplane>) -> Cluster {
        let choice = DataplaneChoice::for_model(&model, dataplane);
        let compiled = compile(&model, choice.clone());
        let mut warnings = model.warnings.clone();
        warnings.extend(compiled.warnings.iter().cloned());
        Cluster {
            dataplane: choice.name,
            dataplane_choice: choice,
            model,
            compiled,
            warnings,
            needs: OnceLock::new(),
            starved: OnceLock::new(),
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    pub fn policies(&self) -> &[CompiledPolicy] {
        &self.compiled.policies
    }

    pub fn mesh(&self) -> Option<&dyn Mesh> {
        self.compiled.linkerd.as_ref().map(|l| l as &dyn Mesh)
    }

    /// Notes about the input: skipped kinds, assumptions, dataplane settings read.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    pub fn is_meshed(&self, e: &Endpoint) -> bool {
        self.mesh().is_some_and(|m| m.is_meshed(e.index))
    }

    /// The endpoint a `NAMESPACE/NAME` reference names: a Pod wins over a workload.
    pub fn find_endpoint(&self, ns: &str, name: &str) -> Option<&Endpoint> {
        self.model.find_endpoint(ns, name)
    }

    /// Objects the API server (or Cilium's schema) would reject, and Cilium policies the
    /// agent refuses: each a located error.
    pub fn invalid_objects(&self) -> impl Iterator<Item = &Invalid> {
        self.model
            .invalid
            .iter()
            .chain(self.compiled.invalid.iter())
            .chain(self.compiled.refused.iter())
    }

    pub fn errors(&self) -> Vec<Error> {
        self.invalid_objects().map(|i| i.error.clone()).collect()
    }

    /// The mesh's needed flows, judged once.
    pub fn needs(&self) -> &Needs {
        self.needs
            .get_or_init(|| Needs::judge(&self.model, &self.compiled))
    }

    /// Meshed classes whose proxies cannot reach their control plane.
    pub fn starved(&self) -> &BTreeMap<usize, Starved> {
        self.starved.get_or_init(|| self.needs().starved())
    }

    /// The point-verdict evaluator over this cluster's data.
    pub fn point(&self) -> Point<'_> {
        Point {
            model: &self.model,
            compiled: &self.compiled,
            starved: self.starved(),
        }
    }

    /// Answers one question.
    pub fn verdict(&self, q: &Query) -> Result<Verdict> {
        self.point().verdict(q)
    }

    /// Every allowed source → destination at once (see [`Matrix`]).
    pub fn matrix(&self, options: &MatrixOptions) -> Result<Matrix<'_>> {
        Matrix::compute(&self.model, &self.compiled, options)
    }

    /// Only the decision of [`Cluster::verdict`], without reasons: the same judgement,
    /// cheaper, for bulk questions.
    pub fn allowed(&self, q: &Query) -> Result<bool> {
        Point {
            model: &self.model,
            compiled: &self.compiled,
            starved: &EMPTY,
        }
        .allowed(q)
    }

    /// `refs` resolved once, for decisions asked by index: `roster.allowed(i, j, port,
    /// protocol)` is `allowed` of the question `refs[i] → refs[j]`, without reading a
    /// reference again (see [`Roster`]).
    pub fn roster<'r, S: AsRef<str>>(&'r self, refs: &'r [S]) -> Roster<'r> {
        Roster::new(
            Point {
                model: &self.model,
                compiled: &self.compiled,
                starved: &EMPTY,
            },
            refs,
        )
    }
}

/// Decisions never read the starved proxies (they only add warnings to full verdicts).
static EMPTY: BTreeMap<usize, Starved> = BTreeMap::new();
