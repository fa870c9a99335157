#!/usr/bin/env python3
"""Triage of disagreements, and candidate conformance cases cut down from them.

    make_case.py --objects objects.json --diff diff.json --out DIR --name PREFIX
                 (--meshverdict CLI | --allpairs BIN) --netpolicy BIN [--max-cases N] [--max-triage N]

meshverdict's side of a cut-down cluster: `CLI matrix --by pod -o csv` (read as
matrix_to_csv.py reads it), or the allpairs example's point verdicts.

For every disputed (source, destination), the pair's cluster is cut down to what can
decide it: the two Pods, their Namespaces and the NetworkPolicies of those namespaces
(a NetworkPolicy only selects pods of its own namespace, and a pair's verdict reads only
the policies selecting one of its two ends: NetworkPolicySpec.podSelector, k8s.io/api
networking/v1 types.go). Then, at the first and last port of each disputed interval:

- `peer-inconsistent`: netpol-analyzer's own point evaluation (`netpolicy eval`) gives
  meshverdict's answer, so the peer's `list` contradicts the peer itself;
- `disputed`: the peer's evaluation keeps its answer: a real disagreement;
- `untriaged`: the peer cannot evaluate the flow (`eval` refuses an external source),
  or the cut-down cluster does not reproduce meshverdict's answer.

For the cases written (--max-cases, one per distinct set of deciding policies), policies
are then dropped one at a time while the disagreement persists. Each case is a
FORMAT.md file: the objects and one Expectations document. `disputed` and `untriaged`
cases expect netpol-analyzer's answers (so meshverdict fails them until someone decides,
by the API reference, which side is right); `peer-inconsistent` cases expect the answer
meshverdict and the peer's evaluation share. Writes DIR/triage.json and prints one line
per case and per pair that is not peer-inconsistent; exits 1 when any pair is `disputed` or `untriaged`.
"""
import argparse
import csv
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flows  # noqa: E402
import matrix_to_csv  # noqa: E402
import yamltext  # noqa: E402


def key_of(o):
    m = o["metadata"]
    return o["kind"], m.get("namespace", "default"), m["name"]


def samples(d):
    """A few disputed ports: the ends of each interval where the two sides differ."""
    out = []
    for lo, hi in flows.normalize(d["only_a"] + d["only_b"]):
        for p in (lo, hi):
            if p not in out:
                out.append(p)
    return out[:4]


def allowed_in(intervals, port):
    return any(lo <= port <= hi for lo, hi in intervals)


class Tools:
    def __init__(self, allpairs, netpolicy, ips, cli=None):
        self.allpairs, self.netpolicy, self.ips, self.cli = allpairs, netpolicy, ips, cli

    def write(self, objs, dirpath):
        shutil.rmtree(dirpath, ignore_errors=True)
        os.makedirs(dirpath)
        with open(os.path.join(dirpath, "cluster.yaml"), "w") as f:
            f.write(yamltext.dump_all(objs))
        with open(os.path.join(dirpath, "..", "ips.txt"), "w") as f:
            f.write("\n".join(self.ips) + "\n")

    def meshverdict(self, dirpath):
        if self.cli:
            r = subprocess.run([self.cli, "matrix", "-q", "-f", dirpath, "--dataplane", "generic", "--by", "pod", "-o", "csv"],
                               check=True, capture_output=True, text=True)
            rows = [row for row in csv.reader(r.stdout.splitlines()[1:]) if row]
            atoms = [(int(ipaddress.ip_address(x)), x) for x in self.ips]
            return matrix_to_csv.convert(rows, atoms)[0]
        out = os.path.join(dirpath, "..", "mv.csv")
        subprocess.run([self.allpairs, dirpath, "--ips", os.path.join(dirpath, "..", "ips.txt"), "--threads", "1", "-o", out],
                       check=True, stderr=subprocess.DEVNULL)
        return flows.read_csv(out)

    def peer_list(self, dirpath):
        r = subprocess.run([self.netpolicy, "list", "--dirpath", dirpath, "-o", "txt", "-q"], capture_output=True, text=True)
        res = {}
        for line in r.stdout.splitlines():
            if " => " not in line or " : " not in line:
                continue
            pair, _, conn = line.partition(" : ")
            src, _, dst = pair.partition(" => ")
            s, t = src.strip(), dst.strip()
            if flows.parse_npa_ip_peer(s) is not None or flows.parse_npa_ip_peer(t) is not None:
                continue  # pod↔pod rows only; IP peers are judged by eval
            for proto, ports in flows.parse_npa_conn(conn).items():
                res[(flows.npa_workload_name(s), flows.npa_workload_name(t), proto)] = ports
        return res

    def peer_eval(self, dirpath, src, dst, proto, port):
        """True/False, or None when the peer cannot evaluate the flow."""
        if src.startswith("ip:"):
            return None  # `eval` refuses a source IP without a destination IP (validateEvalFlags, pkg/cli/evaluate.go)
        cmd = [self.netpolicy, "eval", "--dirpath", dirpath, "-q", "-p", str(port), "--protocol", proto.lower()]
        ns, name = src.split("/", 1)
        cmd += ["-n", ns, "-s", name]
        if dst.startswith("ip:"):
            cmd += ["--destination-ip", dst[3:]]
        else:
            ns, name = dst.split("/", 1)
            cmd += ["--destination-namespace", ns, "-d", name]
        r = subprocess.run(cmd, capture_output=True, text=True)
        last = (r.stdout.strip().splitlines() or [""])[-1]
        if last.endswith(": true"):
            return True
        if last.endswith(": false"):
            return False
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--objects", required=True)
    ap.add_argument("--diff", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", required=True, help="case name prefix, e.g. differential-seed7")
    ap.add_argument("--allpairs")
    ap.add_argument("--meshverdict", help="the CLI, for `matrix` (instead of --allpairs)")
    ap.add_argument("--netpolicy", required=True)
    ap.add_argument("--max-cases", type=int, default=10)
    ap.add_argument("--max-triage", type=int, default=2000)
    a = ap.parse_args()
    if not (a.allpairs or a.meshverdict):
        ap.error("give --meshverdict CLI or --allpairs BIN")

    with open(a.objects) as f:
        objects = json.load(f)
    with open(a.diff) as f:
        diffs = json.load(f)
    by_key = {key_of(o): o for o in objects}
    pods = {f"{o['metadata']['namespace']}/{o['metadata']['name']}": o for o in objects if o["kind"] == "Pod"}
    os.makedirs(a.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="mv-triage-")

    by_pair = {}
    for d in diffs:
        by_pair.setdefault((d["from"], d["to"]), []).append(d)

    triage = []
    cases = attempts = 0
    written = set()
    for n, ((src, dst), ds) in enumerate(sorted(by_pair.items())):
        if n >= a.max_triage:
            triage.append({"from": src, "to": dst, "class": "untriaged", "why": f"over --max-triage {a.max_triage}"})
            continue
        ends = [e for e in (src, dst) if not e.startswith("ip:")]
        namespaces = {pods[e]["metadata"]["namespace"] for e in ends}
        base = [by_key[("Namespace", "default", ns)] for ns in sorted(namespaces) if ("Namespace", "default", ns) in by_key]
        base += [pods[e] for e in ends]
        policies = [o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["namespace"] in namespaces]
        ips = [e[3:] for e in (src, dst) if e.startswith("ip:")]
        tools = Tools(a.allpairs, a.netpolicy, ips, a.meshverdict)
        cdir = os.path.join(work, "c", "cluster")
        os.makedirs(os.path.dirname(cdir), exist_ok=True)

        # (protocol, port, meshverdict's answer, the peer's listed answer)
        points = [(d["protocol"], p, allowed_in(d["a"], p), allowed_in(d["b"], p)) for d in ds for p in samples(d)]

        def mv_holds(pols):
            tools.write(base + pols, cdir)
            got = tools.meshverdict(cdir)
            return all(allowed_in(got.get((src, dst, proto), []), p) == mv for proto, p, mv, _ in points)

        if not mv_holds(policies):
            cls, why = "untriaged", "the cut-down cluster does not reproduce meshverdict's answer"
        else:
            evals = [tools.peer_eval(cdir, src, dst, proto, p) for proto, p, _, _ in points]
            if any(e is None for e in evals):
                cls, why = "untriaged", "netpol-analyzer cannot evaluate this flow on its own (eval)"
            elif all(e == mv for e, (_, _, mv, _) in zip(evals, points)):
                cls, why = "peer-inconsistent", "netpolicy eval gives meshverdict's answer; only its list differs"
            else:
                cls, why = "disputed", "netpolicy eval keeps its answer"

        def persists(pols):
            if not mv_holds(pols):
                return False
            if cls == "peer-inconsistent":
                # The peer's list may depend on Go's map order: a few tries.
                for _ in range(3):
                    listed = tools.peer_list(cdir)
                    if any(allowed_in(listed.get((src, dst, proto), []), p) != mv for proto, p, mv, _ in points):
                        return True
                return False
            if cls == "disputed":
                return all(tools.peer_eval(cdir, src, dst, proto, p) == peer for proto, p, _, peer in points)
            return True

        entry = {"from": src, "to": dst, "class": cls, "why": why,
                 "flows": [{"protocol": proto, "port": p, "meshverdict": mv, "netpol-analyzer": peer} for proto, p, mv, peer in points]}
        # Cutting down costs a run of both tools per policy: only for the cases written,
        # and a case only for a set of policies not written already.
        kept = list(policies)
        if cases < a.max_cases and attempts < 3 * a.max_cases:
            attempts += 1
            if cls != "untriaged" and persists(kept):
                for o in list(kept):
                    trial = [x for x in kept if x is not o]
                    if persists(trial):
                        kept = trial
            entry["policies"] = [f"{o['metadata']['namespace']}/{o['metadata']['name']}" for o in kept]
        signature = (cls, tuple(entry.get("policies", [])))
        if "policies" in entry and signature not in written:
            written.add(signature)
            cases += 1
            name = f"{a.name}-{cases}-{cls}"
            expect_peer = cls != "peer-inconsistent"
            flows_doc = []
            for proto, p, mv, peer in points:
                ans = peer if expect_peer else mv
                flows_doc.append({"from": src, "to": dst, "port": p, "protocol": proto, "expect": "allow" if ans else "deny"})
            desc = (f"Candidate from the differential run against netpol-analyzer v1.4.4 ({cls}: {why}). "
                    + "; ".join(f"{proto} {p}: meshverdict {'allow' if mv else 'deny'}, netpol-analyzer list {'allow' if peer else 'deny'}"
                                for proto, p, mv, peer in points)
                    + (". Expectations are netpol-analyzer's answers: decide by the Kubernetes API reference before adopting."
                       if expect_peer else ". Expectations are the answer meshverdict and netpolicy eval share."))
            exp = {"apiVersion": "meshverdict/v1", "kind": "Expectations", "metadata": {"name": name},
                   "spec": {"description": desc, "dataplane": "generic", "flows": flows_doc}}
            path = os.path.join(a.out, f"{name}.yaml")
            with open(path, "w") as f:
                f.write(yamltext.dump_all(base + kept + [exp]))
            entry["case"] = path
        triage.append(entry)
        if "case" in entry or cls != "peer-inconsistent":
            print(f"{cls}: {src} -> {dst}: {why}" + (f"; policies {', '.join(entry['policies'])}" if "policies" in entry else "")
                  + (f"; case {entry['case']}" if "case" in entry else ""))

    shutil.rmtree(work, ignore_errors=True)
    with open(os.path.join(a.out, "triage.json"), "w") as f:
        json.dump(triage, f, indent=1)
    counts = {}
    for t in triage:
        counts[t["class"]] = counts.get(t["class"], 0) + 1
    print("triage: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) + f" ({len(triage)} pairs)")
    sys.exit(1 if counts.get("disputed") or counts.get("untriaged") else 0)


if __name__ == "__main__":
    main()
