/**
 * A bounded FIFO of outgoing messages for one peer. When a push would exceed the message or byte
 * limit, the OLDEST messages are dropped: consensus and sync messages lose value with age and are
 * retransmitted by the layers above, while a burst to a slow peer must not disconnect it or grow
 * memory without bound. Drops are counted so status and logs show them.
 */
import {assert} from '../assert.js'
import type {Channel} from './envelope.js'

export interface QueuedMessage {
  readonly channel: Channel
  readonly body: Uint8Array
}

export class SendQueue {
  readonly #messagesMax: number
  readonly #bytesMax: number
  #items: QueuedMessage[] = []
  #head = 0
  #bytes = 0
  dropped = 0

  constructor(messagesMax: number, bytesMax: number) {
    assert(messagesMax >= 1 && bytesMax >= 1, 'send queue limits must be positive')
    this.#messagesMax = messagesMax
    this.#bytesMax = bytesMax
  }

  get length(): number {
    return this.#items.length - this.#head
  }

  get bytes(): number {
    return this.#bytes
  }

  /** Adds a message; returns how many older messages were dropped to make room. */
  push(message: QueuedMessage): number {
    assert(message.body.length <= this.#bytesMax, 'message larger than the whole queue')
    let dropped = 0
    while (this.length >= this.#messagesMax || this.#bytes + message.body.length > this.#bytesMax) {
      this.shift()
      dropped += 1
    }
    this.#items.push(message)
    this.#bytes += message.body.length
    this.dropped += dropped
    return dropped
  }

  shift(): QueuedMessage | undefined {
    if (this.length === 0) return undefined
    const message = this.#items[this.#head]
    this.#head += 1
    this.#bytes -= message.body.length
    // Compact now and then so the array does not keep consumed slots forever.
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return message
  }

  /** Empties the queue; returns how many messages were discarded (counted as dropped). */
  clear(): number {
    const discarded = this.length
    this.#items = []
    this.#head = 0
    this.#bytes = 0
    this.dropped += discarded
    return discarded
  }
}
