"""The permissions boundary every role of the program carries (docs/permissions-boundary.json).

Created once per account, like the deploy roles (docs/deploy-role.md); a
stack names it with `permissionsBoundary` (a policy name or ARN, default
BOUNDARY_POLICY). The deploy roles may create a role only with this boundary
on it, so no role they make can do more than the boundary allows, whatever
policy they attach to it.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.stack.schema import BOUNDARY_POLICY

__all__ = ["BOUNDARY_POLICY", "boundary_arn"]


def boundary_arn(policy: str) -> pulumi.Output[str]:
    """The boundary's ARN: `policy` itself when it is one, else that policy name in this account."""
    if policy.startswith("arn:"):
        return pulumi.Output.from_input(policy)
    identity = aws.get_caller_identity_output()
    return pulumi.Output.concat("arn:aws:iam::", identity.account_id, ":policy/", policy)
