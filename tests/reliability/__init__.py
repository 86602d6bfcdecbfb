"""Reliability suite ("nothing lost, nothing escapes"): hostile inputs and kill -9.

- :mod:`tests.reliability.harness` runs the real ``tandem`` console script in a
  bounded child process (timeout, address-space limit, its own process group)
  and judges what it did: exit code, stderr, files written, outputs that parse.
- :mod:`tests.reliability.hostile` is the table of hostile cases.
- :mod:`tests.reliability.kills` kills ``run``, ``merge`` and ``publish`` at
  random moments and checks the workspace's invariants after each kill.
- ``sweep.py`` runs everything and writes ``sweep.result.json``;
  ``tests/test_reliability.py`` runs a fast subset in CI.
"""
