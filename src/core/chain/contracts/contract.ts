/**
 * System contracts: built-in contracts written in TypeScript, executed deterministically by the
 * executor. Each method declares whether it writes and which roles may call it (enforced at
 * execution, so every node agrees). State is namespaced per contract by the executor.
 */
import type {Role} from '../genesis.js'

export interface ContractState {
  get(key: string): Uint8Array | undefined
  set(key: string, value: Uint8Array): void
  delete(key: string): void
}

export interface CallContext {
  readonly chainId: string
  readonly height: number
  /** Block time in ms (the proposer's clock, agreed by consensus). */
  readonly blockTime: number
  readonly txHash: string
  readonly sender: {readonly address: string; readonly publicKey: string; readonly role: Role | undefined}
}

export interface ContractMethod {
  /** Read-only methods may be called through `query` without a tx. */
  readonly readOnly: boolean
  /** Roles allowed to call through a tx; undefined = any registered account. */
  readonly roles?: readonly Role[]
  run(state: ContractState, args: unknown, context: CallContext): unknown
}

export interface SystemContract {
  readonly name: string
  readonly description: string
  readonly methods: Readonly<Record<string, ContractMethod>>
}
