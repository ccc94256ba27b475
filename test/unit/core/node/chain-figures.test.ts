import {expect} from 'chai'
import {ChainFigures, DISK_BYTES_CACHE_MS, LATENCY_WINDOW_TXS} from '../../../../src/core/node/chain-figures.js'

describe('core/node/chain-figures', () => {
  it('counts blocks and txs and gives latency percentiles over the recent window', () => {
    const figures = new ChainFigures()
    expect(figures.commits()).to.deep.equal({blocks: 0, txs: 0, latencyMs: null})
    // 100 txs with latencies 1..100 ms, in shuffled blocks; 3 txs admitted elsewhere (no latency).
    const latencies = Array.from({length: 100}, (_, index) => 100 - index)
    figures.record({height: 1, txs: 43, latenciesMs: latencies.slice(0, 40)})
    figures.record({height: 2, txs: 60, latenciesMs: latencies.slice(40)})
    expect(figures.commits()).to.deep.equal({blocks: 2, txs: 103, latencyMs: {samples: 100, p50: 50, p99: 99}})
  })

  it('keeps only the last LATENCY_WINDOW_TXS latencies', () => {
    const figures = new ChainFigures()
    figures.record({height: 1, txs: LATENCY_WINDOW_TXS, latenciesMs: new Array(LATENCY_WINDOW_TXS).fill(1_000)})
    figures.record({height: 2, txs: LATENCY_WINDOW_TXS, latenciesMs: new Array(LATENCY_WINDOW_TXS).fill(5)})
    expect(figures.commits().latencyMs).to.deep.equal({samples: LATENCY_WINDOW_TXS, p50: 5, p99: 5})
  })

  it('re-measures disk use at most every DISK_BYTES_CACHE_MS', () => {
    let now = 0
    let measured = 0
    const figures = new ChainFigures(() => now)
    const measure = () => ++measured * 1000
    expect(figures.diskBytes(measure)).to.equal(1000)
    now += DISK_BYTES_CACHE_MS - 1
    expect(figures.diskBytes(measure)).to.equal(1000)
    now += 1
    expect(figures.diskBytes(measure)).to.equal(2000)
    expect(measured).to.equal(2)
  })
})
