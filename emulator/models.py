"""Validation of JSON bodies against Amazon's official SP-API OpenAPI (Swagger 2.0) models.

The models live in ``shared/spapi-models`` beside the repository (Apache-2.0, Amazon).
Swagger 2.0 schema objects are JSON Schema draft 4 with ``#/definitions`` references, so a
model document is used as the root of a draft-4 validator.

Strict mode adds ``additionalProperties: false`` to every object definition that lists
properties without saying otherwise: a misspelt field in the emulator then fails loudly
instead of silently carrying data the real Amazon would never send.
"""

import copy
import json
import os
from pathlib import Path

from jsonschema import Draft4Validator, Draft7Validator

DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[2] / "shared" / "spapi-models"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def models_dir():
    """Where the official models are: ``$SPAPI_MODELS_DIR`` or ``../shared/spapi-models``."""
    return Path(os.environ.get("SPAPI_MODELS_DIR") or DEFAULT_MODELS_DIR)


def _strict(definitions):
    definitions = copy.deepcopy(definitions)
    for schema in definitions.values():
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
    return definitions


class Operation:
    """One operation of a model: its route and schemas."""

    def __init__(self, model, method, path, spec):
        self.model = model
        self.method = method.upper()
        self.path = path
        self.operation_id = spec["operationId"]
        self.spec = spec


class ModelValidator:
    """Validates requests and responses of the operations of every model in a folder."""

    def __init__(self, directory=None, strict=True):
        directory = Path(directory or models_dir())
        if not directory.is_dir():
            raise FileNotFoundError(
                f"SP-API models not found in {directory}: set SPAPI_MODELS_DIR to the folder "
                "holding Amazon's OpenAPI models (orders_2026-01-01.json, ...)"
            )
        self.directory = directory
        self.strict = strict
        self.documents = {}
        self.operations = {}
        for file in sorted(directory.glob("*.json")):
            document = json.loads(file.read_text())
            if "paths" not in document:
                continue
            self.documents[file.stem] = document
            for path, item in document["paths"].items():
                for method, spec in item.items():
                    if method in HTTP_METHODS and "operationId" in spec:
                        operation = Operation(file.stem, method, path, spec)
                        # the same operationId may exist in two versions: keep both by model
                        self.operations[(file.stem, operation.operation_id)] = operation
        self._validators = {}

    def operation(self, model, operation_id):
        return self.operations[(model, operation_id)]

    def _validator(self, model, ref_schema):
        key = (model, json.dumps(ref_schema, sort_keys=True))
        validator = self._validators.get(key)
        if validator is None:
            document = self.documents[model]
            definitions = document.get("definitions", {})
            root = dict(ref_schema)
            root["definitions"] = _strict(definitions) if self.strict else definitions
            validator = self._validators[key] = Draft4Validator(root)
        return validator

    @staticmethod
    def _errors(validator, body):
        return [
            f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
            for error in validator.iter_errors(body)
        ]

    def response_errors(self, model, operation_id, status, body):
        """List of problems of ``body`` as the ``status`` answer of the operation."""
        operation = self.operation(model, operation_id)
        responses = operation.spec.get("responses", {})
        response = responses.get(str(status))
        if response is None:
            return [f"status {status} is not a documented answer of {operation_id}"]
        schema = response.get("schema")
        if schema is None:
            return [] if body in (None, b"", "", {}) else [f"{operation_id} {status} has no body in the model"]
        return self._errors(self._validator(model, schema), body)

    def request_errors(self, model, operation_id, body):
        """List of problems of ``body`` as the JSON body parameter of the operation."""
        operation = self.operation(model, operation_id)
        for parameter in operation.spec.get("parameters", []):
            if parameter.get("in") == "body":
                return self._errors(self._validator(model, parameter["schema"]), body)
        return [] if body is None else [f"{operation_id} takes no body"]

    def sandbox_examples(self, model, operation_id):
        """The ``x-amzn-api-sandbox`` static examples: list of (status, request, response)."""
        operation = self.operation(model, operation_id)
        examples = []
        for status, response in operation.spec.get("responses", {}).items():
            for example in (response.get("x-amzn-api-sandbox") or {}).get("static", []):
                examples.append((int(status), example.get("request"), example.get("response")))
        return examples


class FeedSchemas:
    """Amazon's JSON Schemas of listings feed documents and their processing reports
    (``feeds-schemas`` in the models folder), as draft-7 validators."""

    FEED = "listings-feed-schema-v2"
    REPORT = "listings-feed-processing-report-schema-v2"

    def __init__(self, directory=None):
        directory = Path(directory or models_dir()) / "feeds-schemas"
        self.validators = {}
        for name in (self.FEED, self.REPORT):
            file = directory / f"{name}.json"
            if not file.is_file():
                raise FileNotFoundError(f"Amazon's listings feed schema {file} is missing")
            schema = json.loads(file.read_text())
            Draft7Validator.check_schema(schema)
            self.validators[name] = Draft7Validator(schema)

    def errors(self, name, document):
        """Problems of ``document`` against schema ``name``: list of (path tuple, text)."""
        found = sorted(self.validators[name].iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
        return [(tuple(error.absolute_path), error.message) for error in found]
