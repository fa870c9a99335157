//! Endpoint references with kubectl's namespace flag: `-n NS` makes `NAME` mean `NS/NAME`
//! and `svc:NAME` mean `svc:NS/NAME`; everything else is left as written.

use meshverdict::Error;

/// The reference the engine is asked about. `flag` names the option in errors.
pub fn qualify(reference: &str, namespace: Option<&str>, flag: &str) -> Result<String, Error> {
    if let Some(name) = reference.strip_prefix("svc:") {
        if name.contains('/') || name.is_empty() {
            return Ok(reference.to_string());
        }
        return match namespace {
            Some(ns) => Ok(format!("svc:{ns}/{name}")),
            None => Err(bare(reference, flag, "a Service is svc:NAMESPACE/NAME")),
        };
    }
    let prefixed = ["ip:", "node:", "dns:"]
        .iter()
        .any(|p| reference.starts_with(p));
    if prefixed || reference.contains('/') || reference.is_empty() {
        return Ok(reference.to_string());
    }
    match namespace {
        Some(ns) => Ok(format!("{ns}/{reference}")),
        None => Err(bare(reference, flag, "a Pod or workload is NAMESPACE/NAME")),
    }
}

fn bare(reference: &str, flag: &str, what: &str) -> Error {
    Error::request(format!("{flag} {reference:?} names no namespace: {what}"))
        .with_help("write the namespace, or give it with -n NAMESPACE as with kubectl")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_take_the_namespace_flag() {
        let ns = Some("emojivoto");
        assert_eq!(qualify("web", ns, "--from").unwrap(), "emojivoto/web");
        assert_eq!(
            qualify("svc:web-svc", ns, "--to").unwrap(),
            "svc:emojivoto/web-svc"
        );
        assert_eq!(
            qualify("linkerd/linkerd-controller", ns, "--to").unwrap(),
            "linkerd/linkerd-controller"
        );
        assert_eq!(
            qualify("svc:linkerd/x", ns, "--to").unwrap(),
            "svc:linkerd/x"
        );
        for kept in ["ip:10.0.0.1", "node:worker-1", "dns:api.example.com"] {
            assert_eq!(qualify(kept, ns, "--to").unwrap(), kept);
        }
    }

    #[test]
    fn a_bare_name_without_the_flag_says_what_is_missing() {
        let e = qualify("web", None, "--from").unwrap_err();
        assert!(
            e.message.contains("--from \"web\" names no namespace"),
            "{}",
            e.message
        );
        assert!(e.help.unwrap_or_default().contains("-n NAMESPACE"));
        assert!(qualify("svc:web", None, "--to").is_err());
        assert_eq!(qualify("a/b", None, "--to").unwrap(), "a/b");
    }
}
