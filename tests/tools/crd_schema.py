#!/usr/bin/env python3
"""Derive strict JSON Schemas (draft-07) from CustomResourceDefinitions.

For every served version of every CRD in the input files, the `openAPIV3Schema` becomes a
JSON Schema the way ../shared/schemas/ are made:

- `additionalProperties: false` wherever a node lists `properties` and neither sets
  `additionalProperties` nor `x-kubernetes-preserve-unknown-fields`;
- `nullable: true` admits null; `x-kubernetes-int-or-string` admits an integer or a string;
- `apiVersion` and `kind` are pinned to the CRD's group/version and kind, `metadata` is an
  object, and the three are required; `status` is dropped (it is not ours to write);
- descriptions and the other `x-kubernetes-*` keys are dropped (CEL rules cannot be
  checked by a JSON Schema validator).

Usage: crd_schema.py --out DIR --source TEXT CRD.yaml...
Writes DIR/<kind lowercase>-<group first label>-<version>.json and prints each file name.
The derived files of this repository and their source are listed in tests/data/crd-schemas/.
"""

import argparse
import json
import os
import sys

import yaml

DROP = {"description", "nullable", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields"}


def convert(node):
    """The JSON Schema of one OpenAPI v3 (structural) schema node."""
    if isinstance(node, list):
        return [convert(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in DROP or key.startswith("x-kubernetes-"):
            continue
        if key == "properties":
            out[key] = {name: convert(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = convert(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = convert(value)
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = out.get("anyOf", []) + [{"type": "integer"}, {"type": "string"}]
    if (
        "properties" in node
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    if node.get("nullable"):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = out["enum"] + [None]
        if "type" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def derive(crd, source):
    """(file name, schema) for every served version of a CRD."""
    spec = crd["spec"]
    group, kind = spec["group"], spec["names"]["kind"]
    for version in spec["versions"]:
        if not version.get("served", True):
            continue
        root = convert(version["schema"]["openAPIV3Schema"])
        props = root.setdefault("properties", {})
        props.pop("status", None)
        props["apiVersion"] = {"enum": [f"{group}/{version['name']}"], "type": "string"}
        props["kind"] = {"enum": [kind], "type": "string"}
        props["metadata"] = {"type": "object"}
        root["required"] = sorted(set(root.get("required", [])) | {"apiVersion", "kind", "metadata"})
        root["type"] = "object"
        root["additionalProperties"] = False
        schema = {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$comment": f"Derived by tests/tools/crd_schema.py from {source}: {crd['metadata']['name']} {version['name']}",
        }
        schema.update(dict(sorted(root.items())))
        name = f"{kind.lower()}-{group.split('.')[0]}-{version['name']}.json"
        yield name, schema


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory to write the schemas to")
    parser.add_argument("--source", required=True, help="where the CRDs come from (recorded in each schema)")
    parser.add_argument("crds", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for path in args.crds:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        for doc in docs:
            if doc.get("kind") != "CustomResourceDefinition":
                print(f"{path}: not a CustomResourceDefinition", file=sys.stderr)
                return 2
            for name, schema in derive(doc, args.source):
                with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
                    json.dump(schema, f, separators=(",", ":"))
                    f.write("\n")
                print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
