/**
 * Long whole-node simulation (src/core/sim): `npm run sim:whole -- --engine pbft --seeds 10000`
 * (also `npm run sim:long -- --whole-node ...`). Seed s runs scenario s mod (the engine's light
 * scenarios), or only `--scenario NAME`; the heavy ones (`*-lagging`: a node 100+ full blocks
 * behind) run only when named or with `--heavy`. A failing seed is printed and saved as a replay
 * file in `--replays DIR` (default $WICHAIN_SIM_REPLAYS or test/sim/replays/), which
 * test/sim/whole-node.test.ts then replays as a regression test. Exit code 1 if any seed failed.
 */
import {parseArgs} from 'node:util'
import {runWholeNode, WHOLE_NODE_SCENARIOS, WholeNodeFailure} from '../src/core/sim/index.js'

export async function main(args: string[]): Promise<void> {
  const {values} = parseArgs({
    args,
    options: {
      engine: {type: 'string', default: 'pbft'},
      seeds: {type: 'string', default: '100'},
      start: {type: 'string', default: '1'},
      scenario: {type: 'string'},
      heavy: {type: 'boolean', default: false},
      replays: {type: 'string', default: process.env.WICHAIN_SIM_REPLAYS ?? 'test/sim/replays'},
      'whole-node': {type: 'boolean', default: true},
    },
  })
  const engines = values.engine === 'all' ? ['pbft', 'raft'] : [values.engine]
  const scenarios = WHOLE_NODE_SCENARIOS.filter((scenario) =>
    values.scenario !== undefined ? scenario.name === values.scenario : engines.includes(scenario.engine) && (values.heavy || !scenario.name.endsWith('-lagging')),
  )
  if (scenarios.length === 0) throw new Error(`no scenario matches; known: ${WHOLE_NODE_SCENARIOS.map((scenario) => scenario.name).join(', ')}`)
  const count = Number(values.seeds)
  const start = Number(values.start)
  const failures: {seed: number; scenario: string; replay?: string}[] = []
  const began = Date.now()
  const progressEvery = Math.max(1, Math.min(100, Math.floor(count / 20)))
  for (let seed = start; seed < start + count; seed++) {
    const scenario = scenarios[seed % scenarios.length]!
    try {
      await runWholeNode({seed, scenario: scenario.name, replayDirectory: values.replays})
    } catch (error) {
      const savedTo = error instanceof WholeNodeFailure ? error.savedTo : undefined
      failures.push({seed, scenario: scenario.name, replay: savedTo})
      console.log(`FAIL seed ${seed} scenario ${scenario.name}${savedTo === undefined ? '' : ` (replay saved to ${savedTo})`}\n${error instanceof Error ? error.message : String(error)}\n`)
    }
    const done = seed - start + 1
    if (done % progressEvery === 0 || done === count) console.log(`${done}/${count} seeds, ${failures.length} failed, ${((Date.now() - began) / 1000).toFixed(0)} s`)
  }
  console.log(`done: ${count} whole-node seeds (${scenarios.map((scenario) => scenario.name).join(', ')}), ${failures.length} failed, ${((Date.now() - began) / 1000).toFixed(1)} s`)
  if (failures.length > 0) {
    console.log(`failing seeds: ${JSON.stringify(failures)}`)
    process.exitCode = 1
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2))
