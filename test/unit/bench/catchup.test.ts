/** The figures of `wichain bench catchup`: rates and catch-up/live ratios from measured times and block sizes. */
import {expect} from 'chai'
import {catchupFigures} from '../../../src/bench/catchup.js'

describe('bench/catchup figures', () => {
  it('gives live and catch-up rates in blocks/s and MB/s, and their ratios', () => {
    // 4 blocks of 0.5 MB: 10 s live; the node answers after 1 s and syncs in 4 s.
    const figures = catchupFigures({blockBytes: [500_000, 500_000, 500_000, 500_000], liveMs: 10_000, readyMs: 1_000, syncMs: 4_000, blocksBeforeReady: 0})
    expect(figures.live).to.deep.equal({ms: 10_000, blocksPerSec: 0.4, mbPerSec: 0.2})
    expect(figures.catchup).to.deep.equal({readyMs: 1_000, syncMs: 4_000, blocksPerSec: 1, mbPerSec: 0.5, withStart: {ms: 5_000, blocksPerSec: 0.8, mbPerSec: 0.4}})
    expect(figures.ratio).to.deep.equal({sync: 2.5, withStart: 2})
  })

  it('counts only the blocks synced after ready for the sync rate', () => {
    const figures = catchupFigures({blockBytes: [1_000_000, 3_000_000, 1_000_000], liveMs: 5_000, readyMs: 2_000, syncMs: 1_000, blocksBeforeReady: 1})
    expect(figures.catchup).to.include({blocksPerSec: 2, mbPerSec: 4})
    expect(figures.catchup.withStart).to.deep.equal({ms: 3_000, blocksPerSec: 1, mbPerSec: 1.67})
    expect(figures.ratio).to.deep.equal({sync: 4, withStart: 1.67})
  })

  it('never divides by zero', () => {
    const figures = catchupFigures({blockBytes: [], liveMs: 0, readyMs: 0, syncMs: 0, blocksBeforeReady: 0})
    expect(figures.live).to.deep.equal({ms: 0, blocksPerSec: 0, mbPerSec: 0})
    expect(figures.ratio).to.deep.equal({sync: 0, withStart: 0})
  })
})
