/** The deterministic whole-node simulator: see run.ts. */
export {runWholeNode, WholeNodeFailure, type WholeNodeResult, type WholeNodeRunOptions} from './run.js'
export {WHOLE_NODE_SCENARIOS, wholeNodeScenario, type FaultAction, type ScenarioOverrides, type WholeNodeScenario} from './scenarios.js'
export {listReplays, readReplay, saveReplay, type ReplayFile} from './replay.js'
