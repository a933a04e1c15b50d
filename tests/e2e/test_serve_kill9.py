"""Durability: SIGKILL a real `merci serve` while devices sync; after a restart every acknowledged event is
stored exactly once. 20 rounds here; `bench/kill9.py --rounds 100` runs more."""

from __future__ import annotations

import random

import pytest

from .server import MerciServer, check_log, kill9_round, sign_in, sign_up, whole_log

ROUNDS = 20


@pytest.mark.slow
def test_every_acknowledged_event_survives_kill_9_while_devices_sync(tmp_path):
    # Given an account with four devices on a real server
    server = MerciServer(tmp_path / "data").start()
    owner = sign_up(server.url)
    tokens = [owner["token"]] + [sign_in(server.url, device_name=f"device {n}")["token"] for n in range(3)]
    rng = random.Random(20261127)
    sent: set[str] = set()
    acknowledged: set[str] = set()

    for round_number in range(ROUNDS):
        # When the server is killed with SIGKILL at a random moment while the four devices push batches
        outcome = kill9_round(server, tokens, f"r{round_number}", rng)
        sent |= outcome.sent
        acknowledged |= outcome.acknowledged

        # Then, restarted, it holds every acknowledged event once, and seq has no gap
        server.start()
        try:
            check_log(whole_log(server.url, owner["token"]), acknowledged, sent)
        except BaseException:
            server.kill()
            raise
    server.kill()

    assert len(acknowledged) > ROUNDS * 20, "the devices hardly synced: the test proved little"
