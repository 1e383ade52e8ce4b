"""Open pages once on running app processes, the way a class's first browsers would.

    python scripts/warm.py all 8501 8502      # every page's default view on both processes
    python scripts/warm.py home 8501          # the home page only

A process's first run imports torch (and its first optimizer torch._dynamo): seconds no
student should wait for; every page's default view is then computed and cached. Used by
scripts/run.sh (home, before the URL is printed) and scripts/serve.sh (every process at start,
and a restarted process before it takes students again).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ui.registry import available_pages  # noqa: E402

PAGE_TIMEOUT = 300  # seconds for one page's first run on a busy machine


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


async def main(which: str, ports: list[int]) -> None:
    pages = [""] if which == "home" else [p.url_path for p in available_pages()]
    await asyncio.gather(*(warm_process(port, pages) for port in ports))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], [int(p) for p in sys.argv[2:]]))
