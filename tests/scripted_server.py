"""The scripted server, for the tests that still import it by this name (it lives in helpers)."""

from tests.helpers import Answer, Received, ScriptedServer

__all__ = ["Answer", "Received", "ScriptedServer"]
