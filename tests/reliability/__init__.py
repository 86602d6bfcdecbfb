"""Reliability suite ("nothing lost, nothing escapes"): hostile inputs, kill -9, review sequences.

- :mod:`tests.reliability.harness` runs the real ``tandem`` console script in a
  bounded child process (timeout, address-space limit, its own process group)
  and judges what it did: exit code, stderr, files written, outputs that parse.
- :mod:`tests.reliability.hostile` is the table of hostile cases.
- :mod:`tests.reliability.kills` kills ``run``, ``merge`` and ``publish`` at
  random moments and checks the workspace's invariants after each kill.
- :mod:`tests.reliability.sequences` runs random review sequences (in-process).
- ``sweep.py`` runs all three and writes ``sweep.result.json``;
  ``tests/test_reliability.py`` runs a fast subset in CI.
"""
