import {describeSeeds, type Regression} from './seeds.js'

/** Every seed that ever failed (`npx tsx scripts/sim-long.ts --engine raft` prints them). */
const REGRESSIONS: readonly Regression[] = []

describeSeeds(
  'raft',
  {
    'raft-3': 30,
    'raft-5': 30,
    'raft-4-lossy': 20,
    'raft-4-hasty': 25,
    'raft-replace-server': 20,
    'raft-remove-two': 15,
  },
  REGRESSIONS,
)
