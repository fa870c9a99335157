"""The shapes of meshverdict's answers and requests, generated from the Rust serde types.

schema/meshverdict.schema.json (cargo run -p meshverdict-bindings --features schema --bin schema)
→ this file (schema/generate_python.py). Do not edit; regenerate with ``bash schema/generate.sh``.
Keys are the JSON keys (camelCase); optional keys are absent, not None, in answers.
"""

# ruff: noqa
from typing import Any, Dict, List, Literal, Tuple, TypedDict, Union


AnswerSuccess = TypedDict("AnswerSuccess", {"result": Any, "type": Literal["success"], "warnings": List['Warning']})


AnswerFailure = TypedDict("AnswerFailure", {"error": 'ErrorInfo', "type": Literal["failure"], "warnings": List['Warning']})


Answer = Union['AnswerSuccess', 'AnswerFailure']


#: What a row of a matrix (or a diff) names.
By = Literal["workload", "pod", "class"]


#: One failed item of a case: what hosts list as `failures`.
CaseFailure = TypedDict("CaseFailure", {"detail": str, "id": str})


#: A case report with its failed items listed apart.
CaseReport = TypedDict("CaseReport", {"failed": int, "failures": List['CaseFailure'], "name": str, "passed": int, "results": List['ItemResult'], "source": str})


_CaseRequestRequired = TypedDict("_CaseRequestRequired", {"yaml": str})
_CaseRequestOptional = TypedDict("_CaseRequestOptional", {"name": Union[str, None]}, total=False)


class CaseRequest(_CaseRequestRequired, _CaseRequestOptional):
    """Run one conformance case file (JSON form)."""


_CellRequired = TypedDict("_CellRequired", {"from": int, "ports": List['PortRange'], "protocol": 'Protocol', "to": int})
_CellOptional = TypedDict("_CellOptional", {"mesh": 'MeshCell'}, total=False)


class Cell(_CellRequired, _CellOptional):
    """One allowed (source, destination, protocol) with its ports (application ports, as
the client dials them)."""


CompactClass = TypedDict("CompactClass", {"namespace": str, "pods": int})


CompactExternal = TypedDict("CompactExternal", {"class": int, "externals": int, "inbound": bool, "ports": List['PortRange'], "protocol": 'Protocol'})


_CompactRowRequired = TypedDict("_CompactRowRequired", {"from": int, "ports": List['PortRange'], "protocol": 'Protocol', "to": int})
_CompactRowOptional = TypedDict("_CompactRowOptional", {"authorizedBy": str, "wire": 'CompactWire'}, total=False)


class CompactRow(_CompactRowRequired, _CompactRowOptional):
    """(generated)"""


_CompactSetRequired = TypedDict("_CompactSetRequired", {})
_CompactSetOptional = TypedDict("_CompactSetOptional", {"bits": str, "runs": List[List[int]]}, total=False)


class CompactSet(_CompactSetRequired, _CompactSetOptional):
    """A set of indices: runs `[first, end)`, or, when that is longer, a bitmap (base64 of
little-endian 64-bit words, bit i = index i)."""


CompactWire = TypedDict("CompactWire", {"from": int, "port": int})


#: Which dataplane enforces the policies.
Dataplane = Literal["generic", "calico", "cilium"]


#: The dataplane a cluster is judged on, and why that one.
DataplaneChoice = TypedDict("DataplaneChoice", {"name": 'Dataplane', "reason": str})


_DiagnosticRequired = TypedDict("_DiagnosticRequired", {"code": 'DiagnosticCode', "message": str, "severity": 'Severity'})
_DiagnosticOptional = TypedDict("_DiagnosticOptional", {"flows": List['FlowRef'], "flowsTotal": int, "help": str, "location": 'Location', "policies": List['PolicyRef']}, total=False)


class Diagnostic(_DiagnosticRequired, _DiagnosticOptional):
    """A finding about the policy set."""


#: What a diagnostic is about. The first eight are the conformance format's codes
#: (v1); the rest are meshverdict's own.
DiagnosticCode = Literal["mesh-flow-blocked", "mesh-port-rewrite-blocked", "mesh-widens-port-rule", "selector-matches-nothing", "l7-rule-on-meshed-endpoint", "egress-without-dns", "invalid-policy", "mesh-version-assumed", "linkerd-authz-ignored", "policy-not-enforced", "host-policy-not-enforced", "dataplane-setting"]


#: The kind of objects to write.
Dialect = Literal["networkpolicy", "cilium", "linkerd"]


_DiffRequestRequired = TypedDict("_DiffRequestRequired", {})
_DiffRequestOptional = TypedDict("_DiffRequestOptional", {"after": Union['ManifestsRequest', None], "before": Union['ManifestsRequest', None], "by": Union['By', None], "forbid": Union['DocumentRequest', None]}, total=False)


class DiffRequest(_DiffRequestRequired, _DiffRequestOptional):
    """The options of `diff`: the other tree (`after`, the cluster being the tree before the
change; or `before`, the cluster being after it), `by`, and `forbid` (an Expectations
document whose `deny` flows must stay denied), as the CLI's flags."""


#: What a change opens and closes (`meshverdict diff -o json`).
DiffResult = TypedDict("DiffResult", {"diff": 'FlowDiff', "forbiddenOpened": List[str]})


Direction = Literal["ingress", "egress"]


_DocumentRequestRequired = TypedDict("_DocumentRequestRequired", {"yaml": str})
_DocumentRequestOptional = TypedDict("_DocumentRequestOptional", {"name": Union[str, None]}, total=False)


class DocumentRequest(_DocumentRequestRequired, _DocumentRequestOptional):
    """One text with its name (the `forbid` document of `diff`)."""


_End1Required = TypedDict("_End1Required", {"selector": 'LabelSelector'})
_End1Optional = TypedDict("_End1Optional", {"namespace": str}, total=False)


class End1(_End1Required, _End1Optional):
    """Pods a label selector picks, in one namespace or (`namespace` absent) in every one."""


#: One side of an intent.
End = Union[str, 'End1']


_EndpointInfoRequired = TypedDict("_EndpointInfoRequired", {"kind": str, "labels": Dict[str, str], "name": str, "namespace": str, "ports": List['NamedPort'], "reference": str})
_EndpointInfoOptional = TypedDict("_EndpointInfoOptional", {"meshed": bool, "pods": List[str]}, total=False)


class EndpointInfo(_EndpointInfoRequired, _EndpointInfoOptional):
    """Something a question may name, for a UI's pickers: a Pod, a workload (its pod
template, or its Pods in the input), or a Service (as a destination, `svc:NS/NAME`)."""


_EndpointViewRequired = TypedDict("_EndpointViewRequired", {"kind": str, "reference": str})
_EndpointViewOptional = TypedDict("_EndpointViewOptional", {"addresses": List[str], "meshed": bool, "name": str, "namespace": str}, total=False)


class EndpointView(_EndpointViewRequired, _EndpointViewOptional):
    """One side of a verdict, described for people and programs."""


#: Stable, machine-readable error codes. Hosts and case files name these.
ErrorCode = Literal["parse-error", "limit-exceeded", "invalid-field", "invalid-policy", "unknown-endpoint", "invalid-request", "invalid-case", "internal"]


_ErrorInfoRequired = TypedDict("_ErrorInfoRequired", {"code": 'ErrorCode', "message": str})
_ErrorInfoOptional = TypedDict("_ErrorInfoOptional", {"help": str, "location": 'Location'}, total=False)


class ErrorInfo(_ErrorInfoRequired, _ErrorInfoOptional):
    """The one error type of the engine."""


_ExposureRequired = TypedDict("_ExposureRequired", {"kind": str, "openToEverything": bool, "workload": str})
_ExposureOptional = TypedDict("_ExposureOptional", {"namespace": str, "otherNamespaces": List['Reach'], "outside": List['Reach']}, total=False)


class Exposure(_ExposureRequired, _ExposureOptional):
    """One workload's exposure."""


_ExposureRequestRequired = TypedDict("_ExposureRequestRequired", {})
_ExposureRequestOptional = TypedDict("_ExposureRequestOptional", {"namespace": Union[str, None]}, total=False)


class ExposureRequest(_ExposureRequestRequired, _ExposureRequestOptional):
    """The options of `exposure`: `namespace` (`-n`) keeps the workloads of one namespace."""


#: One file of [`ManifestsRequest::files`].
FileRequest = TypedDict("FileRequest", {"name": str, "yaml": str})


_FlowChangeRequired = TypedDict("_FlowChangeRequired", {"from": str, "ports": List['PortRange'], "protocol": 'Protocol', "reason": str, "to": str})
_FlowChangeOptional = TypedDict("_FlowChangeOptional", {"location": 'Location', "policies": List['PolicyRef']}, total=False)


class FlowChange(_FlowChangeRequired, _FlowChangeOptional):
    """One flow a change opens or closes."""


#: The flows a change opens and closes.
FlowDiff = TypedDict("FlowDiff", {"by": 'MatrixGranularity', "closed": List['FlowChange'], "opened": List['FlowChange']})


#: A flow a diagnostic is about.
FlowRef = TypedDict("FlowRef", {"from": str, "port": int, "protocol": 'Protocol', "to": str})


_GroupRequired = TypedDict("_GroupRequired", {"kind": str, "reference": str})
_GroupOptional = TypedDict("_GroupOptional", {"classes": List[int], "members": List[str], "meshed": bool, "namespace": str}, total=False)


class Group(_GroupRequired, _GroupOptional):
    """One side of the matrix: a workload, a pod, a class, or something outside the pods."""


_HintRequired = TypedDict("_HintRequired", {"carriedBy": int, "key": str, "message": str, "path": str, "policy": str, "suggestion": str})
_HintOptional = TypedDict("_HintOptional", {"location": 'Location'}, total=False)


class Hint(_HintRequired, _HintOptional):
    """A label key that no pod carries, and the key the author probably meant."""


_IntentRequired = TypedDict("_IntentRequired", {"from": 'End', "to": 'End'})
_IntentOptional = TypedDict("_IntentOptional", {"description": str, "location": 'Location', "origin": str, "ports": List['PortRef'], "protocol": 'Protocol'}, total=False)


class Intent(_IntentRequired, _IntentOptional):
    """One intent: `from` may reach `to` on `ports`/`protocol`."""


#: The intents of one or more documents, numbered from 1 in the order given.
Intents = TypedDict("Intents", {"items": List['Intent']})


#: One checked expectation.
ItemResult = TypedDict("ItemResult", {"detail": str, "id": str, "passed": bool})


#: L7 rules attached to a Cilium port rule: recorded, not evaluated.
L7 = TypedDict("L7", {"protocol": str, "summary": str})


_LabelSelectorRequired = TypedDict("_LabelSelectorRequired", {})
_LabelSelectorOptional = TypedDict("_LabelSelectorOptional", {"matchExpressions": List['LabelSelectorRequirement'], "matchLabels": Dict[str, str]}, total=False)


class LabelSelector(_LabelSelectorRequired, _LabelSelectorOptional):
    """A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects."""


_LabelSelectorRequirementRequired = TypedDict("_LabelSelectorRequirementRequired", {"key": str, "operator": str})
_LabelSelectorRequirementOptional = TypedDict("_LabelSelectorRequirementOptional", {"values": List[str]}, total=False)


class LabelSelectorRequirement(_LabelSelectorRequirementRequired, _LabelSelectorRequirementOptional):
    """A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values."""


_LayerRequired = TypedDict("_LayerRequired", {"allowed": bool, "isolated": bool, "reason": str})
_LayerOptional = TypedDict("_LayerOptional", {"allowedBy": List['RuleRef'], "deniedBy": List['RuleRef'], "isolatedBy": List['PolicyRef'], "l7": List['L7'], "nearMisses": List['NearMiss'], "notes": List[str]}, total=False)


class Layer(_LayerRequired, _LayerOptional):
    """One direction (the source's egress, or the destination's ingress)."""


_LimitsRequestRequired = TypedDict("_LimitsRequestRequired", {})
_LimitsRequestOptional = TypedDict("_LimitsRequestOptional", {"maxAliasNodes": Union[int, None], "maxDepth": Union[int, None], "maxObjects": Union[int, None]}, total=False)


class LimitsRequest(_LimitsRequestRequired, _LimitsRequestOptional):
    """The limits a caller may set, each optional (the engine's default otherwise)."""


_LoadRequestRequired = TypedDict("_LoadRequestRequired", {"yaml": str})
_LoadRequestOptional = TypedDict("_LoadRequestOptional", {"dataplane": Union[str, None], "limits": Union['LimitsRequest', None], "name": Union[str, None]}, total=False)


class LoadRequest(_LoadRequestRequired, _LoadRequestOptional):
    """Load manifests into a cluster: the JSON form (`{"yaml", "name"?, "dataplane"?, "limits"?}`)."""


_LocationRequired = TypedDict("_LocationRequired", {"source": str})
_LocationOptional = TypedDict("_LocationOptional", {"column": int, "document": int, "line": int, "offset": int, "path": str}, total=False)


class Location(_LocationRequired, _LocationOptional):
    """Where in the user's input something is."""


_ManifestsRequestRequired = TypedDict("_ManifestsRequestRequired", {})
_ManifestsRequestOptional = TypedDict("_ManifestsRequestOptional", {"files": Union[List['FileRequest'], None], "name": Union[str, None], "yaml": Union[str, None]}, total=False)


class ManifestsRequest(_ManifestsRequestRequired, _ManifestsRequestOptional):
    """Manifests given in a request: one text (`yaml`, with its `name`), or several files."""


_MatrixCellsRequired = TypedDict("_MatrixCellsRequired", {"by": 'MatrixGranularity', "cells": List['Cell'], "dataplane": 'DataplaneChoice', "groups": List['Group']})
_MatrixCellsOptional = TypedDict("_MatrixCellsOptional", {"notes": List[str]}, total=False)


class MatrixCells(_MatrixCellsRequired, _MatrixCellsOptional):
    """The matrix as groups and cells: what `meshverdict matrix -o json` prints as `result`."""


_MatrixCompactRequired = TypedDict("_MatrixCompactRequired", {"by": 'MatrixGranularity', "classes": List['CompactClass'], "dataplane": 'DataplaneChoice', "external": List['CompactExternal'], "externals": List[str], "groups": List['Group'], "rows": List['CompactRow'], "sets": List['CompactSet']})
_MatrixCompactOptional = TypedDict("_MatrixCompactOptional", {"warnings": List[str]}, total=False)


class MatrixCompact(_MatrixCompactRequired, _MatrixCompactOptional):
    """[`Matrix::compact`]: groups point at classes (`Group::classes`); each row says which
source classes (a set of `sets`) a destination class admits on which ports."""


#: What `matrix` returns: the cells (`meshverdict matrix -o json`) or the compact,
#: class-indexed form (`-o compact`).
MatrixFormat = Literal["cells", "compact"]


#: What a row of the matrix names.
MatrixGranularity = Literal["class", "workload", "pod"]


#: What `matrix` answers: the cells, or the compact form (`format: "compact"`).
MatrixOut = Union['MatrixCells', 'MatrixCompact']


_MatrixRequestRequired = TypedDict("_MatrixRequestRequired", {})
_MatrixRequestOptional = TypedDict("_MatrixRequestOptional", {"by": Union['By', None], "format": Union['MatrixFormat', None], "from": Union[str, None], "namespace": Union[str, None], "noExternals": Union[bool, None], "port": Union['Ports', None], "protocol": Union['Protocols', None], "to": Union[str, None]}, total=False)


class MatrixRequest(_MatrixRequestRequired, _MatrixRequestOptional):
    """The options of `matrix`, as the CLI's flags: `by`, `namespace` (`-n`), `from`, `to`,
`port`, `protocol`, `noExternals`, and the output `format`."""


_MeshCellRequired = TypedDict("_MeshCellRequired", {})
_MeshCellOptional = TypedDict("_MeshCellOptional", {"authorizedBy": List[str], "wire": List['WireNote']}, total=False)


class MeshCell(_MeshCellRequired, _MeshCellOptional):
    """The mesh's part in a cell."""


_MeshDecisionRequired = TypedDict("_MeshDecisionRequired", {"allowed": bool, "mesh": str, "reason": str, "server": str})
_MeshDecisionOptional = TypedDict("_MeshDecisionOptional", {"notes": List[str]}, total=False)


class MeshDecision(_MeshDecisionRequired, _MeshDecisionOptional):
    """The mesh's own decision on a connection to a meshed endpoint."""


_NamedPortRequired = TypedDict("_NamedPortRequired", {"port": int, "protocol": 'Protocol'})
_NamedPortOptional = TypedDict("_NamedPortOptional", {"name": str}, total=False)


class NamedPort(_NamedPortRequired, _NamedPortOptional):
    """A container port as declared in a pod spec."""


#: A rule that nearly matched: the peer matched but not the port, or the other way.
NearMiss = TypedDict("NearMiss", {"message": str, "rule": 'RuleRef'})


#: A flow the mesh or the platform needs, made explicit in the output.
Need = TypedDict("Need", {"from": str, "port": str, "purpose": str, "to": str})


#: A flow the repair opens.
Opened = TypedDict("Opened", {"from": str, "policy": str, "ports": str, "to": str, "why": str})


#: What one policy selects.
PolicyGranularity = Literal["workload", "namespace"]


PolicyKind = Literal["NetworkPolicy", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"]


_PolicyRefRequired = TypedDict("_PolicyRefRequired", {"kind": 'PolicyKind', "name": str})
_PolicyRefOptional = TypedDict("_PolicyRefOptional", {"namespace": str}, total=False)


class PolicyRef(_PolicyRefRequired, _PolicyRefOptional):
    """Names one policy object."""


#: An inclusive port range.
PortRange = TypedDict("PortRange", {"from": int, "to": int})


#: A port as a question gives it: a number, or a named port of the destination.
PortRef = Union[int, str]


#: A port (1-65535), a string in the CLI's form ("80", "8000-8080", "80,443"), or a list of those.
Ports = Union[int, str, List[Union[int, str]]]


#: The proof of a synthesized set.
Proof = TypedDict("Proof", {"allowed": int, "blocked": List[str], "checks": int, "diagnostics": List['Diagnostic'], "elsewhere": int, "existing": List[Tuple[str, str]], "existingPairs": int, "failures": List[str], "intents": int, "invalid": List[str], "notes": List[str], "pairs": int, "questions": int, "residue": List['Residue'], "verified": bool})


Protocol = Literal["TCP", "UDP", "SCTP"]


#: "TCP", "UDP" or "SCTP" (any case), or a list of those.
Protocols = Union[str, List[str]]


#: Sources of one kind reaching a workload on some ports.
Reach = TypedDict("Reach", {"from": List[str], "ports": List['PortRange'], "protocol": 'Protocol'})


#: Intents reduced from observed flows, with what the reduction did.
Reduction = TypedDict("Reduction", {"intents": 'Intents', "leftOut": List[Tuple[str, int]], "records": int})


#: The repair of a cluster.
Repair = TypedDict("Repair", {"before": int, "fixed": int, "hints": List['Hint'], "left": List['Diagnostic'], "notes": List[str], "objects": List['SynthesizedObject'], "opens": List['Opened'], "unrepairable": List[str], "yaml": str})


#: The kind of objects `repair` writes.
RepairDialect = Literal["networkpolicy", "cilium"]


_RepairRequestRequired = TypedDict("_RepairRequestRequired", {})
_RepairRequestOptional = TypedDict("_RepairRequestOptional", {"dialect": Union['RepairDialect', None]}, total=False)


class RepairRequest(_RepairRequestRequired, _RepairRequestOptional):
    """The options of `repair`: `dialect`, as the CLI's flag."""


#: Something else the synthesized set allows.
Residue = TypedDict("Residue", {"cause": str, "from": str, "ports": str, "protocol": 'Protocol', "to": str, "why": str})


#: Names one rule: `spec.ingress[0]` of a NetworkPolicy, `specs[1].egressDeny[0]` of a CNP.
RuleRef = TypedDict("RuleRef", {"deny": bool, "direction": 'Direction', "index": int, "path": str, "policy": 'PolicyRef'})


#: How bad a finding is.
Severity = Literal["info", "warning", "error"]


_SynthesisRequired = TypedDict("_SynthesisRequired", {"concerned": List[str], "dataplane": 'Dataplane', "dialect": 'Dialect', "granularity": 'PolicyGranularity', "intents": List['Intent'], "needs": List['Need'], "notes": List[str], "objects": List['SynthesizedObject'], "proof": 'Proof', "unmet": List['Unmet'], "yaml": str})
_SynthesisOptional = TypedDict("_SynthesisOptional", {"narrowed": List[str], "reduction": 'Reduction'}, total=False)


class Synthesis(_SynthesisRequired, _SynthesisOptional):
    """The synthesized set with its proof, and the reduction of observed flows when the
intents came from them (`meshverdict synthesize -o json`)."""


#: The kind of objects `synthesize` writes.
SynthesisDialect = Literal["networkpolicy", "cilium", "linkerd"]


#: What one synthesized policy selects.
SynthesisGranularity = Literal["workload", "namespace"]


_SynthesizeRequestRequired = TypedDict("_SynthesizeRequestRequired", {})
_SynthesizeRequestOptional = TypedDict("_SynthesizeRequestOptional", {"dialect": Union['SynthesisDialect', None], "fromCurrent": Union[bool, None], "granularity": Union['SynthesisGranularity', None], "hubble": Union[str, None], "intents": Any, "intentsName": Union[str, None], "isolate": Union[List[str], None], "isolateAll": Union[bool, None], "linkerdEdges": Union[str, None]}, total=False)


class SynthesizeRequest(_SynthesizeRequestRequired, _SynthesizeRequestOptional):
    """The options of `synthesize`, as the CLI's flags: the intents (an Intents document's
text, or its parsed value; or observed flows: `hubble`, `linkerdEdges`; none: the
Intents documents among the cluster's manifests), `dialect`, `granularity`,
`fromCurrent`, `isolate`, `isolateAll`."""


#: One synthesized object.
SynthesizedObject = TypedDict("SynthesizedObject", {"apiVersion": str, "kind": str, "name": str, "namespace": str, "object": Any, "serves": List[str]})


#: An intent the dialect or the cluster cannot meet, and why.
Unmet = TypedDict("Unmet", {"intent": int, "reasons": List[str], "summary": str})


_VerdictRequired = TypedDict("_VerdictRequired", {"allowed": bool, "dataplane": 'DataplaneChoice', "egress": 'Layer', "from": 'EndpointView', "ingress": 'Layer', "port": int, "protocol": 'Protocol', "summary": str, "to": 'EndpointView'})
_VerdictOptional = TypedDict("_VerdictOptional", {"backends": List['Verdict'], "members": List['Verdict'], "mesh": 'MeshDecision', "warnings": List['Diagnostic'], "wirePort": 'WirePort'}, total=False)


class Verdict(_VerdictRequired, _VerdictOptional):
    """The answer, with every layer's reason."""


#: The compact form of a batch item: enough for scripts asking many questions.
VerdictBrief = TypedDict("VerdictBrief", {"allowed": bool, "summary": str})


_VerdictRequestRequired = TypedDict("_VerdictRequestRequired", {"from": str, "port": 'PortRef', "to": str})
_VerdictRequestOptional = TypedDict("_VerdictRequestOptional", {"protocol": Union[str, None]}, total=False)


class VerdictRequest(_VerdictRequestRequired, _VerdictRequestOptional):
    """One question in its JSON form. `protocol` defaults to TCP; `port` is a number or a
named port."""


_VerdictResultRequired = TypedDict("_VerdictResultRequired", {"allowed": bool, "dataplane": 'DataplaneChoice', "egress": 'Layer', "explanation": str, "from": 'EndpointView', "ingress": 'Layer', "port": int, "protocol": 'Protocol', "summary": str, "to": 'EndpointView'})
_VerdictResultOptional = TypedDict("_VerdictResultOptional", {"backends": List['Verdict'], "members": List['Verdict'], "mesh": 'MeshDecision', "warnings": List['Diagnostic'], "wirePort": 'WirePort'}, total=False)


class VerdictResult(_VerdictResultRequired, _VerdictResultOptional):
    """A verdict with its text explanation (what `meshverdict check` prints)."""


_WarningRequired = TypedDict("_WarningRequired", {"code": 'WarningCode', "message": str})
_WarningOptional = TypedDict("_WarningOptional", {"location": 'Location'}, total=False)


class Warning(_WarningRequired, _WarningOptional):
    """A note about the input that is no error: a skipped kind, an assumption."""


#: What a warning about the input is about.
WarningCode = Literal["unknown-kind", "duplicate-object", "host-network-workload", "service-not-found", "service-without-selector", "cilium-groups-unresolved", "cilium-cidr-group-unresolved", "cilium-requires-removed", "policy-not-enforced", "dataplane-setting", "owned-workload"]


#: For a meshed pair: application ports the mesh carries on another port.
WireNote = TypedDict("WireNote", {"ports": List['PortRange'], "wire": int})


_WirePortRequired = TypedDict("_WirePortRequired", {"port": int})
_WirePortOptional = TypedDict("_WirePortOptional", {"reason": str}, total=False)


class WirePort(_WirePortRequired, _WirePortOptional):
    """The port a connection really uses on the wire."""
