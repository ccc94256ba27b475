/**
 * Assertions for programmer errors: invariants that hold unless the code is wrong. They stay on in
 * production (TigerBeetle style). Operating errors (bad input, I/O) use WichainError instead.
 */
export class AssertionError extends Error {
  constructor(message: string) {
    super(`assertion failed: ${message}`)
    this.name = 'AssertionError'
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message)
}
