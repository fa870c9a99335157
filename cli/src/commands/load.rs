//! Reading and loading a cluster, with progress: the first half of `check` and `diagnose`.

use meshverdict::{Cluster, Dataplane, Error, Options};

use crate::args::InputArgs;
use crate::envelope;
use crate::exit::Exit;
use crate::inputs::{self, Inputs};
use crate::progress::{Phase, Progress};
use crate::report::{print_error, print_warnings, Verbosity};

pub struct Loaded {
    pub inputs: Inputs,
    pub cluster: Cluster,
}

/// A load that failed, with what had been read (its texts locate the error in SARIF).
pub struct Failed {
    pub error: Error,
    pub inputs: Inputs,
}

impl Failed {
    /// Reports the failure as a command whose output is `json` (the failure envelope) or
    /// text (the skipped inputs' warnings, then the error on stderr) does.
    pub fn report(self, json: bool, verbosity: Verbosity) -> Exit {
        if json {
            outln!(
                "{}",
                envelope::pretty(&envelope::failure(self.error, &[], &self.inputs.skipped))
            );
        } else {
            print_warnings(&self.inputs.skipped, &[], verbosity);
            print_error(&self.error);
        }
        Exit::Error
    }
}

pub fn load(args: &InputArgs, progress: &dyn Progress) -> Result<Loaded, Failed> {
    let fail = |error| Failed {
        error,
        inputs: Inputs::default(),
    };
    let dataplane = Dataplane::parse_setting(args.dataplane.as_str()).map_err(fail)?;
    progress.phase(Phase::Reading);
    let inputs = inputs::read(args, progress).map_err(fail)?;
    progress.phase(Phase::Loading);
    let options = Options {
        dataplane,
        limits: args.limits(),
    };
    match Cluster::load(&inputs.as_core(), options) {
        Ok(cluster) => Ok(Loaded { inputs, cluster }),
        Err(error) => Err(Failed { error, inputs }),
    }
}
