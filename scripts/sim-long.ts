/**
 * Long seeded consensus simulation: `npx tsx scripts/sim-long.ts --engine pbft --seeds 10000`
 * (`--whole-node`: the whole-node simulator instead, see scripts/sim-whole.ts).
 * Seed s runs scenario s mod (number of scenarios) of the engine, or only `--scenario NAME`.
 * Every failing seed is printed with its scenario and full failure report; add it to the
 * regression list in test/sim/<engine>.test.ts. Exit code 1 if any seed failed.
 */
import {parseArgs} from 'node:util'
import {runSimulation, SCENARIOS, scenarioNamed, type SimEngineKind} from '../src/core/consensus/sim/index.js'

// `--whole-node`: real nodes over the simulated network, clock and disk (scripts/sim-whole.ts).
if (process.argv.includes('--whole-node')) {
  const {main} = await import('./sim-whole.js')
  await main(process.argv.slice(2))
  process.exit()
}

const {values} = parseArgs({
  options: {
    engine: {type: 'string', default: 'pbft'},
    seeds: {type: 'string', default: '1000'},
    start: {type: 'string', default: '1'},
    scenario: {type: 'string'},
  },
})
const engine = values.engine as SimEngineKind
if (!(engine in SCENARIOS)) throw new Error(`--engine must be one of ${Object.keys(SCENARIOS).join(', ')}`)
const scenarios = values.scenario !== undefined ? [scenarioNamed(values.scenario)] : SCENARIOS[engine]
const count = Number(values.seeds)
const start = Number(values.start)
const failures: {seed: number; scenario: string}[] = []
const began = Date.now()
for (let seed = start; seed < start + count; seed++) {
  const scenario = scenarios[seed % scenarios.length]!
  try {
    runSimulation({seed, ...scenario.options})
  } catch (error) {
    failures.push({seed, scenario: scenario.name})
    console.log(`FAIL seed ${seed} scenario ${scenario.name}\n${error instanceof Error ? error.message : String(error)}\n`)
  }
  if ((seed - start + 1) % 500 === 0) console.log(`${seed - start + 1}/${count} seeds, ${failures.length} failed, ${((Date.now() - began) / 1000).toFixed(0)} s`)
}
console.log(`done: ${count} seeds, ${failures.length} failed, ${((Date.now() - began) / 1000).toFixed(1)} s`)
if (failures.length > 0) {
  console.log(`failing seeds: ${JSON.stringify(failures)}`)
  process.exitCode = 1
}
