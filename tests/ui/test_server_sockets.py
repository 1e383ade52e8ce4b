"""No Nagle waits on the server's sockets (ui.server_sockets, issue 20).

uvicorn's accepted sockets have proto=0, so asyncio leaves Nagle's algorithm on for them: a
message shorter than a TCP segment behind an unacknowledged one waited ~40 ms for the
browser's delayed ACK. The fix sets TCP_NODELAY on the process's listening socket, which Linux
copies to every connection it accepts afterwards, and on the connections already open.
"""

from __future__ import annotations

import socket

import pytest

from ui import server_sockets


def _nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(server_sockets, "_done", False)


def _listener() -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as uvicorn's
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener


def test_accepted_sockets_keep_nagle_unless_told(fresh):
    with _listener() as listener, socket.create_connection(listener.getsockname()):
        accepted, _ = listener.accept()
        with accepted:
            assert accepted.proto == 0 and not _nodelay(accepted)  # what asyncio skips


def test_the_listener_and_open_connections_get_nodelay_and_new_ones_inherit_it(fresh):
    with _listener() as listener, socket.create_connection(listener.getsockname()):
        before, _ = listener.accept()
        with before:
            assert server_sockets.send_without_delay() >= 2  # the listener, the open one
            assert _nodelay(listener) and _nodelay(before)
            with socket.create_connection(listener.getsockname()):
                after, _ = listener.accept()
                with after:
                    assert _nodelay(after)  # accepted later: inherited from the listener
    assert server_sockets.send_without_delay() == 0  # once per process
