"""Test support shipped with the package: a scripted OpenAI-compatible model server.

It is the deterministic model most tests (and ``--api-base`` demos) talk to, through
the same client code as production.
"""

from agent.testing.scripted_server import RecordedRequest, ScriptedServer, Step, delay, error, malformed, reply

__all__ = ["RecordedRequest", "ScriptedServer", "Step", "delay", "error", "malformed", "reply"]
