// Counters of what the simulator received and injected, read by tests through /__sim/stats to
// compare with what the client saw.

export interface SimStatsSnapshot {
  requests: { total: number; byKey: Record<string, number> };
  faults: { total: number; byKey: Record<string, number> };
  watches: { open: number; opened: number; eventsSent: number };
}

export class SimStats {
  private requests = new Map<string, number>();
  private faults = new Map<string, number>();
  private reqTotal = 0;
  private faultTotal = 0;
  watchesOpen = 0;
  watchesOpened = 0;
  watchEvents = 0;

  /** key: "<verb> <resource[/sub]> <code>", e.g. "create pods 201". */
  request(verb: string, resource: string, code: number): void {
    this.reqTotal++;
    const k = `${verb} ${resource} ${code}`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
  }

  /** key: "<fault> <verb> <resource[/sub]>", e.g. "503 create pods", "latency list pods". */
  fault(kind: string, verb: string, resource: string): void {
    this.faultTotal++;
    const k = `${kind} ${verb} ${resource}`;
    this.faults.set(k, (this.faults.get(k) ?? 0) + 1);
  }

  snapshot(): SimStatsSnapshot {
    return {
      requests: { total: this.reqTotal, byKey: Object.fromEntries(this.requests) },
      faults: { total: this.faultTotal, byKey: Object.fromEntries(this.faults) },
      watches: { open: this.watchesOpen, opened: this.watchesOpened, eventsSent: this.watchEvents },
    };
  }

  reset(): void {
    this.requests.clear();
    this.faults.clear();
    this.reqTotal = 0;
    this.faultTotal = 0;
    this.watchesOpened = 0;
    this.watchEvents = 0;
  }
}
