#!/usr/bin/env python3
"""Seeded NetworkPolicy clusters for differential runs against netpol-analyzer.

    gen_netpol_cluster.py --pods N --seed S --out DIR [--policies P] [--namespaces K]

Writes:
  DIR/cluster/namespaces.yaml, DIR/cluster/ns-<name>.yaml (its Pods and NetworkPolicies)
  DIR/objects.json    every object, for cutting a disagreement down to a conformance case
  DIR/addresses.txt   one address per atom of the address space that no ipBlock splits

Python 3 standard library only; the same arguments give the same bytes.

What the policies cover (k8s.io/api networking/v1 types.go, the API reference):
podSelector / namespaceSelector alone and together in one peer (AND), several peers
(OR), matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist), empty
selectors, `from`/`to` absent or empty, `ports` absent or empty, a port entry without
`port` (every port of its protocol), numeric and named ports, endPort ranges, TCP
(explicit and defaulted), UDP and SCTP, policyTypes explicit and defaulted (with
`egress` absent, empty and non-empty), and ipBlocks with `except`.

The peer never matches a pod by ipBlock (`ruleSelectsPeer`, pkg/netpol/eval/internal/k8s/
netpol.go, v1.4.4: "assuming that peer of type Pod cannot be selected by IPBlock"), while
the API reference does; so no ipBlock here covers a pod or host address (pods live in
10.1.0.0/16, hosts in 10.250.0.0/24, and every block avoids or excepts 10.0.0.0/8).
Every object is one the API server accepts (apimachinery ValidateLabelSelector,
networking ValidateNetworkPolicy): a refused object would make either tool refuse or guess.

By default the clusters also avoid two valid constructs netpol-analyzer v1.4.4 cannot
take (docs/peers.md, "Disagreements"); --full-surface puts them back for runs of
meshverdict alone or against other peers.
"""
import argparse
import ipaddress
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yamltext  # noqa: E402

TIERS = ["web", "api", "db", "cache", "batch"]
ENVS = ["prod", "dev", "staging"]
TEAMS = [f"t{i}" for i in range(5)]

# (name, port, protocol) choices per slot; the same name maps to different numbers on
# different pods, so a named port rule admits different numbers per destination.
PORT_SLOTS = [
    [("http", 8080, "TCP"), ("http", 80, "TCP"), ("http", 8000, "TCP"), ("web", 443, "TCP")],
    [("metrics", 9090, "TCP"), ("metrics", 9100, "TCP"), (None, 9090, "TCP")],
    [("grpc", 50051, "TCP"), ("admin", 8081, "TCP"), (None, 7000, "TCP")],
    [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("syslog", 514, "UDP")],
    [("sig", 3868, "SCTP"), ("stream", 9000, "SCTP")],
]
PORT_NAMES = ["http", "web", "metrics", "grpc", "admin", "dns", "dns-tcp", "syslog", "sig", "stream", "nope"]
PORT_NUMBERS = [53, 80, 443, 514, 3868, 5432, 7000, 8000, 8080, 8081, 9000, 9090, 9100, 50051]
PORT_RANGES = [(8000, 8100), (9000, 9999), (1, 1024), (30000, 32767), (50000, 50100), (53, 53), (7000, 8080)]

# (cidr, except); none covers 10.0.0.0/8 without excepting it.
IP_BLOCKS = [
    ("0.0.0.0/0", ["10.0.0.0/8"]),
    ("192.168.0.0/16", ["192.168.1.0/24"]),
    ("172.16.0.0/12", ["172.16.5.0/24", "172.17.0.0/16"]),
    ("203.0.113.0/24", []),
    ("8.8.8.8/32", []),
    ("11.0.0.0/8", ["11.1.0.0/16"]),
    ("0.0.0.0/1", ["10.0.0.0/8", "100.64.0.0/10"]),
    ("100.64.0.0/10", []),
]


class Gen:
    def __init__(self, seed, pods, policies, namespaces, npa_safe):
        self.r = random.Random(seed)
        self.npa_safe = npa_safe
        self.n_pods = pods
        self.n_policies = policies
        self.ns_names = [f"ns{i}" for i in range(namespaces)]
        self.apps = [f"a{i}" for i in range(max(3, pods // 25))]
        self.objects = []
        self.pod_ips = []
        self.host_ips = []

    def chance(self, p):
        return self.r.random() < p

    # -- namespaces and pods ------------------------------------------------------------
    def namespaces(self):
        out = []
        for name in self.ns_names:
            labels = {}
            # The API server adds this label to every namespace; a manifest may omit it.
            if self.chance(0.5):
                labels["kubernetes.io/metadata.name"] = name
            if self.chance(0.8):
                labels["team"] = self.r.choice(TEAMS)
            if self.chance(0.7):
                labels["env"] = self.r.choice(ENVS[:2])
            meta = {"name": name}
            if labels:
                meta["labels"] = labels
            out.append({"apiVersion": "v1", "kind": "Namespace", "metadata": meta})
        return out

    def pod(self, i):
        ns = self.ns_names[i % len(self.ns_names)]
        labels = {"app": self.r.choice(self.apps)}
        if self.chance(0.85):
            labels["tier"] = self.r.choice(TIERS)
        if self.chance(0.75):
            labels["env"] = self.r.choice(ENVS)
        if self.chance(0.1):
            labels["track"] = "canary"
        if self.chance(0.5):
            labels["version"] = self.r.choice(["v1", "v2"])
        if self.chance(0.15):
            labels["team"] = self.r.choice(TEAMS)  # a pod label named like a namespace label
        ports = []
        for slot in PORT_SLOTS:
            if self.chance(0.55):
                name, number, proto = self.r.choice(slot)
                p = {"containerPort": number}
                if name:
                    p["name"] = name
                # A manifest may leave TCP implicit (the API server defaults it).
                if proto != "TCP" or self.chance(0.7):
                    p["protocol"] = proto
                ports.append(p)
        # One or two containers; port names stay unique within the pod.
        containers = [{"name": "main", "image": "registry.example/app:1"}]
        if len(ports) > 2 and self.chance(0.4):
            containers.append({"name": "side", "image": "registry.example/side:1"})
            containers[0]["ports"], containers[1]["ports"] = ports[:2], ports[2:]
        elif ports:
            containers[0]["ports"] = ports
        if not self.npa_safe and ports and self.chance(0.1):
            # Port names are unique per container only (validateContainerPorts, pkg/apis/core/
            # validation): a second container may reuse a name on another protocol. The peer
            # resolves a name to its first port whatever the protocol (ConvertPodNamedPort).
            first = next((p for p in ports if "name" in p), None)
            if first:
                other = "TCP" if first.get("protocol", "TCP") != "TCP" else "UDP"
                containers.append({"name": "dup", "image": "registry.example/dup:1",
                                   "ports": [{"containerPort": 5353, "name": first["name"], "protocol": other}]})
        ip = f"10.1.{(i >> 8) & 255}.{i & 255}"
        host = f"10.250.0.{1 + i % 20}"
        self.pod_ips.append(ip)
        self.host_ips.append(host)
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"p{i}-{labels['app']}", "namespace": ns, "labels": labels},
            "spec": {"containers": containers},
            # The peer reads status.podIPs and status.hostIP (pod.go PodFromCoreObject).
            "status": {"phase": "Running", "hostIP": host, "podIP": ip, "podIPs": [{"ip": ip}]},
        }

    # -- selectors ------------------------------------------------------------------------
    def pod_label_choice(self):
        key = self.r.choice(["app", "tier", "env", "track", "version", "team"])
        values = {
            "app": self.apps,
            "tier": TIERS,
            "env": ENVS,
            "track": ["canary", "stable"],
            "version": ["v1", "v2", "v3"],
            "team": TEAMS,
        }[key]
        return key, values

    def ns_label_choice(self):
        key = self.r.choice(["team", "env", "kubernetes.io/metadata.name"])
        values = {"team": TEAMS, "env": ENVS[:2] + ["qa"], "kubernetes.io/metadata.name": self.ns_names}[key]
        return key, values

    def selector(self, choose, empty=0.12):
        if self.chance(empty):
            return {}
        sel = {}
        shape = self.r.random()
        if shape < 0.45 or shape >= 0.85:
            ml = {}
            for _ in range(self.r.choice([1, 1, 2])):
                k, vals = choose()
                ml[k] = self.r.choice(vals)
            sel["matchLabels"] = ml
        if shape >= 0.45:
            exprs = []
            for _ in range(self.r.choice([1, 1, 2])):
                k, vals = choose()
                op = self.r.choice(["In", "NotIn", "Exists", "DoesNotExist"])
                req = {"key": k, "operator": op}
                if op in ("In", "NotIn"):
                    req["values"] = sorted(self.r.sample(vals, min(len(vals), self.r.choice([1, 2, 3]))))
                exprs.append(req)
            sel["matchExpressions"] = exprs
        return sel

    def peer(self):
        shape = self.r.random()
        if shape < 0.3:
            return {"podSelector": self.selector(self.pod_label_choice)}
        if shape < 0.55:
            return {"namespaceSelector": self.selector(self.ns_label_choice)}
        if shape < 0.8:
            return {"namespaceSelector": self.selector(self.ns_label_choice), "podSelector": self.selector(self.pod_label_choice)}
        cidr, excepts = self.r.choice(IP_BLOCKS)
        block = {"cidr": cidr}
        if excepts:
            block["except"] = list(excepts)
        return {"ipBlock": block}

    def port(self):
        entry = {}
        proto = self.r.choice([None, None, "TCP", "TCP", "UDP", "SCTP"])
        shape = self.r.random()
        if shape < 0.1:
            pass  # no port: every port of the protocol
        elif shape < 0.45:
            entry["port"] = self.r.choice(PORT_NUMBERS)
        elif shape < 0.65:
            lo, hi = self.r.choice(PORT_RANGES)
            entry["port"], entry["endPort"] = lo, hi
        else:
            entry["port"] = self.r.choice(PORT_NAMES)
        if proto:
            entry["protocol"] = proto
        return entry

    def rule(self, direction):
        rule = {}
        if direction == "egress" and self.npa_safe:
            # netpol-analyzer v1.4.4 refuses the whole input when an egress rule with a
            # named port may reach an IP peer ("cannot convert named port for an IP
            # destination", getPortsRange in pkg/netpol/eval/internal/k8s/netpol.go),
            # though the API server accepts it and the port simply matches no address.
            rule = self.rule("ingress")
            peers = rule.pop("from", None)
            named = any(isinstance(p.get("port"), str) for p in rule.get("ports") or [])
            if named and (not peers or any("ipBlock" in x for x in peers)):
                peers = [x for x in peers or [] if "ipBlock" not in x] or [{"podSelector": {}}]
            out = {} if peers is None else {"to": peers}
            out.update(rule)
            return out
        key = "from" if direction == "ingress" else "to"
        shape = self.r.random()
        if shape < 0.12:
            pass  # absent: every peer
        elif shape < 0.17:
            rule[key] = []
        else:
            rule[key] = [self.peer() for _ in range(self.r.choice([1, 1, 2, 3]))]
        shape = self.r.random()
        if shape < 0.25:
            pass  # absent: every port
        elif shape < 0.3:
            rule["ports"] = []
        else:
            rule["ports"] = [self.port() for _ in range(self.r.choice([1, 1, 2, 3]))]
        return rule

    def rules(self, direction, absent, empty):
        shape = self.r.random()
        if shape < absent:
            return None
        if shape < absent + empty:
            return []
        return [self.rule(direction) for _ in range(self.r.choice([1, 1, 2, 3]))]

    def policy(self, j):
        ns = self.r.choice(self.ns_names)
        spec = {"podSelector": self.selector(self.pod_label_choice, empty=0.2)}
        if not spec["podSelector"] and self.chance(0.3):
            del spec["podSelector"]  # absent: decodes to the empty selector, every pod
        types = self.r.choice([None, None, ["Ingress"], ["Egress"], ["Ingress", "Egress"]])
        ingress = self.rules("ingress", absent=0.2, empty=0.1)
        egress = self.rules("egress", absent=0.45, empty=0.15)
        if ingress is not None:
            spec["ingress"] = ingress
        if egress is not None:
            spec["egress"] = egress
        if types:
            spec["policyTypes"] = types
        return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": f"np{j}", "namespace": ns}, "spec": spec}

    # -- addresses ------------------------------------------------------------------------
    def address_atoms(self, policies):
        """One address per interval of IPv4 on which every ipBlock is constant."""
        cuts = {0, 1 << 32}
        for p in policies:
            for d, k in (("ingress", "from"), ("egress", "to")):
                for rule in p["spec"].get(d) or []:
                    for peer in rule.get(k) or []:
                        b = peer.get("ipBlock")
                        if not b:
                            continue
                        for c in [b["cidr"]] + b.get("except", []):
                            net = ipaddress.ip_network(c)
                            cuts.add(int(net.network_address))
                            cuts.add(int(net.broadcast_address) + 1)
        taken = {int(ipaddress.ip_address(a)) for a in self.pod_ips + self.host_ips if a}
        cuts = sorted(cuts)
        out = []
        for lo, hi in zip(cuts, cuts[1:]):
            a = lo
            while a in taken and a < hi - 1:
                a += 1
            if a not in taken:
                out.append(str(ipaddress.ip_address(a)))
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pods", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--policies", type=int, help="default: pods / 10, at least 10")
    ap.add_argument("--namespaces", type=int, help="default: pods / 40, at least 3")
    ap.add_argument("--out", required=True)
    ap.add_argument("--full-surface", action="store_true",
                    help="also what netpol-analyzer refuses or misreads: egress rules with named ports towards IP "
                         "peers, and a port name reused by two containers of a pod on two protocols")
    a = ap.parse_args()
    if not 1 <= a.pods <= 65535:
        ap.error("--pods must be 1..65535")
    policies = a.policies if a.policies is not None else max(10, a.pods // 10)
    namespaces = a.namespaces if a.namespaces is not None else max(3, a.pods // 40)
    g = Gen(a.seed, a.pods, policies, namespaces, npa_safe=not a.full_surface)

    nss = g.namespaces()
    pods = [g.pod(i) for i in range(a.pods)]
    nps = [g.policy(j) for j in range(policies)]

    cdir = os.path.join(a.out, "cluster")
    os.makedirs(cdir, exist_ok=True)
    for f in os.listdir(cdir):
        if f.endswith(".yaml"):
            os.remove(os.path.join(cdir, f))
    with open(os.path.join(cdir, "namespaces.yaml"), "w") as f:
        f.write(yamltext.dump_all(nss))
    for ns in g.ns_names:
        objs = [o for o in pods + nps if o["metadata"]["namespace"] == ns]
        if objs:
            with open(os.path.join(cdir, f"ns-{ns}.yaml"), "w") as f:
                f.write(yamltext.dump_all(objs))
    with open(os.path.join(a.out, "objects.json"), "w") as f:
        json.dump(nss + pods + nps, f, indent=None, separators=(",", ":"))
    with open(os.path.join(a.out, "addresses.txt"), "w") as f:
        f.write("\n".join(g.address_atoms(nps)) + "\n")
    print(f"{a.out}: {a.pods} pods, {namespaces} namespaces, {policies} policies (seed {a.seed})", file=sys.stderr)


if __name__ == "__main__":
    main()
