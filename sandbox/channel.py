"""Line transports between the host and a runner: a Docker attach socket, or a child's pipes.

Every read and write has a deadline; an expired deadline raises :class:`ChannelTimeout`,
a closed peer :class:`ChannelClosed`.  The caller decides what that means.
"""

from __future__ import annotations

import os
import select
import shutil
import socket
import struct
import tempfile
import time
from typing import Callable

# once a reply has started arriving, a large one may keep streaming this long after the deadline
STREAM_IDLE_S = 10.0


class ChannelClosed(Exception):
    pass


class ChannelTimeout(Exception):
    pass


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise ChannelTimeout("deadline passed")
    return left


def _ready(fd: int, event: int, timeout: float) -> bool:
    poller = select.poll()
    poller.register(fd, event)
    return bool(poller.poll(timeout * 1000))


class _LineReader:
    """Accumulates bytes until a newline; shared by both transports."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def _take_line(self) -> bytes | None:
        idx = self._buf.find(b"\n")
        if idx < 0:
            return None
        line = bytes(self._buf[: idx + 1])
        del self._buf[: idx + 1]
        return line

    def _chunk(self, timeout: float) -> bytes:  # pragma: no cover - implemented by transports
        raise NotImplementedError

    def recv_exact(self, size: int) -> bytes:
        """The next ``size`` bytes of a message whose header already arrived (bounded by silence)."""
        while len(self._buf) < size:
            data = self._chunk(STREAM_IDLE_S)
            if not data:
                raise ChannelClosed("the runner closed its output in the middle of a reply")
            self._buf += data
        data = bytes(self._buf[:size])
        del self._buf[:size]
        return data

    def recv_line(self, deadline: float) -> bytes:
        while True:
            line = self._take_line()
            if line is not None:
                return line
            # a reply that is already streaming is not cut off by the deadline, only by silence
            timeout = STREAM_IDLE_S if self._buf else _left(deadline)
            data = self._chunk(timeout)
            if not data:
                raise ChannelClosed("the runner closed its output")
            self._buf += data


class _SocketBase(_LineReader):
    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock

    def send(self, data: bytes, deadline: float) -> None:
        self._sock.settimeout(max(_left(deadline), STREAM_IDLE_S))
        try:
            self._sock.sendall(data)
        except socket.timeout as exc:
            raise ChannelTimeout("writing to the runner timed out") from exc
        except OSError as exc:
            raise ChannelClosed(f"writing to the runner failed: {exc}") from exc

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass


class SocketChannel(_SocketBase):
    """A Docker attach socket (no TTY): stdout arrives in frames with an 8-byte header."""

    def _read_exact(self, size: int, timeout: float) -> bytes:
        parts, got = [], 0
        self._sock.settimeout(timeout)
        while got < size:
            try:
                data = self._sock.recv(min(size - got, 1 << 20))
            except socket.timeout as exc:
                raise ChannelTimeout("reading from the runner timed out") from exc
            except OSError as exc:
                raise ChannelClosed(f"reading from the runner failed: {exc}") from exc
            if not data:
                return b""
            parts.append(data)
            got += len(data)
        return b"".join(parts)

    def _chunk(self, timeout: float) -> bytes:
        while True:
            header = self._read_exact(8, timeout)
            if not header:
                return b""
            stream, size = struct.unpack(">BxxxL", header)
            payload = self._read_exact(size, max(timeout, STREAM_IDLE_S))
            if len(payload) < size:
                return b""
            if stream == 1:  # stdout; stderr frames are not attached, anything else is ignored
                return payload


class StreamSocketChannel(_SocketBase):
    """A plain connected socket (the runner dialled our rendezvous socket): no framing."""

    def _chunk(self, timeout: float) -> bytes:
        self._sock.settimeout(timeout)
        try:
            return self._sock.recv(1 << 20)
        except socket.timeout as exc:
            raise ChannelTimeout("reading from the runner timed out") from exc
        except OSError as exc:
            raise ChannelClosed(f"reading from the runner failed: {exc}") from exc


class Rendezvous:
    """A one-shot unix socket the runner connects to from inside its sandbox.

    It lives in a fresh directory that the sandbox sees read-only; the first connection
    from the expected process is kept, and the socket is gone before any command runs.
    """

    INSIDE = "/run/perfforge"

    def __init__(self, peer_uid: int | None) -> None:
        self.dir = tempfile.mkdtemp(prefix="perfforge-rendezvous-")
        os.chmod(self.dir, 0o755)  # the runner's uid must reach the socket
        self.path = os.path.join(self.dir, "runner.sock")
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(4)
        if peer_uid is not None and os.geteuid() == 0:
            os.chown(self.path, peer_uid, peer_uid)
            os.chmod(self.path, 0o600)
        else:
            os.chmod(self.path, 0o666)

    @property
    def inside_path(self) -> str:
        return f"{self.INSIDE}/runner.sock"

    def accept(self, timeout_s: float, peer_pid: Callable[[], int | None], check: Callable[[], None]) -> socket.socket:
        """The runner's connection; anyone else who dials in is turned away.  ``check`` runs
        between waits and raises when the sandbox died before connecting (no point waiting)."""
        deadline = time.monotonic() + timeout_s
        while True:
            self._server.settimeout(min(_left(deadline), 0.5))
            try:
                conn, _ = self._server.accept()
            except socket.timeout:
                check()
                continue
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            pid = struct.unpack("3i", creds)[0]
            if pid == peer_pid():
                return conn
            conn.close()

    def close(self) -> None:
        self._server.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class PipeChannel(_LineReader):
    """The stdin/stdout pipes of a local runner process."""

    def __init__(self, write_fd: int, read_fd: int) -> None:
        super().__init__()
        self._w = write_fd
        self._r = read_fd
        os.set_blocking(self._w, False)

    def send(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            timeout = max(_left(deadline), 0.0)
            if not _ready(self._w, select.POLLOUT, timeout):
                raise ChannelTimeout("writing to the runner timed out")
            try:
                sent = os.write(self._w, view[: 1 << 20])
            except BlockingIOError:
                continue
            except OSError as exc:
                raise ChannelClosed(f"writing to the runner failed: {exc}") from exc
            view = view[sent:]

    def _chunk(self, timeout: float) -> bytes:
        if not _ready(self._r, select.POLLIN, timeout):
            raise ChannelTimeout("reading from the runner timed out")
        return os.read(self._r, 1 << 20)

    def close(self) -> None:
        for fd in (self._w, self._r):
            try:
                os.close(fd)
            except OSError:
                pass
