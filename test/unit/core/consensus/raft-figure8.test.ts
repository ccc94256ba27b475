import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import {decodeRaftMessage} from '../../../../src/core/consensus/raft/index.js'
import {Cluster, leaderOf, type Message} from './cluster.js'

/** Ticks only `id` (so no one else campaigns) and stops delivering the moment it leads. */
function elect(cluster: Cluster, id: string): void {
  for (let tick = 0; leaderOf(cluster, [id]) !== id; tick++) {
    if (tick > 100) throw new Error(`${id} was not elected`)
    cluster.tick([id])
    while (leaderOf(cluster, [id]) !== id && cluster.deliver() > 0);
  }
}

/** Only messages among `ids` get through. */
const only =
  (...ids: string[]) =>
  (message: Message): boolean =>
    !(ids.includes(message.from) && ids.includes(message.to))

describe('raft: Figure 8', () => {
  it('a leader never commits an entry of an earlier term by counting replicas (§5.4.2)', () => {
    const cluster = new Cluster({kind: 'raft', validators: 5, limits: {entriesPerAppendMax: 1}})
    cluster.run(() => cluster.heights().every((height) => height >= 1))
    const first = leaderOf(cluster)!
    const [a, ...rest] = cluster.ids.filter((id) => id !== first) as [string, ...string[]]
    const height = cluster.node(first).height + 1

    // Term t1: the leader's block for `height` reaches only `a`.
    cluster.dropWhen = only(first, a)
    cluster.drop()
    cluster.tick([first, a], 5)
    cluster.stabilize()
    expect(cluster.node(first).proposals).to.include(height)
    expect(cluster.node(first).height).to.equal(height - 1)

    // Term t2: one of the others wins without that block, appends its no-op, and crashes at once.
    const [x, y, second] = rest as [string, string, string]
    cluster.crash(first)
    cluster.dropWhen = only(...rest)
    cluster.tick([x, y], 12) // out of the old leader's lease
    elect(cluster, second)
    cluster.crash(second)
    cluster.drop((message) => message.from === second)

    // Term t3: the first leader returns and wins with a and x; x gets the old block but never the new no-op.
    cluster.restart(first)
    const term3NoopToX = (message: Message): boolean => {
      if (message.from !== first || message.to !== x) return false
      const decoded = decodeRaftMessage(message.bytes)
      return decoded.type === 'append' && decoded.entries.some((entry) => entry.kind === 'noop' && entry.term === decoded.term)
    }
    cluster.dropWhen = (message) => only(first, a, x)(message) || term3NoopToX(message)
    cluster.tick([a, x], 12)
    elect(cluster, first)
    cluster.tick([first, a, x], 20)
    cluster.stabilize()
    const toX = cluster.node(x)
    expect(cluster.node(first).height, 'the old-term block sits on a majority but is not committed').to.equal(height - 1)

    expect(toX.height).to.equal(height - 1)

    // Term t4: the second leader returns and wins with x and y, overwriting the old block: no harm done.
    cluster.crash(first)
    cluster.restart(second)
    cluster.dropWhen = only(second, x, y)
    cluster.tick([x, y], 12)
    elect(cluster, second)
    cluster.run(() => [second, x, y].every((id) => cluster.node(id).height >= height + 1))
    for (const id of [first, a, x, y]) {
      const common = Math.min(cluster.node(id).height, cluster.node(second).height)
      const hashes = (node: string) => cluster.node(node).chain.slice(0, common).map((block) => toHex(block.certificate.blockHash))
      expect(hashes(id), id).to.deep.equal(hashes(second))
    }
  })
})
