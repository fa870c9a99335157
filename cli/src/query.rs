//! Questions as users type them: ports, protocols, and the JSON Lines of `check --queries`.
//! The same checks serve the flags and the batch lines, so both say the same thing.

use meshverdict::ports::check_port_name;
use meshverdict::{PortRef, Protocol, Query};
use serde::Deserialize;
use serde_json::Value;

/// A port as `--port` takes it: 1-65535, or a named port (an IANA service name, as
/// Kubernetes requires for container port names).
pub fn parse_port(s: &str) -> Result<PortRef, String> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return match s.parse::<u16>() {
            Ok(n) if n > 0 && !s.starts_with('+') => Ok(PortRef::Number(n)),
            _ => Err(format!(
                "{s} is no port: a port is 1-65535 or an IANA port name such as http"
            )),
        };
    }
    check_port_name(s)
        .map_err(|why| format!("{why}; a port is 1-65535 or an IANA port name such as http"))?;
    Ok(PortRef::Name(s.to_string()))
}

/// TCP, UDP or SCTP, in any case.
pub fn parse_protocol(s: &str) -> Result<Protocol, String> {
    Protocol::parse(&s.to_ascii_uppercase())
        .ok_or_else(|| format!("unknown protocol {s:?}: use TCP, UDP or SCTP"))
}

/// One line of a `--queries` file, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    from: String,
    to: String,
    port: Value,
    #[serde(default)]
    protocol: Option<String>,
}

/// A `--queries` line as a question, references still as written (not yet qualified by `-n`).
pub fn parse_line(text: &str) -> Result<Query, String> {
    let line: Line = serde_json::from_str(text).map_err(|e| {
        format!("not a question ({{\"from\", \"to\", \"port\", \"protocol\"}}): {e}")
    })?;
    let port = match &line.port {
        Value::Number(n) => parse_port(&n.to_string()),
        Value::String(s) => parse_port(s),
        other => Err(format!(
            "port {other}: a port is 1-65535 or an IANA port name such as http"
        )),
    }
    .map_err(|e| format!("port: {e}"))?;
    let protocol = match &line.protocol {
        Some(p) => parse_protocol(p).map_err(|e| format!("protocol: {e}"))?,
        None => Protocol::Tcp,
    };
    Ok(Query {
        from: line.from,
        to: line.to,
        port,
        protocol,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn ports_are_numbers_in_range_or_iana_names() {
        assert_eq!(parse_port("8080"), Ok(PortRef::Number(8080)));
        assert_eq!(parse_port("65535"), Ok(PortRef::Number(65535)));
        assert_eq!(
            parse_port("http-metrics"),
            Ok(PortRef::Name("http-metrics".into()))
        );
        for bad in ["0", "65536", "-1", "99999999999", "+5"] {
            let e = parse_port(bad).unwrap_err();
            assert!(e.contains("1-65535"), "{bad}: {e}");
        }
        for bad in ["HTTP", "a--b", "-web", "sixteen-chars-xx", "80a_b", ""] {
            let e = parse_port(bad).unwrap_err();
            assert!(e.contains("1-65535 or an IANA port name"), "{bad}: {e}");
        }
    }

    #[test]
    fn protocols_in_any_case() {
        assert_eq!(parse_protocol("udp"), Ok(Protocol::Udp));
        assert_eq!(parse_protocol("Sctp"), Ok(Protocol::Sctp));
        assert!(parse_protocol("icmp")
            .unwrap_err()
            .contains("TCP, UDP or SCTP"));
    }

    #[test]
    fn lines_are_checked_like_flags() {
        let q =
            parse_line(r#"{"from":"a/b","to":"svc:a/c","port":"http","protocol":"udp"}"#).unwrap();
        assert_eq!(
            (q.port, q.protocol),
            (PortRef::Name("http".into()), Protocol::Udp)
        );
        assert_eq!(
            parse_line(r#"{"from":"a","to":"b","port":443}"#)
                .unwrap()
                .protocol,
            Protocol::Tcp
        );
        assert!(parse_line(r#"{"from":"a","to":"b","port":70000}"#)
            .unwrap_err()
            .starts_with("port: "));
        assert!(parse_line(r#"{"from":"a","to":"b","port":true}"#)
            .unwrap_err()
            .starts_with("port: "));
        assert!(
            parse_line(r#"{"from":"a","to":"b","port":1,"protocol":"icmp"}"#)
                .unwrap_err()
                .starts_with("protocol: ")
        );
        assert!(parse_line(r#"{"from":"a","to":"b","port":1,"extra":1}"#).is_err());
        assert!(parse_line("not json").is_err());
    }
}
