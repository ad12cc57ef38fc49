"""Python's `json.loads` on a batch of texts, for JSONDifferentialTests.

Usage: json_cases.py INPUT OUTPUT. INPUT holds one case a line: the text's bytes in hex (the texts
include invalid UTF-8 and control characters, which a JSON line could not carry as they are).
OUTPUT gets one JSON line per case, in order:
    {"ok": true, "value": V, "depth": N, "constants": BOOL}  or  {"ok": false, "error": "..."}
The bytes are decoded as UTF-8 first (what a Python reader of a Redis value does with
`.decode()`), then given to `json.loads` as a str. `V` spells each value so that nothing is lost
on the way back: ints as {"i": "digits"}, floats as {"f": repr}, strings as {"s": [code points]}
(a lone surrogate survives), objects as {"o": [[key code points, V], ...]} in dict order, lists
and null/true/false as themselves; anything else (a YAML
date) as {"x": "type: text"}. `depth` is the deepest nesting of arrays and objects;
`constants` says whether NaN, Infinity or -Infinity was read. yaml_cases.py spells its values
with `spelled` too.
"""
import json
import sys


# Spelled, an object nests three levels deeper, and the answer must stay within the 512 levels
# swiftbeat's parser reads it with: deeper values are reported without "value".
SPELLED_DEPTH = 150


def spelled(value):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {"i": str(value)}
    if isinstance(value, float):
        return {"f": repr(value)}
    if isinstance(value, str):
        return {"s": [ord(c) for c in value]}
    if isinstance(value, list):
        return [spelled(v) for v in value]
    if isinstance(value, dict):
        return {"o": [[[ord(c) for c in k] if isinstance(k, str) else spelled(k), spelled(v)] for k, v in value.items()]}
    return {"x": f"{type(value).__name__}: {value}"}  # what JSON has no type for (a YAML date)


def depth(value):
    # Iterative: a value nested 900 deep would overflow a recursive walk's stack.
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
            deepest = max(deepest, level + 1)
        elif isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
            deepest = max(deepest, level + 1)
    return deepest


def main():
    with open(sys.argv[1]) as cases, open(sys.argv[2], "w") as out:
        for line in cases:
            data = bytes.fromhex(line.strip())
            constants = []
            try:
                value = json.loads(data.decode("utf-8"), parse_constant=lambda name: constants.append(name) or float(name))
            except (ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                out.write(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"[:200]}) + "\n")
                continue
            # json.loads ran under Python's default recursion limit, as a worker's does; spelling
            # what it accepted and writing it out need a little more room.
            limit = sys.getrecursionlimit()
            sys.setrecursionlimit(10_000)
            answer = {"ok": True, "depth": depth(value), "constants": bool(constants)}
            if answer["depth"] <= SPELLED_DEPTH:
                answer["value"] = spelled(value)
            out.write(json.dumps(answer) + "\n")
            sys.setrecursionlimit(limit)


if __name__ == "__main__":
    main()
