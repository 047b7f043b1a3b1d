"""Entry point of the server process: ``python -P -m agent.local_model.launch BACKEND ...``.

It binds to 127.0.0.1 only, and exits when the process that started it is gone (its
parent pid changes), so a ``kill -9`` of the agent does not leave a 2 GB server behind.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import threading
import time

HOST = "127.0.0.1"


def _exit_with_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _serve_xllamacpp(args: argparse.Namespace) -> None:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.model_alias = {args.alias}
    params.hostnames = [HOST]
    params.port = args.port
    params.n_ctx = args.ctx
    params.n_parallel = 1  # one agent, one request at a time: the whole context for it
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    server = xllamacpp.Server(params)  # serves on its own threads for as long as it is referenced
    print(f"perfforge: llama.cpp server listening on {server.listening_address}", flush=True)
    threading.Event().wait()


def _serve_llama_cpp_python(args: argparse.Namespace) -> None:
    sys.argv = [
        "llama_cpp.server", "--model", args.model, "--model_alias", args.alias, "--host", HOST,
        "--port", str(args.port), "--n_ctx", str(args.ctx), "--n_threads", str(args.threads),
        "--n_threads_batch", str(args.threads),
    ]
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


SERVERS = {"xllamacpp": _serve_xllamacpp, "llama-cpp-python": _serve_llama_cpp_python}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="agent.local_model.launch")
    parser.add_argument("backend", choices=sorted(SERVERS))
    parser.add_argument("--model", required=True)
    parser.add_argument("--alias", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--ctx", type=int, required=True)
    parser.add_argument("--parent", type=int, default=None, help="exit when this process is no longer the parent")
    args = parser.parse_args(argv)
    if args.parent is not None:
        _exit_with_parent(args.parent)
    SERVERS[args.backend](args)


if __name__ == "__main__":
    main()
