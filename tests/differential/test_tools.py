"""Tests of the differential tooling in scripts/peers/ (no Go, no Rust needed).

    python3 -m unittest discover -s tests/differential -v
"""
import ipaddress
import json
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS = os.path.join(ROOT, "scripts", "peers")
sys.path.insert(0, PEERS)

import compare  # noqa: E402
import flows  # noqa: E402
import matrix_to_csv  # noqa: E402
import yamltext  # noqa: E402


class Intervals(unittest.TestCase):
    def test_normalize_merges_overlaps_and_neighbours(self):
        self.assertEqual(flows.normalize([(9, 9), (1, 3), (4, 5), (2, 2), (7, 8)]), [(1, 5), (7, 9)])

    def test_subtract(self):
        self.assertEqual(flows.subtract([(1, 100)], [(10, 20), (50, 50)]), [(1, 9), (21, 49), (51, 100)])
        self.assertEqual(flows.subtract([(10, 20)], [(1, 100)]), [])
        self.assertEqual(flows.subtract([(8000, 8100), (9100, 9100)], [(8000, 8080), (9100, 9100)]), [(8081, 8100)])

    def test_ports_cell_round_trip(self):
        for cell in ["*", "80", "80;443", "8000-8100;9090", "1-65534"]:
            self.assertEqual(flows.format_ports(flows.parse_ports(cell)), cell)
        # Every port is written as *, however it was spelled.
        self.assertEqual(flows.format_ports(flows.parse_ports("1-100;101-65535")), "*")


class PeerFormats(unittest.TestCase):
    def test_connection_strings(self):
        self.assertEqual(flows.parse_npa_conn("All Connections"), {p: [(1, 65535)] for p in flows.PROTOCOLS})
        self.assertEqual(flows.parse_npa_conn("No Connections"), {})
        self.assertEqual(
            flows.parse_npa_conn("SCTP 1-10,TCP 80,443,8000-8100,UDP 53"),
            {"SCTP": [(1, 10)], "TCP": [(80, 80), (443, 443), (8000, 8100)], "UDP": [(53, 53)]},
        )
        with self.assertRaises(ValueError):
            flows.parse_npa_conn("80,443")

    def test_peer_names(self):
        self.assertIsNone(flows.parse_npa_ip_peer("ns0/pod1[Pod]"))
        self.assertIsNone(flows.parse_npa_ip_peer("{ingress-controller}"))
        self.assertEqual(flows.npa_workload_name("ns0/pod1[Pod]"), "ns0/pod1")
        ranges = flows.parse_npa_ip_peer("0.0.0.0-9.255.255.255, 11.0.0.0-255.255.255.255")
        self.assertEqual(ranges, [(0, int(ipaddress.ip_address("9.255.255.255"))),
                                  (int(ipaddress.ip_address("11.0.0.0")), 2**32 - 1)])

    def normalize_listing(self, text):
        with tempfile.TemporaryDirectory() as d:
            src, addrs, out = (os.path.join(d, n) for n in ("list", "addrs", "out.csv"))
            with open(src, "w") as f:
                f.write(text)
            with open(addrs, "w") as f:
                f.write("0.0.0.0\n10.0.0.0\n11.0.0.0\n")
            subprocess.run([sys.executable, os.path.join(PEERS, "npa_to_csv.py"), src, "--addresses", addrs, "-o", out],
                           check=True, capture_output=True)
            return flows.read_csv(out)

    def test_txt_json_and_csv_give_the_same_set(self):
        rows = [
            ("x/a[Pod]", "x/b[Pod]", "TCP 80,8000-8100,UDP 53"),
            ("0.0.0.0-9.255.255.255, 11.0.0.0-255.255.255.255", "x/b[Pod]", "All Connections"),
            ("x/b[Pod]", "10.0.0.0-10.255.255.255", "SCTP 9000"),
        ]
        txt = "".join(f"{s} => {d} : {c}\n" for s, d, c in rows)
        js = json.dumps([{"src": s, "dst": d, "conn": c} for s, d, c in rows])
        csv_text = "src,dst,conn\n" + "".join(f'"{s}","{d}","{c}"\n' for s, d, c in rows)
        got = [self.normalize_listing(t) for t in (txt, js, csv_text)]
        self.assertEqual(got[0], got[1])
        self.assertEqual(got[0], got[2])
        want = {
            ("x/a", "x/b", "TCP"): [(80, 80), (8000, 8100)],
            ("x/a", "x/b", "UDP"): [(53, 53)],
            ("x/b", "ip:10.0.0.0", "SCTP"): [(9000, 9000)],
        }
        # The IP peer with two ranges holds two of the listed atoms, not the third.
        for atom in ("ip:0.0.0.0", "ip:11.0.0.0"):
            for p in flows.PROTOCOLS:
                want[(atom, "x/b", p)] = [(1, 65535)]
        self.assertEqual(got[0], want)


class Compare(unittest.TestCase):
    def test_reports_what_only_one_side_allows(self):
        a = {("x/a", "x/b", "TCP"): [(8000, 8100), (9100, 9100)], ("x/a", "x/c", "UDP"): [(53, 53)]}
        b = {("x/a", "x/b", "TCP"): [(8000, 8080), (9100, 9100)], ("x/c", "x/a", "TCP"): [(1, 65535)]}
        d = {(x["from"], x["to"], x["protocol"]): (x["only_a"], x["only_b"]) for x in compare.diff(a, b)}
        self.assertEqual(d, {
            ("x/a", "x/b", "TCP"): ([(8081, 8100)], []),
            ("x/a", "x/c", "UDP"): ([(53, 53)], []),
            ("x/c", "x/a", "TCP"): ([], [(1, 65535)]),
        })
        self.assertEqual(compare.diff(a, dict(a)), [])

    def test_exit_status(self):
        with tempfile.TemporaryDirectory() as d:
            one, two = os.path.join(d, "1.csv"), os.path.join(d, "2.csv")
            flows.write_csv(one, {("x/a", "x/b", "TCP"): [(80, 80)]})
            flows.write_csv(two, {("x/a", "x/b", "TCP"): [(80, 81)]})
            run = lambda *p: subprocess.run([sys.executable, os.path.join(PEERS, "compare.py"), *p], capture_output=True, text=True)  # noqa: E731
            self.assertEqual(run(one, one).returncode, 0)
            r = run(one, two)
            self.assertEqual(r.returncode, 1)
            self.assertIn("x/a -> x/b TCP: only netpol-analyzer allows 81", r.stdout)


class MatrixRows(unittest.TestCase):
    def test_pods_addresses_and_other_parties(self):
        atoms = [(int(ipaddress.ip_address(a)), a) for a in ["0.0.0.0", "10.0.0.0", "11.0.0.0", "192.168.0.0"]]
        rows = [
            ("x/a", "x/b", "TCP", "80;8000-8100"),
            ("x/a", "x/a", "TCP", "*"),                       # a pod to itself: dropped
            ("x/a", "ip:0.0.0.0-9.255.255.255", "UDP", "53"),
            ("ip:11.0.0.0-255.255.255.255", "x/b", "TCP", "*"),
            ("x/a", "dns:example.com", "TCP", "443"),          # no such party in the peer
            ("entity:kube-apiserver", "x/b", "TCP", "443"),
            ("x/b", "ip:10.0.0.0/8", "TCP", "80"),
        ]
        out, kept, dropped = matrix_to_csv.convert(rows, atoms)
        self.assertEqual(out, {
            ("x/a", "x/b", "TCP"): [(80, 80), (8000, 8100)],
            ("x/a", "ip:0.0.0.0", "UDP"): [(53, 53)],
            ("ip:11.0.0.0", "x/b", "TCP"): [(1, 65535)],
            ("ip:192.168.0.0", "x/b", "TCP"): [(1, 65535)],
            ("x/b", "ip:10.0.0.0", "TCP"): [(80, 80)],
        })
        self.assertEqual((kept, dropped), (4, 2))


class Yaml(unittest.TestCase):
    def test_strings_stay_strings_and_nesting(self):
        text = yamltext.dump({"metadata": {"labels": {"a.b/c": "true", "n": "80"}},
                              "spec": {"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 80}]}], "egress": []}})
        self.assertEqual(text, "\n".join([
            "metadata:",
            "  labels:",
            '    a.b/c: "true"',
            '    n: "80"',
            "spec:",
            "  podSelector: {}",
            "  ingress:",
            "  - from:",
            "    - podSelector: {}",
            "    ports:",
            "    - port: 80",
            "  egress: []",
        ]) + "\n")


class Generator(unittest.TestCase):
    def generate(self, *args):
        d = tempfile.mkdtemp()
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", d]))
        subprocess.run([sys.executable, os.path.join(PEERS, "gen_netpol_cluster.py"), "--out", d, *args], check=True, capture_output=True)
        return d

    def read_tree(self, d):
        out = {}
        for base, _, files in os.walk(d):
            for f in files:
                with open(os.path.join(base, f)) as fh:
                    out[os.path.relpath(os.path.join(base, f), d)] = fh.read()
        return out

    def test_same_seed_same_bytes(self):
        a = self.read_tree(self.generate("--pods", "120", "--seed", "5"))
        b = self.read_tree(self.generate("--pods", "120", "--seed", "5"))
        c = self.read_tree(self.generate("--pods", "120", "--seed", "6"))
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)

    def test_objects_are_valid_and_ip_blocks_miss_pods(self):
        d = self.generate("--pods", "400", "--seed", "11")
        with open(os.path.join(d, "objects.json")) as f:
            objs = json.load(f)
        pods = [o for o in objs if o["kind"] == "Pod"]
        nps = [o for o in objs if o["kind"] == "NetworkPolicy"]
        self.assertEqual(len(pods), 400)
        self.assertEqual(len(nps), 40)
        addrs = [ipaddress.ip_address(p["status"]["podIP"]) for p in pods]
        addrs += [ipaddress.ip_address(p["status"]["hostIP"]) for p in pods]
        seen = {k: set() for k in ("op", "endPort", "named", "ipBlock", "noPorts", "noPeers", "udp", "sctp", "types-default", "egress-empty")}

        def check_selector(sel):
            for r in sel.get("matchExpressions", []):
                seen["op"].add(r["operator"])
                self.assertEqual("values" in r, r["operator"] in ("In", "NotIn"), r)
                if "values" in r:
                    self.assertTrue(r["values"])

        for np in nps:
            spec = np["spec"]
            check_selector(spec.get("podSelector", {}))
            if "policyTypes" not in spec:
                seen["types-default"].add(True)
            if spec.get("egress") == []:
                seen["egress-empty"].add(True)
            for direction, key in (("ingress", "from"), ("egress", "to")):
                for rule in spec.get(direction) or []:
                    if not rule.get(key):
                        seen["noPeers"].add(True)
                    if not rule.get("ports"):
                        seen["noPorts"].add(True)
                    named = False
                    for port in rule.get("ports") or []:
                        seen["udp"].add(port.get("protocol") == "UDP")
                        seen["sctp"].add(port.get("protocol") == "SCTP")
                        if "endPort" in port:
                            seen["endPort"].add(True)
                            self.assertIsInstance(port["port"], int)
                            self.assertGreaterEqual(port["endPort"], port["port"])
                        if isinstance(port.get("port"), str):
                            named = True
                            seen["named"].add(True)
                    for peer in rule.get(key) or []:
                        for sel in ("podSelector", "namespaceSelector"):
                            if sel in peer:
                                check_selector(peer[sel])
                        if "ipBlock" in peer:
                            seen["ipBlock"].add(True)
                            self.assertEqual(set(peer), {"ipBlock"})
                            net = ipaddress.ip_network(peer["ipBlock"]["cidr"])
                            excepts = [ipaddress.ip_network(e) for e in peer["ipBlock"].get("except", [])]
                            for e in excepts:
                                self.assertTrue(e.subnet_of(net) and e != net)
                            for a in addrs:
                                self.assertFalse(a in net and not any(a in e for e in excepts), (np["metadata"], a))
                    if direction == "egress" and named:
                        # The default mode keeps named egress ports away from IP peers.
                        self.assertTrue(rule.get("to"))
                        self.assertFalse(any("ipBlock" in p for p in rule["to"]))
        self.assertEqual(seen["op"], {"In", "NotIn", "Exists", "DoesNotExist"})
        for k in ("endPort", "named", "ipBlock", "noPorts", "noPeers", "types-default", "egress-empty"):
            self.assertEqual(seen[k], {True}, k)
        self.assertIn(True, seen["udp"])
        self.assertIn(True, seen["sctp"])

    def test_address_atoms_split_every_block(self):
        d = self.generate("--pods", "300", "--seed", "4")
        with open(os.path.join(d, "objects.json")) as f:
            objs = json.load(f)
        with open(os.path.join(d, "addresses.txt")) as f:
            atoms = [ipaddress.ip_address(x.strip()) for x in f if x.strip()]
        self.assertEqual(atoms, sorted(atoms))
        blocks = []
        for o in objs:
            for direction, key in (("ingress", "from"), ("egress", "to")):
                for rule in (o.get("spec", {}).get(direction) or []) if o["kind"] == "NetworkPolicy" else []:
                    for peer in rule.get(key) or []:
                        if "ipBlock" in peer:
                            b = peer["ipBlock"]
                            blocks.append((ipaddress.ip_network(b["cidr"]), [ipaddress.ip_network(e) for e in b.get("except", [])]))
        self.assertTrue(blocks)
        # Each block is the union of the atoms it holds: its edges fall on atom starts.
        starts = {int(a) for a in atoms}
        for net, excepts in blocks:
            for n in [net] + excepts:
                self.assertIn(int(n.network_address), starts, n)
                if int(n.broadcast_address) + 1 < 2**32:
                    self.assertIn(int(n.broadcast_address) + 1, starts, n)


if __name__ == "__main__":
    unittest.main()
