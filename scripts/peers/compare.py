#!/usr/bin/env python3
"""Compares two flow CSVs (meshverdict's and a peer's, see flows.py) flow by flow.

    compare.py MESHVERDICT.csv PEER.csv [--names A,B] [--max N] [--json OUT]
               [--count TCP:8080,TCP:9090]

Prints every (source, destination, protocol) whose allowed ports differ, with the ports
only one side allows and both full answers, then a summary; exits 1 on any disagreement.
--count: also print, per side, how many (ordered pair, protocol:port) the given ports
allow (the figure the peers were compared on: 198,414 for the 1,000-pod benchmark).
--json: the disagreements, for make_case.py.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flows  # noqa: E402


def diff(a, b):
    out = []
    for key in sorted(set(a) | set(b)):
        pa, pb = a.get(key, []), b.get(key, [])
        if pa == pb:
            continue
        out.append({
            "from": key[0],
            "to": key[1],
            "protocol": key[2],
            "only_a": flows.subtract(pa, pb),
            "only_b": flows.subtract(pb, pa),
            "a": pa,
            "b": pb,
        })
    return out


def count_ports(fl, wanted):
    n = 0
    for (src, dst, proto), ports in fl.items():
        for p, num in wanted:
            if p == proto and any(lo <= num <= hi for lo, hi in ports):
                n += 1
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--names", default="meshverdict,netpol-analyzer")
    ap.add_argument("--max", type=int, default=200, help="disagreements to print (0: all)")
    ap.add_argument("--json")
    ap.add_argument("--count")
    args = ap.parse_args()
    na, nb = args.names.split(",")
    a, b = flows.read_csv(args.a), flows.read_csv(args.b)
    d = diff(a, b)

    def show(iv):
        return flows.format_ports(iv) if iv else "nothing"

    for i, x in enumerate(d):
        if args.max and i >= args.max:
            print(f"... and {len(d) - args.max} more disagreements")
            break
        parts = []
        if x["only_a"]:
            parts.append(f"only {na} allows {show(x['only_a'])}")
        if x["only_b"]:
            parts.append(f"only {nb} allows {show(x['only_b'])}")
        print(f"{x['from']} -> {x['to']} {x['protocol']}: {'; '.join(parts)} ({na}: {show(x['a'])}; {nb}: {show(x['b'])})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(d, f, indent=1)

    pairs = {(s, t) for s, t, _ in set(a) | set(b)}
    print(f"compared {len(set(a) | set(b))} (source, destination, protocol) rows over {len(pairs)} pairs: "
          f"{na} {len(a)} rows, {nb} {len(b)} rows; {len(d)} disagree")
    if args.count:
        wanted = []
        for item in args.count.split(","):
            proto, _, port = item.partition(":")
            wanted.append((proto, int(port)))
        print(f"allowed (pair, port) on {args.count}: {na} {count_ports(a, wanted)}, {nb} {count_ports(b, wanted)}")
    sys.exit(1 if d else 0)


if __name__ == "__main__":
    main()
