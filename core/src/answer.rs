//! The envelope every host returns: a `type`-tagged success or failure, with warnings.
//! The CLI's `-o json`, the bindings and every host share it.

use serde::Serialize;

use crate::error::Error;
use crate::findings::Warning;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Answer<T> {
    Success {
        result: T,
        warnings: Vec<Warning>,
    },
    Failure {
        error: Error,
        warnings: Vec<Warning>,
    },
}

impl<T> Answer<T> {
    pub fn from_result(r: Result<T, Error>, warnings: Vec<Warning>) -> Self {
        match r {
            Ok(result) => Answer::Success { result, warnings },
            Err(error) => Answer::Failure { error, warnings },
        }
    }
}
