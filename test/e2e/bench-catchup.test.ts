/**
 * `wichain bench catchup` end to end, smallest useful gap: 4 PBFT nodes, blocks of 50 txs, a gap
 * of 2 full blocks. Checks the JSON shape scripts read, that the gap holds every tx, and that the
 * bench stops every node it started (the figures are for BENCHMARKS.md, never asserted).
 */
import {expect} from 'chai'
import {execSync} from 'node:child_process'
import {ok} from './harness.js'

describe('e2e: bench catchup', function () {
  this.timeout(120_000)

  it('builds a gap of full blocks, restarts the stopped node, and reports live and catch-up rates', async () => {
    const result = await ok(['bench', 'catchup', '--consensus', 'pbft', '--blocks', '2', '--block-txs', '50'], {timeoutMs: 110_000})
    expect(result).to.include({consensus: 'pbft', nodes: 4, blockTxs: 50, txs: 100})
    expect(result.gap.txs).to.equal(100)
    expect(result.gap.toHeight - result.gap.fromHeight).to.equal(result.gap.blocks).and.at.least(2)
    expect(result.gap.fullBlocks).to.be.a('number')
    expect(result.gap.bytes).to.be.above(100 * 300)
    for (const figure of [result.live.blocksPerSec, result.live.mbPerSec, result.catchup.readyMs, result.catchup.withStart.blocksPerSec, result.ratio.withStart]) expect(figure).to.be.a('number').and.above(0)
    expect(result.catchup.syncMs).to.be.a('number').and.at.least(0)
    expect(result.loadAverage.start).to.have.length(3)
    expect(execSync('ps -eo args').toString()).to.not.match(/node start --home \S*wichain-bench-/)
  })
})
