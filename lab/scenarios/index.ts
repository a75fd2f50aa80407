import type { Scenario } from "../scenario.js";
import { acceptQueueAbort } from "./accept-abort.js";
import { acceptQueueOverflow, acceptQueueSomaxconn } from "./accept-queue.js";
import {
  badChecksum,
  firewallDropIptables,
  firewallDropNft,
  firewallReject,
  listenerOtherAddress,
  minTtl,
  noListener,
  rpFilter,
  tcpMd5,
} from "./filters.js";
import { conntrackFull } from "./conntrack.js";
import { healthy } from "./healthy.js";
import { natTimewait, natTimewaitMulti, natTimewaitNoTimestamps } from "./nat.js";
import { neighbourUnreachable, noReturnRoute, synackLost } from "./paths.js";
import { synFloodCookies, synQueueOverflow, synQueueThreeQuarters } from "./syn-queue.js";

export const SCENARIOS: readonly Scenario[] = [
  healthy,
  acceptQueueOverflow,
  acceptQueueSomaxconn,
  acceptQueueAbort,
  synQueueOverflow,
  synFloodCookies,
  synQueueThreeQuarters,
  natTimewait,
  natTimewaitNoTimestamps,
  natTimewaitMulti,
  firewallDropNft,
  firewallDropIptables,
  firewallReject,
  rpFilter,
  conntrackFull,
  noListener,
  listenerOtherAddress,
  synackLost,
  noReturnRoute,
  neighbourUnreachable,
  tcpMd5,
  minTtl,
  badChecksum,
];

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`unknown scenario ${name}; run 'npm run lab -- list'`);
  return scenario;
}
