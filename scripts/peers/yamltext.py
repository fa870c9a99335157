"""YAML text from plain Python values, without a YAML library.

Block style, every string double-quoted (a JSON string is a valid YAML double-quoted
scalar), so that label values such as "true", "80" or "no" stay strings for every reader.
Only dicts, lists, str, int and bool occur in generated objects.
"""
import json
import re

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")


def _key(k):
    return k if _PLAIN_KEY.match(k) else json.dumps(k)


def _scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    raise TypeError(f"no YAML form for {type(v).__name__}")


def _emit(v, indent, out):
    pad = "  " * indent
    if isinstance(v, dict):
        for k, item in v.items():
            if isinstance(item, dict) and item:
                out.append(f"{pad}{_key(k)}:")
                _emit(item, indent + 1, out)
            elif isinstance(item, list) and item:
                out.append(f"{pad}{_key(k)}:")
                _emit(item, indent, out)
            else:
                out.append(f"{pad}{_key(k)}: {_inline(item)}")
    elif isinstance(v, list):
        for item in v:
            if isinstance(item, (dict, list)) and item:
                sub = []
                _emit(item, indent + 1, sub)
                # The first line of the item goes after the dash, the rest keep their indent.
                out.append(f"{pad}- {sub[0].lstrip()}")
                out.extend(sub[1:])
            else:
                out.append(f"{pad}- {_inline(item)}")
    else:
        out.append(pad + _scalar(v))


def _inline(v):
    if isinstance(v, dict):
        assert not v
        return "{}"
    if isinstance(v, list):
        assert not v
        return "[]"
    return _scalar(v)


def dump(obj):
    """One YAML document (without the leading ---)."""
    out = []
    _emit(obj, 0, out)
    return "\n".join(out) + "\n"


def dump_all(objs):
    return "".join("---\n" + dump(o) for o in objs)
