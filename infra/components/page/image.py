"""The web backend's image: web/Dockerfile, built during `pulumi up`, pushed to ECR."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pulumi
import pulumi_aws as aws
import pulumi_docker_build as docker_build

from infra.build.page_sources import IMAGE_SOURCES, digest

# The task's CPU and the image's platform, stated once (backend.py reads ECS_ARCHITECTURE).
ARCHITECTURE: Final = "arm64"
DOCKER_PLATFORM: Final = docker_build.Platform.LINUX_ARM64
ECS_ARCHITECTURE: Final = "ARM64"
DOCKERFILE: Final = "web/Dockerfile"
# Tags are digests of the image's sources, so the newest ten builds stay and
# older ones expire. Untagged entries (attestations, replaced indexes) are
# left alone: expiring them could break an index a running task still uses.
KEEP_IMAGES: Final = 10
LIFECYCLE_POLICY: Final = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Keep the {KEEP_IMAGES} newest builds",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["*"],
                    "countType": "imageCountMoreThan",
                    "countNumber": KEEP_IMAGES,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)


@dataclass(frozen=True)
class WebImage:
    """The repository and the pushed image; `ref` pins the task to this build's digest."""

    repository: aws.ecr.Repository
    image: docker_build.Image
    ref: pulumi.Output[str]


def image_tag(source_root: Path) -> str:
    """A digest of everything web/Dockerfile copies: a new tag exactly when the image changes."""
    return digest(source_root, IMAGE_SOURCES, f"platform={DOCKER_PLATFORM.value}")[:20]


def create_image(
    name: str, *, source_root: Path, tags: dict[str, str], parent: pulumi.Resource
) -> WebImage:
    """A scanned, private repository and the image built from the checkout into it."""
    child = pulumi.ResourceOptions(parent=parent)
    repository = aws.ecr.Repository(
        f"{name}-images",
        # The images are rebuilt from source: nothing in here is worth
        # keeping when the stage goes.
        force_delete=True,
        image_scanning_configuration={"scan_on_push": True},
        # The task pins the digest (`ref`), so a tag moving cannot change what runs.
        image_tag_mutability="MUTABLE",
        tags=tags,
        opts=child,
    )
    aws.ecr.LifecyclePolicy(
        f"{name}-images", repository=repository.name, policy=LIFECYCLE_POLICY, opts=child
    )
    login = aws.ecr.get_authorization_token_output(registry_id=repository.registry_id)
    image = docker_build.Image(
        f"{name}-image",
        # Relative to the project directory, so the state is the same on every machine.
        context={"location": os.path.relpath(source_root)},
        dockerfile={"location": os.path.relpath(source_root / DOCKERFILE)},
        platforms=[DOCKER_PLATFORM],
        push=True,
        # Previews stay read-only and need no Docker engine; the Dockerfile is
        # still checked for syntax.
        build_on_preview=False,
        tags=[pulumi.Output.concat(repository.repository_url, ":", image_tag(source_root))],
        registries=[
            {
                "address": repository.repository_url,
                "username": login.user_name,
                "password": pulumi.Output.secret(login.password),
            }
        ],
        opts=child,
    )
    return WebImage(repository=repository, image=image, ref=image.ref)
