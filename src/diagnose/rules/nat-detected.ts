/**
 * Risk nat-detected (causes.md, "Timestamp clocks"): several TSval clocks or TSval regressions under one
 * source address. Regressions prove NAT only when clients have per-host offsets; say which reading holds.
 */
import type { RuleContext } from "../context.js";
import { captureItem, finding, fix, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { grouped } from "../../util/number-text.js";

export const natDetected: Rule = {
  code: "nat-detected",
  kind: "risk",
  kernels: "all",
  evaluate(ctx: RuleContext): Finding | null {
    const sources = (ctx.capture?.sources ?? []).filter((s) => (s.tsRegime === "per-host" && s.tsClocks > 1) || s.tsvalRegressions > 0);
    if (sources.length === 0) return null;
    const evidence: EvidenceItem[] = sources.slice(0, 5).map((s) =>
      captureItem(
        `${s.addr}: ${s.tsClocks} TSval clocks over ${grouped(s.tsSamples)} SYNs, ${grouped(s.tsvalRegressions)} regressions, offsets ${s.tsRegime}`,
        s.tsClocks,
      ),
    );
    const perHost = sources.some((s) => s.tsRegime === "per-host" && s.tsClocks > 1);
    return finding(this, ctx, {
      confidence: perHost ? 0.8 : 0.45,
      summary: perHost
        ? `Several hosts share ${sources.length === 1 ? `source address ${sources[0]?.addr}` : `${sources.length} source addresses`} (NAT / LVS FULLNAT / SNAT): their TSval clocks differ`
        : "TSvals go backwards across connections from one address: the tw_recycle check would reject them; with per-connection offsets (4.10, 2026+ kernels) this does not prove NAT",
      evidence,
      port: null,
      fix: [fix("keep tcp_tw_recycle off and let clients close first (TIME_WAIT on the client side)", null, null)],
    });
  },
};
