"""The runner's and the protocol's pieces, on canned data (no sandbox needed)."""

from __future__ import annotations

import io
import os
import stat

from sandbox import ExecSpec, Limits
from sandbox.build import installed_packages
from sandbox.cli_exec import parse_file_arg
from sandbox.runner import Capped, receive_blobs, remove_tree, wipe
from sandbox.worker import decode_result, encode_request, sandbox_memory_bytes


def test_capped_keeps_the_head_and_flags_the_rest():
    sink = Capped(10)
    for chunk in (b"0123", b"456789AB", b"CDEF"):
        sink.feed(chunk)
    assert sink.value() == b"0123456789" and sink.truncated
    exact = Capped(4)
    exact.feed(b"abcd")
    assert exact.value() == b"abcd" and not exact.truncated


def test_request_carries_files_and_stdin_as_raw_blobs():
    spec = ExecSpec(argv=["./a"], files={"a": b"#!/bin/sh\n", "d/b.bin": b"\x00\xff"}, executable=["a"],
                    stdin=b"input", env={"X": "1"}, limits=Limits(wall_s=3))
    header, blobs = encode_request(spec, wipe=True)
    import json

    meta = json.loads(header)
    assert meta["op"] == "exec" and meta["wipe"] is True
    assert meta["env"]["X"] == "1" and meta["env"]["HOME"] == "/work"
    assert meta["limits"]["cpu_s"] == 3  # defaults to the wall limit
    assert [b["kind"] for b in meta["blobs"]] == ["file", "file", "stdin"]
    assert [b["size"] for b in meta["blobs"]] == [len(b) for b in blobs]
    assert meta["blobs"][0]["exec"] is True and meta["blobs"][1]["exec"] is False
    assert "files" not in meta and "stdin" not in meta


def test_blobs_land_in_files_and_a_failed_write_keeps_the_stream_in_step(tmp_path):
    (tmp_path / "taken").mkdir()  # a directory where a file should go: that write fails
    blobs = [{"kind": "file", "name": "x/run.sh", "size": 3, "exec": True},
             {"kind": "file", "name": "taken", "size": 4},
             {"kind": "file", "name": "after", "size": 2},
             {"kind": "stdin", "size": 5}]
    stream = io.BytesIO(b"abc" + b"1234" + b"ok" + b"hello" + b"NEXT")
    stdin_fd, error = receive_blobs(stream, blobs, str(tmp_path))
    try:
        assert error and "taken" in error
        assert stream.read() == b"NEXT"  # every blob byte consumed
        assert (tmp_path / "x/run.sh").read_bytes() == b"abc"
        assert stat.S_IMODE((tmp_path / "x/run.sh").stat().st_mode) == 0o755
    finally:
        os.close(stdin_fd)
    ok_fd, ok_error = receive_blobs(io.BytesIO(b"hi"), [{"kind": "stdin", "size": 2}], str(tmp_path))
    assert ok_error is None and os.read(ok_fd, 10) == b"hi"
    os.close(ok_fd)


def test_result_decoding_puts_blobs_in_their_fields():
    header = {"result": {"exit_code": 0, "wall_s": 0.1, "cpu_s": 0.0, "peak_rss_kib": 5}}
    blobs = [({"kind": "stdout"}, b"out"), ({"kind": "stderr"}, b"err"), ({"kind": "file", "name": "r.txt"}, b"R")]
    result = decode_result(header, blobs, backend="docker", image="img")
    assert (result.stdout, result.stderr, result.files) == (b"out", b"err", {"r.txt": b"R"})
    assert result.ok and result.backend == "docker"


def test_wipe_removes_hostile_trees(tmp_path):
    deep = tmp_path / "work" / "deep"
    path = deep
    for _ in range(200):
        path = path / "x"
    path.mkdir(parents=True)
    (tmp_path / "work" / "locked").mkdir()
    (tmp_path / "work" / "locked" / "f").write_text("x")
    (tmp_path / "work" / "locked").chmod(0)
    (tmp_path / "work" / "link").symlink_to("/etc/passwd")
    assert wipe([str(tmp_path / "work")]) == []
    assert list((tmp_path / "work").iterdir()) == []
    assert os.path.exists("/etc/passwd")  # a link is removed, never followed
    remove_tree(str(tmp_path / "nothing-here"))  # absent: no error


def test_sandbox_memory_covers_the_runner_and_captured_output():
    limits = Limits(memory_mib=100, output_bytes=1 << 20)
    assert sandbox_memory_bytes(limits) == (100 + 32) * (1 << 20) + 2 * (1 << 20)


def test_dpkg_status_parsing():
    status = ("Package: gcc\nStatus: install ok installed\nVersion: 4:12.2.0-3\n\n"
              "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n"
              "Package: valgrind\nStatus: install ok installed\nDescription: x\n more\nVersion: 1:3.19.0-1\n")
    assert installed_packages(status) == {"gcc": "4:12.2.0-3", "valgrind": "1:3.19.0-1"}


def test_file_argument_parsing(tmp_path):
    prog = tmp_path / "prog.py"
    prog.write_text("print(1)")
    assert parse_file_arg(str(prog)) == (prog, "prog.py")
    assert parse_file_arg(f"{prog}:src/main.py") == (prog, "src/main.py")
