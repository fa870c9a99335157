"""meshverdict.schema.json → ../python/src/meshverdict/_schema.py (TypedDicts).

The answers' shapes for Python, generated from the same schema as the TypeScript ones
(bash schema/generate.sh). ``--check``: fail if the checked-in file is not what this
would write. Only the standard library; the output needs Python >= 3.9 (typing only).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "python" / "src" / "meshverdict" / "_schema.py"


class Writer:
    def __init__(self, definitions: dict) -> None:
        self.definitions = definitions
        self.blocks: list[str] = []

    def type_of(self, schema: object, name_hint: str) -> str:
        """The annotation of a schema; inline objects become TypedDicts named after `name_hint`."""
        if schema is True or schema == {}:
            return "Any"
        assert isinstance(schema, dict), schema
        if "$ref" in schema:
            return repr(schema["$ref"].rsplit("/", 1)[-1])
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.type_of(schema["allOf"][0], name_hint)
        if "const" in schema:
            return f"Literal[{json.dumps(schema['const'])}]"
        if "enum" in schema:
            return "Literal[" + ", ".join(json.dumps(v) for v in schema["enum"]) + "]"
        for key in ("oneOf", "anyOf"):
            if key in schema:
                variants = schema[key]
                if all(isinstance(v, dict) and ("const" in v or "enum" in v) and "properties" not in v for v in variants):
                    values = [json.dumps(x) for v in variants for x in ([v["const"]] if "const" in v else v["enum"])]
                    return "Literal[" + ", ".join(values) + "]"
                parts = [self.type_of(v, f"{name_hint}{self.variant_name(v, i)}") for i, v in enumerate(variants)]
                return self.union(parts)
        t = schema.get("type")
        if isinstance(t, list):
            return self.union([self.type_of({**schema, "type": x}, name_hint) for x in t])
        if t == "string":
            return "str"
        if t == "integer":
            return "int"
        if t == "number":
            return "float"
        if t == "boolean":
            return "bool"
        if t == "null":
            return "None"
        if t == "array":
            items = schema.get("items", schema.get("prefixItems"))
            if isinstance(items, list):
                return "Tuple[" + ", ".join(self.type_of(x, f"{name_hint}Item") for x in items) + "]"
            return f"List[{self.type_of(items if items is not None else True, f'{name_hint}Item')}]"
        if t == "object" or "properties" in schema:
            if "properties" in schema:
                self.typed_dict(name_hint, schema)
                return repr(name_hint)
            extra = schema.get("additionalProperties", True)
            return f"Dict[str, {self.type_of(extra, f'{name_hint}Value')}]"
        return "Any"

    @staticmethod
    def variant_name(variant: object, index: int) -> str:
        if isinstance(variant, dict):
            for prop in variant.get("properties", {}).values():
                if isinstance(prop, dict) and isinstance(prop.get("const"), str):
                    return prop["const"][:1].upper() + prop["const"][1:]
        return str(index)

    @staticmethod
    def union(parts: list[str]) -> str:
        unique = list(dict.fromkeys(parts))
        return unique[0] if len(unique) == 1 else "Union[" + ", ".join(unique) + "]"

    @staticmethod
    def doc(schema: dict) -> str:
        text = schema.get("description", "").strip()
        return text.replace("\\", "\\\\").replace('"""', "'''")

    def typed_dict(self, name: str, schema: dict) -> None:
        required = set(schema.get("required", []))
        props = schema["properties"]
        fields = {k: self.type_of(v, name + k[:1].upper() + k[1:]) for k, v in props.items()}
        req = {k: v for k, v in fields.items() if k in required}
        opt = {k: v for k, v in fields.items() if k not in required}

        def literal(d: dict) -> str:
            return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in d.items()) + "}"

        doc = self.doc(schema)
        lines = []
        if opt:
            lines.append(f'_{name}Required = TypedDict("_{name}Required", {literal(req)})')
            lines.append(f'_{name}Optional = TypedDict("_{name}Optional", {literal(opt)}, total=False)')
            lines.append("")
            lines.append("")
            lines.append(f"class {name}(_{name}Required, _{name}Optional):")
            lines.append(f'    """{doc}"""' if doc else '    """(generated)"""')
        else:
            if doc:
                lines.extend(f"#: {line}".rstrip() for line in doc.splitlines())
            lines.append(f'{name} = TypedDict("{name}", {literal(req)})')
        self.blocks.append("\n".join(lines))

    def definition(self, name: str, schema: dict) -> None:
        if "properties" in schema and "oneOf" not in schema and "anyOf" not in schema:
            self.typed_dict(name, schema)
            return
        annotation = self.type_of(schema, name)
        doc = self.doc(schema)
        comment = "".join(f"#: {line}".rstrip() + "\n" for line in doc.splitlines()) if doc else ""
        self.blocks.append(f"{comment}{name} = {annotation}")


def render(schema: dict) -> str:
    definitions = dict(schema["definitions"])
    for key in list(definitions):
        short = key.rsplit(".", 1)[-1]
        if short != key:
            definitions[short] = definitions.pop(key)
    text = json.dumps(definitions)
    for key in schema["definitions"]:
        short = key.rsplit(".", 1)[-1]
        if short != key:
            text = text.replace(f'"#/definitions/{key}"', f'"#/definitions/{short}"')
    definitions = json.loads(text)
    writer = Writer(definitions)
    for name in sorted(definitions):
        writer.definition(name, definitions[name])
    header = (
        '"""The shapes of meshverdict\'s answers and requests, generated from the Rust serde types.\n\n'
        "schema/meshverdict.schema.json (cargo run -p meshverdict-bindings --features schema --bin schema)\n"
        "→ this file (schema/generate_python.py). Do not edit; regenerate with ``bash schema/generate.sh``.\n"
        "Keys are the JSON keys (camelCase); optional keys are absent, not None, in answers.\n"
        '"""\n\n'
        "# ruff: noqa\n"
        "from typing import Any, Dict, List, Literal, Tuple, TypedDict, Union\n"
    )
    return header + "\n\n" + "\n\n\n".join(writer.blocks) + "\n"


def main() -> int:
    schema = json.loads((HERE / "meshverdict.schema.json").read_text(encoding="utf-8"))
    text = render(schema)
    if "--check" in sys.argv[1:]:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print("python/src/meshverdict/_schema.py is stale: run `bash schema/generate.sh`", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
