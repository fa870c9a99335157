//! Manifest text → JSON documents, with the limits that keep hostile input bounded.
//!
//! YAML and JSON both go through one event-driven YAML parser: JSON is YAML, and a
//! single path gives the same line numbers and the same limits for both. Documents that
//! are one flow mapping on one line, in its plainest form, are read without it
//! ([`flow_events`]), into the same events. The tree is built here, iteratively, rather
//! than by the parser's recursive loader, so that a deeply nested input is an error that
//! names the limit instead of a stack overflow.
//! Lines are not recorded while loading (that would cost memory on every node of a
//! 50 MB input); [`locate`] re-reads one document to find the line of a field when an
//! error needs it.

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::error::{Error, ErrorCode, Location};

/// Limits on what one input may expand to. Size itself is no error. The defaults refuse
/// nothing the API server accepts (docs/reliability.md has the table and the sources).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of mappings and sequences. Default 10,000: the depth at which
    /// Kubernetes' JSON decoding stops (k8s.io/apimachinery/pkg/util/json `maxDepth`,
    /// as Go's encoding/json). Nodes deeper than [`KEPT_DEPTH`] are read but not kept.
    pub max_depth: usize,
    /// Units that anchors and aliases may copy, beyond as many as the text itself writes
    /// out: a unit is one node (a mapping, a sequence, a key or a scalar), plus one
    /// per [`UNIT_BYTES`] bytes of its text, so that aliasing a long string costs what it
    /// copies. Default 2,000,000: go-yaml (which kubectl and the API server decode YAML
    /// with) refuses a document whose alias-driven decodes pass `allowedAliasRatio`, so
    /// aliases drive at most about 1.2 million decodes of one document, and the copy kept
    /// of each anchor is at most the text itself.
    pub max_alias_nodes: usize,
    /// Objects in all inputs together: documents, and each item of a `kind: List`.
    /// Default 2,000,000: twice the million objects of the largest cluster Kubernetes
    /// supports (150,000 pods with their Services, EndpointSlices, workloads, policies).
    pub max_objects: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 10_000,
            max_alias_nodes: 2_000_000,
            max_objects: 2_000_000,
        }
    }
}

/// Nodes nested deeper than this are read (up to [`Limits::max_depth`]) but kept as
/// `null`. Nothing the engine reads lies deeper than about 15 levels (a CronJob's
/// container port name inside a `kind: List` is 12), and a shallow tree can be
/// deserialized, cloned and dropped by recursive code on a 1 MiB stack, as WASM has.
pub const KEPT_DEPTH: usize = 64;

/// Bytes of scalar text that count as one more unit of alias expansion.
pub const UNIT_BYTES: usize = 64;

/// One document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    /// 1-based index in its stream.
    pub index: usize,
    /// Line where the document starts.
    pub line: usize,
    pub value: Value,
    /// Where the document starts, for [`locate_from`].
    pub start: Start,
    /// Where each element of the document's top-level `items` sequence starts (a
    /// `kind: List`), for [`locate_item`]: recorded while parsing, so that finding the
    /// line of item N costs nothing (and an error in it one item's parse, not N's).
    pub items: Vec<Start>,
}

/// Where a document or a List item starts: its line, and the byte offset of the
/// beginning of that line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Start {
    pub line: usize,
    pub offset: usize,
}

/// Byte offsets of line starts, found by walking forward: events come in text order, so
/// the walk over the whole stream is linear.
struct Lines<'t> {
    text: &'t str,
    line: usize,
    offset: usize,
}

impl Lines<'_> {
    fn start(&mut self, line: usize) -> Start {
        if line < self.line {
            self.line = 1;
            self.offset = 0;
        }
        while self.line < line {
            match self
                .text
                .get(self.offset..)
                .and_then(|rest| rest.find('\n'))
            {
                Some(i) => {
                    self.offset += i + 1;
                    self.line += 1;
                }
                None => break,
            }
        }
        Start {
            line,
            offset: self.offset,
        }
    }
}

/// A position in the whole text (a part of a stream parsed alone has its lines shifted).
#[derive(Debug, Clone, Copy)]
struct Mark {
    line: usize,
    /// 0-based, as the parser's.
    col: usize,
}

impl Mark {
    fn shifted(m: Marker, lines: usize) -> Mark {
        Mark {
            line: m.line() + lines,
            col: m.col(),
        }
    }
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
    },
    Map {
        map: Map<String, Value>,
        key: Option<String>,
        anchor: usize,
    },
}

struct Builder<'a> {
    source: &'a str,
    limits: Limits,
    stack: Vec<Frame>,
    /// Levels of collections opened below [`KEPT_DEPTH`], read but not kept, and the
    /// anchor of the outermost one (its value is `null`).
    skipped: usize,
    skipped_anchor: usize,
    anchors: std::collections::HashMap<usize, Value>,
    /// Units copied by anchors and aliases, and units the text itself wrote.
    alias_nodes: usize,
    own_nodes: usize,
    /// Completed documents not yet handed on, and how many were handed on (for
    /// [`Limits::max_objects`]).
    docs: Vec<Document>,
    emitted: usize,
    /// The most that aliases had copied beyond the text (`alias_nodes - own_nodes`) at
    /// any check: what a part of a stream parsed alone needs to be checked against the
    /// parts before it.
    peak_excess: i128,
    doc_line: usize,
    doc_start: Start,
    lines: Lines<'a>,
    /// Starts of the current document's top-level `items`.
    items: Vec<Start>,
    /// Raw ordinal of the current YAML document, empty ones included.
    doc_ordinal: usize,
}

/// Units of a scalar's text (see [`Limits::max_alias_nodes`]).
fn text_units(s: &str) -> usize {
    1 + s.len() / UNIT_BYTES
}

/// The units of a value (nodes, keys, and their text) and its height (1 for a scalar).
fn measure(v: &Value) -> (usize, usize) {
    // Iterative on purpose, like every walk over input here.
    let (mut units, mut height) = (0usize, 0usize);
    let mut todo = vec![(v, 1usize)];
    while let Some((v, depth)) = todo.pop() {
        height = height.max(depth);
        units = units.saturating_add(match v {
            Value::String(s) => text_units(s),
            _ => 1,
        });
        match v {
            Value::Array(a) => todo.extend(a.iter().map(|x| (x, depth + 1))),
            Value::Object(m) => {
                for (k, x) in m {
                    units = units.saturating_add(text_units(k));
                    todo.push((x, depth + 1));
                }
            }
            _ => {}
        }
    }
    (units, height)
}

/// Replaces what lies more than `levels` below `v` by `null` (an alias copied deeper
/// than the anchor was must still respect [`KEPT_DEPTH`]).
fn prune(v: &mut Value, levels: usize) {
    let mut todo = vec![(v, 1usize)];
    while let Some((v, depth)) = todo.pop() {
        let children: Vec<&mut Value> = match v {
            Value::Array(a) => a.iter_mut().collect(),
            Value::Object(m) => m.values_mut().collect(),
            _ => continue,
        };
        for c in children {
            if depth >= levels {
                *c = Value::Null;
            } else {
                todo.push((c, depth + 1));
            }
        }
    }
}

impl<'a> Builder<'a> {
    fn err(&self, code: ErrorCode, message: String, mark: Mark) -> Error {
        Error::new(code, message).at(Location {
            source: self.source.to_string(),
            document: Some(self.doc_ordinal.max(1)),
            path: None,
            line: Some(mark.line),
            column: Some(mark.col + 1),
            offset: None,
        })
    }

    fn push_value(&mut self, v: Value, mark: Mark) -> Result<(), Error> {
        match self.stack.last_mut() {
            None => {
                if self.emitted + self.docs.len() >= self.limits.max_objects {
                    return Err(self.err(
                        ErrorCode::LimitExceeded,
                        format!(
                            "more than {} documents (limit max_objects)",
                            self.limits.max_objects
                        ),
                        mark,
                    ));
                }
                let index = self.doc_ordinal.max(1);
                let items = std::mem::take(&mut self.items);
                self.docs.push(Document {
                    index,
                    line: self.doc_line,
                    value: v,
                    start: self.doc_start,
                    items,
                });
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(v);
                Ok(())
            }
            Some(Frame::Map { map, key, .. }) => {
                match key.take() {
                    None => {
                        *key = Some(match v {
                            Value::String(s) => s,
                            Value::Null => "null".to_string(),
                            Value::Bool(b) => b.to_string(),
                            Value::Number(n) => n.to_string(),
                            Value::Array(_) | Value::Object(_) => {
                                return Err(self.err(
                                    ErrorCode::ParseError,
                                    "a mapping key must be a scalar".to_string(),
                                    mark,
                                ))
                            }
                        });
                    }
                    Some(k) => {
                        map.insert(k, v);
                    }
                }
                Ok(())
            }
        }
    }

    /// Whether the next node is an element of the document's top-level `items` sequence.
    fn at_list_item(&self) -> bool {
        self.skipped == 0
            && matches!(
                self.stack.as_slice(),
                [Frame::Map { key: Some(k), .. }, Frame::Seq { .. }] if k == "items"
            )
    }

    /// Counts units copied by anchors and aliases against the budget: the limit plus what
    /// the text itself wrote.
    fn copied(&mut self, units: usize, mark: Mark) -> Result<(), Error> {
        self.alias_nodes = self.alias_nodes.saturating_add(units);
        self.peak_excess = self
            .peak_excess
            .max(self.alias_nodes as i128 - self.own_nodes as i128);
        if self.alias_nodes > self.limits.max_alias_nodes.saturating_add(self.own_nodes) {
            return Err(self.err(
                ErrorCode::LimitExceeded,
                format!(
                    "anchors and aliases copy more than {} nodes beyond the {} the text writes (limit max_alias_nodes)",
                    self.limits.max_alias_nodes, self.own_nodes
                ),
                mark,
            ));
        }
        Ok(())
    }

    fn finish(&mut self, v: Value, anchor: usize, mark: Mark) -> Result<(), Error> {
        if anchor != 0 {
            // The copy kept for later aliases counts too: it is what bounds a chain of
            // anchors over aliases (a billion laughs) before its last level is built.
            let (units, _) = measure(&v);
            self.copied(units, mark)?;
            self.anchors.insert(anchor, v.clone());
        }
        self.push_value(v, mark)
    }

    fn open(&mut self, frame: Frame, mark: Mark) -> Result<(), Error> {
        self.own_nodes = self.own_nodes.saturating_add(1);
        if self.stack.len() + self.skipped >= self.limits.max_depth {
            return Err(self.err(
                ErrorCode::LimitExceeded,
                format!(
                    "nesting deeper than {} levels (limit max_depth)",
                    self.limits.max_depth
                ),
                mark,
            ));
        }
        if self.stack.len() >= KEPT_DEPTH || self.skipped > 0 {
            let (Frame::Seq { anchor, .. } | Frame::Map { anchor, .. }) = frame;
            if self.skipped == 0 {
                self.skipped_anchor = anchor;
            } else if anchor != 0 {
                // An anchor inside what is not kept names `null`, so its aliases resolve.
                self.anchors.insert(anchor, Value::Null);
            }
            self.skipped += 1;
            return Ok(());
        }
        self.stack.push(frame);
        Ok(())
    }
}

/// Resolves a plain scalar the way Kubernetes' YAML decoder does for the types we read:
/// null, booleans, integers and floats; everything else is a string.
fn plain_scalar(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let bytes = s.as_bytes();
    let first = bytes.first().copied().unwrap_or(b' ');
    if first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.' {
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let radix = if let Some(h) = digits.strip_prefix("0x") {
            Some((h, 16))
        } else {
            digits.strip_prefix("0o").map(|o| (o, 8))
        };
        if let Some((body, radix)) = radix {
            if let Ok(n) = i64::from_str_radix(body, radix) {
                return Value::Number(Number::from(if neg { -n } else { n }));
            }
        }
        if digits.bytes().all(|b| b.is_ascii_digit()) && !digits.is_empty() {
            if let Ok(n) = s.trim_start_matches('+').parse::<i64>() {
                return Value::Number(Number::from(n));
            }
            if let Ok(n) = s.trim_start_matches('+').parse::<u64>() {
                return Value::Number(Number::from(n));
            }
        }
        let looks_float = digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
            && digits.bytes().any(|b| b.is_ascii_digit());
        if looks_float {
            if let Ok(f) = s.parse::<f64>() {
                if let Some(n) = Number::from_f64(f) {
                    return Value::Number(n);
                }
            }
        }
    }
    Value::String(s.to_string())
}

fn scalar(value: String, style: TScalarStyle, tag: Option<&yaml_rust2::parser::Tag>) -> Value {
    if let Some(tag) = tag {
        if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
            match tag.suffix.as_str() {
                "str" => return Value::String(value),
                "null" => return Value::Null,
                _ => {}
            }
        }
    }
    match style {
        TScalarStyle::Plain => plain_scalar(&value),
        _ => Value::String(value),
    }
}

/// Applies YAML merge keys (`<<: *base`, `<<: [*a, *b]`), which Kubernetes' YAML decoder
/// honours: the merged mappings' entries are added where the mapping has no such key;
/// with a list, earlier mappings win.
fn merge_keys(mut map: Map<String, Value>) -> Map<String, Value> {
    let Some(merged) = map.remove("<<") else {
        return map;
    };
    let sources = match merged {
        Value::Object(m) => vec![m],
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .collect(),
        other => {
            // Not a mapping: keep it as an ordinary key, as a decoder without merge would.
            map.insert("<<".into(), other);
            return map;
        }
    };
    for source in sources {
        for (k, v) in source {
            map.entry(k).or_insert(v);
        }
    }
    map
}

/// Text from the bytes of a file or stream. Manifests are UTF-8 (YAML 1.2 and JSON allow
/// nothing else for Kubernetes' decoders), so invalid UTF-8 is a `parse-error` located at
/// the first bad byte: its line, column and byte offset.
pub fn decode_utf8(source: &str, bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let good = e.as_bytes().get(..offset).unwrap_or_default();
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let bad = e.as_bytes().get(offset).copied().unwrap_or_default();
        Error::new(ErrorCode::ParseError, format!("invalid UTF-8: byte 0x{bad:02x} at byte offset {offset} (line {line}) is not UTF-8 text"))
            .with_help("Kubernetes manifests are UTF-8; re-encode the file (e.g. `iconv -t UTF-8`)")
            .at(Location { source: source.to_string(), document: None, path: None, line: Some(line), column: Some(offset - line_start + 1), offset: Some(offset) })
    })
}

/// Parses a multi-document YAML or JSON stream.
pub fn parse_stream(source: &str, text: &str, limits: Limits) -> Result<Vec<Document>, Error> {
    let mut docs = Vec::new();
    for_each_document(source, text, limits, |d| {
        docs.push(d);
        Ok(())
    })?;
    Ok(docs)
}

/// Parses a multi-document YAML or JSON stream and hands each document to `each` as soon
/// as it is complete, so that only one document's tree is held at a time (a 200 MB
/// stream's trees would take gigabytes). Stops at the first error, of the text or of
/// `each`, whichever comes first in the stream.
pub fn for_each_document(
    source: &str,
    text: &str,
    limits: Limits,
    each: impl FnMut(Document) -> Result<(), Error>,
) -> Result<(), Error> {
    build(source, text, limits, each).map(|_| ())
}

/// What a parse counted, to check a part of a stream parsed alone against the parts
/// before it.
// Only the parallel parse (not on wasm, which has no threads) reads it.
#[cfg_attr(target_family = "wasm", allow(dead_code))]
#[derive(Debug, Clone, Copy)]
struct Tally {
    /// Raw document ordinals (empty documents included) and documents pushed.
    ordinals: usize,
    emitted: usize,
    /// `alias_nodes - own_nodes` at the end, and its highest value at any check.
    excess: i128,
    peak_excess: i128,
}

fn build(
    source: &str,
    text: &str,
    limits: Limits,
    each: impl FnMut(Document) -> Result<(), Error>,
) -> Result<Tally, Error> {
    build_with(source, text, limits, true, each)
}

/// `flow`: documents that are one flow mapping on one line go through [`flow_events`]
/// (as `meshverdict generate` and other flow-style writers do: on such input the YAML
/// parser was most of a load); any other text goes to the YAML parser. On any error but the
/// reader's, the stream is parsed again by the YAML parser alone, so that errors and
/// limits are found exactly where it finds them.
fn build_with(
    source: &str,
    text: &str,
    limits: Limits,
    flow: bool,
    mut each: impl FnMut(Document) -> Result<(), Error>,
) -> Result<Tally, Error> {
    // `%TAG` applies to the documents after it: no document can be read apart.
    if !flow || text.starts_with('%') || text.contains("\n%") {
        return yaml_only(source, text, limits, &mut each);
    }
    let (mut delivered, mut reader_failed) = (0usize, false);
    let mut b = Builder::new(source, text, limits);
    let mut counted = |d| {
        let r = each(d);
        match r {
            Ok(()) => delivered += 1,
            Err(_) => reader_failed = true,
        }
        r
    };
    let mut took_flow = false;
    let read = flow_or_yaml(&mut b, text, &mut took_flow, &mut counted);
    match read {
        Ok(()) => Ok(b.tally()),
        // Without a flow document the YAML parser read the whole stream from its start,
        // which is what parsing it again would do: its error is the one.
        Err(e) if reader_failed || !took_flow => Err(e),
        Err(_) => {
            let mut skip = delivered;
            yaml_only(source, text, limits, &mut |d| {
                if skip > 0 {
                    skip -= 1;
                    return Ok(());
                }
                each(d)
            })
        }
    }
}

fn yaml_only(
    source: &str,
    text: &str,
    limits: Limits,
    each: &mut impl FnMut(Document) -> Result<(), Error>,
) -> Result<Tally, Error> {
    let mut b = Builder::new(source, text, limits);
    yaml_events(&mut b, text, 0, each)?;
    Ok(b.tally())
}

/// Whether a line starting at `at` is a document marker (`---` then a blank or the end).
fn document_marker(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    bytes.get(at..at + 3) == Some(b"---")
        && matches!(bytes.get(at + 3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// Reads the stream document by document: a `---` line, one flow mapping on the next
/// line, then the next marker or the end goes through [`flow_events`]; runs of anything
/// else go to the YAML parser, each run parsed as a stream of its own (a `---` line
/// always starts a document, see [`split_point`]).
fn flow_or_yaml<'t>(
    b: &mut Builder<'t>,
    text: &'t str,
    took_flow: &mut bool,
    each: &mut impl FnMut(Document) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut events = Vec::new();
    let mut open = Vec::new();
    // The start of the text not yet read, and its line; the line at `at`.
    let (mut pending, mut pending_line) = (0usize, 1usize);
    let (mut at, mut line) = (0usize, 1usize);
    while at < text.len() {
        let rest = text.get(at..).unwrap_or_default();
        let body = rest.strip_prefix("---\n").map(|r| {
            r.split_once('\n')
                .map_or((r, r.len()), |(body, _)| (body, body.len() + 1))
        });
        if let Some((body, len)) = body {
            let end = at + 4 + len;
            if (end >= text.len() || document_marker(text, end))
                && flow_events(body, &mut events, &mut open)
            {
                // From here the stream is read in runs, which the whole-stream parse checks.
                *took_flow = true;
                if pending < at {
                    yaml_events(
                        b,
                        text.get(pending..at).unwrap_or_default(),
                        pending_line - 1,
                        each,
                    )?;
                }
                b.document_start(line);
                // Only lines matter here: an error of a flow document (a limit) is found
                // again, with its column, by the YAML parser.
                let mark = Mark {
                    line: line + 1,
                    col: 0,
                };
                for event in events.drain(..) {
                    match event {
                        Flow::Map => {
                            b.node_start(mark.line);
                            b.open(
                                Frame::Map {
                                    map: Map::new(),
                                    key: None,
                                    anchor: 0,
                                },
                                mark,
                            )?;
                        }
                        Flow::Seq => {
                            b.node_start(mark.line);
                            b.open(
                                Frame::Seq {
                                    items: Vec::new(),
                                    anchor: 0,
                                },
                                mark,
                            )?;
                        }
                        Flow::End => b.close(mark)?,
                        Flow::Plain(s) => {
                            b.node_start(mark.line);
                            b.scalar(s.to_string(), TScalarStyle::Plain, 0, None, mark)?;
                        }
                        Flow::Quoted(s) => {
                            b.node_start(mark.line);
                            b.scalar(s.to_string(), TScalarStyle::DoubleQuoted, 0, None, mark)?;
                        }
                    }
                }
                b.deliver(each)?;
                at = end;
                line += 2;
                (pending, pending_line) = (at, line);
                continue;
            }
        }
        match rest.find('\n') {
            Some(i) => {
                at += i + 1;
                line += 1;
            }
            None => at = text.len(),
        }
    }
    if pending < text.len() {
        yaml_events(
            b,
            text.get(pending..).unwrap_or_default(),
            pending_line - 1,
            each,
        )?;
    }
    Ok(())
}

/// An event of a flow document read by [`flow_events`].
enum Flow<'t> {
    Map,
    Seq,
    End,
    Plain(&'t str),
    Quoted(&'t str),
}

/// Characters of the plain scalars [`flow_events`] reads: none is an indicator, a blank
/// or a character that could continue a scalar past them, so a run of them is one
/// scalar to any YAML parser.
fn plain_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'_' | b'-')
}

/// Implicit keys are at most 1024 characters in YAML; longer ones are the parser's to judge.
const FLOW_KEY_BYTES: usize = 512;

/// The parser counts flow levels in a `u8` and refuses more than 255 (a `max_depth`
/// error): deeper documents are the parser's to judge.
const FLOW_LEVELS: usize = 128;

/// The events of `body` when it is a flow mapping in the plainest form (what a JSON
/// encoder or a flow-style YAML writer produces): mappings, sequences, plain scalars of
/// [`plain_char`]s, double-quoted scalars of printable ASCII without escapes, `: ` after
/// each key, `,` between entries, spaces only around separators. Anything else, even
/// valid YAML, is `false`: the YAML parser reads it instead. What is read here is read
/// exactly as the parser reads it (the same events, scalar styles and strings).
fn flow_events<'t>(body: &'t str, events: &mut Vec<Flow<'t>>, open: &mut Vec<bool>) -> bool {
    enum Want {
        Node,
        NodeOrEnd,
        Key,
        KeyOrEnd,
        Separator,
    }
    events.clear();
    open.clear();
    let bytes = body.as_bytes();
    if bytes.first() != Some(&b'{') {
        return false;
    }
    let mut want = Want::Node;
    let mut i = 0usize;
    loop {
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        let Some(&c) = bytes.get(i) else { return false };
        match want {
            Want::Node | Want::NodeOrEnd | Want::Key | Want::KeyOrEnd => {
                let is_key = matches!(want, Want::Key | Want::KeyOrEnd);
                if matches!((c, &want), (b'}', Want::KeyOrEnd) | (b']', Want::NodeOrEnd)) {
                    open.pop();
                    events.push(Flow::End);
                    i += 1;
                    if open.is_empty() {
                        return i == bytes.len();
                    }
                    want = Want::Separator;
                    continue;
                }
                let start = i;
                match c {
                    b'{' | b'[' if !is_key => {
                        if open.len() >= FLOW_LEVELS {
                            return false;
                        }
                        open.push(c == b'{');
                        events.push(if c == b'{' { Flow::Map } else { Flow::Seq });
                        i += 1;
                        want = if c == b'{' {
                            Want::KeyOrEnd
                        } else {
                            Want::NodeOrEnd
                        };
                        continue;
                    }
                    b'"' => {
                        i += 1;
                        while let Some(&q) = bytes.get(i) {
                            if q == b'"' || q == b'\\' || !(b' '..=b'~').contains(&q) {
                                break;
                            }
                            i += 1;
                        }
                        if bytes.get(i) != Some(&b'"') {
                            return false;
                        }
                        let Some(s) = body.get(start + 1..i) else {
                            return false;
                        };
                        events.push(Flow::Quoted(s));
                        i += 1;
                    }
                    _ if plain_char(c) => {
                        // `-` starts a plain scalar only before a character of one.
                        if c == b'-' && !bytes.get(i + 1).copied().is_some_and(plain_char) {
                            return false;
                        }
                        while bytes.get(i).copied().is_some_and(plain_char) {
                            i += 1;
                        }
                        // A `:` that is no separator would continue the scalar.
                        if bytes.get(i) == Some(&b':') && bytes.get(i + 1) != Some(&b' ') {
                            return false;
                        }
                        let Some(s) = body.get(start..i) else {
                            return false;
                        };
                        events.push(Flow::Plain(s));
                    }
                    _ => return false,
                }
                if is_key {
                    if i - start > FLOW_KEY_BYTES || bytes.get(i..i + 2) != Some(b": ") {
                        return false;
                    }
                    i += 2;
                    want = Want::Node;
                } else {
                    want = Want::Separator;
                }
            }
            Want::Separator => {
                let in_map = open.last().copied().unwrap_or(false);
                match c {
                    b',' => {
                        i += 1;
                        want = if in_map { Want::Key } else { Want::Node };
                    }
                    b'}' | b']' if (c == b'}') == in_map => {
                        open.pop();
                        events.push(Flow::End);
                        i += 1;
                        if open.is_empty() {
                            return i == bytes.len();
                        }
                    }
                    _ => return false,
                }
            }
        }
    }
}

/// Feeds the YAML parser's events for `text`, a part of the stream starting `lines`
/// lines into it, to the builder.
fn yaml_events(
    b: &mut Builder,
    text: &str,
    lines: usize,
    each: &mut impl FnMut(Document) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut parser = Parser::new_from_str(text).keep_tags(true);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            let m = Mark::shifted(*e.marker(), lines);
            // The scanner has its own bound on flow nesting; it is the same limit.
            if e.info().contains("recursion limit") {
                b.err(
                    ErrorCode::LimitExceeded,
                    format!("nesting too deep ({}; limit max_depth)", e.info()),
                    m,
                )
            } else {
                b.err(
                    ErrorCode::ParseError,
                    format!("YAML syntax: {}", e.info()),
                    m,
                )
            }
        })?;
        let mark = Mark::shifted(mark, lines);
        if matches!(
            event,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(_)
        ) {
            b.node_start(mark.line);
        }
        match event {
            Event::StreamEnd => return Ok(()),
            Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
            Event::DocumentStart => b.document_start(mark.line),
            Event::Alias(id) => b.alias(id, mark)?,
            Event::Scalar(value, style, anchor, tag) => {
                b.scalar(value, style, anchor, tag.as_ref(), mark)?
            }
            Event::SequenceStart(anchor, _) => b.open(
                Frame::Seq {
                    items: Vec::new(),
                    anchor,
                },
                mark,
            )?,
            Event::MappingStart(anchor, _) => b.open(
                Frame::Map {
                    map: Map::new(),
                    key: None,
                    anchor,
                },
                mark,
            )?,
            Event::SequenceEnd | Event::MappingEnd => b.close(mark)?,
        }
        b.deliver(each)?;
    }
}

impl<'a> Builder<'a> {
    fn new(source: &'a str, text: &'a str, limits: Limits) -> Builder<'a> {
        Builder {
            source,
            limits,
            stack: Vec::new(),
            skipped: 0,
            skipped_anchor: 0,
            anchors: std::collections::HashMap::new(),
            alias_nodes: 0,
            own_nodes: 0,
            docs: Vec::new(),
            emitted: 0,
            peak_excess: i128::MIN,
            doc_line: 1,
            doc_start: Start { line: 1, offset: 0 },
            lines: Lines {
                text,
                line: 1,
                offset: 0,
            },
            items: Vec::new(),
            doc_ordinal: 0,
        }
    }

    fn tally(&self) -> Tally {
        Tally {
            ordinals: self.doc_ordinal,
            emitted: self.emitted,
            excess: self.alias_nodes as i128 - self.own_nodes as i128,
            peak_excess: self.peak_excess,
        }
    }

    /// Before each node: records where an item of a `kind: List` starts.
    fn node_start(&mut self, line: usize) {
        if self.at_list_item() {
            let start = self.lines.start(line);
            self.items.push(start);
        }
    }

    fn document_start(&mut self, line: usize) {
        self.doc_line = line;
        self.doc_start = self.lines.start(line);
        self.items.clear();
        self.doc_ordinal += 1;
        self.anchors.clear();
    }

    fn alias(&mut self, id: usize, mark: Mark) -> Result<(), Error> {
        let Some((units, height)) = self.anchors.get(&id).map(measure) else {
            return Err(self.err(
                ErrorCode::ParseError,
                "alias to an unknown anchor".to_string(),
                mark,
            ));
        };
        if self.skipped > 0 {
            return Ok(());
        }
        // Measured before it is copied, so a budget-breaking alias copies nothing.
        self.copied(units, mark)?;
        let mut v = self.anchors.get(&id).cloned().unwrap_or_default();
        let room = KEPT_DEPTH.saturating_sub(self.stack.len());
        if height > room {
            prune(&mut v, room.max(1));
        }
        self.push_value(v, mark)
    }

    fn scalar(
        &mut self,
        value: String,
        style: TScalarStyle,
        anchor: usize,
        tag: Option<&yaml_rust2::parser::Tag>,
        mark: Mark,
    ) -> Result<(), Error> {
        self.own_nodes = self.own_nodes.saturating_add(text_units(&value));
        if self.skipped > 0 {
            if anchor != 0 {
                self.anchors.insert(anchor, Value::Null);
            }
            return Ok(());
        }
        let v = scalar(value, style, tag);
        self.finish(v, anchor, mark)
    }

    fn close(&mut self, mark: Mark) -> Result<(), Error> {
        if self.skipped > 0 {
            self.skipped -= 1;
            if self.skipped == 0 {
                // The collection that was not kept stands as `null` in its parent.
                let anchor = std::mem::take(&mut self.skipped_anchor);
                self.finish(Value::Null, anchor, mark)?;
            }
            return Ok(());
        }
        let (v, anchor) = match self.stack.pop() {
            Some(Frame::Seq { items, anchor }) => (Value::Array(items), anchor),
            Some(Frame::Map { map, anchor, .. }) => (Value::Object(merge_keys(map)), anchor),
            None => {
                return Err(self.err(
                    ErrorCode::ParseError,
                    "unbalanced collection end".to_string(),
                    mark,
                ))
            }
        };
        self.finish(v, anchor, mark)
    }

    /// Hands on the completed documents. An empty document (`---` alone, or comments
    /// only) is no object; indices stay those of the stream, so that errors and `locate`
    /// agree.
    fn deliver(
        &mut self,
        each: &mut impl FnMut(Document) -> Result<(), Error>,
    ) -> Result<(), Error> {
        for doc in self.docs.drain(..) {
            self.emitted += 1;
            if !doc.value.is_null() {
                each(doc)?;
            }
        }
        Ok(())
    }
}

/// Streams smaller than this are parsed by one thread (a second one would not pay).
pub const SPLIT_BYTES: usize = 4 << 20;

/// Where the second half of a large stream starts: the `---` line nearest after the
/// middle. A `---` at the start of a line, followed by a blank, always starts a document
/// (inside a scalar or a flow collection it is a syntax error, YAML 1.2 §9.1.2), so both
/// halves parse as the whole stream would. Not with directives (`%TAG` applies to the
/// document after it, which could fall in the other half).
// Only the parallel parse (not on wasm, which has no threads) reads it.
#[cfg_attr(target_family = "wasm", allow(dead_code))]
fn split_point(text: &str, min: usize) -> Option<usize> {
    if text.len() < min || text.starts_with('%') || text.contains("\n%") {
        return None;
    }
    let bytes = text.as_bytes();
    let mut from = text.len() / 2;
    loop {
        let at = from + text.get(from..)?.find("\n---")? + 1;
        match bytes.get(at + 3) {
            None | Some(b' ' | b'\t' | b'\r' | b'\n') => return Some(at),
            _ => from = at,
        }
    }
}

/// A document of the second half, numbered and located as in the whole stream.
// Only the parallel parse (not on wasm, which has no threads) reads it.
#[cfg_attr(target_family = "wasm", allow(dead_code))]
fn shifted(mut d: Document, ordinals: usize, lines: usize, offset: usize) -> Document {
    let shift = |s: &mut Start| {
        s.line += lines;
        s.offset += offset;
    };
    d.index += ordinals;
    d.line += lines;
    shift(&mut d.start);
    d.items.iter_mut().for_each(shift);
    d
}
/// As [`for_each_document`], with the parsing on other threads: `each` reads the
/// documents on the calling thread, in order, while they are parsed. A large stream is
/// parsed in two halves at once ([`split_point`]): parsing is most of a load, and the
/// YAML parser takes one document after the other. The first half's documents wait in a
/// short queue; the second half's wait until the first is read (so at most half the
/// stream's trees are held). The result is [`for_each_document`]'s: the same documents,
/// numbers and lines, and on any error (of the text, a limit, or `each`) the first in
/// stream order, found by parsing the rest of the stream again on one thread (when a
/// limit of the whole stream is crossed in the second half, `each` may have been given
/// documents past that point before the error).
/// `each` borrows each document: its tree is dropped on another thread, as freeing a
/// tree costs about as much as reading it.
/// Without threads (WASM), it is [`for_each_document`].
pub fn for_each_document_parallel(
    source: &str,
    text: &str,
    limits: Limits,
    each: impl FnMut(&Document) -> Result<(), Error>,
) -> Result<(), Error> {
    parallel(source, text, limits, SPLIT_BYTES, each)
}

fn parallel(
    source: &str,
    text: &str,
    limits: Limits,
    split_bytes: usize,
    mut each: impl FnMut(&Document) -> Result<(), Error>,
) -> Result<(), Error> {
    #[cfg(not(target_family = "wasm"))]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::mpsc;

        let split = split_point(text, split_bytes);
        let (head, tail) = match split.and_then(|at| Some((text.get(..at)?, text.get(at..)?))) {
            Some((head, tail)) => (head, Some(tail)),
            None => (text, None),
        };
        let stop = AtomicBool::new(false);
        let stopped = || Error::new(ErrorCode::Internal, "reader stopped");
        let mut delivered = 0usize;
        // Ok(true): all read; Ok(false): parse the stream again on one thread.
        let outcome: Result<bool, Error> = std::thread::scope(|scope| {
            let (head_tx, head_rx) = mpsc::sync_channel::<Document>(256);
            let (tail_tx, tail_rx) = mpsc::channel::<Document>();
            let (spent_tx, spent_rx) = mpsc::channel::<Document>();
            scope.spawn(move || spent_rx.into_iter().for_each(drop));
            let mut read = |doc: Document| {
                let r = each(&doc);
                // Failing only when the dropping thread is gone, and then it drops here.
                let _ = spent_tx.send(doc);
                r
            };
            let first = scope.spawn(move || {
                build(source, head, limits, |d| {
                    head_tx.send(d).map_err(|_| stopped())
                })
            });
            let stop = &stop;
            let second = tail.map(|tail| {
                scope.spawn(move || {
                    build(source, tail, limits, |d| {
                        if stop.load(Ordering::Relaxed) {
                            Err(stopped())
                        } else {
                            tail_tx.send(d).map_err(|_| stopped())
                        }
                    })
                })
            });
            let finish = |read: Result<(), Error>| {
                stop.store(true, Ordering::Relaxed);
                read
            };
            for doc in head_rx {
                if let Err(e) = read(doc) {
                    finish(Err(e))?;
                }
                delivered += 1;
            }
            let Ok(Ok(head_tally)) = first.join() else {
                stop.store(true, Ordering::Relaxed);
                return Ok(false);
            };
            let Some(second) = second else {
                return Ok(true);
            };
            let (lines, offset) = (head.bytes().filter(|b| *b == b'\n').count(), head.len());
            for doc in tail_rx {
                if let Err(e) = read(shifted(doc, head_tally.ordinals, lines, offset)) {
                    finish(Err(e))?;
                }
                delivered += 1;
            }
            let Ok(Ok(tail_tally)) = second.join() else {
                return Ok(false);
            };
            // The limits are of the whole stream: check the halves together.
            let within = head_tally.emitted + tail_tally.emitted <= limits.max_objects
                && head_tally.excess.saturating_add(tail_tally.peak_excess)
                    <= limits.max_alias_nodes as i128;
            Ok(within)
        });
        if outcome? {
            return Ok(());
        }
        // An error somewhere: the documents read so far are those the whole stream
        // starts with; parse it again, skipping them, to stop where it stops.
        let mut skip = delivered;
        for_each_document(source, text, limits, |d| {
            if skip > 0 {
                skip -= 1;
                return Ok(());
            }
            each(&d)
        })
    }
    #[cfg(target_family = "wasm")]
    {
        let _ = split_bytes;
        for_each_document(source, text, limits, |d| each(&d))
    }
}

/// A step of a field path: a key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Splits `spec.ingress[0].from[1].ipBlock.cidr` into steps. Keys that contain dots
/// (label keys) are written in brackets with quotes: `labels["app.kubernetes.io/name"]`.
pub fn parse_path(path: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !cur.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut cur)));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut cur)));
                }
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    inner.push(c);
                }
                let trimmed = inner.trim_matches('"');
                match inner.parse::<usize>() {
                    Ok(i) => steps.push(Step::Index(i)),
                    Err(_) => steps.push(Step::Key(trimmed.to_string())),
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        steps.push(Step::Key(cur));
    }
    steps
}

/// Finds the line of `path` inside document `doc_index` (1-based) of `text`: the line of
/// the deepest step of the path that exists. Re-parses only up to that document.
pub fn locate(text: &str, doc_index: usize, path: &[Step]) -> Option<usize> {
    enum F {
        Seq(usize),
        Map(Option<String>),
    }
    let mut parser = Parser::new_from_str(text);
    let mut doc = 0usize;
    let mut stack: Vec<F> = Vec::new();
    let mut best: Option<(usize, usize)> = None;
    loop {
        let Ok((event, mark)) = parser.next_token() else {
            return best.map(|b| b.1);
        };
        if let Event::DocumentStart = event {
            doc += 1;
            if doc > doc_index {
                return best.map(|b| b.1);
            }
            if doc == doc_index {
                best = Some((0, mark.line()));
            }
            continue;
        }
        if let Event::StreamEnd = event {
            return best.map(|b| b.1);
        }
        let starts_node = matches!(
            event,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(_)
        );
        if starts_node && doc == doc_index {
            // The steps from the root to this node; a key node ends with its own key.
            let mut matched = 0usize;
            let mut ok = true;
            for f in &stack {
                let here = match f {
                    F::Seq(n) => Step::Index(*n),
                    F::Map(Some(k)) => Step::Key(k.clone()),
                    F::Map(None) => match &event {
                        Event::Scalar(s, ..) => Step::Key(s.clone()),
                        _ => {
                            ok = false;
                            break;
                        }
                    },
                };
                if path.get(matched) != Some(&here) {
                    ok = false;
                    break;
                }
                matched += 1;
            }
            if ok && best.is_none_or(|b| matched > b.0) {
                best = Some((matched, mark.line()));
                if matched == path.len() {
                    return Some(mark.line());
                }
            }
        }
        match event {
            Event::SequenceStart(..) => stack.push(F::Seq(0)),
            Event::MappingStart(..) => stack.push(F::Map(None)),
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop();
                advance(&mut stack, None);
            }
            Event::Scalar(s, ..) => advance(&mut stack, Some(s)),
            Event::Alias(_) => advance(&mut stack, None),
            _ => {}
        }
    }

    fn advance(stack: &mut [F], scalar: Option<String>) {
        if let Some(top) = stack.last_mut() {
            match top {
                F::Seq(n) => *n += 1,
                F::Map(key) => {
                    *key = match key {
                        // A key just ended: the value comes next under it.
                        None => Some(scalar.unwrap_or_default()),
                        // A value just ended: a key comes next.
                        Some(_) => None,
                    }
                }
            }
        }
    }
}

/// As [`locate`] for the document that starts at `start` (its [`Document::start`]):
/// parses only from there, so locating a field costs one document's parse, not the
/// stream's up to it.
pub fn locate_from(text: &str, start: Start, path: &[Step]) -> Option<usize> {
    let rest = text.get(start.offset..)?;
    locate(rest, 1, path).map(|l| l + start.line.saturating_sub(1))
}

/// As [`locate`] for `path` inside List item `start` (one of [`Document::items`]), the
/// path given from the item (`spec.ports[0]`, not `items[3].spec.ports[0]`). Parses from
/// the item's line: exact for block-style Lists (what `kubectl get -o yaml` writes);
/// for a flow-style List, whose items share a line, it gives the item's line.
pub fn locate_item(text: &str, start: Start, path: &[Step]) -> Option<usize> {
    let mut steps = vec![Step::Index(0)];
    steps.extend_from_slice(path);
    locate_from(text, start, &steps)
        .filter(|l| *l >= start.line)
        .or(Some(start.line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located_at_the_first_bad_byte() {
        let err = decode_utf8("bad.yaml", b"a: 1\nb: caf\xe9\n".to_vec()).err();
        let loc = err
            .as_ref()
            .and_then(|e| e.location.as_deref().cloned())
            .unwrap_or_default();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::ParseError));
        assert_eq!(
            (loc.line, loc.column, loc.offset),
            (Some(2), Some(7), Some(11))
        );
        assert_eq!(
            decode_utf8("ok.yaml", "é".as_bytes().to_vec())
                .ok()
                .as_deref(),
            Some("é")
        );
    }

    #[test]
    fn scalars_resolve_like_kubernetes_yaml() {
        assert_eq!(plain_scalar("80"), Value::from(80));
        assert_eq!(plain_scalar("-1"), Value::from(-1));
        assert_eq!(plain_scalar("true"), Value::Bool(true));
        assert_eq!(plain_scalar("~"), Value::Null);
        assert_eq!(plain_scalar("10.0.0.0/8"), Value::from("10.0.0.0/8"));
        assert_eq!(plain_scalar("1.5"), Value::from(1.5));
        assert_eq!(plain_scalar("http"), Value::from("http"));
        assert_eq!(plain_scalar("0x10"), Value::from(16));
    }

    #[test]
    fn quoted_numbers_stay_strings() {
        let docs = parse_stream("t", "a: \"80\"\nb: 80\n", Limits::default()).unwrap_or_default();
        assert_eq!(docs.len(), 1);
        assert_eq!(
            docs.first().map(|d| d.value.clone()),
            Some(serde_json::json!({"a": "80", "b": 80}))
        );
    }

    #[test]
    fn multi_document_streams_and_json() {
        let text = "---\na: 1\n---\n# only a comment\n---\n{\"b\": [1, 2]}\n";
        let docs = parse_stream("t", text, Limits::default()).unwrap_or_default();
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs.get(1).map(|d| d.value.clone()),
            Some(serde_json::json!({"b": [1, 2]}))
        );
    }

    #[test]
    fn merge_keys_like_kubernetes_yaml() {
        let text = "base: &b {app: web, tier: front}\npod:\n  <<: *b\n  tier: back\nboth:\n  <<: [{a: 1}, {a: 2, c: 3}]\n";
        let docs = parse_stream("t", text, Limits::default()).unwrap_or_default();
        let v = docs.first().map(|d| d.value.clone()).unwrap_or_default();
        assert_eq!(v["pod"], serde_json::json!({"app": "web", "tier": "back"}));
        assert_eq!(v["both"], serde_json::json!({"a": 1, "c": 3}));
    }

    #[test]
    fn alias_bomb_hits_the_limit() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = parse_stream("bomb.yaml", &text, Limits::default()).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::LimitExceeded));
    }

    #[test]
    fn deep_nesting_hits_the_limit_without_overflowing() {
        let text = "[".repeat(100_000);
        let err = parse_stream("deep.yaml", &text, Limits::default()).err();
        assert!(matches!(
            err.map(|e| e.code),
            Some(ErrorCode::LimitExceeded | ErrorCode::ParseError)
        ));
    }

    #[test]
    fn locate_finds_nested_fields() {
        let text = "a: 1\n---\nkind: X\nspec:\n  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/33\n";
        let line = locate(text, 2, &parse_path("spec.ingress[0].from[0].ipBlock.cidr"));
        assert_eq!(line, Some(8));
        let line = locate(text, 2, &parse_path("spec.ingress[0]"));
        assert_eq!(line, Some(6));
    }

    #[test]
    fn starts_locate_like_the_whole_stream() {
        let text = "# head\na: 1\n---\nkind: X\nspec:\n  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/33\n---\napiVersion: v1\nkind: List\nitems:\n  - kind: Pod\n    spec: {x: 1}\n  - kind: Pod\n    spec:\n      containers:\n      - name: c\nmetadata: {}\n";
        let docs = parse_stream("t", text, Limits::default()).unwrap_or_default();
        assert_eq!(docs.len(), 3);
        for (d, path) in [
            (1, "spec.ingress[0].from[0].ipBlock.cidr"),
            (1, "kind"),
            (2, "items[1].spec.containers[0].name"),
            (0, "a"),
        ] {
            let doc = docs.get(d).cloned().unwrap_or_else(|| Document {
                index: 0,
                line: 0,
                value: Value::Null,
                start: Start::default(),
                items: Vec::new(),
            });
            assert_eq!(
                locate_from(text, doc.start, &parse_path(path)),
                locate(text, doc.index, &parse_path(path)),
                "{path}"
            );
        }
        let list = docs.get(2).map(|d| d.items.clone()).unwrap_or_default();
        assert_eq!(
            list.iter().map(|s| s.line).collect::<Vec<_>>(),
            vec![14, 16]
        );
        assert_eq!(
            list.get(1)
                .and_then(|s| locate_item(text, *s, &parse_path("spec.containers[0].name"))),
            Some(19)
        );
        assert_eq!(
            list.first()
                .and_then(|s| locate_item(text, *s, &parse_path("spec.x"))),
            Some(15)
        );
        // Flow-style items share a line: each is found at its line.
        let flow = parse_stream(
            "t",
            "kind: List\nitems: [{kind: A},\n  {kind: B}]\n",
            Limits::default(),
        )
        .unwrap_or_default();
        assert_eq!(
            flow.first()
                .map(|d| d.items.iter().map(|s| s.line).collect::<Vec<_>>()),
            Some(vec![2, 3])
        );
    }

    #[test]
    fn deep_nodes_are_read_but_not_kept() {
        let deep = format!("a:\n{}x\nb: 1\n", "- ".repeat(KEPT_DEPTH + 10));
        let docs = parse_stream("t", &deep, Limits::default()).unwrap_or_default();
        let v = docs.first().map(|d| d.value.clone()).unwrap_or_default();
        assert_eq!(v["b"], Value::from(1));
        let (_, height) = measure(&v);
        assert!(height <= KEPT_DEPTH + 1, "height {height}");
    }

    #[test]
    fn paths_with_dotted_keys() {
        assert_eq!(
            parse_path("metadata.labels[\"app.kubernetes.io/name\"]"),
            vec![
                Step::Key("metadata".into()),
                Step::Key("labels".into()),
                Step::Key("app.kubernetes.io/name".into())
            ]
        );
    }

    /// Flow documents read without the YAML parser read as it reads them: the same
    /// documents, lines, List items, errors and limits, whatever the mix of documents.
    #[test]
    fn flow_documents_read_as_the_yaml_parser_reads_them() {
        type Seen = (
            Vec<(usize, usize, Start, Vec<Start>, Value)>,
            Option<String>,
        );
        let read = |t: &str, limits: Limits, flow: bool| -> Seen {
            let mut docs = Vec::new();
            let r = build_with("t", t, limits, flow, |d| {
                docs.push((d.index, d.line, d.start, d.items, d.value));
                Ok(())
            });
            (docs, r.err().map(|e| format!("{e:?}")))
        };
        let long_key = "k".repeat(600);
        let deep = format!(
            "{{a: {}{}}}",
            "[".repeat(KEPT_DEPTH + 6),
            "]".repeat(KEPT_DEPTH + 6)
        );
        let bodies = [
            "{apiVersion: v1, kind: Pod, metadata: {name: a, labels: {app.kubernetes.io/name: web}}, spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}}",
            "{a: 1, b: -2, c: 1.5, d: 0x10, e: true, f: null, g: \"80\", h: \"\", i: [], j: {}, k: [1, [2, [3]]], l: -0.5e3, m: 1.2.3, n: 10.0.0.0/8}",
            "{\"k8s:io.kubernetes.pod.namespace\": kube-system, \"a b\": \"c # d, [e]: {f}\", \"\": x}",
            "{ a: b , c: [ d , e ] , f: { } }",
            "{1: a, true: b, null: c, 1.50: d, 0x1F: e, -1: f, \"2\": g}",
            "{kind: List, items: [{kind: Pod}, {kind: Pod, spec: {x: 1}}, [], x]}",
            "{a: b, a: c}",
            "{a: ~, b: 01, c: 1_000, d: .5, e: +1, f: -., g: --x, h: a-, i: TRUE, j: Null}",
            &deep,
            &format!("{{a: {}{}}}", "[".repeat(300), "]".repeat(300)),
            &format!("{{{long_key}: 1}}"),
            "{a: b c}", "{a: -}", "{a: [-]}", "{a: [-, b]}", "{a: b:c}", "{a:b}", "{a: 'x'}", "{a: \"x\\\"y\"}",
            "{a: b #c}", "{a: &x b, c: *x}", "{<<: {a: 1}, b: 2}", "{a: 1,}", "{a}", "{a: 1} ", "{a: 1}}", "{a: [1, 2}",
            "{a: -1x}", "{\"a\":b}", "{a: \"\u{e9}\"}", "{a: b}\t", "{a: [b: c]}", "{a: b\"}", "{a: !!str 1}", "{? a: b}",
            "{a: b, }", "{a: [b,]}", "{a: [b, , c]}", "[a, b]", "{a: b} # c", "{a: \"b}", "{a: ::}", "{a: -- }", "{a: \"b\"c}",
        ];
        let limits = Limits::default();
        for body in bodies {
            for text in [
                format!("---\n{body}\n"),
                format!("# head\n---\n{body}\n---\n{body}\n---\nx: 1\n---\n---\n{body}\n...\n---\n{body}"),
                format!("a: [1,\n---\n{body}\n"),
                format!("---\n{body}\n---\n{{a: [1,\n---\n{body}\n"),
            ] {
                assert_eq!(read(&text, limits, true), read(&text, limits, false), "{text}");
            }
        }
        let mut text = String::new();
        for i in 0..50 {
            text.push_str(&format!("---\n{{kind: Pod, metadata: {{name: p{i}}}}}\n"));
        }
        for limits in [
            Limits {
                max_objects: 30,
                ..limits
            },
            Limits {
                max_depth: 1,
                ..limits
            },
        ] {
            let (fast, slow) = (read(&text, limits, true), read(&text, limits, false));
            assert!(slow.1.is_some());
            assert_eq!(fast, slow);
        }
        // Random flow mappings, a quarter of them with a random piece put in anywhere.
        let pieces = [
            "{", "}", "[", "]", ", ", ",", ": ", ":", " ", "a", "b.c/d", "-", "-1", "1", ".5",
            "\"x\"", "\"\"", "#", "'y'", "~", "e f", "\\", "&a ", "*a", "<<", "\t", "null", "0x1",
            "\n",
        ];
        let scalars = [
            "a",
            "b.c/d",
            "-1",
            "1",
            ".5",
            "\"x: y\"",
            "\"\"",
            "null",
            "0x1",
            "true",
            "-a",
            "a-",
            "1e3",
            "10.0.0.0/8",
            "-.5",
            "\"#\"",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n.max(1)
        };
        let mut fast = 0;
        for _ in 0..3000 {
            let mut body = String::new();
            // Open collections (true: a mapping) and whether one has an entry yet.
            let mut open: Vec<(bool, bool)> = vec![(true, false)];
            body.push('{');
            while let Some(&(map, any)) = open.last() {
                if any && next(3) == 0 || open.len() > 4 || body.len() > 300 {
                    body.push(if map { '}' } else { ']' });
                    open.pop();
                    continue;
                }
                if any {
                    body.push_str([", ", ",", " , "].get(next(3)).copied().unwrap_or_default());
                }
                if let Some(top) = open.last_mut() {
                    top.1 = true;
                }
                if map {
                    body.push_str(
                        scalars
                            .get(next(scalars.len()))
                            .copied()
                            .unwrap_or_default(),
                    );
                    body.push_str(": ");
                }
                match next(4) {
                    0 => {
                        body.push('{');
                        open.push((true, false));
                    }
                    1 => {
                        body.push('[');
                        open.push((false, false));
                    }
                    _ => body.push_str(
                        scalars
                            .get(next(scalars.len()))
                            .copied()
                            .unwrap_or_default(),
                    ),
                }
            }
            if next(4) == 0 {
                let at = next(body.len());
                body.insert_str(
                    at,
                    pieces.get(next(pieces.len())).copied().unwrap_or_default(),
                );
            }
            let text = format!("---\n{body}\n---\n{{a: 1}}\n");
            fast += usize::from(flow_events(&body, &mut Vec::new(), &mut Vec::new()));
            assert_eq!(
                read(&text, limits, true),
                read(&text, limits, false),
                "{text}"
            );
        }
        assert!(fast > 2000, "{fast}");
        let mut events = Vec::new();
        assert!(flow_events(bodies[0], &mut events, &mut Vec::new()));
        assert!(!flow_events("{a: b c}", &mut events, &mut Vec::new()));
    }

    /// Every document, error and limit of a stream parsed in two halves is the one
    /// parsed whole.
    #[test]
    fn halves_parse_like_the_whole_stream() {
        let mut text = String::from("# head\n");
        for i in 0..40 {
            text.push_str(&format!(
                "---\nkind: Pod\nmetadata: {{name: p{i}, labels: {{a: b}}}}\nspec:\n  x: [1, 2]\n"
            ));
            if i % 7 == 0 {
                text.push_str("---\n# empty\n");
            }
            if i == 25 {
                text.push_str(
                    "---\nkind: List\nitems:\n- {kind: Pod}\n- kind: Pod\n  spec: {y: 1}\n",
                );
            }
        }
        // Each document's number, line, starts and value; the error.
        type Seen = (
            Vec<(usize, usize, Start, Vec<Start>, Value)>,
            Option<String>,
        );
        let whole = |t: &str, limits: Limits| -> Seen {
            let mut docs = Vec::new();
            let r = for_each_document("t", t, limits, |d| {
                docs.push((d.index, d.line, d.start, d.items, d.value));
                Ok(())
            });
            (docs, r.err().map(|e| format!("{e:?}")))
        };
        let halves = |t: &str, limits: Limits| -> Seen {
            let mut docs = Vec::new();
            let r = parallel("t", t, limits, 1, |d| {
                docs.push((d.index, d.line, d.start, d.items.clone(), d.value.clone()));
                Ok(())
            });
            (docs, r.err().map(|e| format!("{e:?}")))
        };
        assert!(split_point(&text, 1).is_some());
        let limits = Limits::default();
        let (w, h) = (whole(&text, limits), halves(&text, limits));
        assert_eq!(w.0.len(), 41);
        assert_eq!(w, h);
        // A syntax error in the second half, and one in the first.
        let broken = format!("{text}---\na: [1,\n---\nb: 2\n");
        assert_eq!(whole(&broken, limits), halves(&broken, limits));
        assert!(halves(&broken, limits).1.is_some());
        let broken = format!("a: [1,\n{text}");
        assert_eq!(whole(&broken, limits), halves(&broken, limits));
        // Limits of the whole stream, not of each half: the same error (the reader may
        // have been given documents past it, which a failed load drops anyway).
        let same_error = |w: Seen, h: Seen| {
            assert!(w.1.is_some());
            assert_eq!(w.1, h.1);
            assert!(h.0.starts_with(&w.0));
        };
        let few = Limits {
            max_objects: 30,
            ..limits
        };
        same_error(whole(&text, few), halves(&text, few));
        let doc = "---\nbase: &b [x, x, x, x, x, x, x, x]\nuse: [*b, *b, *b, *b]\n";
        let aliases = format!("# the first half is the longer\n{doc}{doc}");
        assert!(split_point(&aliases, 1).is_some());
        let tight = Limits {
            max_alias_nodes: 40,
            ..limits
        };
        // Each half alone stays within the alias budget, the whole does not.
        same_error(whole(&aliases, tight), halves(&aliases, tight));
        // A reader's error stops the reading where it happened.
        let mut seen = 0;
        let r = parallel("t", &text, limits, 1, |_| {
            seen += 1;
            if seen == 30 {
                return Err(Error::new(ErrorCode::InvalidField, "stop"));
            }
            Ok(())
        });
        assert_eq!(
            (seen, r.err().map(|e| e.code)),
            (30, Some(ErrorCode::InvalidField))
        );
    }
}
