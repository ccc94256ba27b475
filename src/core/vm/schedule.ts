/**
 * Constants shared by the gas pass (deploy time) and the runtime (call time), kept apart from
 * gas.ts so that executing contracts never loads binaryen.
 */
import {RESERVED_PREFIX} from './limits.js'

/** Part of consensus: change it only with a new `version`, and re-instrument stored code. */
export const GAS_SCHEDULE = Object.freeze({
  version: 1,
  /** Every IR node. */
  node: 1,
  call: 5,
  callIndirect: 10,
  memoryGrowPerPage: 4096,
  /** memory.copy / memory.fill: 1 gas per this many bytes. */
  bulkBytesPerGas: 16,
  /** Depth budget in stack slots (≈8 bytes each); a frame costs frameSlots + its locals. */
  stackSlotsMax: 16384,
  frameSlots: 8,
})

/** Export through which the runtime tells a depth trap from other traps. */
export const DEPTH_EXPORT = `${RESERVED_PREFIX}_depth`
/**
 * The module's start function, exported instead of run at instantiation: the runtime calls it
 * once the memory is attached to the host, so start code may use the host API too.
 */
export const START_EXPORT = `${RESERVED_PREFIX}_start`
