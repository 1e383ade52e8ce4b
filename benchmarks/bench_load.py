"""A class on one server: simulated students speaking Streamlit's own websocket protocol.

    .venv/bin/python benchmarks/bench_load.py --users 30 --moves 6           # starts its own server
    .venv/bin/python benchmarks/bench_load.py --url http://127.0.0.1:8501 --pid <serve.sh pid>

Each student is what a browser tab does on ``/_stcore/stream`` (subprotocol ``streamlit``,
``streamlit.proto`` BackMsg/ForwardMsg): connect, ask for the first run of a page with a query
string (``?lang=…``), then move a random slider of that page to a value nobody asked for
before, sending every widget's state and the fragment id of the slider's fragment, exactly as
the front end sends a change. All students connect at the same moment (a class opening the
teacher's link). Student i sits on page i mod the number of pages. With ``--players N``
(``--play``: one) N more students open /playground with the issue's Playground link
(benchmarks/bench_playground.py PLAYGROUND_KEYS), press Play together once all have drawn the
page, and keep playing for ``--play-seconds`` as the lab's drawing element does: when a tick
has been drawn, its token goes back as the element's ``painted`` trigger value, which asks for
the next tick (ui.lab.drawing; here once the run has finished, a browser answers as soon as it
has painted). A page that asks for ticks with a ``run_every`` timer (auto_rerun) instead is
followed as the browser's timer: a tick every interval after the last one was asked for, or as
soon as it finished when it took longer (runs are never stacked).

    .venv/bin/python benchmarks/bench_load.py --users 0 --players 30 --play-seconds 30

Reported: first render p50/p95 (connect → script finished), slider move p50/p95/max (send →
the run of that change finished), play ticks (p50/p95, and
ticks/s per player: min / median / max), failed runs (timeouts, errors, lost sockets),
exception elements drawn, and the peak RSS of the server's whole process tree.
Loopback only; the number of students, moves and the total time are bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_playground import PLAYGROUND_KEYS  # noqa: E402
# bench_chart_draw, bench_floor, bench_playground_browser and bench_prefetch take it from here.
from devtools.app_server import streamlit_app as app_server  # noqa: E402
from ui.registry import available_pages  # noqa: E402

MAX_USERS = 100
MAX_MOVES = 50
RUN_TIMEOUT = 120.0  # one run slower than this counts as failed
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


# --- server process tree memory ---------------------------------------------------------

def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
        stack.extend(_children(p))
    return total


class RssSampler(threading.Thread):
    def __init__(self, pid: int | None, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self._stop = pid, every, 0, threading.Event()

    def run(self) -> None:
        while self.pid and not self._stop.wait(self.every):
            self.peak = max(self.peak, tree_rss_bytes(self.pid))

    def stop(self) -> int:
        self._stop.set()
        if self.pid:
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
        return self.peak


# --- one simulated browser tab ------------------------------------------------------------

@dataclass
class Widget:
    id: str
    kind: str  # slider | select_slider | radio | selectbox | multiselect | checkbox | button
    key: str
    fragment_id: str
    proto: object


@dataclass
class Stats:
    first: list[float] = field(default_factory=list)
    moves: list[tuple[float, str]] = field(default_factory=list)  # (seconds, "page key=value")
    ticks: list[float] = field(default_factory=list)
    player_ticks: dict[int, int] = field(default_factory=dict)  # player -> ticks in the window
    play_seconds: float = 0.0
    failed: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    waiting_seen: int = 0


CHOSEN: set[tuple[str, str, float]] = set()  # (page, widget key, value): never ask twice


def _widget_state(w: Widget) -> WidgetState | None:
    """The value the front end holds for a widget just drawn: the server's value when it set
    one (``set_value``: first draw, a preset, session state), else the widget's default."""
    s = WidgetState(id=w.id)
    p = w.proto
    if w.kind == "slider":
        s.double_array_value.data.extend(p.value if p.set_value else p.default)
    elif w.kind == "select_slider":
        if p.set_value and p.raw_value:
            s.string_array_value.data.extend(p.raw_value)
        else:
            s.string_array_value.data.extend(p.options[int(i)] for i in p.default)
    elif w.kind in ("radio", "selectbox"):
        if p.HasField("raw_value"):
            s.string_value = p.raw_value
        elif p.HasField("default") and p.options:
            s.string_value = p.options[p.default]
        else:
            return None
    elif w.kind == "multiselect":
        s.string_array_value.data.extend(p.raw_values)
    elif w.kind == "checkbox":
        s.bool_value = p.value if p.set_value else p.default
    else:
        return None  # buttons: a trigger is sent only for the press itself
    return s


class Student:
    def __init__(self, uid: int, base: str, page: str, lang: str, stats: Stats, rng: random.Random,
                 query: str = ""):
        self.uid, self.page, self.stats, self.rng = uid, page, stats, rng
        self.ws_url = base.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        self.query = f"lang={lang}" + (f"&{query}" if query else "")
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}
        self.states: dict[str, WidgetState] = {}  # what the browser would send back
        self.auto: dict[str, float] = {}  # fragment id -> run_every interval
        # the lab's drawing element: (its trigger widget id, its fragment id, the token of the
        # tick it shows: answered once "painted"; None while paused)
        self.painted: tuple[str, str, int | None] | None = None
        self.ws = None

    async def _send_rerun(self, fragment_id: str = "", trigger: Widget | None = None,
                          auto: bool = False, event: tuple[str, str, object] | None = None) -> None:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query
        rs.page_script_hash = self.page_hash
        rs.page_name = "" if self.page_hash else self.page
        rs.fragment_id = fragment_id
        rs.is_auto_rerun = auto
        rs.widget_states.widgets.extend(self.states.values())
        if trigger is not None:
            rs.widget_states.widgets.append(WidgetState(id=trigger.id, trigger_value=True))
        if event is not None:  # a custom component's trigger value, as its setTriggerValue
            widget_id, name, value = event
            rs.widget_states.widgets.append(WidgetState(
                id=widget_id, json_trigger_value=json.dumps([{"event": name, "value": value}])))
        await self.ws.send(msg.SerializeToString())

    async def _until_finished(self) -> bool:
        """Read messages until the run ends; True if it finished without error."""
        deadline = time.monotonic() + RUN_TIMEOUT
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=max(0.1, deadline - time.monotonic()))
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "navigation":  # st.navigation tells which page ran (new_session: app.py)
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "auto_rerun":
                self.auto[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                for fid in msg.stop_auto_rerun.fragment_ids:
                    self.auto.pop(fid, None)
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg)
            elif kind == "script_finished":
                return msg.script_finished in DONE

    def _element(self, msg: ForwardMsg) -> None:
        el = msg.delta.new_element
        kind = el.WhichOneof("type")
        if kind == "exception":
            self.stats.exceptions.append(f"{self.page}: {el.exception.type}: {el.exception.message[:120]}")
            return
        if kind == "alert" and "hourglass" in el.alert.icon:  # ui.compute's waiting notice
            self.stats.waiting_seen += 1
        if kind == "bidi_component" and el.bidi_component.json:  # the lab's drawing element
            try:
                tick = json.loads(el.bidi_component.json).get("tick")
            except (ValueError, AttributeError):
                return
            self.painted = (_make_trigger_id(el.bidi_component.id, "events"),
                            msg.delta.fragment_id, tick)
        if kind in ("slider", "radio", "selectbox", "multiselect", "checkbox", "button"):
            p = getattr(el, kind)
            if kind == "slider" and p.type == p.SELECT_SLIDER:
                kind = "select_slider"
            key = p.id.rsplit("-", 1)[-1]
            w = Widget(p.id, kind, key, msg.delta.fragment_id, p)
            self.widgets[p.id] = w
            if p.id not in self.states or getattr(p, "set_value", False):
                state = _widget_state(w)
                if state is not None:
                    self.states[p.id] = state

    async def _run(self, label: str, **send) -> float | None:
        start = time.perf_counter()
        try:
            await self._send_rerun(**send)
            ok = await self._until_finished()
        except (TimeoutError, websockets.ConnectionClosed) as exc:
            self.stats.failed.append(f"{label}: {type(exc).__name__}")
            return None
        if not ok:
            self.stats.failed.append(f"{label}: run did not finish successfully")
            return None
        return time.perf_counter() - start

    def _pick_move(self) -> tuple[Widget, float] | None:
        sliders = [w for w in self.widgets.values() if w.kind in ("slider", "select_slider")]
        self.rng.shuffle(sliders)
        for w in sliders:
            p = w.proto
            state = self.states[w.id]
            if w.kind == "select_slider":
                current = float(list(p.options).index(state.string_array_value.data[0]))
                grid = [float(i) for i in range(len(p.options))]
            else:
                current = state.double_array_value.data[0]
                n = int(round((p.max - p.min) / p.step)) if p.step else 0
                grid = [round(p.min + i * p.step, 10) for i in range(n + 1)]
            fresh = [v for v in grid if v != current and (self.page, w.key, v) not in CHOSEN]
            if fresh:
                value = self.rng.choice(fresh)
                CHOSEN.add((self.page, w.key, value))
                return w, value
        return None

    async def session(self, moves: int, think: tuple[float, float], play: bool,
                      together: asyncio.Barrier | None = None, seconds: float = 0.0) -> None:
        try:
            self.ws = await websockets.connect(
                self.ws_url, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
                max_size=None, open_timeout=RUN_TIMEOUT, ping_interval=None)
        except (TimeoutError, OSError, websockets.InvalidHandshake) as exc:
            self.stats.failed.append(f"/{self.page} connect: {exc!r}")
            return
        try:
            start = time.perf_counter()
            took = await self._run(f"/{self.page} first run")
            if took is not None:
                self.stats.first.append(time.perf_counter() - start)
            if together is not None:  # the players press Play together
                await together.wait()
            if took is None:
                return
            if play:
                await self._play(seconds)
                return
            for _ in range(moves):
                await asyncio.sleep(self.rng.uniform(*think))
                picked = self._pick_move()
                if picked is None:
                    break
                w, value = picked
                p, state = w.proto, self.states[w.id]
                if w.kind == "select_slider":
                    state.string_array_value.data[:] = [p.options[int(value)]]
                else:
                    state.double_array_value.data[:] = [value]
                shown = p.options[int(value)] if w.kind == "select_slider" else f"{value:g}"
                label = f"/{self.page} {w.key}={shown}"
                took = await self._run(label, fragment_id=w.fragment_id)
                if took is not None:
                    self.stats.moves.append((took, label))
        finally:
            await self.ws.close()

    async def _play(self, seconds: float) -> None:
        """Press Play, then follow the server's run_every timer for ``seconds``."""
        play = next((w for w in self.widgets.values() if w.kind == "button" and "play" in w.key), None)
        if play is None:
            self.stats.failed.append(f"/{self.page}: no play button")
            return
        if await self._run(f"/{self.page} play", fragment_id=play.fragment_id, trigger=play) is None:
            return
        start = time.perf_counter()
        end, asked, done = start + seconds, start, 0
        while not self.auto and self.painted and self.painted[2] and time.perf_counter() < end:
            widget_id, fid, tick = self.painted  # the tick on screen: ask for the next
            took = await self._run(f"/{self.page} tick", fragment_id=fid,
                                   event=(widget_id, "painted", tick))
            if took is not None:
                self.stats.ticks.append(took)
                done += 1
        while self.auto and time.perf_counter() < end:
            fid, interval = next(iter(self.auto.items()))
            asked = max(asked + interval, time.perf_counter())  # setInterval, never stacked
            await asyncio.sleep(max(0.0, asked - time.perf_counter()))
            took = await self._run(f"/{self.page} tick", fragment_id=fid, auto=True)
            if took is not None:
                self.stats.ticks.append(took)
                done += 1
        self.stats.player_ticks[self.uid] = done
        self.stats.play_seconds = max(self.stats.play_seconds, seconds)
        if not self.auto and not (self.painted and self.painted[2]) and time.perf_counter() < end:
            self.stats.failed.append(f"/{self.page} player {self.uid}: stopped playing early")


# --- the class ------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def run_class(base: str, users: int, moves: int, think: tuple[float, float],
                    pages: list[str], lang: str, play: bool, seed: int, limit: float,
                    warmup: bool = True, play_seconds: float = 20.0, players: int = 0) -> Stats:
    """One class; ``players`` students (at least one with ``play``) press Play together."""
    players = max(players, int(bool(play)))
    stats = Stats()
    rng = random.Random(seed)
    if warmup:  # the teacher opened the app before the class: the server has imported torch
        await Student(-1, base, "", lang, Stats(), rng).session(0, think, play=False)
    students = [Student(i, base, pages[i % len(pages)], lang, stats, random.Random(rng.random()))
                for i in range(users)]
    jobs = [s.session(moves, think, play=False) for s in students]
    together = asyncio.Barrier(players) if players else None
    query = urllib.parse.urlencode(PLAYGROUND_KEYS)
    for k in range(players):
        player = Student(users + k, base, "playground", lang, stats, random.Random(seed + k),
                         query=query)
        jobs.append(player.session(moves, think, play=True, together=together,
                                   seconds=play_seconds))
    try:
        await asyncio.wait_for(asyncio.gather(*jobs), timeout=limit)
    except TimeoutError:
        stats.failed.append(f"whole run exceeded {limit:.0f} s")
    return stats


def report(stats: Stats, users: int, rss: int, as_json: bool, by_page: bool = False) -> dict:
    moves = [m for m, _ in stats.moves]
    out = {
        "users": users,
        "first_p50": pct(stats.first, 0.5), "first_p95": pct(stats.first, 0.95),
        "first_max": max(stats.first, default=float("nan")),
        "moves": len(moves), "move_p50": pct(moves, 0.5), "move_p95": pct(moves, 0.95),
        "move_max": max(moves, default=float("nan")),
        "slowest_move": max(stats.moves, default=(0, ""))[1],
        "ticks": len(stats.ticks), "tick_p50": pct(stats.ticks, 0.5), "tick_p95": pct(stats.ticks, 0.95),
        "players": len(stats.player_ticks),
        "player_ticks_per_s": sorted(n / stats.play_seconds for n in stats.player_ticks.values())
        if stats.play_seconds else [],
        "failed": len(stats.failed), "exceptions": len(stats.exceptions),
        "waiting_notices": stats.waiting_seen, "rss_gb": rss / 1e9,
        "failures": stats.failed[:10], "exception_texts": stats.exceptions[:10],
    }
    if as_json:
        print(json.dumps(out))
    else:
        print(f"{users} students: first render p50 {out['first_p50']:.2f} s, p95 {out['first_p95']:.2f} s "
              f"(max {out['first_max']:.2f}); {out['moves']} moves p50 {out['move_p50']:.2f} / "
              f"p95 {out['move_p95']:.2f} / max {out['move_max']:.2f} s (slowest {out['slowest_move']}); "
              f"ticks {out['ticks']} p50 {out['tick_p50']:.2f} / p95 {out['tick_p95']:.2f} s; "
              f"failed {out['failed']}, "
              f"exceptions {out['exceptions']}, waiting notices {out['waiting_notices']}, "
              f"peak RSS {out['rss_gb']:.2f} GB")
        rates = out["player_ticks_per_s"]
        if rates:
            print(f"    {out['players']} players pressing Play: ticks/s per player min "
                  f"{rates[0]:.2f} / median {pct(rates, 0.5):.2f} / max {rates[-1]:.2f} "
                  f"over {stats.play_seconds:.0f} s (tick = request -> run finished)")
        for line in stats.failed[:10] + stats.exceptions[:10]:
            print("   ", line)
    if by_page:  # where a class's time goes: each page's moves, slowest first
        pages: dict[str, list[tuple[float, str]]] = {}
        for took, label in stats.moves:
            pages.setdefault(label.split(" ", 1)[0], []).append((took, label))
        for page, items in sorted(pages.items(), key=lambda kv: -sum(t for t, _ in kv[1])):
            times = [t for t, _ in items]
            print(f"    {page:16s} {len(times):3d} moves, p50 {pct(times, 0.5):.2f} s, "
                  f"max {max(times):.2f} s ({max(items)[1]})")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="a running server (loopback only); default: start one")
    ap.add_argument("--pid", type=int, help="root pid of the server's process tree (for RSS)")
    ap.add_argument("--users", type=int, nargs="+", default=[1, 10, 30])
    ap.add_argument("--moves", type=int, default=6)
    ap.add_argument("--think", type=float, nargs=2, default=(3.0, 10.0), metavar=("MIN", "MAX"))
    ap.add_argument("--pages", nargs="*", help="namespaces (default: every page)")
    ap.add_argument("--lang", default="en")
    ap.add_argument("--play", action="store_true", help="one more student presses Play on /playground")
    ap.add_argument("--players", type=int, default=0,
                    help="N more students open /playground and press Play together")
    ap.add_argument("--play-seconds", type=float, default=20.0, help="how long the players play")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=float, default=900.0, help="seconds for one class at most")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--by-page", action="store_true", help="also each page's moves, slowest first")
    ap.add_argument("--no-warmup", action="store_true",
                    help="do not open the home page once before the class (cold server)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server we started
    pages = [p.url_path for p in available_pages()
             if p.namespace != "playground" and (not args.pages or p.namespace in args.pages)]
    if any(n > MAX_USERS for n in args.users) or args.moves > MAX_MOVES:
        sys.exit(f"bounded: at most {MAX_USERS} users and {MAX_MOVES} moves")
    players = max(args.players, 1 if args.play else 0)
    if not any(p.namespace == "playground" for p in available_pages()):
        players = 0
    if players > MAX_USERS:
        sys.exit(f"bounded: at most {MAX_USERS} players")
    if args.url:
        host = urllib.parse.urlparse(args.url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("loopback only")
        servers = [(args.url, args.pid)]
    else:
        servers = None
    for n in args.users:
        if servers is None:  # a fresh server per class size, so every class starts cold
            with app_server() as (base, pid):
                sampler = RssSampler(pid)
                sampler.start()
                stats = asyncio.run(run_class(base, n, args.moves, tuple(args.think), pages,
                                              args.lang, False, args.seed, args.limit,
                                              not args.no_warmup, args.play_seconds, players))
                report(stats, n, sampler.stop(), args.json, args.by_page)
        else:
            base, pid = servers[0]
            sampler = RssSampler(pid)
            sampler.start()
            stats = asyncio.run(run_class(base, n, args.moves, tuple(args.think), pages,
                                          args.lang, False, args.seed, args.limit,
                                          not args.no_warmup, args.play_seconds, players))
            report(stats, n, sampler.stop(), args.json, args.by_page)
        if servers is None:
            CHOSEN.clear()  # the next class gets a fresh server
        if os.environ.get("BENCH_LOAD_PAUSE"):
            time.sleep(float(os.environ["BENCH_LOAD_PAUSE"]))


if __name__ == "__main__":
    main()
