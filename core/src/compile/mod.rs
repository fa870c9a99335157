//! The compile stage: the model in, plain data out. Each compiler (NetworkPolicy,
//! Cilium, the mesh) reads the model for one dataplane and returns compiled policies,
//! warnings and the objects it found invalid; then every selector becomes a set of
//! identity classes. Evaluation reads only what this stage returns.

pub mod bitset;
pub mod cilium;
pub mod classes;
pub mod dataplane;
pub mod labels;
pub mod mesh;
pub mod netpol;
pub mod party;
pub mod policy;

use crate::error::Error;
use crate::findings::Warning;
use crate::model::{Ctx, Invalid, Model};

use bitset::Bitset;
use classes::Classes;
use dataplane::{Dataplane, DataplaneChoice, Settings};
use mesh::linkerd::Linkerd;
use policy::CompiledPolicy;

/// A model compiled for one dataplane.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub choice: DataplaneChoice,
    pub settings: Settings,
    /// Every policy of the input that exists (enforced by this dataplane or not).
    pub policies: Vec<CompiledPolicy>,
    /// Policy objects the API server would reject: verdicts that read them are refused.
    pub invalid: Vec<Invalid>,
    /// Objects the API server stores but Cilium's agent refuses: not enforced.
    pub refused: Vec<Invalid>,
    pub warnings: Vec<Warning>,
    pub classes: Classes,
    /// Class sets; `policies` refer to them by index (`SetId`).
    pub sets: Vec<Bitset>,
    /// Per class, the policies (indices) that select it and that this dataplane enforces.
    pub selecting: Vec<Vec<usize>>,
    /// Per class, the policies that would select it but that this dataplane ignores.
    pub unenforced: Vec<Vec<usize>>,
    pub linkerd: Option<Linkerd>,
}

impl Compiled {
    pub fn set(&self, id: policy::SetId) -> Option<&Bitset> {
        self.sets.get(id)
    }

    pub fn dataplane(&self) -> Dataplane {
        self.choice.name
    }
}

/// Compiles a model for a dataplane.
pub fn compile(model: &Model, choice: DataplaneChoice) -> Compiled {
    let settings = Settings::read(model, choice.name);
    let mut out = Compiled {
        choice,
        warnings: settings.warnings.clone(),
        settings,
        policies: Vec::new(),
        invalid: Vec::new(),
        refused: Vec::new(),
        classes: Classes::default(),
        sets: Vec::new(),
        selecting: Vec::new(),
        unenforced: Vec::new(),
        linkerd: None,
    };
    // Without `policy-default-local-cluster` no cluster is added to peers ("" is Cilium's
    // PolicyAnyCluster).
    let cluster = if out.settings.policy_default_local_cluster {
        out.settings.cluster_name.as_str()
    } else {
        ""
    };
    let translation = match out.settings.dataplane {
        Dataplane::Cilium => netpol::Translation::Cilium { cluster },
        _ => netpol::Translation::Labels,
    };
    let mut netpols = Vec::with_capacity(model.netpols.len());
    let mut invalid = Vec::new();
    for obj in &model.netpols {
        let ctx = Ctx {
            text: model.text(&obj.origin.source).unwrap_or_default(),
            origin: obj.origin.clone(),
            kind: "NetworkPolicy".into(),
            namespace: Some(obj.namespace.clone()),
            name: obj.name.clone(),
            start: model.object_start(&obj.origin),
        };
        match netpol::compile(&ctx, obj, translation) {
            Ok(p) => netpols.push(p),
            Err(error) => invalid.push(invalid_entry(obj, error)),
        }
    }
    out.policies = netpols;
    out.invalid = invalid;
    let settings = out.settings.clone();
    cilium::compile(model, &settings, &mut out);
    out.linkerd = Linkerd::detect(model);
    let (classes, sets) = classes::build(
        model,
        &out.settings,
        &mut out.policies,
        out.linkerd.as_ref(),
    );
    let mut selecting = vec![Vec::new(); classes.len()];
    let mut unenforced = vec![Vec::new(); classes.len()];
    for (i, p) in out.policies.iter().enumerate() {
        let target = if out.settings.enforces(p.policy.kind) {
            &mut selecting
        } else {
            &mut unenforced
        };
        if let Some(set) = sets.get(p.subject_set) {
            for c in set.ones() {
                if let Some(list) = target.get_mut(c) {
                    list.push(i);
                }
            }
        }
    }
    out.classes = classes;
    out.sets = sets;
    out.selecting = selecting;
    out.unenforced = unenforced;
    out
}

fn invalid_entry(obj: &crate::model::NetPolObject, error: Error) -> Invalid {
    Invalid {
        kind: "NetworkPolicy".into(),
        namespace: Some(obj.namespace.clone()),
        name: obj.name.clone(),
        error,
    }
}
