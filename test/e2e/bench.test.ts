/**
 * `wichain bench tps` end to end on the smallest network: a one-node solo chain, a few txs at a
 * fixed rate. Checks the JSON shape scripts read and that every submitted tx was committed
 * (the figures themselves are for BENCHMARKS.md, never asserted).
 */
import {expect} from 'chai'
import {execSync} from 'node:child_process'
import {ok} from './harness.js'

describe('e2e: bench tps', function () {
  this.timeout(120_000)

  it('runs warm-up and a paced load on real node processes and reports every tx committed', async () => {
    const result = await ok(['bench', 'tps', '--nodes', '1', '--consensus', 'solo', '--txs', '60', '--rate', '200', '--batch', '20'], {timeoutMs: 110_000})
    expect(result).to.include({submitted: 60, committed: 60, rejected: 0, nodes: 1, consensus: 'solo', rate: 200})
    for (const field of ['tps', 'p50Ms', 'p99Ms', 'sm2VerifyCeilingPerSec']) expect(result[field], field).to.be.a('number').and.above(0)
    expect(result.nodeCpuMsPerTx === null || result.nodeCpuMsPerTx > 0).to.equal(true)
    // The bench stops what it started: no node process of its temp network is left.
    expect(execSync('ps -eo args').toString()).to.not.match(/node start --home \S*wichain-bench-/)
  })
})
