#!/usr/bin/env python3
"""A pty for console tests: prints the slave path, then relays master <-> stdin/stdout byte for byte.
The test drives the agent's serial console through it like an operator at a terminal."""
import os, pty, select, sys

master, slave = pty.openpty()
os.chmod(os.ttyname(slave), 0o600)
sys.stdout.write(os.ttyname(slave) + "\n")
sys.stdout.flush()
# keep the slave open so the line discipline never resets while the agent reopens it
out = sys.stdout.fileno()
inp = sys.stdin.fileno()
while True:
    r, _, _ = select.select([master, inp], [], [])
    if master in r:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        os.write(out, data)
    if inp in r:
        data = os.read(inp, 65536)
        if not data:
            break
        os.write(master, data)
