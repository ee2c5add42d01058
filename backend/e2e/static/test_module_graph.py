"""The module graph the README draws, checked on the sources: every `import` of a project module
in Sources/<Module>/ must be one of the arrows below. A new arrow is a design decision: add it
here and to the README's picture together."""

from __future__ import annotations

import re
from pathlib import Path

SOURCES = Path(__file__).resolve().parents[2] / "Sources"
TESTS = SOURCES.parent / "Tests"

# module -> the project modules it may import
ALLOWED: dict[str, set[str]] = {
    "LifestyleToolkit": set(),
    "QREncoding": {"LifestyleToolkit"},
    "SigV4": {"LifestyleToolkit"},
    "LifestyleCore": {"LifestyleToolkit", "QREncoding"},
    "EmbeddedBackend": {"LifestyleCore", "LifestyleToolkit"},
    "AWSBackend": {"LifestyleCore", "LifestyleToolkit", "SigV4"},
    "AWSTestSupport": {"AWSBackend", "LifestyleToolkit", "SigV4"},
    "HTTPTransport": {"LifestyleCore", "LifestyleToolkit"},
    "LambdaRuntime": {"LifestyleToolkit"},
    "LambdaEvents": {"LifestyleToolkit"},
    "LifestyleLambda": {"LifestyleCore", "LifestyleToolkit", "LambdaRuntime", "LambdaEvents"},
    "LambdaEmulator": {"LambdaRuntime", "LambdaEvents", "LifestyleToolkit"},
    "LifestyleServices": {"LifestyleCore", "LifestyleToolkit", "AWSBackend", "EmbeddedBackend", "LifestyleLambda",
                          "LambdaRuntime"},
    "bootstrap": {"LifestyleServices", "LifestyleToolkit"},
    "api-handler": {"LifestyleServices", "LifestyleCore", "LifestyleToolkit", "HTTPTransport", "LambdaEmulator",
                    "LambdaRuntime"},
}
# The benchmark package (Benchmarks/Package.swift): its programs and the product modules they use
# (library products of Package.swift that exist for them only).
BENCHMARKS = SOURCES.parent / "Benchmarks" / "Sources"
BENCH_ALLOWED: dict[str, set[str]] = {
    "lambda-bench": {"LambdaEmulator", "LambdaRuntime", "LambdaEvents", "LifestyleToolkit", "AWSBackend", "SigV4"},
    "aws-bench": {"AWSBackend", "LifestyleCore", "LifestyleToolkit", "SigV4"},
    "hello-bench": set(),
    "swift-floor": set(),
}
IMPORT = re.compile(r"^\s*(?:@testable\s+|public\s+|internal\s+|package\s+)*import\s+(\w+)", re.M)


def imports_of(module: str, root: Path = SOURCES) -> set[str]:
    found: set[str] = set()
    for path in (root / module).rglob("*.swift"):
        found |= set(IMPORT.findall(path.read_text()))
    return found & set(ALLOWED)


def test_every_source_folder_is_a_module_of_the_graph():
    assert {p.name for p in SOURCES.iterdir() if p.is_dir()} == set(ALLOWED)


def test_benchmarks_are_their_own_package_and_use_only_library_products():
    assert {p.name for p in BENCHMARKS.iterdir() if p.is_dir()} == set(BENCH_ALLOWED)
    package = (SOURCES.parent / "Package.swift").read_text()
    products = set(re.findall(r'\.library\(name: "(\w+)"', package))
    used = set().union(*BENCH_ALLOWED.values())
    assert used == products, f"library products {sorted(products)} exist for the benchmarks, which use {sorted(used)}"
    wrong = {m: sorted(imports_of(m, BENCHMARKS) - BENCH_ALLOWED[m]) for m in BENCH_ALLOWED}
    assert not {m: w for m, w in wrong.items() if w}, wrong
    # the product package's build and tests never compile them
    assert "bench" not in re.sub(r"//.*", "", package)


def test_every_library_module_has_its_test_target():
    # executables are tested as built binaries (LifestyleServicesTests);
    # AWSTestSupport is itself test code
    libraries = {m for m in ALLOWED if m[0].isupper()} - {"AWSTestSupport"}
    targets = {p.name for p in TESTS.iterdir() if p.is_dir()}
    assert {f"{m}Tests" for m in libraries} <= targets, sorted({f"{m}Tests" for m in libraries} - targets)
    assert targets <= {f"{m}Tests" for m in libraries}, sorted(targets - {f"{m}Tests" for m in libraries})


def test_imports_follow_the_arrows():
    wrong = {m: sorted(imports_of(m) - ALLOWED[m]) for m in ALLOWED}
    assert not {m: w for m, w in wrong.items() if w}, wrong


def test_the_arrows_point_one_way():
    seen: dict[str, int] = {}

    def depth(m: str, path: tuple[str, ...] = ()) -> int:
        assert m not in path, f"cycle: {' -> '.join(path + (m,))}"
        if m not in seen:
            seen[m] = 1 + max((depth(d, path + (m,)) for d in ALLOWED[m]), default=0)
        return seen[m]

    for m in ALLOWED:
        depth(m)


def test_the_app_core_knows_no_transport_adapter_or_aws_code():
    assert imports_of("LifestyleCore") <= {"LifestyleToolkit", "QREncoding"}
    text = "\n".join(p.read_text() for p in (SOURCES / "LifestyleCore").rglob("*.swift"))
    for foreign in ("Hummingbird", "NIOCore", "NIOPosix", "SQLiteNIO", "Crypto"):
        assert not re.search(rf"^\s*(?:public\s+)?import\s+{foreign}\b", text, re.M), foreign


def test_only_the_composition_library_knows_every_adapter():
    for m in ALLOWED:
        if m == "LifestyleServices":
            continue
        both = {"EmbeddedBackend", "AWSBackend"} <= imports_of(m)
        assert not both, f"{m} imports both adapters"


def test_no_main_branches_on_a_build_switch():
    for exe in ("bootstrap", "api-handler"):
        text = (SOURCES / exe / "main.swift").read_text()
        assert "#if" not in text, exe
    package = (SOURCES.parent / "Package.swift").read_text()
    assert "Context.environment" not in package, "Package.swift must not read the environment"
