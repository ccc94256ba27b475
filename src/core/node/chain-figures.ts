/**
 * Per-chain running figures for node status and metrics (spec §8.4.6): blocks and txs committed
 * since the node started, admission-to-commit latency over a bounded window of recent txs, and
 * the ledger's disk use, re-measured at most every few seconds (a directory walk is not free).
 */
import type {BlockCommittedEvent} from '../chain/chain.js'

/** Recent tx latencies kept for the status percentiles (Prometheus keeps the full histogram). */
export const LATENCY_WINDOW_TXS = 2048
export const DISK_BYTES_CACHE_MS = 5_000

export interface CommitFigures {
  readonly blocks: number
  readonly txs: number
  /** Percentiles over the last LATENCY_WINDOW_TXS txs this node admitted; null before any. */
  readonly latencyMs: {readonly samples: number; readonly p50: number; readonly p99: number} | null
}

export class ChainFigures {
  private blocks = 0
  private txs = 0
  private readonly latencies = new Float64Array(LATENCY_WINDOW_TXS)
  private latencyCount = 0
  private disk: {bytes: number | undefined; at: number} | undefined

  constructor(private readonly now: () => number = Date.now) {}

  record(event: BlockCommittedEvent): void {
    this.blocks += 1
    this.txs += event.txs
    for (const latencyMs of event.latenciesMs) {
      this.latencies[this.latencyCount % LATENCY_WINDOW_TXS] = latencyMs
      this.latencyCount += 1
    }
  }

  commits(): CommitFigures {
    const samples = Math.min(this.latencyCount, LATENCY_WINDOW_TXS)
    if (samples === 0) return {blocks: this.blocks, txs: this.txs, latencyMs: null}
    const sorted = this.latencies.slice(0, samples).sort()
    const at = (quantile: number): number => sorted[Math.min(samples - 1, Math.ceil(quantile * samples) - 1)]!
    return {blocks: this.blocks, txs: this.txs, latencyMs: {samples, p50: at(0.5), p99: at(0.99)}}
  }

  /** Disk bytes from `measure`, cached for DISK_BYTES_CACHE_MS. */
  diskBytes(measure: () => number | undefined): number | undefined {
    const now = this.now()
    if (this.disk === undefined || now - this.disk.at >= DISK_BYTES_CACHE_MS) this.disk = {bytes: measure(), at: now}
    return this.disk.bytes
  }
}
