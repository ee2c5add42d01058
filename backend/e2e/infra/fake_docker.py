#!/usr/bin/env python3
"""`docker` stand-in for deploy rehearsals (no docker daemon needed).

Appends every call to $FAKE_DOCKER_LOG (one JSON line each), records which binary
each built image runs (its bootstrap, for lambda_image_runner.py), and, on `push`,
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


IMAGES = LOG.with_suffix(".images.json")


def known_bootstrap(uri: str) -> str:
    return (json.loads(IMAGES.read_text()) if IMAGES.exists() else {}).get(uri, "")


def remember(uri: str, bootstrap: str) -> None:
    known = json.loads(IMAGES.read_text()) if IMAGES.exists() else {}
    known[uri] = bootstrap
    IMAGES.write_text(json.dumps(known))


def imagetools_create(args: list[str]) -> int:
    """`docker buildx imagetools create --tag DST SRC@DIGEST`: the registry copies the image
    (manifest and blobs) under a new name; the digest stays the same."""
    import boto3
    from botocore.config import Config

    dst = args[args.index("--tag") + 1]
    src = args[-1]
    src_repo_path, digest = src.split("@", 1)
    dst_repo_path, dst_tag = dst.rsplit(":", 1)
    ecr = boto3.client("ecr", config=Config(user_agent_extra="fake-docker-push"))
    try:
        image = ecr.batch_get_image(repositoryName=src_repo_path.split("/", 1)[1],
                                    imageIds=[{"imageDigest": digest}])["images"][0]
        copied = ecr.put_image(repositoryName=dst_repo_path.split("/", 1)[1], imageTag=dst_tag,
                               imageManifest=image["imageManifest"],
                               imageManifestMediaType=image.get("imageManifestMediaType",
                                                                "application/vnd.docker.distribution.manifest.v2+json"))
    except Exception as exc:  # noqa: BLE001
        record({"cmd": "imagetools-create", "src": src, "dst": dst, "ok": False, "error": str(exc)})
        print(f"fake docker: imagetools create failed: {exc}", file=sys.stderr)
        return 1
    new_digest = copied["image"]["imageId"]["imageDigest"]
    remember(f"{dst_repo_path}@{new_digest}", known_bootstrap(src))
    record({"cmd": "imagetools-create", "src": src, "dst": dst, "ok": True, "digest": new_digest})
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        return 1
    cmd = argv[0]
    if cmd == "buildx" and argv[1:3] == ["imagetools", "create"]:
        return imagetools_create(argv[3:])
    if cmd == "buildx":
        record({"cmd": "buildx", "args": argv[1:]})
        return 1  # behave like a docker without the buildx plugin (builds use `docker build`)
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
        # What the image runs: the locally built bootstrap (the Dockerfile's product; api-handler
        # runs as the function the same way when only that is built), or $FAKE_IMAGE_BOOTSTRAP (a
        # test builds a broken image that way); lambda_image_runner.py starts it on Invoke.
        remember(tag, os.environ.get("FAKE_IMAGE_BOOTSTRAP") or os.environ.get("BOOTSTRAP_BIN")
                 or os.environ.get("API_HANDLER_BIN", ""))
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

        from botocore.config import Config

        # AWS_ENDPOINT_URL + credentials from the environment; the agent marks a docker push
        # among the recorded calls (iam_eval.py).
        ecr = boto3.client("ecr", config=Config(user_agent_extra="fake-docker-push"))
        try:
            pushed = ecr.put_image(repositoryName=repo, imageTag=tag, imageManifest=manifest_for(tag),
                                   imageManifestMediaType="application/vnd.docker.distribution.manifest.v2+json")
        except Exception as exc:  # noqa: BLE001
            record({"cmd": "push", "uri": uri, "ok": False, "error": str(exc)})
            print(f"fake docker: push failed: {exc}", file=sys.stderr)
            return 1
        digest = pushed["image"]["imageId"]["imageDigest"]
        remember(f"{repo_path}@{digest}", known_bootstrap(uri))
        record({"cmd": "push", "uri": uri, "ok": True, "digest": digest})
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
