"""Open pages once on running app processes, the way a class's first browsers would.

    python scripts/warm.py all 8501 8502      # every page's default view on both processes
    python scripts/warm.py home 8501          # the home page only
    python scripts/warm.py settle <pid>       # wait until that process is quiet (Linux)

A process's first run imports torch (and its first optimizer torch._dynamo): seconds no
student should wait for; every page's default view is then computed and cached. Used by
scripts/run.sh (home, before the URL is printed) and scripts/serve.sh (every process at start,
and a restarted process before it takes students again).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ui.registry import available_pages  # noqa: E402

PAGE_TIMEOUT = 300  # seconds for one page's first run on a busy machine
# A drawn page sets off ui.compute's prefetch (the page's next presses, computed once the
# process has been idle 1.2 s): measured for issue 22 (BENCHMARKS.md, session 2026-12-05b),
# the first browser after run.sh's address then shared the process with it (1.6 CPU-s of
# server work against 0.4 for the next browser). "settle" waits for that work to end.
QUIET_SHARE = 0.05  # of one core
QUIET_FOR = 2.0  # seconds in a row
SETTLE_AT_MOST = 90.0


async def warm(port: int, page: str) -> None:
    async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream",
                                  subprotocols=["streamlit"], max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = "lang=en"
        msg.rerun_script.page_name = page
        await ws.send(msg.SerializeToString())
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(await asyncio.wait_for(ws.recv(), PAGE_TIMEOUT))
            if reply.WhichOneof("type") == "script_finished":
                return


async def warm_process(port: int, pages: list[str]) -> None:
    for page in pages:  # one page after another: the processes warm in parallel
        await warm(port, page)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(pid: int) -> float:
    """Wait until ``pid`` used under QUIET_SHARE of a core for QUIET_FOR seconds in a row (at
    most SETTLE_AT_MOST); the seconds waited. Without /proc (macOS) it returns at once."""
    if not Path(f"/proc/{pid}/stat").exists():
        return 0.0
    start = last_busy = time.monotonic()
    used = cpu_seconds(pid)
    while time.monotonic() - start < SETTLE_AT_MOST:
        time.sleep(0.5)
        now_used = cpu_seconds(pid)
        if now_used - used > QUIET_SHARE * 0.5:
            last_busy = time.monotonic()
        used = now_used
        if time.monotonic() - last_busy >= QUIET_FOR:
            break
    return time.monotonic() - start


async def main(which: str, ports: list[int]) -> None:
    pages = [""] if which == "home" else [p.url_path for p in available_pages()]
    await asyncio.gather(*(warm_process(port, pages) for port in ports))


if __name__ == "__main__":
    if sys.argv[1] == "settle":
        settle(int(sys.argv[2]))
    else:
        asyncio.run(main(sys.argv[1], [int(p) for p in sys.argv[2:]]))
