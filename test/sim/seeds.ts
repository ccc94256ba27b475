/** Shared loop for the seeded simulation tests: each scenario gets its own range of seeds. */
import {runSimulation, SCENARIOS, scenarioNamed, type SimEngineKind} from '../../src/core/consensus/sim/index.js'

export interface Regression {
  readonly scenario: string
  readonly seed: number
  /** What went wrong, so the next reader knows what the seed guards. */
  readonly note: string
}

export function describeSeeds(engine: SimEngineKind, seedsPerScenario: Readonly<Record<string, number>>, regressions: readonly Regression[]): void {
  describe(`${engine} simulation`, () => {
    for (const scenario of SCENARIOS[engine]) {
      const count = seedsPerScenario[scenario.name] ?? 0
      it(`${scenario.name}: ${count} seeds stay safe and live`, function () {
        this.timeout(60_000)
        for (let seed = 1; seed <= count; seed++) runSimulation({seed, ...scenario.options})
      })
    }

    it('regression seeds', function () {
      this.timeout(60_000)
      for (const {scenario, seed} of regressions) runSimulation({seed, ...scenarioNamed(scenario).options})
    })
  })
}
