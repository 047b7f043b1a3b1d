"""An HTTP server on 127.0.0.1 for the test doubles: threaded, quick to stop, self-stopping.

A server a test forgot to close must not outlive the session: each one stops itself after
``lifetime_s``.  ``serve_forever`` notices a shutdown only between polls: a short poll keeps
``stop()`` fast."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    def __init__(self, handler: type[BaseHTTPRequestHandler], *, port: int = 0, lifetime_s: float = 600.0,
                 name: str = "loopback-server") -> None:
        self.httpd: ThreadingHTTPServer | None = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), name=name, daemon=True)
        self._thread.start()
        self._timer = threading.Timer(lifetime_s, self.stop)
        self._timer.daemon = True
        self._timer.start()

    @property
    def port(self) -> int:
        assert self.httpd is not None, "the server is not running"
        return self.httpd.server_address[1]

    def stop(self) -> None:
        self._timer.cancel()
        if self.httpd is not None:
            httpd, self.httpd = self.httpd, None
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
