/**
 * The named configurations the seeded tests and the long runner cycle through, so a failing
 * seed is always reported with a scenario name that replays it exactly.
 */
import type {SimEngineKind, SimulationOptions} from './simulation.js'

export interface Scenario {
  readonly name: string
  readonly options: Omit<SimulationOptions, 'seed'>
}

export const SCENARIOS: Readonly<Record<SimEngineKind, readonly Scenario[]>> = Object.freeze({
  pbft: [
    {name: 'pbft-4-byzantine', options: {engine: 'pbft', validators: 4, byzantine: 1}},
    {name: 'pbft-4-crash', options: {engine: 'pbft', validators: 4}},
    // View timeouts close to message delays: view changes race with commits all the time.
    {name: 'pbft-4-hasty', options: {engine: 'pbft', validators: 4, byzantine: 1, timing: {viewTimeoutTicks: 6, viewTimeoutBackoffMax: 3, rebroadcastTicks: 3}, network: {dropRate: 0.2}}},
    {name: 'pbft-4-hasty-crash', options: {engine: 'pbft', validators: 4, timing: {viewTimeoutTicks: 6, viewTimeoutBackoffMax: 3, rebroadcastTicks: 3}, network: {dropRate: 0.2}}},
    {name: 'pbft-5-byzantine', options: {engine: 'pbft', validators: 5, byzantine: 1}},
    {name: 'pbft-7-byzantine', options: {engine: 'pbft', validators: 7, byzantine: 2}},
    {name: 'pbft-add-validator', options: {engine: 'pbft', validators: 4, byzantine: 1, membership: {atHeight: 4, add: 1}}},
    {name: 'pbft-replace-validator', options: {engine: 'pbft', validators: 5, byzantine: 1, membership: {atHeight: 4, add: 1, remove: 1}}},
  ],
  raft: [
    {name: 'raft-3', options: {engine: 'raft', validators: 3}},
    {name: 'raft-5', options: {engine: 'raft', validators: 5}},
    {name: 'raft-4-lossy', options: {engine: 'raft', validators: 4, network: {dropRate: 0.3, duplicateRate: 0.1}}},
    // Election timeouts close to message delays: competing candidates and deposed leaders all the time.
    {name: 'raft-4-hasty', options: {engine: 'raft', validators: 4, timing: {electionTimeoutTicks: 5, heartbeatTicks: 2}}},
    {name: 'raft-replace-server', options: {engine: 'raft', validators: 4, membership: {atHeight: 4, add: 1, remove: 1}}},
    {name: 'raft-remove-two', options: {engine: 'raft', validators: 5, membership: {atHeight: 3, remove: 2}}},
  ],
})

export function scenarioNamed(name: string): Scenario {
  for (const list of Object.values(SCENARIOS)) {
    const found = list.find((scenario) => scenario.name === name)
    if (found !== undefined) return found
  }
  throw new RangeError(`no simulation scenario named ${name}`)
}
