/** A small set of callbacks; one listener throwing neither stops the others nor the caller. */
export class Listeners<T extends (...args: never[]) => void> {
  readonly #listeners = new Set<T>()
  onError: (error: unknown) => void = () => {}

  /** Adds a listener; returns the function that removes it. */
  add(listener: T): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  emit(call: (listener: T) => void): void {
    for (const listener of [...this.#listeners]) {
      try {
        call(listener)
      } catch (error) {
        this.onError(error)
      }
    }
  }

  get size(): number {
    return this.#listeners.size
  }
}
