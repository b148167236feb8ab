#!/usr/bin/env python3
"""Validate every object of one or more multi-document YAML files.

Core Kubernetes kinds are checked with kubernetes-validate in strict mode (unknown fields
are errors; the same check as `kubernetes-validate --strict -k VERSION`), against every
requested Kubernetes version. Objects of a custom resource are checked against the JSON
Schema (draft-07) of their CRD: every `*.json` in each --schemas DIR is indexed by the
`apiVersion` and `kind` enums it declares (tests/data/crd-schemas/ holds the project's own,
derived with tests/tools/crd_schema.py; ../shared/schemas/ the shared ones). Adding a schema
file is all it takes to check a new kind.

An object whose kind has no schema anywhere is a FAILURE (kubernetes-validate does not know
it and no CRD schema names it), except with --skip-missing-crds, which reports objects of a
non-core API group without a schema as skipped (only for a machine without
../shared/schemas, where the tests allow it).

A CRD schema leaves `metadata` open (the API server checks it as an ObjectMeta); here the
metadata of a custom resource is held to the ObjectMeta fields a manifest sets (name,
namespace, labels, annotations as string maps, ...), strictly.

HTTPRoute objects (gateway.networking.k8s.io) are also held to the CEL rules of the CRD's
path matches (x-kubernetes-validations, which a JSON Schema validator cannot evaluate),
translated by hand below.

Prints one line per object (`ok`, `skip` or `FAIL file: Kind/namespace/name: ...`) and a
summary line, and exits 1 if anything failed, 2 on a usage or setup problem.
"""

import argparse
import glob
import json
import os
import re
import sys

import jsonschema
import kubernetes_validate
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMA_DIRS = [
    os.path.normpath(os.path.join(HERE, "..", "data", "crd-schemas")),
    os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "schemas")),
]

# The Kubernetes version the crate's k8s-openapi types are built for (feature v1_33).
BASE_K8S_VERSION = "1.33.0"


def describe(doc):
    """Kind/namespace/name of a document, for messages."""
    if not isinstance(doc, dict):
        return "<not a mapping>"
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    kind = doc.get("kind", "<no kind>")
    name = meta.get("name", "<no name>")
    namespace = meta.get("namespace")
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


def error_path(err):
    path = ".".join(str(p) for p in err.absolute_path)
    return path or "<root>"


def enum_of(schema, field):
    node = schema.get("properties", {}).get(field, {})
    values = node.get("enum")
    if not isinstance(values, list) or not values:
        raise ValueError(f"declares no enum for {field}")
    return values


def load_crd_schemas(dirs):
    """(apiVersion, kind) -> (file, validator), from every *.json of every directory."""
    index = {}
    for directory in dirs:
        if not os.path.isdir(directory):
            raise OSError(f"{directory} is not a directory")
        for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
            with open(path, encoding="utf-8") as f:
                schema = json.load(f)
            try:
                jsonschema.Draft7Validator.check_schema(schema)
                pairs = [(a, k) for a in enum_of(schema, "apiVersion") for k in enum_of(schema, "kind")]
            except (ValueError, jsonschema.SchemaError) as e:
                raise ValueError(f"{path}: {e}") from e
            validator = jsonschema.Draft7Validator(schema)
            for pair in pairs:
                if pair in index:
                    raise ValueError(f"{path} and {index[pair][0]} both describe {pair[1]} {pair[0]}")
                index[pair] = (path, validator)
    return index


def check_core(doc, versions):
    """Failure messages of one core object, over every version; None if no schema is known."""
    failures = []
    for version in versions:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            failures.append(f"k8s {version}: {error_path(e)}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError as e:
            return None, f"k8s {version}: {e.message}"
    return failures, None


HTTP_PATH_CHARS = re.compile(r"^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$")


def httproute_cel(doc):
    """The CRD's CEL rules on spec.rules[].matches[].path (gateway-api v1.6.1)."""
    failures = []
    rules = (doc.get("spec") or {}).get("rules") or []
    for i, rule in enumerate(rules if isinstance(rules, list) else []):
        for j, match in enumerate((rule or {}).get("matches") or []):
            path = (match or {}).get("path")
            if not isinstance(path, dict):
                continue
            kind = path.get("type", "PathPrefix")
            value = path.get("value", "/")
            where = f"spec.rules.{i}.matches.{j}.path"
            if kind not in ("Exact", "PathPrefix", "RegularExpression"):
                failures.append(f"CRD rule: {where}: type must be one of ['Exact', 'PathPrefix', 'RegularExpression']")
            if kind not in ("Exact", "PathPrefix") or not isinstance(value, str):
                continue
            broken = []
            if not value.startswith("/"):
                broken.append("value must be an absolute path and start with '/'")
            for bad in ("//", "/./", "/../", "%2f", "%2F", "#"):
                if bad in value:
                    broken.append(f"must not contain '{bad}'")
            for bad in ("/..", "/."):
                if value.endswith(bad):
                    broken.append(f"must not end with '{bad}'")
            if not HTTP_PATH_CHARS.match(value):
                broken.append("must only contain valid characters")
            failures.extend(f"CRD rule: {where}: {b} (value {value!r})" for b in broken)
    return failures


EXTRA_RULES = {("gateway.networking.k8s.io/v1", "HTTPRoute"): httproute_cel}


STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
OBJECT_META = jsonschema.Draft7Validator(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 253},
            "generateName": {"type": "string"},
            "namespace": {"type": "string", "minLength": 1, "maxLength": 63},
            "labels": STRING_MAP,
            "annotations": STRING_MAP,
            "finalizers": {"type": "array", "items": {"type": "string"}},
            "ownerReferences": {"type": "array", "items": {"type": "object"}},
        },
    }
)


def check_crd(doc, crd):
    _, validator = crd
    failures = [
        f"ObjectMeta: {'.'.join(['metadata'] + [str(p) for p in err.absolute_path])}: {err.message}"
        for err in sorted(OBJECT_META.iter_errors(doc.get("metadata")), key=lambda e: list(map(str, e.absolute_path)))
    ]
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        failures.append(f"CRD schema: {error_path(err)}: {err.message}")
    extra = EXTRA_RULES.get((doc.get("apiVersion"), doc.get("kind")))
    if extra:
        failures.extend(extra(doc))
    return failures


def is_core_group(api_version):
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    return "." not in group


def check_document(doc, versions, crds, skip_missing):
    """(failures, skip reason): failures is None when the object is skipped."""
    if not isinstance(doc, dict):
        return ["document is not a mapping"], None
    for field in ("apiVersion", "kind"):
        if not isinstance(doc.get(field), str) or not doc.get(field):
            return [f"missing {field}"], None
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        return ["missing metadata.name"], None
    api_version, kind = doc["apiVersion"], doc["kind"]
    crd = crds.get((api_version, kind))
    if crd is not None:
        return check_crd(doc, crd), None
    others = sorted(a for (a, k) in crds if k == kind)
    if others:
        return [f"apiVersion {api_version!r}: the schema is for {', '.join(others)}"], None
    failures, missing = check_core(doc, versions)
    if missing is None:
        return failures, None
    if skip_missing and not is_core_group(api_version):
        return None, f"no CRD schema for {kind} ({api_version})"
    return [
        f"{missing}; no CRD schema names {kind} ({api_version}) either: derive one into "
        "tests/data/crd-schemas/ with tests/tools/crd_schema.py"
    ], None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--schemas",
        action="append",
        help="directory of CRD JSON Schemas (repeatable; default: "
        + " and ".join(DEFAULT_SCHEMA_DIRS)
        + ")",
    )
    parser.add_argument(
        "--skip-missing-crds",
        action="store_true",
        help="report objects of a non-core group without a schema as skipped, not failed",
    )
    parser.add_argument(
        "-k",
        "--kubernetes-version",
        action="append",
        dest="versions",
        help="Kubernetes version to validate against (repeatable); default: "
        f"{BASE_K8S_VERSION} and the newest version kubernetes-validate bundles",
    )
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    versions = args.versions or sorted(
        {BASE_K8S_VERSION, kubernetes_validate.latest_version()},
        key=lambda v: tuple(int(p) for p in v.split(".")),
    )
    try:
        crds = load_crd_schemas(args.schemas or DEFAULT_SCHEMA_DIRS)
    except (OSError, ValueError) as e:
        print(f"ERROR cannot load the CRD schemas: {e}", file=sys.stderr)
        return 2

    checked = ok = failed = skipped = 0
    for filename in args.files:
        try:
            with open(filename, encoding="utf-8") as f:
                docs = [d for d in yaml.safe_load_all(f) if d is not None]
        except (OSError, yaml.YAMLError) as e:
            print(f"FAIL {filename}: cannot read: {e}")
            failed += 1
            continue
        if not docs:
            print(f"FAIL {filename}: no documents")
            failed += 1
        for doc in docs:
            checked += 1
            failures, skip = check_document(doc, versions, crds, args.skip_missing_crds)
            if failures is None:
                print(f"skip {filename}: {describe(doc)}: {skip}")
                skipped += 1
                continue
            for message in failures:
                print(f"FAIL {filename}: {describe(doc)}: {message}")
            if failures:
                failed += 1
            else:
                print(f"ok   {filename}: {describe(doc)}")
                ok += 1

    kinds = sorted({k for (_, k) in crds})
    print(
        f"validated {checked} objects in {len(args.files)} files "
        f"(Kubernetes {', '.join(versions)}, strict; CRDs: {', '.join(kinds) or 'none'}): "
        f"{ok} ok, {failed} failed, {skipped} skipped"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
