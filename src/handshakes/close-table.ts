import { grownColumn } from "../util/columns.js";
import { KeyedSlots } from "../util/keyed-slots.js";

/**
 * Who closed each connection first, keyed like attempts (a = client, b = server, c = port pair, text for IPv6):
 * the tw_recycle view needs to know which connections left the server in TIME_WAIT, and when.
 */
export class CloseTable extends KeyedSlots {
  serverFirst = new Uint8Array(0);
  firstFinAt = new Float64Array(0);
  /** when the server's socket entered TIME_WAIT (the client's FIN after the server's), -1 not yet */
  timeWaitSince = new Float64Array(0);

  constructor(initialCapacity?: number) {
    super(initialCapacity);
    // The columns above start empty: sized here, they are stored twice (see util/columns.ts).
    this.growColumns(this.capacity);
  }

  open(digest: number, clientKey: number, serverKey: number, ports: number, text: string, serverFirst: boolean, at: number): number {
    const s = this.insert(digest, clientKey, serverKey, ports, text);
    this.serverFirst[s] = serverFirst ? 1 : 0;
    this.firstFinAt[s] = at;
    this.timeWaitSince[s] = -1;
    return s;
  }

  protected override growColumns(capacity: number): void {
    this.serverFirst = grownColumn(this.serverFirst, capacity);
    this.firstFinAt = grownColumn(this.firstFinAt, capacity);
    this.timeWaitSince = grownColumn(this.timeWaitSince, capacity);
  }
}
