#!/usr/bin/env python3
"""Validate every object of one or more multi-document YAML files.

Core Kubernetes kinds are checked with kubernetes-validate in strict mode (unknown fields
are errors; the same check as `kubernetes-validate --strict -k VERSION`), against every
requested Kubernetes version. `ExternalSecret`, `ReplicationSource` and
`ReplicationDestination` are checked against the JSON Schemas of their CRDs (draft-07) in
--schemas DIR (default: shared/schemas beside the repository, i.e. ../shared/schemas from its
root; when that default is absent, those kinds are reported as skipped, not failed). The kinds
listed in --derived DIR/manifest.json (default: tests/data/crd-schemas, JSON Schemas derived
from public CRDs by tests/tools/crd_schema.py, e.g. kopiur's) are checked against those. Any
other kind is a failure: nothing else leaves this script unchecked.

Prints one line per object (`ok`, `skip` or `FAIL file: Kind/namespace/name: ...`) and a
summary line, and exits 1 if anything failed, 2 on a usage or setup problem.
"""

import argparse
import json
import os
import sys

import jsonschema
import kubernetes_validate
import yaml

# kind -> (apiVersion the schema is for, schema file in --schemas)
CRD_SCHEMAS = {
    "ExternalSecret": ("external-secrets.io/v1", "externalsecret-external-secrets-v1.json"),
    "ReplicationSource": ("volsync.backube/v1alpha1", "replicationsource-volsync-v1alpha1.json"),
    "ReplicationDestination": (
        "volsync.backube/v1alpha1",
        "replicationdestination-volsync-v1alpha1.json",
    ),
}

DEFAULT_DERIVED = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "crd-schemas")
)

DEFAULT_SCHEMAS = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "schemas")
)

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


def derived_schemas(derived_dir):
    """kind -> (apiVersion, absolute schema path) of the derived schemas."""
    with open(os.path.join(derived_dir, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    return {
        kind: (api_version, os.path.join(derived_dir, filename))
        for kind, (api_version, filename) in manifest.items()
    }


def load_crd_validators(schema_dir, table=None):
    validators = {}
    for kind, (api_version, filename) in (table or CRD_SCHEMAS).items():
        path = os.path.join(schema_dir, filename)
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft7Validator.check_schema(schema)
        validators[kind] = (api_version, jsonschema.Draft7Validator(schema))
    return validators


def check_core(doc, versions):
    """Failure messages of one core object, over every version."""
    failures = []
    for version in versions:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            failures.append(f"k8s {version}: {error_path(e)}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError as e:
            failures.append(f"k8s {version}: {e.message}")
    return failures


def check_crd(doc, crd):
    api_version, validator = crd
    failures = []
    if doc.get("apiVersion") != api_version:
        failures.append(f"apiVersion {doc.get('apiVersion')!r}: the schema is for {api_version}")
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        failures.append(f"CRD schema: {error_path(err)}: {err.message}")
    return failures


def check_document(doc, versions, crds, derived):
    if not isinstance(doc, dict):
        return ["document is not a mapping"]
    for field in ("apiVersion", "kind"):
        if not isinstance(doc.get(field), str) or not doc.get(field):
            return [f"missing {field}"]
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        return ["missing metadata.name"]
    if doc["kind"] in derived:
        return check_crd(doc, derived[doc["kind"]])
    if doc["kind"] in CRD_SCHEMAS:
        crd = crds.get(doc["kind"])
        return None if crd is None else check_crd(doc, crd)
    return check_core(doc, versions)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--schemas",
        help=f"directory holding the CRD JSON Schemas (default: {DEFAULT_SCHEMAS})",
    )
    parser.add_argument(
        "-k",
        "--kubernetes-version",
        action="append",
        dest="versions",
        help="Kubernetes version to validate against (repeatable); default: "
        f"{BASE_K8S_VERSION} and the newest version kubernetes-validate bundles",
    )
    parser.add_argument(
        "--derived",
        default=DEFAULT_DERIVED,
        help=f"directory of derived CRD schemas with a manifest.json (default: {DEFAULT_DERIVED})",
    )
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    versions = args.versions or sorted(
        {BASE_K8S_VERSION, kubernetes_validate.latest_version()},
        key=lambda v: tuple(int(p) for p in v.split(".")),
    )
    schemas = args.schemas or DEFAULT_SCHEMAS
    crds = {}
    if args.schemas is None and not os.path.isdir(schemas):
        print(
            f"notice: {schemas} is absent: {', '.join(sorted(CRD_SCHEMAS))} objects are skipped",
            file=sys.stderr,
        )
    else:
        try:
            crds = load_crd_validators(schemas)
        except (OSError, ValueError, jsonschema.SchemaError) as e:
            print(f"ERROR cannot load the CRD schemas from {schemas}: {e}", file=sys.stderr)
            return 2

    try:
        derived = load_crd_validators("/", derived_schemas(args.derived))
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print(f"ERROR cannot load the derived CRD schemas from {args.derived}: {e}", file=sys.stderr)
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
            failures = check_document(doc, versions, crds, derived)
            if failures is None:
                print(f"skip {filename}: {describe(doc)}: no CRD schema")
                skipped += 1
                continue
            for message in failures:
                print(f"FAIL {filename}: {describe(doc)}: {message}")
            if failures:
                failed += 1
            else:
                print(f"ok   {filename}: {describe(doc)}")
                ok += 1

    print(
        f"validated {checked} objects in {len(args.files)} files "
        f"(Kubernetes {', '.join(versions)}, strict; CRDs: {', '.join(sorted(crds)) or 'none'}; "
        f"derived: {', '.join(sorted(derived)) or 'none'}): "
        f"{ok} ok, {failed} failed, {skipped} skipped"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
