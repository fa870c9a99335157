#!/usr/bin/env python3
"""`meshverdict matrix --by pod -o csv` → the flow CSV the comparator reads (flows.py).

    matrix_to_csv.py MATRIX.csv [--addresses FILE] -o OUT.csv

Pod rows (`ns/name`) are kept, less a pod to itself (netpol-analyzer never lists a
workload to itself: `includePairOfWorkloads`, pkg/netpol/connlist/connlist.go, v1.4.4).
The matrix names the outside as address ranges `ip:FIRST-LAST`, cut at every ipBlock
boundary (the same atoms gen_netpol_cluster.py lists in addresses.txt): with
--addresses, each such row becomes one row per listed address inside its range, as
`ip:ADDR`, which is how npa_to_csv.py writes the peer's ranges; without it, address rows
are dropped. Rows of other parties (`entity:…`, `dns:…`, nodes) are dropped: the peer
has none.
"""
import argparse
import csv
import ipaddress
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flows  # noqa: E402


def address_range(name):
    """(first, last) as ints for `ip:A-B` or `ip:CIDR` or `ip:A`; None for anything else."""
    if not name.startswith("ip:"):
        return None
    body = name[3:]
    try:
        if "/" in body:
            net = ipaddress.ip_network(body, strict=False)
            return int(net.network_address), int(net.broadcast_address)
        lo, sep, hi = body.partition("-")
        a = ipaddress.ip_address(lo)
        b = ipaddress.ip_address(hi) if sep else a
        return int(a), int(b)
    except ValueError:
        return None


def convert(rows, atoms):
    """rows: (from, to, protocol, ports-cell); atoms: [(int, text)] → flow set."""
    out = {}
    kept = dropped = 0

    def endpoints(name):
        r = address_range(name)
        if r is not None:
            return [f"ip:{s}" for n, s in atoms if r[0] <= n <= r[1]]
        if ":" in name or "/" not in name:
            return []
        return [name]

    for src, dst, proto, cell in rows:
        if src == dst:
            continue
        srcs, dsts = endpoints(src), endpoints(dst)
        if not srcs or not dsts:
            dropped += 1
            continue
        kept += 1
        ports = flows.parse_ports(cell)
        for s in srcs:
            for d in dsts:
                key = (s, d, proto)
                out[key] = flows.normalize(out.get(key, []) + ports)
    return out, kept, dropped


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("matrix")
    ap.add_argument("--addresses")
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args()
    atoms = flows.read_address_atoms(a.addresses) if a.addresses else []
    with open(a.matrix, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != ["from", "to", "protocol", "ports"]:
            raise SystemExit(f"{a.matrix}: expected header from,to,protocol,ports, got {header}")
        rows = [r for r in reader if r]
    out, kept, dropped = convert(rows, atoms)
    flows.write_csv(a.out, out)
    print(f"matrix_to_csv: {kept} matrix rows → {len(out)} flow rows ({dropped} rows of other parties dropped)", file=sys.stderr)


if __name__ == "__main__":
    main()
