/**
 * bad-checksum (causes.md; linux-syn-path.md §2.5): SYNs with a wrong TCP checksum are discarded
 * (TcpInCsumErrors). A capture taken on the sending host shows offloaded checksums as wrong: then the
 * counter does not move, which is how the two are told apart.
 */
import { attemptsOnPort, rise, rose, type RuleContext } from "../context.js";
import { captureItem, counterItem, counterItems, finding, fix, packetItems, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { grouped } from "../../util/number-text.js";

export const badChecksum: Rule = {
  code: "bad-checksum",
  kind: "cause",
  kernels: "all (TcpInCsumErrors ≥ 3.10)",
  evaluate(ctx: RuleContext): Finding | null {
    const csum = rose(ctx, "TcpInCsumErrors");
    const signals = ctx.capture?.signals;
    const bad = signals?.synBadChecksum ?? 0;
    const checked = signals?.synChecksumChecked ?? 0;
    const captureSign = bad > 0 && bad >= 0.5 * checked;
    if (!csum && !captureSign) return null;
    const evidence: EvidenceItem[] = [];
    const conflicts: string[] = [];
    let confidence = 0;
    if (captureSign) {
      evidence.push(captureItem(`${grouped(bad)} of ${grouped(checked)} SYNs carry a wrong TCP checksum`, bad, checked));
      evidence.push(...packetItems(attemptsOnPort(ctx).filter((a) => a.badChecksum), () => "bad checksum, no answer"));
      confidence = 0.72;
    }
    if (csum) {
      evidence.push(counterItem(csum, "segments discarded for a bad checksum"), ...counterItems(rise(ctx, "TcpInErrs")));
      confidence = captureSign ? 0.95 : csum.over === "window" ? 0.85 : 0.45;
    } else if (captureSign) {
      const counter = rise(ctx, "TcpInCsumErrors");
      if (counter && counter.over === "window" && counter.amount === 0) {
        conflicts.push("TcpInCsumErrors did not rise: the capture was probably taken on the sending host, where checksum offload leaves the field unfilled");
        confidence = 0.2;
      }
    }
    return finding(this, ctx, {
      confidence,
      summary: "SYNs arrive with a bad TCP checksum and the kernel discards them",
      evidence,
      conflicts,
      fix: [
        fix("find the corrupting hop: capture on both ends and on intermediate hops", null, "checksum offload makes locally sent packets look bad in a capture on the sender"),
        fix("check NIC offload and driver bugs: ethtool -k IFACE; try ethtool -K IFACE rx off tx off", "the interface configuration (udev/NetworkManager/systemd-networkd)", null),
      ],
    });
  },
};
