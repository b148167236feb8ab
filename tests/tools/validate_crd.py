#!/usr/bin/env python3
"""Validate objects against JSON Schemas derived from CustomResourceDefinitions.

Each --crd FILE is a CRD (YAML); for every served version its `openAPIV3Schema` is turned into
a strict draft-07 JSON Schema the way the API server reads it:

- an object with `properties` and neither `additionalProperties` nor
  `x-kubernetes-preserve-unknown-fields: true` accepts no other field (the API server prunes
  unknown fields; strict validation rejects them, and so does this);
- `x-kubernetes-int-or-string: true` is an integer or a string, `nullable: true` adds null;
- `apiVersion` and `kind` must be the CRD's group/version and kind, and `metadata` is an
  ObjectMeta of the fields manifests set (name, namespace, labels, annotations, ...).

CEL rules (`x-kubernetes-validations`) are not evaluated; the number of them is printed.

Every document of the given YAML files must be of a kind of one of the CRDs: anything else is
a failure. Prints `ok`/`FAIL` per object and a summary; exits 1 if anything failed, 2 on a
usage or setup problem. With --print-schema KIND, prints the derived schema and exits.
"""

import argparse
import copy
import json
import sys

import jsonschema
import yaml

LABEL_MAP = {"type": "object", "additionalProperties": {"type": "string"}}

OBJECT_META = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 253},
        "namespace": {"type": "string", "minLength": 1, "maxLength": 63},
        "labels": LABEL_MAP,
        "annotations": LABEL_MAP,
        "finalizers": {"type": "array", "items": {"type": "string"}},
    },
}


def strict(node, cel):
    """The JSON Schema of one openAPIV3Schema node (a new object; the input is untouched)."""
    if isinstance(node, list):
        return [strict(n, cel) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "x-kubernetes-validations":
            cel[0] += len(value)
        elif key in ("properties", "patternProperties", "definitions"):
            out[key] = {k: strict(v, cel) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = strict(value, cel)
        elif key.startswith("x-kubernetes-") or key == "nullable":
            pass
        else:
            out[key] = copy.deepcopy(value)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out = {"anyOf": [{"type": "integer"}, {"type": "string"}], **out}
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if (
        "properties" in out
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def derive(crd):
    """{(apiVersion, kind): (schema, number of CEL rules)} for the served versions of a CRD."""
    if crd.get("kind") != "CustomResourceDefinition":
        raise ValueError(f"not a CustomResourceDefinition: kind {crd.get('kind')!r}")
    spec = crd["spec"]
    kind = spec["names"]["kind"]
    out = {}
    for version in spec["versions"]:
        if not version.get("served"):
            continue
        api_version = f"{spec['group']}/{version['name']}"
        cel = [0]
        schema = strict(version["schema"]["openAPIV3Schema"], cel)
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        props = schema.setdefault("properties", {})
        props["apiVersion"] = {"const": api_version}
        props["kind"] = {"const": kind}
        props["metadata"] = OBJECT_META
        schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
        schema["additionalProperties"] = False
        jsonschema.Draft7Validator.check_schema(schema)
        out[(api_version, kind)] = (schema, cel[0])
    return out


def describe(doc):
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    ns = meta.get("namespace")
    name = meta.get("name", "<no name>")
    return f"{doc.get('kind', '<no kind>')}/{ns}/{name}" if ns else f"{doc.get('kind')}/{name}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crd", action="append", required=True, help="a CRD YAML file (repeatable)")
    parser.add_argument("--print-schema", metavar="KIND")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()

    schemas = {}
    try:
        for path in args.crd:
            with open(path, encoding="utf-8") as f:
                for crd in yaml.safe_load_all(f):
                    if crd is not None:
                        schemas.update(derive(crd))
    except (OSError, KeyError, ValueError, yaml.YAMLError, jsonschema.SchemaError) as e:
        print(f"ERROR cannot derive the schemas: {e}", file=sys.stderr)
        return 2
    if args.print_schema:
        for (api_version, kind), (schema, _) in sorted(schemas.items()):
            if kind == args.print_schema:
                print(json.dumps(schema, indent=2, sort_keys=True))
                return 0
        print(f"ERROR no CRD for kind {args.print_schema}", file=sys.stderr)
        return 2
    if not args.files:
        parser.error("no files to validate")

    validators = {k: (jsonschema.Draft7Validator(s), cel) for k, (s, cel) in schemas.items()}
    checked = ok = failed = 0
    for filename in args.files:
        try:
            with open(filename, encoding="utf-8") as f:
                docs = [d for d in yaml.safe_load_all(f) if d is not None]
        except (OSError, yaml.YAMLError) as e:
            print(f"FAIL {filename}: cannot read: {e}")
            failed += 1
            continue
        for doc in docs:
            checked += 1
            if not isinstance(doc, dict):
                print(f"FAIL {filename}: document is not a mapping")
                failed += 1
                continue
            key = (doc.get("apiVersion"), doc.get("kind"))
            if key not in validators:
                print(f"FAIL {filename}: {describe(doc)}: no CRD for {key[0]} {key[1]}")
                failed += 1
                continue
            validator, cel = validators[key]
            errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
            for err in errors:
                path = ".".join(str(p) for p in err.absolute_path) or "<root>"
                print(f"FAIL {filename}: {describe(doc)}: {path}: {err.message}")
            if errors:
                failed += 1
            else:
                print(f"ok   {filename}: {describe(doc)} ({cel} CEL rules not evaluated)")
                ok += 1
    kinds = ", ".join(sorted(f"{k}.{a}" for a, k in schemas))
    print(f"validated {checked} objects in {len(args.files)} files (CRDs: {kinds}): {ok} ok, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
