"""A stand-in for the Lambda context object, with the attributes Powertools reads."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LocalLambdaContext:
    """One invocation's context: a fresh request id and a deadline."""

    function_name: str
    region: str
    timeout_seconds: float
    memory_limit_in_mb: int = 1024
    function_version: str = "$LATEST"
    account_id: str = "000000000000"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        # frozen dataclass: set the derived deadline once, at invocation time.
        object.__setattr__(self, "_deadline", time.monotonic() + self.timeout_seconds)

    @property
    def invoked_function_arn(self) -> str:
        """The ARN the function would have in this account and region."""
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        """The CloudWatch log group name the function would write to."""
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        """A log stream name of the usual shape."""
        return f"{time.strftime('%Y/%m/%d')}/[{self.function_version}]local"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until this invocation's deadline, never negative."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))
