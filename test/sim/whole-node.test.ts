/**
 * The whole-node simulator (src/core/sim): every saved replay (test/sim/replays/*.json, a failing
 * run kept as a regression test) passes, or, marked `knownBug` (found, not fixed yet), still fails
 * as it was saved; a few hundred quick seeds of PBFT and Raft whole nodes
 * under faults stay safe and converge; each fault scenario (old store, disk fault, node-set
 * change, Byzantine node) gets seeds of its own; one seed replays to the same trace; a run that
 * cannot converge fails and saves a replay file that reproduces it. The heavy `*-lagging`
 * scenarios (a node 100+ full blocks behind) run in `npm run sim:whole -- --heavy`.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {listReplays, readReplay, runWholeNode, WholeNodeFailure} from '../../src/core/sim/index.js'

const REPLAYS = fileURLToPath(new URL('./replays/', import.meta.url))

/** Seeds per scenario: sized so the file stays under ~60 s on a 2-core machine (~0.1 s a seed). */
const SEEDS: Readonly<Record<string, number>> = {
  'pbft-quick': 100,
  'raft-quick': 120,
  'pbft-old-store': 16,
  'raft-old-store': 16,
  'pbft-disk-fault': 16,
  'raft-disk-fault': 16,
  'pbft-add-node': 16,
  'raft-add-node': 16,
  'pbft-byzantine': 30,
}

async function runSeeds(scenario: string, count: number): Promise<void> {
  for (let seed = 1; seed <= count; seed++) await runWholeNode({seed, scenario})
}

describe('whole-node simulation', function () {
  this.timeout(120_000)

  for (const path of listReplays(REPLAYS)) {
    const replay = readReplay(path)
    if (replay.knownBug !== undefined) {
      it(`replay ${path.split('/').pop()} still fails as saved (open bug: ${replay.knownBug.split('.')[0]})`, async () => {
        const failed = await runWholeNode({seed: replay.seed, scenario: replay.scenario, overrides: replay.overrides, schedule: replay.schedule}).then(
          () => undefined,
          (error: unknown) => error as Error,
        )
        expect(failed, 'the replay passes now: the bug is fixed, remove `knownBug` from the file').to.be.instanceOf(WholeNodeFailure)
        expect(failed!.message).to.include((replay.failure ?? '').split('\n')[0])
      })
      continue
    }
    it(`replay ${path.split('/').pop()} passes${replay.note === undefined ? '' : ` (${replay.note})`}`, async () => {
      await runWholeNode({seed: replay.seed, scenario: replay.scenario, overrides: replay.overrides, schedule: replay.schedule})
    })
  }

  for (const [scenario, count] of Object.entries(SEEDS)) {
    it(`${scenario}: ${count} seeds stay safe and converge after the faults heal`, () => runSeeds(scenario, count))
  }

  it('replays a seed to the same trace (deliveries, commits, actions) and heads', async () => {
    const first = await runWholeNode({seed: 7, scenario: 'pbft-add-node'})
    const second = await runWholeNode({seed: 7, scenario: 'pbft-add-node'})
    expect(second.trace).to.equal(first.trace)
    expect(second.heights).to.deep.equal(first.heights)
    expect(first.heights.every((height) => height > 0)).to.equal(true)
  })

  it('fails a run that cannot converge in time, saving a replay file that reproduces the failure', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'wichain-replays-'))
    try {
      // A node down for the whole fault phase is restarted when the faults heal; it needs time to
      // catch up, and 1 ms is not enough.
      const schedule = [{at: 300, kind: 'crash' as const, node: 2}]
      const failed = await runWholeNode({seed: 3, scenario: 'pbft-quick', overrides: {healBoundMs: 1}, schedule, replayDirectory: directory}).then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(failed).to.be.instanceOf(WholeNodeFailure)
      const failure = failed as WholeNodeFailure
      expect(failure.message).to.match(/not converged 1 ms after healing/)
      const [path] = listReplays(directory)
      expect(path).to.equal(failure.savedTo)
      const replay = readReplay(path!)
      expect(replay).to.deep.include({seed: 3, scenario: 'pbft-quick', overrides: {healBoundMs: 1}, schedule})
      const again = await runWholeNode({seed: replay.seed, scenario: replay.scenario, overrides: replay.overrides, schedule: replay.schedule}).catch((error: unknown) => error)
      expect((again as WholeNodeFailure).trace).to.equal(failure.trace)
      expect((again as Error).message).to.match(/not converged 1 ms after healing: heads node0:(\d+)\/\S+ node1:\1\/\S+ node2:(?!\1\/)/)
    } finally {
      rmSync(directory, {recursive: true, force: true})
    }
  })
})
