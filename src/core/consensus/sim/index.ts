/** The deterministic consensus simulator: see simulation.ts. */
export {runSimulation, SimulationFailure, type EngineFactoryInput, type SimEngineKind, type SimulationOptions, type SimulationResult} from './simulation.js'
export {SimRandom} from './random.js'
export {FakeKeyring} from './crypto.js'
export {InvariantViolation, SafetyChecker} from './checker.js'
export {describeFault, planFaults, type FaultEvent} from './faults.js'
export {SCENARIOS, scenarioNamed, type Scenario} from './scenarios.js'
