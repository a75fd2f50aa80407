/**
 * Binds the simulator's ServerStack to the kernel model's ServerHost: one host, one listener. Timers and
 * close() report their counter moves as a diff of the counters, because the model returns only their segments.
 */
import type { CounterName } from "../kernel/counters.js";
import { createHost, type ServerHost } from "../kernel/host.js";
import type { Connection, ListenerSnapshot, Reply, RequestSock, Segment, SegmentResult, TimeWait } from "../kernel/types.js";
import type { Rng } from "../util/rng.js";
import { ipv4ToNumber } from "./addr.js";
import type { Scenario } from "./scenario.js";
import type { ServerStack, SocketEntry, TimerResult } from "./server-stack.js";

/** Server uptime range at simulation start: its own TSvals only need to look like a running host's. */
const NO_MOVES: readonly CounterName[] = [];

const SERVER_UPTIME_MS: readonly [number, number] = [86_400_000, 30 * 86_400_000];

/**
 * `trackMoves`: report the counter moves of every segment, timer run and close() (a counter diff per timer
 * and close call). Needed only by checks of the counter bookkeeping, so off by default: the model then
 * builds no move lists at all.
 */
export function createServerStack(scenario: Scenario, rng: Rng, trackMoves = false): ServerStack {
  const r = rng.stream("server");
  const seed = r.u32();
  const uptimeAtZeroMs = r.int(SERVER_UPTIME_MS[0], SERVER_UPTIME_MS[1]);
  const host: ServerHost = createHost({
    kernel: scenario.server.kernel,
    sysctls: scenario.server.sysctls,
    seed,
    uptimeAtZeroMs,
    hz: 1000,
    // Per-segment move lists only for the bookkeeping checks; a plain run reads the counters at the end.
    recordMoves: trackMoves,
  });
  const addr = ipv4ToNumber(scenario.server.addr);
  const port = scenario.server.port;
  if (scenario.server.listen) host.listen(addr, port, scenario.server.backlog);
  const names = host.profile.counters;
  const before = new Float64Array(names.length);

  /** Counters before a call whose moves the model does not list (timers, close). */
  const snapshot = (): void => {
    for (let i = 0; i < names.length; i++) before[i] = host.counter(names[i] as CounterName);
  };
  /** Moves since `snapshot()`, in profile order (a counter that moved n times appears n times). */
  const diff = (): CounterName[] => {
    const moved: CounterName[] = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as CounterName;
      const value = host.counter(name);
      for (let n = before[i] as number; n < value; n++) moved.push(name);
    }
    return moved;
  };

  const sysctls = new Map<string, number>(Object.entries(host.sysctls()));

  return {
    profile: host.profile,
    uptimeAtZeroMs,
    sysctls,
    log: () => host.log,
    receive(seg: Segment, nowMs: number): SegmentResult {
      return host.receive(seg, nowMs);
    },
    accept(): Connection | undefined {
      return host.accept(addr, port);
    },
    close(conn: Connection, nowMs: number): TimerResult {
      if (!trackMoves) return { replies: host.close(conn, nowMs), moved: NO_MOVES };
      snapshot();
      const replies: Reply[] = host.close(conn, nowMs);
      return { replies, moved: diff() };
    },
    runTimers(nowMs: number): TimerResult {
      if (!trackMoves) return { replies: host.advance(nowMs), moved: NO_MOVES };
      snapshot();
      const replies = host.advance(nowMs);
      return { replies, moved: diff() };
    },
    nextTimerMs: () => host.nextTimerMs(),
    listener(): ListenerSnapshot {
      const snapshot = host.listenerSnapshot(addr, port);
      if (!snapshot) throw new Error("the simulated listener vanished");
      return snapshot;
    },
    counters(): ReadonlyMap<CounterName, number> {
      return new Map(names.map((n) => [n, host.counter(n)]));
    },
    sockets(nowMs: number): SocketEntry[] {
      const out: SocketEntry[] = [];
      for (const s of host.sockets()) {
        if (isTimeWait(s)) {
          if (s.expiresMs > nowMs) out.push({ state: s.substate, laddr: s.laddr, lport: s.lport, raddr: s.raddr, rport: s.rport, recvQ: 0, sendQ: 0 });
        } else if (isRequest(s)) {
          out.push({ state: "SYN-RECV", laddr: s.laddr, lport: s.lport, raddr: s.raddr, rport: s.rport, recvQ: 0, sendQ: 0 });
        } else if (s.state !== "CLOSED") {
          out.push({ state: s.state, laddr: s.laddr, lport: s.lport, raddr: s.raddr, rport: s.rport, recvQ: 0, sendQ: 0 });
        }
      }
      return out;
    },
  };
}

function isTimeWait(s: Connection | TimeWait | RequestSock): s is TimeWait {
  return "substate" in s;
}

function isRequest(s: Connection | TimeWait | RequestSock): s is RequestSock {
  return "rcvIsn" in s;
}
