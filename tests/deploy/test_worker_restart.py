"""One app process dies in the middle of a class (scripts/serve.sh, two processes behind
HAProxy): only the students on that process lose their run in flight, every student's next
move succeeds within 10 s (HAProxy sends the ones of the dead process to the other one, their
page reconnects with the view its URL carries), and serve.sh has the process back within 30 s.

The students speak Streamlit's websocket protocol (benchmarks/bench_load.py's Student) and
keep HAProxy's DLE_BACKEND cookie as a browser does, so a reconnect asks for the dead process
first, as a real page would.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from http.cookies import SimpleCookie

import pytest
import websockets

from benchmarks.bench_load import RUN_TIMEOUT, Stats, Student
from devtools.app_server import ServeSh, serve_sh
from scripts.warm import warm

pytestmark = pytest.mark.alone  # its 10 s and 30 s bounds need the machine to itself

PAGES = ["", "losses", "activations"]
STUDENTS = 6
NEXT_MOVE_WITHIN = 10.0
BACK_WITHIN = 30.0


class CookieStudent(Student):
    """A Student whose websocket carries (and keeps) HAProxy's affinity cookie."""

    backend = ""
    refused: list[str]

    async def connect(self, retry_for: float = 0.0) -> None:
        """Open the websocket; like Streamlit's page, try again (every 0.5 s) for
        ``retry_for`` seconds when the server refuses it."""
        headers = {"Cookie": f"DLE_BACKEND={self.backend}"} if self.backend else {}
        deadline = time.monotonic() + retry_for
        while True:
            try:
                self.ws = await websockets.connect(
                    self.ws_url, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
                    additional_headers=headers, max_size=None, open_timeout=RUN_TIMEOUT,
                    ping_interval=None)
                break
            except (OSError, websockets.InvalidStatus) as exc:
                self.refused.append(f"{time.monotonic():.1f} {exc!r}")
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
        cookie = SimpleCookie(self.ws.response.headers.get("Set-Cookie", ""))
        if "DLE_BACKEND" in cookie:
            self.backend = cookie["DLE_BACKEND"].value

    async def move(self) -> bool:
        """Move a slider to a new value; True if that run finished."""
        picked = self._pick_move()
        assert picked is not None, f"/{self.page}: no slider value left"
        w, value = picked
        state = self.states[w.id]
        if w.kind == "select_slider":
            state.string_array_value.data[:] = [w.proto.options[int(value)]]
        else:
            state.double_array_value.data[:] = [value]
        return await self._run(f"/{self.page} {w.key}", fragment_id=w.fragment_id) is not None


@pytest.fixture
def serve(tmp_path):
    with serve_sh({"WORKERS": "2", "WARM_UP": "home", "LOG_DIR": str(tmp_path)}) as server:
        yield server


async def _class_with_a_death(server: ServeSh) -> dict:
    base, lines, ports = server.base, server.lines, server.app_ports
    for port in ports:  # both processes have drawn these pages once, as after a lesson's start
        for page in PAGES:
            await warm(port, page)
    rng = random.Random(22)
    students = [CookieStudent(i, base, PAGES[i % len(PAGES)], "en", Stats(),
                              random.Random(rng.random())) for i in range(STUDENTS)]
    for s in students:
        s.refused = []
    for s in students:
        await s.connect()
        assert await s._run(f"/{s.page} first run") is not None, s.stats.failed
    on = {s.uid: s.backend for s in students}
    assert set(on.values()) == {"app1", "app2"}, on  # leastconn spread them over both

    killed_at = 0.0
    in_flight_failed: dict[int, str] = {}
    next_move: dict[int, float] = {}

    async def student_loop(s: CookieStudent, kill_seen: asyncio.Event) -> None:
        nonlocal killed_at
        while not kill_seen.is_set() or s.uid not in next_move:
            after_kill = kill_seen.is_set()
            started = time.monotonic()
            ok = await s.move()
            if ok and after_kill:
                next_move[s.uid] = time.monotonic() - started
                return
            if not ok:
                in_flight_failed[s.uid] = s.stats.failed[-1]
                # The page reconnects by itself (same cookie, same URL) and runs again.
                await s.ws.close()
                s.widgets.clear()
                s.states.clear()
                s.page_hash = ""
                await s.connect(retry_for=NEXT_MOVE_WITHIN)
                assert await s._run(f"/{s.page} reconnect") is not None, s.stats.failed
                assert await s.move(), s.stats.failed
                next_move[s.uid] = time.monotonic() - started
                return
            await asyncio.sleep(s.rng.uniform(0.2, 0.8))

    kill_seen = asyncio.Event()
    loops = [asyncio.create_task(student_loop(s, kill_seen)) for s in students]
    await asyncio.sleep(2.0)  # moves in flight on both processes
    victim = server.app_pids()[1]
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic()
    kill_seen.set()
    try:
        await asyncio.wait_for(asyncio.gather(*loops), timeout=120)
    finally:
        for s in students:
            for refusal in s.refused:
                print(f"student {s.uid} ({on[s.uid]}): kill+{float(refusal.split()[0]) - killed_at:.1f} s"
                      f" {refusal.split(' ', 1)[1][:160]}")
        print("".join(line for line in list(lines) if "serve.sh" in line or "Server app" in line))

    back_after = None
    while time.monotonic() - killed_at < 60:
        if any("app process 1" in line and "is back after" in line for line in list(lines)):
            back_after = time.monotonic() - killed_at
            break
        await asyncio.sleep(0.2)
    for s in students:
        await s.ws.close()
    return {"on": on, "in_flight_failed": in_flight_failed, "next_move": next_move,
            "refused": {s.uid: len(s.refused) for s in students if s.refused},
            "back_after": back_after, "victim": victim, "now": server.app_pids()[1]}


def test_a_dead_worker_costs_its_students_one_run_and_comes_back(serve):
    lines = serve.lines
    result = asyncio.run(_class_with_a_death(serve))
    on, failed = result["on"], result["in_flight_failed"]
    # Only students of the dead process lost a run; the others never noticed.
    assert all(on[uid] == "app1" for uid in failed), (on, failed)
    assert all(uid in failed or on[uid] == "app2" for uid in on), (on, failed)
    # Every student's next move (for those of app1: reconnect, first run, move) succeeded fast.
    assert set(result["next_move"]) == set(on)
    slow = {uid: t for uid, t in result["next_move"].items() if t > NEXT_MOVE_WITHIN}
    assert not slow, (slow, result)
    # serve.sh started the process again and warmed it within 30 s.
    assert result["back_after"] is not None and result["back_after"] <= BACK_WITHIN, result
    assert result["now"] != result["victim"]
    assert any("exited with status 137; starting it again in 1 s" in line for line in lines)
    print(result)
