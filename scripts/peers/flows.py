"""Allowed-flow sets: the CSV both sides are turned into, and port-interval arithmetic.

A flow set maps (from, to, protocol) to a sorted list of disjoint inclusive port
intervals. The CSV is the one `meshverdict matrix --pods -o csv` is to print:
`from,to,protocol,ports`, `ports` as `80;8000-8100`, `*` for every port.
"""
import csv
import ipaddress

PROTOCOLS = ("TCP", "UDP", "SCTP")
ALL = [(1, 65535)]


def normalize(intervals):
    """Sorted, merged (adjacent ones too) inclusive intervals."""
    out = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def subtract(a, b):
    """Intervals of a not in b (both normalized)."""
    out = []
    for lo, hi in a:
        cur = lo
        for blo, bhi in b:
            if bhi < cur or blo > hi:
                continue
            if blo > cur:
                out.append((cur, blo - 1))
            cur = max(cur, bhi + 1)
            if cur > hi:
                break
        if cur <= hi:
            out.append((cur, hi))
    return out


def format_ports(intervals):
    if intervals == ALL:
        return "*"
    return ";".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in intervals)


def parse_ports(cell):
    if cell == "*":
        return list(ALL)
    out = []
    for part in cell.split(";"):
        lo, _, hi = part.partition("-")
        out.append((int(lo), int(hi or lo)))
    return normalize(out)


def count_ports(intervals):
    return sum(hi - lo + 1 for lo, hi in intervals)


def read_csv(path):
    flows = {}
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header != ["from", "to", "protocol", "ports"]:
            raise SystemExit(f"{path}: expected header from,to,protocol,ports, got {header}")
        for row in rows:
            if not row:
                continue
            src, dst, proto, ports = row
            key = (src, dst, proto)
            flows[key] = normalize(flows.get(key, []) + parse_ports(ports))
    return flows


def write_csv(path, flows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["from", "to", "protocol", "ports"])
        for (src, dst, proto), ports in sorted(flows.items()):
            if ports:
                w.writerow([src, dst, proto, format_ports(ports)])


# -- netpol-analyzer's connection strings ---------------------------------------------
# Formats read from np-guard/netpol-analyzer v1.4.4: ConnStrFromConnProperties and
# portsString (pkg/netpol/internal/common/connectionset.go): "All Connections", or
# protocols sorted, each "PROTO ranges", everything joined by ","; a range is "N" or
# "N-M". "No Connections" for an empty set. IP peers: IPBlock.ToIPRanges (np-guard/models
# pkg/netset/ipblock.go): "a.b.c.d-e.f.g.h" ranges joined by ", ".


def parse_npa_conn(s):
    s = s.strip()
    if s == "All Connections":
        return {p: list(ALL) for p in PROTOCOLS}
    if s == "No Connections" or not s:
        return {}
    out = {}
    proto = None
    for tok in s.split(","):
        tok = tok.strip()
        head, _, rest = tok.partition(" ")
        if head in PROTOCOLS and rest:
            proto, tok = head, rest.strip()
        if proto is None:
            raise ValueError(f"connection string {s!r}: range {tok!r} before any protocol")
        lo, _, hi = tok.partition("-")
        out.setdefault(proto, []).append((int(lo), int(hi or lo)))
    return {p: normalize(v) for p, v in out.items()}


def parse_npa_ip_peer(s):
    """IP ranges of an IP peer, as (int, int) pairs; None when s names a workload."""
    if s.endswith("]") or s.startswith("{"):
        return None
    ranges = []
    for part in s.split(","):
        part = part.strip()
        lo, sep, hi = part.partition("-")
        try:
            a = ipaddress.ip_address(lo)
            b = ipaddress.ip_address(hi) if sep else a
        except ValueError:
            return None
        ranges.append((int(a), int(b)))
    return ranges


def npa_workload_name(s):
    """`ns/name[Pod]` → `ns/name`."""
    base, _, kind = s.partition("[")
    return base if kind else s


def read_address_atoms(path):
    """The addresses of a file, one per line (`#` comments), as (integer, text) pairs: the
    atoms outside ranges are expanded to, as the peer lists them."""
    with open(path) as f:
        return [(int(ipaddress.ip_address(x.strip())), x.strip()) for x in f if x.strip() and not x.startswith("#")]
