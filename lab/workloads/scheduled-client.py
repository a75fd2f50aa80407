#!/usr/bin/env python3
"""Lab client with an open-loop schedule (the fidelity comparison: the simulator replays the same schedule).
Attempt i starts at --start-at (epoch seconds) + schedule[i] ms, whatever happened to earlier attempts; each
attempt gives up --deadline-ms after its start (the kernel retransmits the SYN meanwhile), and a connected one
reads until the server closes, then closes. Python, not Node: it starts fast. Prints "ready", then waits for --start-file
(written by the lab once every client is ready: epoch seconds of offset 0), so clients in several namespaces
share one time 0 however long they took to start. Then one JSON line per attempt, then "done"; bounded."""
import argparse, json, socket, sys, threading, time

p = argparse.ArgumentParser()
p.add_argument("--dst", required=True)
p.add_argument("--port", type=int, default=8080)
p.add_argument("--schedule-ms", required=True, help="comma-separated start offsets in ms")
p.add_argument("--start-file", required=True, help="file that will hold the epoch seconds of offset 0")
p.add_argument("--wait-s", type=float, default=30, help="give up when the start file does not appear")
p.add_argument("--deadline-ms", type=int, default=2500)
p.add_argument("--sport", type=int, default=0, help="fixed source port (6.18 derives the TS offset from the 4-tuple)")
a = p.parse_args()

offsets = [float(x) for x in a.schedule_ms.split(",") if x != ""]
lock = threading.Lock()
print("ready", flush=True)


def start_time() -> float:
    give_up = time.time() + a.wait_s
    while time.time() < give_up:
        try:
            with open(a.start_file) as f:
                text = f.read().strip()
            if text:
                return float(text)
        except (FileNotFoundError, ValueError):
            pass
        time.sleep(0.002)
    print("no start time", file=sys.stderr, flush=True)
    sys.exit(3)


start_at = start_time()


def attempt(index: int, offset_ms: float) -> None:
    start = start_at + offset_ms / 1000
    delay = start - time.time()
    late = delay < -0.015  # workloads space attempts >= 20 ms: order still holds
    if delay > 0:
        time.sleep(delay)
    deadline = start + a.deadline_ms / 1000
    s = socket.socket()
    outcome, lport = "timeout", 0
    try:
        if a.sport:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", a.sport))
        s.settimeout(max(0.001, deadline - time.time()))
        s.connect((a.dst, a.port))
        lport = s.getsockname()[1]
        outcome = "ok"
        while time.time() < deadline:
            s.settimeout(max(0.001, deadline - time.time()))
            if s.recv(4096) == b"":
                break
    except ConnectionRefusedError:
        outcome = "refused"
    except (socket.timeout, TimeoutError):
        pass
    except OSError as e:
        outcome = "error:" + str(e.errno)
    finally:
        s.close()
    with lock:
        print(json.dumps({"index": index, "offsetMs": offset_ms, "late": late, "lport": lport, "outcome": outcome}), flush=True)


threads = [threading.Thread(target=attempt, args=(i, off)) for i, off in enumerate(offsets)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("done", flush=True)
sys.exit(0)
