"""The page's bucket as CloudFront's default behaviour sees it, for the local hosted proof.

`python -m tests.support.bucket --port N --directory DIR` serves DIR the way S3
behind the distribution does: the viewer's path goes through the page-path
function's rule (infra/components/page/page_paths.py, the twin of what CloudFront runs),
then names exactly one key. A key that is not there is a 404 (S3 answers a
private bucket's miss with 403; the distribution turns both into its 404
page, as nginx does here). No directory listings, no redirects: Python's
own static server would redirect `/verify` to `/verify/`, which S3 never does.
"""

from __future__ import annotations

import argparse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from infra.build.page_export import content_type
from infra.components.page.page_paths import object_key


def bucket_handler(root: Path) -> type[BaseHTTPRequestHandler]:
    """A request handler serving `root` by exact key after the page-path rule."""
    resolved_root = root.resolve()

    class Bucket(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(body=True)

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def _answer(self, *, body: bool) -> None:
            key = object_key(unquote(urlsplit(self.path).path))
            path = (resolved_root / key).resolve()
            if not path.is_file() or not path.is_relative_to(resolved_root):
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            data = path.read_bytes()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type(path))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the proof's logs are nginx's and the backend's."""

    return Bucket


def main() -> None:
    """CLI: serve a directory on 127.0.0.1 until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--directory", type=Path, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), bucket_handler(args.directory))
    server.serve_forever()


if __name__ == "__main__":
    main()
