"""Launcher: the harness proper is imported, so its compiled bytecode is used (a script
run as __main__ is compiled from source on every run, which a counted run would pay)."""

import sys

import harness

sys.exit(harness.main(sys.argv))
