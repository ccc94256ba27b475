import {expect} from 'chai'
import {WichainError} from '../../../src/core/errors.js'
import {waitForSync} from '../../../src/ops/sync-wait.js'

describe('ops/sync-wait', () => {
  it('returns once the height reaches the target fixed at the start, reporting progress', async () => {
    let height = 3
    let targetCalls = 0
    const seen: Array<[number, number]> = []
    const result = await waitForSync({
      height: async () => height++,
      target: async () => (targetCalls++, 7),
      timeoutMs: 10_000,
      pollMs: 1,
      onProgress: (at, goal) => seen.push([at, goal]),
    })
    expect(result).to.include({startHeight: 3, height: 7, target: 7})
    expect(targetCalls).to.equal(1)
    expect(seen.map(([at]) => at)).to.deep.equal([3, 4, 5, 6, 7])
  })

  it('returns at once when already there', async () => {
    const result = await waitForSync({height: async () => 9, target: async () => 5, timeoutMs: 1, pollMs: 1})
    expect(result).to.include({startHeight: 9, height: 9, target: 5})
  })

  it('fails with TIMEOUT, naming where it stopped, when the node does not get there', async () => {
    const waiting = waitForSync({height: async () => 2, target: async () => 10, timeoutMs: 30, pollMs: 5})
    const error = await waiting.then(() => undefined, (caught: unknown) => caught)
    expect(error).to.be.instanceOf(WichainError).with.property('code', 'TIMEOUT')
    expect((error as Error).message).to.match(/height 2, short of 10/)
  })
})
