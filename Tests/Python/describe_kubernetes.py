"""Reads the YAML documents of deploy/kubernetes (paths on stdin, one a line) with PyYAML and prints,
as JSON, what the tests check: each document's kind and name, and the Deployment's replicas, probes,
ports and where its environment comes from."""
import json
import sys

import yaml

found = {"documents": [], "deployment": None}
for path in sys.stdin.read().split():
    with open(path) as f:
        for document in yaml.safe_load_all(f):
            found["documents"].append({"kind": document["kind"], "name": document["metadata"]["name"], "file": path})
            if document["kind"] == "Deployment":
                pod = document["spec"]["template"]
                container = pod["spec"]["containers"][0]
                found["deployment"] = {
                    "replicas": document["spec"]["replicas"],
                    "liveness": container["livenessProbe"]["httpGet"]["path"],
                    "readiness": container["readinessProbe"]["httpGet"]["path"],
                    "ports": {p["name"]: p["containerPort"] for p in container["ports"]},
                    "envFrom": sorted(next(iter(e.values()))["name"] + ":" + next(iter(e)) for e in container["envFrom"]),
                    "annotations": pod["metadata"].get("annotations", {}),
                }
json.dump(found, sys.stdout)
