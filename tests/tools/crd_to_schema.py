#!/usr/bin/env python3
"""Derive a strict JSON Schema (draft-07) for one served version of a CustomResourceDefinition.

    python3 tests/tools/crd_to_schema.py CRD.yaml VERSION --source TEXT > tests/schemas/NAME.json

The same conventions as the schemas in ../shared/schemas (see its README), so that
tests/tools/validate.py treats both alike:
- `apiVersion` and `kind` are enums of the CRD's group/version and kind (validate.py indexes
  every schema by them), `apiVersion`, `kind` and `metadata` are required;
- `additionalProperties: false` wherever the CRD lists `properties`, sets no
  `additionalProperties` and does not preserve unknown fields (strict: an unknown field fails);
- `nullable: true` becomes a `"null"` type, `x-kubernetes-int-or-string` an integer-or-string;
- `x-kubernetes-validations` (CEL rules, which a JSON Schema validator cannot evaluate) are
  dropped; every other keyword is kept as the CRD states it.

`--source` (where the CRD came from: repository, path, tag) is written into `$comment`.
Needs PyYAML (in the test venv).
"""

import argparse
import json
import sys

import yaml


def convert(node):
    if isinstance(node, list):
        return [convert(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("x-kubernetes-validations", "nullable", "x-kubernetes-int-or-string"):
            continue
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {k: convert(v) for k, v in value.items()}
        else:
            out[key] = convert(value)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def derive(crd, version_name, source):
    if crd.get("kind") != "CustomResourceDefinition":
        raise ValueError("not a CustomResourceDefinition")
    spec = crd["spec"]
    versions = [v for v in spec["versions"] if v["name"] == version_name]
    if not versions:
        names = ", ".join(v["name"] for v in spec["versions"])
        raise ValueError(f"no version {version_name!r} (the CRD has: {names})")
    version = versions[0]
    if not version.get("served", False):
        raise ValueError(f"version {version_name} is not served")
    schema = convert(version["schema"]["openAPIV3Schema"])
    api_version = f"{spec['group']}/{version_name}"
    kind = spec["names"]["kind"]
    props = schema.setdefault("properties", {})
    props["apiVersion"] = {"type": "string", "enum": [api_version]}
    props["kind"] = {"type": "string", "enum": [kind]}
    props.setdefault("metadata", {"type": "object"})
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
    schema["additionalProperties"] = False
    head = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$comment": f"{kind} ({api_version}) derived by tests/tools/crd_to_schema.py from {source}; "
        "CEL rules (x-kubernetes-validations) are not included",
    }
    head.update(schema)
    return head


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("crd", help="the CRD YAML file")
    parser.add_argument("version", help="the served version, e.g. v1")
    parser.add_argument("--source", required=True, help="where the CRD came from (repo, path, tag)")
    args = parser.parse_args()
    with open(args.crd, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    if len(docs) != 1:
        print(f"{args.crd}: expected one document, got {len(docs)}", file=sys.stderr)
        return 2
    try:
        schema = derive(docs[0], args.version, args.source)
    except (KeyError, ValueError) as e:
        print(f"{args.crd}: {e}", file=sys.stderr)
        return 2
    json.dump(schema, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
