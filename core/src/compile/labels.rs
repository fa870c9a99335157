//! The labels a dataplane matches selectors against. Kubernetes and Calico match a
//! NetworkPolicy's selectors against the pod's labels as written. Cilium does not: it
//! translates every policy into its own rules and matches them against the endpoint's
//! *identity labels*, which are the pod's labels after two steps:
//!
//! 1. `SanitizePodLabels` (pkg/k8s/utils/utils.go, Cilium 1.18-1.20) drops the pod's
//!    own labels under `io.cilium.k8s` (a pod cannot claim another identity), then sets
//!    `io.cilium.k8s.namespace.labels.<key>` for every label of the pod's namespace,
//!    `io.kubernetes.pod.namespace`, `io.cilium.k8s.policy.serviceaccount` (from
//!    `spec.serviceAccountName`) and `io.cilium.k8s.policy.cluster` (the agent's
//!    `cluster-name`, `default` unless set).
//! 2. The identity label filter (pkg/labelsfilter/filter.go) keeps only the labels
//!    that are relevant for identities: by default it drops `io.kubernetes*`,
//!    `kubernetes.io*`, `*beta.kubernetes.io*`, `k8s.io*`, `pod-template-generation`,
//!    `pod-template-hash`, `controller-revision-hash`, `controller-uid*`, `annotation*`,
//!    `etcd_node`, `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index`,
//!    `batch.kubernetes.io/job-completion-index`, `batch.kubernetes.io/controller-uid`
//!    and `topology.kubernetes.io*`, and keeps the four labels above and
//!    `app.kubernetes.io*` whatever the ignores say (a longer include wins).
//!    `topology.kubernetes.io` is ignored since PR #43725 (1.19, 1.20 and the later
//!    1.18 patches): Kubernetes 1.35 copies the node's topology labels onto pods, and
//!    keeping them split one workload into an identity per zone.

use regex::Regex;

use crate::model::{Endpoint, Namespace};
use crate::selector::Labels;

pub const NAMESPACE_LABEL: &str = "io.kubernetes.pod.namespace";
pub const NAMESPACE_LABELS_PREFIX: &str = "io.cilium.k8s.namespace.labels.";
pub const SERVICE_ACCOUNT_LABEL: &str = "io.cilium.k8s.policy.serviceaccount";
pub const CLUSTER_LABEL: &str = "io.cilium.k8s.policy.cluster";
/// `k8sConst.LabelPrefix`: labels under it are Cilium's to set.
const CILIUM_OWNED_PREFIX: &str = "io.cilium.k8s";

/// A pattern of the filter: Cilium compiles every entry as a regular expression; the
/// defaults are quoted literals, kept as such here.
#[derive(Debug, Clone)]
enum Pattern {
    Literal(String),
    Regex(Regex),
}

/// One entry of the filter: a pattern anchored at the start of the key
/// (`FindStringIndex` must match at 0), including or ignoring what it matches.
#[derive(Debug, Clone)]
struct Prefix {
    ignore: bool,
    /// `None`: any source; else only labels of that source (`k8s` for pod labels).
    source: Option<String>,
    pattern: Pattern,
}

impl Prefix {
    /// The length of the match at the start of `key`, if any. Go's leftmost-first
    /// search and Rust's agree: the leftmost match, greedy within it.
    fn matches(&self, key: &str) -> Option<usize> {
        if self.source.as_deref().is_some_and(|s| s != "k8s") {
            return None;
        }
        match &self.pattern {
            Pattern::Literal(l) => key.starts_with(l.as_str()).then_some(l.len()),
            Pattern::Regex(r) => r.find(key).filter(|m| m.start() == 0).map(|m| m.end()),
        }
    }
}

/// Cilium's identity label filter.
#[derive(Debug, Clone)]
pub struct LabelFilter {
    prefixes: Vec<Prefix>,
    /// With an include configured by the user, a label must match an include.
    whitelist: bool,
}

impl LabelFilter {
    /// The default filter of pkg/labelsfilter `defaultLabelPrefixCfg` (Cilium 1.18-1.20).
    pub fn cilium_default() -> LabelFilter {
        let literal = |s: &str, ignore: bool| Prefix {
            ignore,
            source: None,
            pattern: Pattern::Literal(s.to_string()),
        };
        let mut prefixes = vec![
            literal(NAMESPACE_LABEL, false),
            literal(NAMESPACE_LABELS_PREFIX.trim_end_matches('.'), false),
            literal("app.kubernetes.io", false),
            literal(CLUSTER_LABEL, false),
            // An include only matters once the user's `labels` make the filter a
            // whitelist: the service account must stay part of the identity then.
            literal(SERVICE_ACCOUNT_LABEL, false),
            literal("io.kubernetes", true),
            literal("kubernetes.io", true),
            literal("statefulset.kubernetes.io/pod-name", true),
            literal("apps.kubernetes.io/pod-index", true),
            literal("batch.kubernetes.io/job-completion-index", true),
            literal("batch.kubernetes.io/controller-uid", true),
            literal("k8s.io", true),
            literal("pod-template-generation", true),
            literal("pod-template-hash", true),
            literal("controller-revision-hash", true),
            literal("controller-uid", true),
            literal("etcd_node", true),
            literal("topology.kubernetes.io", true),
        ];
        for (pattern, ignore) in [(r".*beta\.kubernetes\.io", true), (r"annotation.*", true)] {
            if let Ok(expr) = Regex::new(pattern) {
                prefixes.push(Prefix {
                    ignore,
                    source: None,
                    pattern: Pattern::Regex(expr),
                });
            }
        }
        // Defaults never turn on the whitelist (only user includes do).
        LabelFilter {
            prefixes,
            whitelist: false,
        }
    }

    /// The agent's `labels` option: space-separated `[source:][!]regexp` entries added
    /// to the defaults (pkg/labelsfilter `ParseLabelPrefixCfg`); an include makes it a
    /// whitelist.
    pub fn parse_config(config: &str) -> Result<LabelFilter, String> {
        let mut f = LabelFilter::cilium_default();
        for entry in config.split_whitespace() {
            let (source, pattern) = match entry.split_once(':') {
                Some((s, p)) => (Some(s.to_string()), p),
                None => (None, entry),
            };
            let (ignore, pattern) = match pattern.strip_prefix('!') {
                Some(p) => (true, p),
                None => (false, pattern),
            };
            if pattern.is_empty() {
                return Err(format!("invalid label prefix {entry:?}"));
            }
            let expr = Regex::new(pattern)
                .map_err(|e| format!("label prefix {entry:?} is not a regular expression: {e}"))?;
            if !ignore {
                f.whitelist = true;
            }
            f.prefixes.push(Prefix {
                ignore,
                source,
                pattern: Pattern::Regex(expr),
            });
        }
        Ok(f)
    }

    /// Whether a `k8s:` label with this key is part of the identity.
    pub fn keeps(&self, key: &str) -> bool {
        let (mut included, mut ignored) = (0usize, 0usize);
        for p in &self.prefixes {
            if let Some(len) = p.matches(key) {
                if p.ignore {
                    if ignored == 0 || len < ignored {
                        ignored = len;
                    }
                } else if len > included {
                    included = len;
                }
            }
        }
        (!self.whitelist && ignored == 0) || included > ignored
    }
}

/// The identity labels of a pod on Cilium, without their `k8s:` source.
pub fn identity_labels(
    e: &Endpoint,
    ns: Option<&Namespace>,
    cluster_name: &str,
    filter: &LabelFilter,
) -> Labels {
    let mut out = Labels::new();
    for (k, v) in &e.labels {
        if !k.starts_with(CILIUM_OWNED_PREFIX) {
            out.insert(k.clone(), v.clone());
        }
    }
    if let Some(ns) = ns {
        for (k, v) in &ns.labels {
            out.insert(format!("{NAMESPACE_LABELS_PREFIX}{k}"), v.clone());
        }
    }
    out.insert(NAMESPACE_LABEL.into(), e.namespace.clone());
    if !e.service_account.is_empty() {
        out.insert(SERVICE_ACCOUNT_LABEL.into(), e.service_account.clone());
    }
    out.insert(CLUSTER_LABEL.into(), cluster_name.to_string());
    out.retain(|k, _| filter.keeps(k));
    out
}

/// Splits `k8s:app` into (`k8s`, `app`); a key without a source is `any:` (Cilium's
/// `Sanitize` rewrites it so).
pub fn split_source(key: &str) -> (&str, &str) {
    match key.split_once(':') {
        Some((src, rest))
            if matches!(
                src,
                "k8s"
                    | "any"
                    | "reserved"
                    | "cidr"
                    | "fqdn"
                    | "unspec"
                    | "container"
                    | "node"
                    | "cidrgroup"
            ) =>
        {
            (src, rest)
        }
        _ => ("any", key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_filter_follows_labelsfilter() {
        let f = LabelFilter::cilium_default();
        for kept in [
            "app",
            "k8s-app",
            "app.kubernetes.io/name",
            "job-name",
            "batch.kubernetes.io/job-name",
            NAMESPACE_LABEL,
            CLUSTER_LABEL,
            SERVICE_ACCOUNT_LABEL,
            "io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name",
            "io.cilium.k8s.namespace.labels.topology.kubernetes.io/zone",
        ] {
            assert!(f.keeps(kept), "{kept} is an identity label");
        }
        for dropped in [
            "pod-template-hash",
            "controller-revision-hash",
            "statefulset.kubernetes.io/pod-name",
            "kubernetes.io/hostname",
            "io.kubernetes.container.name",
            "node.beta.kubernetes.io/instance-type",
            "annotation-x",
            "k8s.io/whatever",
            "batch.kubernetes.io/job-completion-index",
            "batch.kubernetes.io/controller-uid",
            "controller-uid",
            "topology.kubernetes.io/zone",
        ] {
            assert!(!f.keeps(dropped), "{dropped} is filtered out");
        }
    }

    #[test]
    fn user_includes_make_a_whitelist() {
        let f = LabelFilter::parse_config("k8s:app k8s:!team");
        let Ok(f) = f else { return assert!(f.is_ok()) };
        assert!(f.keeps("app"));
        assert!(!f.keeps("team"));
        assert!(
            !f.keeps("tier"),
            "not included: dropped once includes are configured"
        );
        assert!(f.keeps(NAMESPACE_LABEL));
        assert!(
            f.keeps(SERVICE_ACCOUNT_LABEL),
            "the service account stays in a whitelist"
        );
        assert!(f.keeps(CLUSTER_LABEL), "the cluster stays in a whitelist");
        assert!(LabelFilter::parse_config("k8s:(").is_err());
    }
}
