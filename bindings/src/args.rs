//! Host arguments checked in one place, and said in each host's own words.
//!
//! A host hands over what its caller passed (a Python `float`, a JavaScript `boolean`)
//! and gets back either the typed value or a [`Bad`] that knows what was expected.
//! Naming the argument happens only on failure ([`Bad::named`]), so a batch of a
//! hundred thousand questions allocates nothing here. The message is always
//! "`ARGUMENT` must be `EXPECTED`, not `GOT`", with the types named as the host's users
//! name them ("int"/"str" in Python, "integer"/"string" in JavaScript), and the error's
//! code is `invalid-request` everywhere.

use meshverdict::{Dataplane, Error, ErrorCode, PortRef, Protocol, Query};

/// Whose words an argument error uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    Python,
    JavaScript,
}

/// Whether the caller passed the wrong kind of value or a wrong value of the right kind:
/// Python raises `TypeError` or `ValueError`, JavaScript `TypeError` or `RangeError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Type,
    Value,
}

/// What an argument must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// `from` / `to` of a question.
    Endpoint,
    Port,
    Protocol,
    Dataplane,
    /// The manifests to load.
    Manifests,
    /// A name for error locations.
    Name,
    /// One of the loading limits.
    Limit,
    /// The limits as a whole (a dict / an object).
    Limits,
    /// The options of `fromYaml` / `fromPath` (JavaScript).
    Options,
    /// One question of a batch.
    Query,
    /// The questions of a batch.
    Queries,
    /// A file or folder.
    Path,
    /// The endpoint references of a batch by columns.
    Endpoints,
    /// A column of indices into those references (`from`, `to`).
    Indices,
    /// One item of such a column (`from[3]`).
    Index,
    /// One port number.
    PortNumber,
    /// The port column: one port number, or one per question.
    Ports,
    /// Several named texts (a folder's files).
    Files,
    /// A batch by columns as one argument (a JavaScript object).
    Columns,
    /// Where the answers of a batch by columns are written (`out`), one byte each.
    Answers,
}

impl Expected {
    /// What the argument must be, in the host's words.
    pub fn words(self, host: Host) -> &'static str {
        use Expected as E;
        use Host::{JavaScript as Js, Python as Py};
        match (self, host) {
            (E::Endpoint, Py) => "an endpoint reference (str) such as 'shop/web', 'ip:10.0.0.1' or 'svc:shop/api'",
            (E::Endpoint, Js) => "an endpoint reference (string) such as 'shop/web', 'ip:10.0.0.1' or 'svc:shop/api'",
            (E::Port, Py) => "an int between 1 and 65535 or a port name (str)",
            (E::Port, Js) => "an integer between 1 and 65535 or a port name (string)",
            (E::Protocol, Py) => "'TCP', 'UDP' or 'SCTP' (str, any case)",
            (E::Protocol, Js) => "'TCP', 'UDP' or 'SCTP' (string, any case)",
            (E::Dataplane, Py) => "'auto', 'generic', 'calico' or 'cilium' (str)",
            (E::Dataplane, Js) => "'auto', 'generic', 'calico' or 'cilium' (string)",
            (E::Manifests, Py) => "YAML or JSON text (str, or bytes in UTF-8)",
            (E::Manifests, Js) => "YAML or JSON text (a string, or a Uint8Array in UTF-8)",
            (E::Name, Py) => "a str",
            (E::Name, Js) => "a string",
            (E::Limit, Py) => "an int of at least 1",
            (E::Limit, Js) => "an integer of at least 1",
            (E::Limits, Py) => "a dict with the keys max_objects, max_depth and max_alias_nodes (each optional)",
            (E::Limits, Js) => "an object with the properties maxObjects, maxDepth and maxAliasNodes (each optional)",
            (E::Options, Py) => "keyword arguments dataplane, name and limits",
            (E::Options, Js) => "an object with the properties dataplane, name and limits (each optional)",
            (E::Query, Py) => "a tuple (from, to, port[, protocol]) or a dict with the keys from, to, port and optionally protocol",
            (E::Query, Js) => "an object { from, to, port, protocol? }",
            (E::Queries, Py) => "an iterable of queries",
            (E::Queries, Js) => "an array of queries { from, to, port, protocol? }",
            (E::Endpoints, Py) => "a sequence of endpoint references (str)",
            (E::Endpoints, Js) => "an array of endpoint references (strings)",
            (E::Indices, Py) => "a sequence of int or a buffer of integers (array.array, a NumPy array)",
            (E::Indices, Js) => "an array of integers or a typed array of integers (Uint32Array)",
            (E::Index, Py) => "an int from 0 to 4294967295 (an index into endpoints)",
            (E::Index, Js) => "an integer from 0 to 4294967295 (an index into endpoints)",
            (E::PortNumber, Py) => "an int between 1 and 65535",
            (E::PortNumber, Js) => "an integer between 1 and 65535",
            (E::Ports, Py) => "an int between 1 and 65535, a sequence of them or a buffer of integers",
            (E::Ports, Js) => "an integer between 1 and 65535, an array of them or a typed array of integers (Uint16Array, Uint32Array)",
            (E::Path, Py) => "a path (str or os.PathLike)",
            (E::Path, Js) => "a path (a string or a file: URL)",
            (E::Files, Py) => "a list of (name, text) tuples",
            (E::Files, Js) => "an array of { name, yaml } objects",
            (E::Columns, Py) => "keyword arguments endpoints, from_, to, port and protocol (optional)",
            (E::Columns, Js) => "an object { endpoints, from, to, port, protocol? }",
            // Python's wrapper (`_answer_buffer` in _api.py) checks `out` and says this itself.
            (E::Answers, Py) => "a writable buffer of one-byte items (bytearray, array('B'), a NumPy bool array)",
            (E::Answers, Js) => "a Uint8Array (one byte per question)",
        }
    }

    /// A hint that helps more than the rule itself, where there is one.
    pub fn help(self, host: Host) -> Option<&'static str> {
        match (self, host) {
            (Expected::Port, _) => Some("give the port the client dials as a number (8080) or the name of a container port of the destination ('http')"),
            (Expected::Endpoint, _) => Some("NAMESPACE/NAME names a Pod or a workload; see https://github.com/meshverdict/meshverdict/blob/main/docs/endpoints.md"),
            (Expected::Dataplane, _) => Some("auto takes the dataplane the input shows (Cilium policies or agent: cilium; Calico objects: calico; else generic)"),
            _ => None,
        }
    }
}

/// An argument that failed its check, not yet named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bad {
    pub problem: Problem,
    pub expected: Expected,
    /// The host's name of the type given (`float`, `boolean`), or the value (`70000`, `'ICMP'`).
    pub got: String,
}

impl Bad {
    pub fn wrong_type(expected: Expected, type_name: impl Into<String>) -> Bad {
        Bad {
            problem: Problem::Type,
            expected,
            got: type_name.into(),
        }
    }

    pub fn wrong_value(expected: Expected, value: impl Into<String>) -> Bad {
        Bad {
            problem: Problem::Value,
            expected,
            got: value.into(),
        }
    }

    /// Names the argument, as the caller wrote it (`port`, `port of queries[3]`).
    pub fn named(self, host: Host, argument: &str) -> ArgumentError {
        ArgumentError {
            problem: self.problem,
            message: format!(
                "{argument} must be {}, not {}",
                self.expected.words(host),
                self.got
            ),
            help: self.expected.help(host),
        }
    }
}

/// A count of items in words: `1 item`, `3 items`.
pub fn items(n: usize) -> String {
    if n == 1 {
        "1 item".to_string()
    } else {
        format!("{n} items")
    }
}

/// An `out` whose length is not the number of questions of a batch by columns: each
/// answer has its place (`out[i]` for question `i`), so neither a short nor a long buffer
/// is guessed at.
pub fn out_length(host: Host, out: usize, questions: usize) -> ArgumentError {
    let from = match host {
        Host::Python => "from_",
        Host::JavaScript => "from",
    };
    ArgumentError {
        problem: Problem::Value,
        message: format!(
            "out has {}, but {from} has {questions}: the answer to question i goes to out[i]",
            items(out)
        ),
        help: None,
    }
}

/// An argument error, named: what the host raises (`TypeError`, `ValueError`, `RangeError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgumentError {
    pub problem: Problem,
    pub message: String,
    pub help: Option<&'static str>,
}

impl ArgumentError {
    /// A dict or object with a key it does not take: the shape is wrong. `noun` is what
    /// the host calls a key (`key` in Python, `property` in JavaScript).
    pub fn unknown_key(argument: &str, noun: &str, key: &str, options: &[&str]) -> ArgumentError {
        let hint = match closest(key, options) {
            Some(o) => format!(" (did you mean {o}?)"),
            None => String::new(),
        };
        ArgumentError {
            problem: Problem::Type,
            message: format!(
                "{argument} has no {noun} {}{hint}; it takes {}",
                quoted(key),
                options.join(", ")
            ),
            help: None,
        }
    }

    /// A query without one of the keys it needs.
    pub fn missing(argument: &str, key: &str) -> ArgumentError {
        ArgumentError {
            problem: Problem::Type,
            message: format!("{argument} has no {key}"),
            help: None,
        }
    }

    /// The same error as every other failure: code `invalid-request`, message and help.
    pub fn to_error(&self) -> Error {
        let e = Error::new(ErrorCode::InvalidRequest, self.message.clone());
        match self.help {
            Some(h) => e.with_help(h),
            None => e,
        }
    }
}

/// What `typeof` (refined) says of a JavaScript value: Node and WASM name types alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsType {
    Undefined,
    Null,
    Boolean,
    Number,
    BigInt,
    String,
    Symbol,
    Function,
    Array,
    TypedArray,
    Object,
}

impl JsType {
    /// The type as a JavaScript user reads it in "…, not boolean" / "…, not an array".
    pub fn name(self) -> &'static str {
        match self {
            JsType::Undefined => "undefined",
            JsType::Null => "null",
            JsType::Boolean => "boolean",
            JsType::Number => "number",
            JsType::BigInt => "bigint",
            JsType::String => "string",
            JsType::Symbol => "symbol",
            JsType::Function => "a function",
            JsType::Array => "an array",
            JsType::TypedArray => "a typed array",
            JsType::Object => "an object",
        }
    }
}

/// One property of a JavaScript query, as read by a host: its text, its number, or the
/// type it has instead.
#[derive(Debug, Clone, PartialEq)]
pub enum JsPart {
    Text(String),
    Number(f64),
    Other(JsType),
}

/// A JavaScript query `{ from, to, port, protocol? }` from its four properties;
/// `argument("port")` names one of them as the caller wrote it (`query.port`,
/// `port of queries[3]`), and is only called on failure.
pub fn js_query(
    from: JsPart,
    to: JsPart,
    port: JsPart,
    protocol: JsPart,
    argument: impl Fn(&str) -> String,
) -> Result<Query, ArgumentError> {
    let host = Host::JavaScript;
    let endpoint = |p: JsPart, key: &str| match p {
        JsPart::Text(s) => Ok(s),
        JsPart::Number(_) => {
            Err(Bad::wrong_type(Expected::Endpoint, "number").named(host, &argument(key)))
        }
        JsPart::Other(t) => {
            Err(Bad::wrong_type(Expected::Endpoint, t.name()).named(host, &argument(key)))
        }
    };
    let from = endpoint(from, "from")?;
    let to = endpoint(to, "to")?;
    let port = match port {
        JsPart::Number(n) => port_number(n),
        JsPart::Text(s) => port_name(&s),
        JsPart::Other(t) => Err(Bad::wrong_type(Expected::Port, t.name())),
    }
    .map_err(|b| b.named(host, &argument("port")))?;
    let protocol = js_protocol(protocol).map_err(|b| b.named(host, &argument("protocol")))?;
    Ok(Query {
        from,
        to,
        port,
        protocol,
    })
}

/// The `protocol` of a JavaScript request (a query, a batch by columns): TCP when absent.
pub fn js_protocol(protocol: JsPart) -> Result<Protocol, Bad> {
    match protocol {
        JsPart::Other(JsType::Undefined | JsType::Null) => Ok(Protocol::Tcp),
        JsPart::Text(s) => self::protocol(&s),
        JsPart::Number(_) => Err(Bad::wrong_type(Expected::Protocol, "number")),
        JsPart::Other(t) => Err(Bad::wrong_type(Expected::Protocol, t.name())),
    }
}

/// The properties of a JavaScript batch by columns, for hosts that check an object has no
/// others.
pub const COLUMN_KEYS: [&str; 5] = ["endpoints", "from", "to", "port", "protocol"];

/// One item of a JavaScript column of integers (`from[3]`, `port[0]`) that did not come
/// as a `Uint32Array`: a whole number a `Uint32Array` could hold, else the error of
/// `expected` (the item: [`Expected::Index`], [`Expected::PortNumber`]). Whether an index
/// or a port is in range is the batch's check (`Columns`), which knows `endpoints`.
pub fn js_column_item(item: JsPart, expected: Expected) -> Result<u32, Bad> {
    match item {
        // Whole and within 0..=u32::MAX, so the conversion is exact.
        JsPart::Number(n) if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) => {
            Ok(n as u32)
        }
        JsPart::Number(n) => Err(Bad::wrong_value(expected, js_number(n))),
        JsPart::Text(_) => Err(Bad::wrong_type(expected, "string")),
        JsPart::Other(t) => Err(Bad::wrong_type(expected, t.name())),
    }
}

/// Separates the fields of packed queries: four per question (`from`, `to`, `port`,
/// `protocol`), in the order of the batch.
pub const PACKED_SEPARATOR: char = '\0';

/// A batch of JavaScript queries packed into one string by the host's JavaScript (which
/// checked each field's type: strings, and a port that is a whole number from 1 to 65535
/// or a string): one crossing and one string instead of four property reads per
/// question. `None` when the text does not hold `items` questions (a field held the
/// separator): the host then reads the objects themselves. Values are checked here, with
/// the same messages as for objects; `argument(i, "port")` names a field on failure.
pub fn packed_queries(
    text: &str,
    items: usize,
    argument: impl Fn(usize, &str) -> String,
) -> Option<Result<Vec<Query>, ArgumentError>> {
    let mut reader = Packed::new(text, items)?;
    let mut out = Vec::with_capacity(items);
    let mut q = Packed::query();
    while let Some(read) = reader.next_into(&mut q, &argument) {
        match read {
            Ok(()) => out.push(q.clone()),
            Err(a) => return Some(Err(a)),
        }
    }
    reader.finish().then_some(Ok(out))
}

/// The questions of a packed batch (see [`packed_queries`]) read one at a time into one
/// `Query` the caller reuses: no allocation per question (but for a named port), so a
/// host can answer each question as it is read.
pub struct Packed<'t> {
    fields: std::str::Split<'t, char>,
    items: usize,
    read: usize,
}

impl<'t> Packed<'t> {
    /// `None` when the text does not hold `items` questions (a field held the separator).
    pub fn new(text: &'t str, items: usize) -> Option<Packed<'t>> {
        // A field that held the separator shifts every field after it: count them first,
        // so that no shifted field is checked (and refused) as the wrong one.
        let separators = text
            .bytes()
            .filter(|b| *b == PACKED_SEPARATOR as u8)
            .count();
        let fits = if items == 0 {
            text.is_empty()
        } else {
            separators + 1 == items.saturating_mul(4)
        };
        fits.then(|| Packed {
            fields: text.split(PACKED_SEPARATOR),
            items,
            read: 0,
        })
    }

    /// A query to read into.
    pub fn query() -> Query {
        Query {
            from: String::new(),
            to: String::new(),
            port: PortRef::Number(1),
            protocol: Protocol::Tcp,
        }
    }

    /// How many questions were read so far (the index of the next one).
    pub fn index(&self) -> usize {
        self.read
    }

    /// Reads the next question into `q`; `None` after the last one.
    pub fn next_into(
        &mut self,
        q: &mut Query,
        argument: impl Fn(usize, &str) -> String,
    ) -> Option<Result<(), ArgumentError>> {
        if self.read >= self.items {
            return None;
        }
        let i = self.read;
        self.read += 1;
        // `new` counted the fields: four are there.
        let (from, to, port, protocol) = (
            self.fields.next()?,
            self.fields.next()?,
            self.fields.next()?,
            self.fields.next()?,
        );
        let named = |b: Bad, key: &str| b.named(Host::JavaScript, &argument(i, key));
        let port = match port.parse::<u16>() {
            Ok(n) if n >= 1 && !port.starts_with(['0', '+']) => Ok(PortRef::Number(n)),
            _ => port_name(port),
        };
        let port = match port {
            Ok(p) => p,
            Err(b) => return Some(Err(named(b, "port"))),
        };
        let protocol = if protocol.is_empty() {
            Ok(Protocol::Tcp)
        } else {
            self::protocol(protocol)
        };
        let protocol = match protocol {
            Ok(p) => p,
            Err(b) => return Some(Err(named(b, "protocol"))),
        };
        q.from.clear();
        q.from.push_str(from);
        q.to.clear();
        q.to.push_str(to);
        q.port = port;
        q.protocol = protocol;
        Some(Ok(()))
    }

    /// Whether every field was read (nothing left after the last question).
    pub fn finish(mut self) -> bool {
        self.read == self.items && (self.items == 0 || self.fields.next().is_none())
    }
}

/// How a batch names a field: `port of queries[3]`.
pub fn batch_field(i: usize, key: &str) -> String {
    format!("{key} of queries[{i}]")
}

/// How a single query names a field: `query.port`.
pub fn query_field(_: usize, key: &str) -> String {
    format!("query.{key}")
}

/// The keys of a JavaScript query, for hosts that check an object has no others.
pub const QUERY_KEYS: [&str; 4] = ["from", "to", "port", "protocol"];

/// A text value as both hosts write one (single quotes, backslash escapes), shortened so
/// that an error message never carries a whole input.
pub fn quoted(s: &str) -> String {
    let short: String = s.chars().take(60).collect();
    let more = if short.len() < s.len() { "…" } else { "" };
    format!(
        "'{}'{more}",
        short.replace('\\', "\\\\").replace('\'', "\\'")
    )
}

/// A port given as an integer (Python `int`, a JavaScript number already known to be whole).
pub fn port_int(n: i64) -> Result<PortRef, Bad> {
    match u16::try_from(n) {
        Ok(p) if p >= 1 => Ok(PortRef::Number(p)),
        _ => Err(Bad::wrong_value(Expected::Port, n.to_string())),
    }
}

/// A port given as a JavaScript number: whole and in range.
pub fn port_number(n: f64) -> Result<PortRef, Bad> {
    if n.fract() == 0.0 && (1.0..=65535.0).contains(&n) {
        // In range and whole, so the conversion is exact.
        return port_int(n as i64);
    }
    Err(Bad::wrong_value(Expected::Port, js_number(n)))
}

/// A named port: the name of a container port (of the destination, or its Service).
pub fn port_name(s: &str) -> Result<PortRef, Bad> {
    if s.is_empty() {
        return Err(Bad::wrong_value(Expected::Port, quoted(s)));
    }
    if let Ok(n) = s.parse::<i64>() {
        // "8080" from a form field or a CSV: the number it spells.
        return port_int(n).map_err(|_| Bad::wrong_value(Expected::Port, quoted(s)));
    }
    Ok(PortRef::Name(s.to_string()))
}

/// A protocol, in any case.
pub fn protocol(s: &str) -> Result<Protocol, Bad> {
    let known = match s {
        "TCP" | "tcp" => Some(Protocol::Tcp),
        "UDP" | "udp" => Some(Protocol::Udp),
        "SCTP" | "sctp" => Some(Protocol::Sctp),
        _ => Protocol::parse(&s.to_ascii_uppercase()),
    };
    known.ok_or_else(|| Bad::wrong_value(Expected::Protocol, quoted(s)))
}

/// A dataplane setting: `auto` (None) or a dataplane.
pub fn dataplane(s: &str) -> Result<Option<Dataplane>, Bad> {
    Dataplane::parse_setting(s).map_err(|_| Bad::wrong_value(Expected::Dataplane, quoted(s)))
}

/// A loading limit: a positive integer.
pub fn limit_int(n: i64) -> Result<usize, Bad> {
    match usize::try_from(n) {
        Ok(v) if v >= 1 => Ok(v),
        _ => Err(Bad::wrong_value(Expected::Limit, n.to_string())),
    }
}

/// A loading limit given as a JavaScript number.
pub fn limit_number(n: f64) -> Result<usize, Bad> {
    if n.fract() == 0.0 && (1.0..=9_007_199_254_740_991.0).contains(&n) {
        return limit_int(n as i64);
    }
    Err(Bad::wrong_value(Expected::Limit, js_number(n)))
}

/// A JavaScript number as JavaScript prints it (`8080`, `80.5`, `NaN`, `Infinity`).
pub fn js_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else if n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

/// The closest option name to an unknown one, for "did you mean …?".
pub fn closest<'a>(given: &str, options: &[&'a str]) -> Option<&'a str> {
    let lower = given.to_ascii_lowercase().replace(['_', '-'], "");
    options
        .iter()
        .copied()
        .find(|o| o.to_ascii_lowercase().replace(['_', '-'], "") == lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_in_range_only() {
        assert_eq!(port_int(8080), Ok(PortRef::Number(8080)));
        assert_eq!(port_int(0).map_err(|b| b.got), Err("0".to_string()));
        assert_eq!(port_int(70000).map_err(|b| b.problem), Err(Problem::Value));
        assert_eq!(
            port_number(80.5).map_err(|b| b.got),
            Err("80.5".to_string())
        );
        assert_eq!(
            port_number(f64::NAN).map_err(|b| b.got),
            Err("NaN".to_string())
        );
        assert_eq!(port_number(443.0), Ok(PortRef::Number(443)));
        assert_eq!(port_name("http"), Ok(PortRef::Name("http".into())));
        assert_eq!(port_name("8080"), Ok(PortRef::Number(8080)));
        assert!(port_name("").is_err());
    }

    #[test]
    fn messages_in_the_hosts_words() {
        let bad = Bad::wrong_type(Expected::Port, "float");
        assert_eq!(
            bad.clone().named(Host::Python, "port").message,
            "port must be an int between 1 and 65535 or a port name (str), not float"
        );
        assert_eq!(
            bad.clone().named(Host::JavaScript, "port").message,
            "port must be an integer between 1 and 65535 or a port name (string), not float"
        );
        let e = bad.named(Host::Python, "port").to_error();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert!(e.help.is_some());
    }

    #[test]
    fn protocols_and_dataplanes() {
        assert_eq!(protocol("udp"), Ok(Protocol::Udp));
        assert_eq!(protocol("Sctp"), Ok(Protocol::Sctp));
        assert_eq!(
            protocol("ICMP").map_err(|b| b.got),
            Err("'ICMP'".to_string())
        );
        assert_eq!(
            protocol("ICMP").map_err(|b| b.got),
            Err("'ICMP'".to_string())
        );
        assert_eq!(dataplane("auto"), Ok(None));
        assert_eq!(dataplane("cilium"), Ok(Some(Dataplane::Cilium)));
        assert!(dataplane("flannel").is_err());
    }

    #[test]
    fn unknown_options_suggest() {
        let e = ArgumentError::unknown_key(
            "options",
            "property",
            "dataPlane",
            &["dataplane", "name", "limits"],
        );
        assert_eq!(e.problem, Problem::Type);
        assert_eq!(e.message, "options has no property 'dataPlane' (did you mean dataplane?); it takes dataplane, name, limits");
        assert_eq!(closest("max_objects", &["maxObjects"]), Some("maxObjects"));
    }

    #[test]
    fn javascript_queries() {
        let name = |k: &str| format!("{k} of queries[3]");
        let q = js_query(
            JsPart::Text("a/b".into()),
            JsPart::Text("a/c".into()),
            JsPart::Number(80.0),
            JsPart::Other(JsType::Undefined),
            name,
        );
        assert_eq!(
            q.map(|q| (q.port, q.protocol)),
            Ok((PortRef::Number(80), Protocol::Tcp))
        );
        let e = js_query(
            JsPart::Text("a/b".into()),
            JsPart::Text("a/c".into()),
            JsPart::Other(JsType::Boolean),
            JsPart::Other(JsType::Undefined),
            name,
        );
        assert_eq!(e.map_err(|e| (e.problem, e.message)), Err((Problem::Type, "port of queries[3] must be an integer between 1 and 65535 or a port name (string), not boolean".to_string())));
        let e = js_query(
            JsPart::Other(JsType::Undefined),
            JsPart::Text("a/c".into()),
            JsPart::Number(80.0),
            JsPart::Other(JsType::Undefined),
            |k| format!("query.{k}"),
        );
        assert!(e.is_err_and(|e| e
            .message
            .starts_with("query.from must be an endpoint reference (string)")
            && e.message.ends_with("not undefined")));
        let e = js_query(
            JsPart::Text("a".into()),
            JsPart::Text("b".into()),
            JsPart::Number(80.5),
            JsPart::Text("udp".into()),
            name,
        );
        assert_eq!(e.map_err(|e| e.problem), Err(Problem::Value));
    }

    #[test]
    fn javascript_columns() {
        let item = |n: f64| js_column_item(JsPart::Number(n), Expected::Index);
        assert_eq!(item(0.0), Ok(0));
        assert_eq!(item(-0.0), Ok(0));
        assert_eq!(item(4_294_967_295.0), Ok(u32::MAX));
        for (n, got) in [
            (-1.0, "-1"),
            (1.5, "1.5"),
            (4_294_967_296.0, "4294967296"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
        ] {
            assert_eq!(
                item(n).map_err(|b| (b.problem, b.got)),
                Err((Problem::Value, got.to_string()))
            );
        }
        assert_eq!(
            js_column_item(JsPart::Text("3".into()), Expected::Index)
                .map_err(|b| b.named(Host::JavaScript, "from[3]").message),
            Err("from[3] must be an integer from 0 to 4294967295 (an index into endpoints), not string".to_string())
        );
        assert_eq!(
            js_column_item(JsPart::Other(JsType::Null), Expected::PortNumber)
                .map_err(|b| (b.problem, b.named(Host::JavaScript, "port[0]").message)),
            Err((
                Problem::Type,
                "port[0] must be an integer between 1 and 65535, not null".to_string()
            ))
        );
        assert_eq!(
            js_protocol(JsPart::Other(JsType::Undefined)),
            Ok(Protocol::Tcp)
        );
        assert_eq!(js_protocol(JsPart::Text("udp".into())), Ok(Protocol::Udp));
        assert_eq!(
            js_protocol(JsPart::Number(6.0)).map_err(|b| b.problem),
            Err(Problem::Type)
        );
    }

    #[test]
    fn packed_batches() {
        let text = ["a/b", "a/c", "80", "", "a/b", "a/c", "http", "udp"].join("\0");
        let qs = packed_queries(&text, 2, batch_field)
            .and_then(Result::ok)
            .unwrap_or_default();
        assert_eq!(
            qs.iter()
                .map(|q| (q.port.clone(), q.protocol))
                .collect::<Vec<_>>(),
            vec![
                (PortRef::Number(80), Protocol::Tcp),
                (PortRef::Name("http".into()), Protocol::Udp)
            ]
        );
        // A field that held the separator: the count is off, so the host reads the objects.
        assert!(packed_queries(&text, 3, batch_field).is_none());
        let shifted = ["a/b", "a/c", "80", "", "x/\0a", "a/c", "80", ""].join("\0");
        assert!(packed_queries(&shifted, 2, batch_field).is_none());
        assert!(packed_queries(&format!("{text}\0x"), 2, batch_field).is_none());
        let bad = ["a/b", "a/c", "80", "ICMP"].join("\0");
        let e = packed_queries(&bad, 1, batch_field)
            .and_then(Result::err)
            .map(|e| e.message);
        assert_eq!(e.as_deref(), Some("protocol of queries[0] must be 'TCP', 'UDP' or 'SCTP' (string, any case), not 'ICMP'"));
        assert_eq!(
            packed_queries("", 0, batch_field).map(|r| r.map(|v| v.len())),
            Some(Ok(0))
        );
        let one = packed_queries(&["a", "b", "0", ""].join("\0"), 1, query_field)
            .and_then(Result::err)
            .map(|e| e.message);
        assert!(one.is_some_and(|m| m.starts_with("query.port must be")));
    }

    #[test]
    fn long_values_are_shortened() {
        let long = "x".repeat(500);
        assert!(quoted(&long).len() < 80);
    }
}
