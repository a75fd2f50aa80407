import { isAbsolute, relative, resolve } from "node:path";

/**
 * The read-only allow-list: every command collect may run, with the exact argument forms. Anything else is
 * refused before it is spawned. Several of these tools have writing modes next to their reading ones
 * (`sysctl -w`, `nft add`, `conntrack -F`, `ss -K`, `dmesg -c`, `nstat` without -s updates its history file),
 * so the list names argument vectors, not tools.
 */
export interface PolicyContext {
  /** The only directory a spawned command may write to (tcpdump -w). */
  readonly outDir: string;
}

const EXACT: Readonly<Record<string, readonly (readonly string[])[]>> = {
  nstat: [["-asz"], ["-asz", "-j"]],
  netstat: [["-s"]],
  sysctl: [["-a"]],
  ss: [["-ltn"], ["-ltnp"], ["-ltnm"], ["-tan"], ["-s"]],
  uname: [["-r"], ["-a"]],
  conntrack: [["-S"], ["-C"]],
  "iptables-save": [["-c"]],
  "ip6tables-save": [["-c"]],
  nft: [["list", "ruleset"], ["-j", "list", "ruleset"]],
  // `ip` also adds and deletes routes and neighbours; only these two listings.
  ip: [["route", "show", "table", "all"], ["neigh", "show"]],
  dmesg: [[]],
  journalctl: [["-k", "-n", "1000", "--no-pager", "-o", "short-iso"]],
};

/** Returns null when the command is allowed, otherwise why it is refused. */
export function refuseReason(cmd: string, args: readonly string[], context: PolicyContext): string | null {
  if (cmd === "tcpdump") return tcpdumpRefusal(args, context);
  const forms = EXACT[cmd];
  if (!forms) return `${cmd} is not on the read-only allow-list`;
  const allowed = forms.some((form) => form.length === args.length && form.every((arg, i) => arg === args[i]));
  return allowed ? null : `${cmd} ${args.join(" ")} is not an allowed read-only form`;
}

/** tcpdump may only write its capture into the bundle directory; option values are checked one by one. */
function tcpdumpRefusal(args: readonly string[], context: PolicyContext): string | null {
  const withValue = new Set(["-i", "-s", "-Z", "-w"]);
  const flags = new Set(["-U", "-n", "--immediate-mode"]);
  let sawWrite = false;
  let filterSeen = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (withValue.has(arg)) {
      const value = args[i + 1];
      if (value === undefined) return `tcpdump ${arg} needs a value`;
      if (arg === "-w") {
        if (!insideDir(value, context.outDir)) return `tcpdump may only write inside ${context.outDir}`;
        sawWrite = true;
      }
      if (arg === "-Z" && value !== "root") return "tcpdump -Z must be root (the pcap is opened in the bundle)";
      if (arg === "-s" && !/^\d+$/.test(value)) return "tcpdump -s must be a number";
      i++;
    } else if (flags.has(arg)) {
      continue;
    } else if (i === args.length - 1 && !arg.startsWith("-")) {
      filterSeen = true; // the capture filter, always last
    } else {
      return `tcpdump option ${arg} is not allowed`;
    }
  }
  if (!sawWrite) return "tcpdump must write to a file in the bundle (-w)";
  return filterSeen ? null : "tcpdump needs a capture filter";
}

function insideDir(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}
