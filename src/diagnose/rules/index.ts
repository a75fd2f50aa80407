/** The static list of rules: one per cause and risk of causes.md. Order only breaks confidence ties. */
import type { Rule } from "../rule.js";
import { acceptQueueOverflow } from "./accept-queue-overflow.js";
import { backlogSmall } from "./backlog-small.js";
import { badChecksum } from "./bad-checksum.js";
import { conntrackFull } from "./conntrack-full.js";
import { countersNotExported } from "./counters-not-exported.js";
import { firewallDrop } from "./firewall-drop.js";
import { minTtl } from "./min-ttl.js";
import { natDetected } from "./nat-detected.js";
import { neighbourUnreachable } from "./neighbour-unreachable.js";
import { noListener } from "./no-listener.js";
import { noReturnRoute } from "./no-return-route.js";
import { rpFilter } from "./rp-filter.js";
import { synFloodCookies } from "./syn-flood-cookies.js";
import { synQueueOverflow } from "./syn-queue-overflow.js";
import { synackLost } from "./synack-lost.js";
import { tcpMd5 } from "./tcp-md5.js";
import { timestampsDisabled } from "./timestamps-disabled.js";
import { timewaitPaws } from "./timewait-paws.js";
import { twBucketOverflow } from "./tw-bucket-overflow.js";
import { twRecycleEnabled } from "./tw-recycle-enabled.js";
import { twRecyclePaws } from "./tw-recycle-paws.js";

export const CAUSE_RULES: readonly Rule[] = [
  twRecyclePaws,
  timewaitPaws,
  acceptQueueOverflow,
  synQueueOverflow,
  synFloodCookies,
  firewallDrop,
  rpFilter,
  conntrackFull,
  noListener,
  synackLost,
  badChecksum,
  tcpMd5,
  minTtl,
  noReturnRoute,
  neighbourUnreachable,
];

export const RISK_RULES: readonly Rule[] = [twRecycleEnabled, natDetected, timestampsDisabled, backlogSmall, twBucketOverflow, countersNotExported];

export const RULES: readonly Rule[] = [...CAUSE_RULES, ...RISK_RULES];
