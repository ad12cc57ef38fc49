"""ruamel.yaml (YAML 1.2) on a batch of documents, for YAMLDifferentialTests.

Usage: yaml_cases.py INPUT OUTPUT. INPUT holds one document a line, as a JSON string; OUTPUT gets
one JSON line per document: {"ok": true, "value": V} with V spelled as json_cases.py spells it, or
{"ok": false, "error": "..."}. The loader is ruamel's safe one, pure Python, which reads YAML 1.2
unless a document says otherwise.
"""
import json
import sys

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from json_cases import spelled


def main():
    with open(sys.argv[1]) as cases, open(sys.argv[2], "w") as out:
        for line in cases:
            try:
                # A new loader each time: one that raised keeps its half-read state and would report
                # the previous document's error for the next one.
                answer = {"ok": True, "value": spelled(YAML(typ="safe", pure=True).load(json.loads(line)))}
            except (YAMLError, ValueError, TypeError) as error:
                answer = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
            out.write(json.dumps(answer) + "\n")


main()
