"""bot.admission: a bounded wait for the engine's workers, overall and per server."""

from __future__ import annotations

import asyncio

import pytest

from bot.admission import AskGate, Busy, Stopping


async def hold(gate: AskGate, guild: int | None, release: asyncio.Event, log: list[str], name: str) -> None:
    async with gate.admit(guild):
        log.append(name)
        await release.wait()


async def until(condition, timeout: float = 5.0) -> None:  # noqa: ANN001
    """Let the tasks run until ``condition()`` holds (a fixed short sleep is not enough on a loaded machine)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.005)


async def test_questions_beyond_the_queue_are_refused_at_once():
    gate = AskGate(concurrent=2, max_waiting=3, max_waiting_per_guild=10, max_wait=30)
    release, log = asyncio.Event(), []
    tasks = [asyncio.create_task(hold(gate, 1, release, log, f"q{i}")) for i in range(5)]  # 2 run, 3 wait
    await until(lambda: gate.running == 2 and gate.waiting == 3 and len(log) == 2)
    assert gate.running == 2 and gate.waiting == 3 and log == ["q0", "q1"]
    with pytest.raises(Busy, match="try again in a minute"):
        gate.admit(2)
    release.set()
    await asyncio.gather(*tasks)
    assert sorted(log) == [f"q{i}" for i in range(5)] and gate.refused == 1
    assert gate.running == 0 and gate.waiting == 0
    async with gate.admit(2):  # room again
        pass


async def test_one_server_cannot_take_the_whole_queue():
    gate = AskGate(concurrent=1, max_waiting=10, max_waiting_per_guild=2, max_wait=30)
    release, log = asyncio.Event(), []
    tasks = [asyncio.create_task(hold(gate, 1, release, log, f"a{i}")) for i in range(3)]  # 1 runs, 2 wait
    await until(lambda: gate.running == 1 and gate.waiting == 2)
    with pytest.raises(Busy):
        gate.admit(1)
    tasks.append(asyncio.create_task(hold(gate, 2, release, log, "b0")))  # another server still gets in
    tasks.append(asyncio.create_task(hold(gate, None, release, log, "dm0")))  # and DMs
    await until(lambda: gate.waiting == 4)
    assert gate.waiting == 4
    release.set()
    await asyncio.gather(*tasks)
    assert sorted(log) == ["a0", "a1", "a2", "b0", "dm0"]


async def test_a_question_waits_at_most_max_wait():
    gate = AskGate(concurrent=1, max_waiting=5, max_waiting_per_guild=5, max_wait=0.1)
    release, log = asyncio.Event(), []
    first = asyncio.create_task(hold(gate, 1, release, log, "first"))
    await until(lambda: gate.running == 1)
    ticket = gate.admit(1)
    with pytest.raises(Busy):
        async with ticket:
            pass
    assert gate.waiting == 0
    release.set()
    await first


async def test_a_cancelled_ticket_gives_its_place_back():
    gate = AskGate(concurrent=1, max_waiting=0, max_waiting_per_guild=0, max_wait=1)
    ticket = gate.admit(1)
    ticket.cancel()
    ticket.cancel()  # twice is harmless
    assert gate.waiting == 0
    async with gate.admit(1):
        with pytest.raises(Busy):  # no waiting allowed at all
            gate.admit(1)


async def test_a_closed_gate_refuses_new_questions_and_drains_the_admitted_ones():
    gate = AskGate(concurrent=1, max_waiting=5, max_waiting_per_guild=5, max_wait=30)
    release, log = asyncio.Event(), []
    tasks = [asyncio.create_task(hold(gate, 1, release, log, f"q{i}")) for i in range(2)]  # 1 runs, 1 waits
    await until(lambda: gate.running == 1 and gate.waiting == 1)
    gate.close()
    with pytest.raises(Stopping, match="restarting"):
        gate.admit(2)
    assert not await gate.drained(0.05)  # still answering: the time runs out
    drained = asyncio.create_task(gate.drained(5))
    await asyncio.sleep(0.02)
    assert not drained.done()
    release.set()
    assert await drained  # both admitted questions got their turn before the drain returned
    assert log == ["q0", "q1"] and gate.idle
    await asyncio.gather(*tasks)


async def test_an_idle_gate_drains_at_once():
    gate = AskGate(concurrent=2, max_waiting=5, max_waiting_per_guild=5, max_wait=30)
    gate.close()
    assert await asyncio.wait_for(gate.drained(0), 1)
