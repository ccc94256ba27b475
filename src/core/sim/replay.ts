/**
 * Replay files: a failing whole-node run saved as JSON (seed, scenario, fault schedule, what
 * failed), named by scenario and seed. `test/sim/whole-node.test.ts` replays every file in
 * test/sim/replays/ as a regression test (one marked `knownBug` must still fail the same way).
 */
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {FaultAction, ScenarioOverrides} from './scenarios.js'

export interface ReplayFile {
  readonly version: 1
  readonly seed: number
  readonly scenario: string
  readonly overrides?: ScenarioOverrides
  readonly schedule: readonly FaultAction[]
  /** What the run saw go wrong when it was saved (for the reader; not checked). */
  readonly failure?: string
  /** Added by hand: what the seed guards, once the bug is understood. */
  readonly note?: string
  /**
   * Added by hand for a bug found but not fixed yet: what it is. The regression test then expects
   * the replay to fail as `failure` says (first line), so a fix shows up as a failing test that
   * says to remove this field.
   */
  readonly knownBug?: string
}

export function saveReplay(directory: string, replay: ReplayFile): string {
  mkdirSync(directory, {recursive: true})
  const path = join(directory, `${replay.scenario}-seed-${replay.seed}.json`)
  writeFileSync(path, `${JSON.stringify(replay, null, 2)}\n`)
  return path
}

export function readReplay(path: string): ReplayFile {
  const replay = JSON.parse(readFileSync(path, 'utf8')) as ReplayFile
  if (replay.version !== 1 || !Number.isInteger(replay.seed) || typeof replay.scenario !== 'string' || !Array.isArray(replay.schedule)) {
    throw new Error(`${path} is not a whole-node replay file`)
  }
  return replay
}

export function listReplays(directory: string): string[] {
  try {
    return readdirSync(directory).filter((name) => name.endsWith('.json')).sort().map((name) => join(directory, name))
  } catch {
    return []
  }
}
