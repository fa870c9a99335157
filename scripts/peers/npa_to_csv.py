#!/usr/bin/env python3
"""netpol-analyzer's `netpolicy list` output → the flow CSV meshverdict prints.

    npa_to_csv.py LIST_OUTPUT [--addresses FILE] -o OUT.csv

LIST_OUTPUT is `netpolicy list -o json`, `-o csv` or `-o txt` (told apart by content).
Workloads `ns/name[Pod]` become `ns/name`. An IP peer is a set of address ranges (the
peer splits the address space at every ipBlock boundary, GetIPBlockPeersLists in
pkg/netpol/eval/resources.go, v1.4.4); with --addresses (one address per atom that no
ipBlock splits, as gen_netpol_cluster.py writes), each row with an IP peer becomes one
row per listed address inside it, as `ip:ADDR`; without it, IP rows are dropped.
Rows between two workloads of other kinds than Pod are kept under their `ns/name`.
"""
import argparse
import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flows  # noqa: E402


def records(text):
    """(src, dst, conn) triples from any of the three output formats."""
    stripped = text.lstrip()
    if stripped.startswith("[") or stripped.startswith("{"):
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("connlist_results") or []
        for r in data:
            yield r["src"], r["dst"], r["conn"]
        return
    lines = text.splitlines()
    if lines and lines[0].strip().lower().startswith("src,dst"):
        for row in csv.reader(lines[1:]):
            if len(row) >= 3 and row[0] and not row[0].startswith("Exposure"):
                yield row[0], row[1], row[2]
        return
    for line in lines:
        # txt: "SRC => DST : CONN"; a connection string never holds " : ".
        if " => " not in line or " : " not in line:
            continue
        pair, _, conn = line.partition(" : ")
        src, _, dst = pair.partition(" => ")
        yield src.strip(), dst.strip(), conn.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("listing")
    ap.add_argument("--addresses")
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args()
    atoms = flows.read_address_atoms(a.addresses) if a.addresses else []

    def endpoints(name):
        ranges = flows.parse_npa_ip_peer(name)
        if ranges is None:
            return [flows.npa_workload_name(name)]
        return [f"ip:{s}" for n, s in atoms if any(lo <= n <= hi for lo, hi in ranges)]

    out = {}
    n_in = dropped_ip = 0
    with open(a.listing) as f:
        text = f.read()
    for src, dst, conn in records(text):
        n_in += 1
        srcs, dsts = endpoints(src), endpoints(dst)
        if not srcs or not dsts:
            dropped_ip += 1
            continue
        for proto, ports in flows.parse_npa_conn(conn).items():
            for s in srcs:
                for d in dsts:
                    key = (s, d, proto)
                    out[key] = flows.normalize(out.get(key, []) + ports)
    flows.write_csv(a.out, out)
    note = f", {dropped_ip} IP rows without a listed address" if dropped_ip else ""
    print(f"npa_to_csv: {n_in} peer rows → {len(out)} flow rows{note}", file=sys.stderr)


if __name__ == "__main__":
    main()
