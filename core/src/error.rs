//! Errors as data: every host shows the same code, message, help and location.

use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes. Hosts and case files name these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The text is not YAML or JSON.
    ParseError,
    /// Alias expansion, nesting depth or object count went past a limit.
    LimitExceeded,
    /// A field the engine reads has the wrong type or shape.
    InvalidField,
    /// An object the API server (or Cilium's CRD schema) would reject.
    InvalidPolicy,
    /// A question names an endpoint that the input does not hold.
    UnknownEndpoint,
    /// A question is malformed (endpoint syntax, port, protocol, dataplane).
    InvalidRequest,
    /// A conformance case file is malformed.
    InvalidCase,
    /// A bug in meshverdict: reported, never a crash across a host boundary.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ParseError => "parse-error",
            ErrorCode::LimitExceeded => "limit-exceeded",
            ErrorCode::InvalidField => "invalid-field",
            ErrorCode::InvalidPolicy => "invalid-policy",
            ErrorCode::UnknownEndpoint => "unknown-endpoint",
            ErrorCode::InvalidRequest => "invalid-request",
            ErrorCode::InvalidCase => "invalid-case",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the user's input something is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The file (or `-` for stdin, or the name a host gave the text).
    pub source: String,
    /// 1-based index of the document in its stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<usize>,
    /// Field path inside the document, e.g. `spec.ingress[0].from[1].ipBlock.cidr`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line, for YAML and JSON text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// 0-based byte offset in the source, where a line alone cannot say it (bad UTF-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<usize>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(doc) = self.document {
            write!(f, " (document {doc}")?;
            if let Some(path) = &self.path {
                write!(f, ", {path}")?;
            }
            write!(f, ")")?;
        } else if let Some(path) = &self.path {
            write!(f, " ({path})")?;
        }
        Ok(())
    }
}

/// The one error type of the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(rename = "ErrorInfo")
)]
#[serde(rename_all = "camelCase")]
#[error("{}{message}", location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default())]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Boxed: errors travel in every `Result`, locations rarely.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Box<Location>>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            help: None,
            location: None,
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(Box::new(location));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn request(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidRequest, message)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
