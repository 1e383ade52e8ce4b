"""The server sends each message at once: TCP_NODELAY on Streamlit's sockets (once per process).

asyncio disables Nagle's algorithm only on sockets created with ``proto=IPPROTO_TCP``; the
ones uvicorn accepts (Streamlit 1.67's server) have ``proto=0``, so Nagle stayed on. A message
shorter than one TCP segment (64 kB on loopback) that followed another still unacknowledged
then waited for the browser's delayed ACK: ~40 ms. Measured on the lab's tick message (44 kB
once its code moved to static/): the server wrote it at once, the browser saw it ~42 ms later;
padded past 64 kB it arrived in ~19 ms (BENCHMARKS.md "Issue 20 (session 2026-12-05e)").

Setting TCP_NODELAY on the listening socket makes every connection accepted later inherit it
(Linux copies a listener's socket options to the sockets it accepts); the connections already
open get it too. Linux only (it reads /proc/self/fd); elsewhere, or on any error, nothing
changes: the app works as before, only with Nagle's delays.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

_LOG = logging.getLogger(__name__)
_done = False
_lock = threading.Lock()


def _tcp_sockets() -> list[socket.socket]:
    """Duplicates of this process's TCP sockets (the caller closes them)."""
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if not os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                continue
            sock = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            found.append(sock)
        else:
            sock.close()
    return found


def send_without_delay() -> int:
    """Turn Nagle's algorithm off on this process's TCP sockets, listening ones included (the
    first call does it; later calls return 0 at once). Returns how many sockets were set."""
    global _done
    with _lock:
        if _done:
            return 0
        _done = True
        count = 0
        try:
            for sock in _tcp_sockets():
                try:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    count += 1
                except OSError:
                    pass
                finally:
                    sock.close()  # closes the duplicate only; the option stays on the socket
        except OSError:  # no /proc (not Linux): leave the sockets as they are
            _LOG.info("TCP_NODELAY not set: no /proc/self/fd")
        return count
