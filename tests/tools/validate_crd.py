#!/usr/bin/env python3
"""Validate objects against JSON Schemas derived from CustomResourceDefinitions.

Each --crd FILE is a CRD (YAML); for every served version its `openAPIV3Schema` is turned into
a strict draft-07 JSON Schema by `crd_schema.derive` (tests/tools/crd_schema.py, the
derivation the repository's other CRD schemas come from: no unknown fields wherever the CRD
lists properties and does not preserve unknown fields, `nullable` and int-or-string as the
API server reads them, apiVersion and kind pinned), here in the test setup rather than
committed. `metadata` is checked too, as an ObjectMeta of the fields manifests set (name,
namespace, labels, annotations, finalizers).

CEL rules (`x-kubernetes-validations`) are not evaluated; the number of them is printed.

Every document of the given YAML files must be of a kind of one of the CRDs: anything else is
a failure. Prints `ok`/`FAIL` per object and a summary; exits 1 if anything failed, 2 on a
usage or setup problem. With --print-schema KIND, prints the derived schema and exits.
"""

import argparse
import json
import sys

import jsonschema
import yaml

import crd_schema

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


def count_cel(node):
    """The number of CEL rules in an openAPIV3Schema."""
    if isinstance(node, list):
        return sum(count_cel(n) for n in node)
    if not isinstance(node, dict):
        return 0
    own = len(node.get("x-kubernetes-validations", []))
    return own + sum(count_cel(v) for k, v in node.items() if k != "x-kubernetes-validations")


def derive(crd, source):
    """{(apiVersion, kind): (schema, number of CEL rules)} for the served versions of a CRD."""
    if crd.get("kind") != "CustomResourceDefinition":
        raise ValueError(f"not a CustomResourceDefinition: kind {crd.get('kind')!r}")
    kind = crd["spec"]["names"]["kind"]
    cel = {
        v["name"]: count_cel(v["schema"]["openAPIV3Schema"])
        for v in crd["spec"]["versions"]
    }
    out = {}
    for _, schema in crd_schema.derive(crd, source):
        api_version = schema["properties"]["apiVersion"]["enum"][0]
        schema["properties"]["metadata"] = OBJECT_META
        jsonschema.Draft7Validator.check_schema(schema)
        out[(api_version, kind)] = (schema, cel[api_version.split("/")[-1]])
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
                        schemas.update(derive(crd, path))
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
