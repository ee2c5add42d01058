#!/usr/bin/env python3
"""`docker` stand-in for deploy rehearsals (no docker daemon needed).

Appends every call to $FAKE_DOCKER_LOG (one JSON line each) and, on `push`,
registers the image in the emulator's ECR with boto3 put_image (a Docker v2
schema 2 manifest), so Terraform/Lambda find the tag afterwards.  Like a real
push of an immutable tag that already exists, a second push of a tag fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

LOG = Path(os.environ["FAKE_DOCKER_LOG"])
BUILT = LOG.with_suffix(".built.json")


def record(entry: dict) -> None:
    with LOG.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")


def manifest_for(tag: str) -> str:
    digest = lambda s: "sha256:" + hashlib.sha256(s.encode()).hexdigest()  # noqa: E731
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "size": 1469, "digest": digest("config-" + tag)},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 7340032, "digest": digest("layer-" + tag)}],
    })


def main(argv: list[str]) -> int:
    if not argv:
        return 1
    cmd = argv[0]
    if cmd == "buildx":
        record({"cmd": "buildx", "args": argv[1:]})
        return 1  # behave like a docker without the buildx plugin
    if cmd == "build":
        args = argv[1:]
        tag = args[args.index("-t") + 1]
        dockerfile = args[args.index("-f") + 1]
        platform = args[args.index("--platform") + 1] if "--platform" in args else None
        if not Path(dockerfile).is_file():
            print(f"fake docker: no Dockerfile {dockerfile}", file=sys.stderr)
            return 1
        built = json.loads(BUILT.read_text()) if BUILT.exists() else []
        built.append(tag)
        BUILT.write_text(json.dumps(built))
        record({"cmd": "build", "tag": tag, "dockerfile": dockerfile, "platform": platform,
                "context": args[-1]})
        return 0
    if cmd == "login":
        password = sys.stdin.read().strip()
        registry = argv[-1]
        record({"cmd": "login", "registry": registry, "password_given": bool(password),
                "username": argv[argv.index("--username") + 1]})
        return 0 if password else 1
    if cmd == "push":
        uri = argv[-1]
        built = json.loads(BUILT.read_text()) if BUILT.exists() else []
        if uri not in built:
            print(f"fake docker: image {uri} was not built", file=sys.stderr)
            return 1
        repo_path, tag = uri.rsplit(":", 1)
        repo = repo_path.split("/", 1)[1]
        import boto3

        ecr = boto3.client("ecr")  # AWS_ENDPOINT_URL + credentials from the environment
        try:
            ecr.put_image(repositoryName=repo, imageTag=tag, imageManifest=manifest_for(tag),
                          imageManifestMediaType="application/vnd.docker.distribution.manifest.v2+json")
        except Exception as exc:  # noqa: BLE001
            record({"cmd": "push", "uri": uri, "ok": False, "error": str(exc)})
            print(f"fake docker: push failed: {exc}", file=sys.stderr)
            return 1
        record({"cmd": "push", "uri": uri, "ok": True})
        return 0
    if cmd == "create":
        record({"cmd": "create", "image": argv[-1]})
        print("fakecontainer0001")
        return 0
    if cmd == "cp":
        src, dest = argv[-2], argv[-1]
        record({"cmd": "cp", "src": src, "dest": dest})
        Path(dest).write_bytes(b"\x7fELF fake bootstrap for " + src.encode())
        return 0
    record({"cmd": cmd, "args": argv[1:]})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
