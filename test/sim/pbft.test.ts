import {describeSeeds, type Regression} from './seeds.js'

/** Every seed that ever failed (`npx tsx scripts/sim-long.ts --engine pbft` prints them). */
const REGRESSIONS: readonly Regression[] = [
  {scenario: 'pbft-4-crash', seed: 3, note: 'simulator: a crash pending at heal time was never restarted'},
  {scenario: 'pbft-4-crash', seed: 5, note: 'simulator: a crash pending at heal time was never restarted'},
]

describeSeeds(
  'pbft',
  {
    'pbft-4-byzantine': 50,
    'pbft-4-crash': 25,
    'pbft-4-hasty': 25,
    'pbft-4-hasty-crash': 25,
    'pbft-5-byzantine': 25,
    'pbft-7-byzantine': 15,
    'pbft-add-validator': 15,
    'pbft-replace-validator': 15,
  },
  REGRESSIONS,
)
