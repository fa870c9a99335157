# The compiled core of meshverdict (python/src/lib.rs), written by hand.
# tests/test_stub.py checks that this file and the binary name the same things.
#
# Every function takes a JSON request of meshverdict-bindings and answers JSON text:
# the `type`-tagged envelope {"type": "success", "result": …, "warnings": […]} or
# {"type": "failure", "error": {"code", "message", "help", "location"}, "warnings": […]}.
# Use the `meshverdict` package, not this module.

from typing import List, Union, final

__all__ = ["__version__", "ClusterHandle", "load", "run_case"]

__version__: str

@final
class ClusterHandle:
    """A loaded cluster, kept between questions."""

    @property
    def dataplane(self) -> str:
        """`generic`, `calico` or `cilium`."""
    def warnings_json(self) -> str:
        """The load warnings as a JSON list."""
    def verdict(self, request: str) -> str:
        """One verdict with its explanation: the answer as JSON."""
    def verdicts(self, requests: str) -> str:
        """A JSON list of compact answers, or one failure answer for a malformed list."""
    def allowed_many(self, requests: str) -> Union[List[bool], str]:
        """`allowed` per question, or the failure answer (JSON) when any fails."""
    def diagnostics(self) -> str:
        """The analysis of the cluster: the answer as JSON."""
    def errors(self) -> str:
        """Objects the API server or Cilium would reject: a JSON list of errors."""

def load(request: str) -> Union[ClusterHandle, str]:
    """Loads `{"yaml", "name"?, "dataplane"?}`: the handle, or the failure answer as JSON."""

def run_case(request: str) -> str:
    """Runs one conformance case `{"yaml", "name"?}`: the answer as JSON."""
