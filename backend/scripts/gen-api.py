#!/usr/bin/env python3
"""Generates the server's view of the API from backend/openapi.yaml, the one definition of the API.

Writes Sources/LifestyleCore/Generated/Operations.swift:
- `APIOperation`: one case per operation (its operationId), with its method, path and access
  (`security: []` is open, anything else needs the bearer token);
- `APIHandlers`: one requirement per operation, named by its operationId. The hand-written
  `Handlers/API.swift` binds each to its handler, so an operation of the spec without a handler
  does not compile; `Routes.all` is made from `APIOperation.allCases` with an exhaustive switch, so
  nothing that is not in the spec can be routed;
- for every operation with path or query parameters, a `<OperationId>Parameters` struct read from
  the request as the spec declares them (form style, exploded arrays, integer bounds and defaults,
  enums, uuid/date/email formats). The app reads it before the handler runs and answers one 400
  VALIDATION_ERROR naming every bad parameter.

Request and response bodies stay hand-validated (`Validation/Body.swift` lists every bad field, which
a generated decoder stopping at the first would not); schemathesis (e2e/api/test_openapi_fuzz.py)
checks every answer against the spec's schemas.

Why not swift-openapi-generator: measured in session 12, see docs/deployment-guide.md ("Adding an
endpoint"): its per-request path costs more than the 10 % budget on warm latency.

Usage: backend/scripts/gen-api.py           (rewrites the generated files)
       backend/scripts/gen-api.py --check   (exit 1 when a generated file is stale)

It also writes Tests/LifestyleCoreTests/GeneratedParameters.swift, the parameter structs of the test
fixture e2e/static/fixtures/parameters.yaml (the app contract's goal, journal and user-lookup parameters),
so that the generated parameter reading is unit-tested before the spec has such operations.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

BACKEND = Path(__file__).resolve().parents[1]
SPEC = BACKEND / "openapi.yaml"
OUT = BACKEND / "Sources" / "LifestyleCore" / "Generated" / "Operations.swift"
FIXTURE_SPEC = BACKEND / "e2e" / "static" / "fixtures" / "parameters.yaml"
FIXTURE_OUT = BACKEND / "Tests" / "LifestyleCoreTests" / "GeneratedParameters.swift"
METHODS = ("get", "put", "post", "delete", "patch")
IDENTIFIER = re.compile(r"^[a-z][A-Za-z0-9]*$")
# an array parameter without maxItems, and a string without maxLength, get these bounds
MAX_ITEMS = 50
MAX_LENGTH = 256


class SpecError(Exception):
    pass


def swift_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def operations(spec: dict) -> list[dict]:
    out = []
    seen = set()
    global_security = spec.get("security", [])
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            op_id = op.get("operationId")
            if not op_id or not IDENTIFIER.match(op_id):
                raise SpecError(f"{method.upper()} {path}: operationId must be lowerCamelCase, got {op_id!r}")
            if op_id in seen:
                raise SpecError(f"operationId {op_id} is used twice")
            seen.add(op_id)
            security = op.get("security", global_security)
            parameters = [resolve(spec, p) for p in shared + op.get("parameters", [])]
            parameters = [p for p in parameters if p["in"] in ("path", "query")]
            declared = {p["name"] for p in parameters if p["in"] == "path"}
            in_template = set(re.findall(r"\{([^}]+)\}", path))
            if declared != in_template:
                raise SpecError(f"{op_id}: path parameters {sorted(declared)} do not match the path {path}")
            out.append({
                "id": op_id, "method": method.upper(), "path": path, "bearer": security != [],
                "summary": op.get("summary", ""), "parameters": parameters,
            })
    return out


def resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        parts = node["$ref"].removeprefix("#/").split("/")
        target = spec
        for part in parts:
            target = target[part]
        node = target
    return node


def type_name(op_id: str) -> str:
    return op_id[0].upper() + op_id[1:] + "Parameters"


def field(spec: dict, parameter: dict) -> tuple[str, str]:
    """The Swift type of a parameter's field and the expression reading it from `reader`."""
    name = parameter["name"]
    if not IDENTIFIER.match(name):
        raise SpecError(f"parameter {name!r} is not a Swift identifier")
    schema = resolve(spec, parameter.get("schema", {}))
    kind = schema.get("type", "string")
    fmt = schema.get("format")
    lit = swift_string(name)
    if parameter["in"] == "path":
        if kind != "string":
            raise SpecError(f"path parameter {name}: only strings are supported")
        return "String", f"reader.path({lit}, format: {format_case(fmt)}, maxLength: {schema.get('maxLength', MAX_LENGTH)})"
    required = parameter.get("required", False)
    if required:
        raise SpecError(f"query parameter {name}: required query parameters are not supported yet")
    if kind == "integer":
        low = schema.get("minimum", "Int.min")
        high = schema.get("maximum", "Int.max")
        if "default" in schema:
            return "Int", f"reader.query.integer({lit}, in: {low}...{high}, default: {schema['default']})"
        return "Int?", f"reader.query.integer({lit}, in: {low}...{high})"
    if kind == "string":
        if "enum" in schema:
            allowed = "[" + ", ".join(swift_string(v) for v in schema["enum"]) + "]"
            if "default" in schema:
                return "String", f"reader.query.oneOf({lit}, {allowed}) ?? {swift_string(schema['default'])}"
            return "String?", f"reader.query.oneOf({lit}, {allowed})"
        if "default" in schema:
            raise SpecError(f"query parameter {name}: a default is supported on enums and integers only")
        return "String?", f"reader.query.string({lit}, format: {format_case(fmt)}, maxLength: {schema.get('maxLength', MAX_LENGTH)})"
    if kind == "array":
        if parameter.get("style", "form") != "form" or parameter.get("explode", True) is not True:
            raise SpecError(f"query parameter {name}: arrays must be style form, explode true")
        items = resolve(spec, schema.get("items", {}))
        if items.get("type", "string") != "string":
            raise SpecError(f"query parameter {name}: arrays of strings only")
        max_items = schema.get("maxItems", MAX_ITEMS)
        if "enum" in items:
            allowed = "[" + ", ".join(swift_string(v) for v in items["enum"]) + "]"
            return "[String]", f"reader.query.manyOf({lit}, {allowed}, maxItems: {max_items})"
        return "[String]", (f"reader.query.strings({lit}, maxItems: {max_items}, "
                            f"maxLength: {items.get('maxLength', MAX_LENGTH)})")
    raise SpecError(f"query parameter {name}: type {kind} is not supported")


def format_case(fmt: str | None) -> str:
    cases = {None: ".plain", "uuid": ".uuid", "date": ".date", "email": ".email"}
    if fmt not in cases:
        raise SpecError(f"string format {fmt!r} is not supported")
    return cases[fmt]


def parameter_struct(spec: dict, op: dict, source: str) -> list[str]:
    lines = [
        f"/// The parameters of `{op['id']}` ({op['method']} {op['path']}), as {source} declares them.",
        f"public struct {type_name(op['id'])}: Sendable, Equatable {{",
    ]
    reads = []
    for parameter in op["parameters"]:
        swift_type, expression = field(spec, parameter)
        doc = parameter.get("description", "").strip().splitlines()
        if doc:
            lines.append(f"    /// {doc[0]}")
        lines.append(f"    public var {parameter['name']}: {swift_type}")
        reads.append(f"        {parameter['name']} = {expression}")
    lines += [
        "",
        "    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.",
        "    public init(_ request: APIRequest, path: PathParameters) throws {",
        "        var reader = ParameterReader(request, path: path)",
        *reads,
        "        try reader.check()",
        "    }",
        "}",
    ]
    return lines


def header(source: str) -> list[str]:
    return [
        f"// Generated from {source} by backend/scripts/gen-api.py. Do not edit: change the spec and run",
        "// the script (e2e/static/test_generated_sources.py fails when this file is stale).",
        "",
    ]


def render_api(spec: dict) -> str:
    ops = operations(spec)
    lines = header("backend/openapi.yaml")
    lines += [
        "/// Every operation of openapi.yaml, named by its operationId, in the document's order.",
        "public enum APIOperation: String, CaseIterable, Sendable {",
    ]
    for op in ops:
        lines.append(f"    /// {op['method']} {op['path']}: {op['summary']}")
        lines.append(f"    case {op['id']}")
    for prop, swift_type, value in (
        ("method", "String", lambda o: swift_string(o["method"])),
        ("path", "String", lambda o: swift_string(o["path"])),
        ("access", "Access", lambda o: ".bearer" if o["bearer"] else ".open"),
    ):
        lines += ["", f"    public var {prop}: {swift_type} {{", "        switch self {"]
        lines += [f"        case .{o['id']}: {value(o)}" for o in ops]
        lines += ["        }", "    }"]
    lines += ["}", ""]

    lines += [
        "/// The handlers of the API, one per operation of openapi.yaml, named by its operationId.",
        "/// `API` conforms (`Handlers/API.swift`), so an operation without a handler does not compile.",
        "public protocol APIHandlers {",
    ]
    for op in ops:
        lines.append(f"    /// {op['method']} {op['path']} ({'bearer' if op['bearer'] else 'open'}): {op['summary']}")
        lines.append(f"    static var {op['id']}: {handler_type(op)} {{ get }}")
    lines += ["}", "", "/// The API's handlers (bound in `Handlers/API.swift`).", "public enum API: APIHandlers {}", ""]

    lines += [
        "extension Routes {",
        "    /// The route table: one route per operation of the spec, and nothing else.",
        "    public static let all: [Route] = APIOperation.allCases.map(route)",
        "",
        "    static func route(_ operation: APIOperation) -> Route {",
        "        switch operation {",
    ]
    for op in ops:
        if not op["parameters"]:
            access = "bearer: " if op["bearer"] else ""
            lines.append(f"        case .{op['id']}: Route(operation, {access}API.{op['id']})")
        elif op["bearer"]:
            lines += [
                f"        case .{op['id']}:",
                "            Route(operation) { request, context, principal in",
                f"                try await API.{op['id']}(request, context, principal, try {type_name(op['id'])}(request, path: context.parameters))",
                "            }",
            ]
        else:
            lines += [
                f"        case .{op['id']}:",
                "            Route(operation) { request, context in",
                f"                try await API.{op['id']}(request, context, try {type_name(op['id'])}(request, path: context.parameters))",
                "            }",
            ]
    lines += ["        }", "    }", "}"]
    structs = [parameter_struct(spec, op, "openapi.yaml") for op in ops if op["parameters"]]
    for struct in structs:
        lines += [""] + struct
    return "\n".join(lines) + "\n"


def handler_type(op: dict) -> str:
    if not op["parameters"]:
        return "BearerHandler" if op["bearer"] else "Handler"
    principal = "Principal, " if op["bearer"] else ""
    return f"@Sendable (APIRequest, APIContext, {principal}{type_name(op['id'])}) async throws -> APIResponse"


def render_parameters_only(spec: dict, source: str) -> str:
    ops = [op for op in operations(spec) if op["parameters"]]
    lines = header(source) + ["import LifestyleCore"]
    for op in ops:
        lines += [""] + parameter_struct(spec, op, Path(source).name)
    return "\n".join(lines) + "\n"


def formatted(text: str) -> str:
    """The text as swift-format (the project's configuration) writes it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Generated.swift"
        path.write_text(text, encoding="utf-8")
        subprocess.run(["swift", "format", "format", "--in-place", "--configuration", str(BACKEND / ".swift-format"), str(path)],
                       check=True)
        return path.read_text(encoding="utf-8")


def targets() -> list[tuple[Path, str]]:
    api = render_api(yaml.safe_load(SPEC.read_text(encoding="utf-8")))
    fixture = render_parameters_only(yaml.safe_load(FIXTURE_SPEC.read_text(encoding="utf-8")),
                                     "backend/e2e/static/fixtures/parameters.yaml")
    return [(OUT, formatted(api)), (FIXTURE_OUT, formatted(fixture))]


def main(argv: list[str]) -> int:
    try:
        generated = targets()
    except SpecError as e:
        print(f"gen-api: {e}", file=sys.stderr)
        return 2
    if argv[1:] == ["--check"]:
        stale = [str(path.relative_to(BACKEND)) for path, text in generated
                 if not path.exists() or path.read_text(encoding="utf-8") != text]
        if stale:
            print("stale: " + ", ".join(stale) + "; run backend/scripts/gen-api.py", file=sys.stderr)
            return 1
        return 0
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    for path, text in generated:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(BACKEND)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
