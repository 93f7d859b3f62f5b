"""summarizer.turns: batch workers run one at a time and give way while they wait for the model."""

from __future__ import annotations

import threading
import time

import pytest

from summarizer.turns import Turns, waiting


def test_waiting_outside_a_turn_does_nothing() -> None:
    with waiting():
        pass


def test_one_thread_runs_at_a_time_and_waiting_gives_way() -> None:
    turns = Turns()
    inside = 0
    most = 0
    waited_together = threading.Barrier(3, timeout=5)  # all three wait at once: each gave its turn up
    lock = threading.Lock()

    def enter() -> None:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)

    def leave() -> None:
        nonlocal inside
        with lock:
            inside -= 1

    def worker() -> None:
        with turns.held():
            enter()
            time.sleep(0.01)  # own work (a sleep lets another thread run, were it not for the turn)
            leave()
            with waiting():
                waited_together.wait()
            enter()
            time.sleep(0.01)
            leave()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert most == 1


def test_a_turn_is_given_back_when_the_body_raises() -> None:
    turns = Turns()
    with pytest.raises(ValueError), turns.held():
        raise ValueError("boom")
    with turns.held():  # free again, in this thread too
        pass
    done = threading.Event()

    def other() -> None:
        with turns.held():
            done.set()

    t = threading.Thread(target=other)
    t.start()
    t.join(timeout=5)
    assert done.is_set()


def test_a_thread_cannot_hold_two_turns() -> None:
    with Turns().held(), pytest.raises(RuntimeError), Turns().held():
        pass
