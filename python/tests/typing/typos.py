# Type-checked by tests/test_typing.py with `mypy --strict`, never run: each line with an
# "error" comment must be an error (a typo caught before the code runs).
from meshverdict import Cluster

c = Cluster.from_yaml("", dataplane="cillium")  # error: dataplane
c.verdict("a/b", "a/c", 80, "ICMP")  # error: protocol
c.verdict("a/b", "a/c", 80.0)  # error: port
Cluster.from_yaml("", limits={"maxObjects": 3})  # error: limits
c.verdicts([("a/b", "a/c", 80)], errors="ignore")  # error: errors
c.matrix(by="namespace")  # error: by
c.matrix(format="csv")  # error: format
c.repair(dialect="linkerd")  # error: dialect
c.synthesize([], dialect="calico")  # error: dialect
c.diff(3)  # error: after
c.allowed_columns(["a/b"], [0], [0], 80, "ICMP")  # error: protocol
c.allowed_columns(["a/b"], [0.5], [0], 80)  # error: from_
c.allowed_columns(["a/b"], [0], [0], "http")  # error: port
