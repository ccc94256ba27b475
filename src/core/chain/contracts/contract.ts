/**
 * System contracts: built-in contracts written in TypeScript, executed deterministically by the
 * executor. Each method declares whether it writes and which roles may call it (enforced at
 * execution, so every node agrees). State is namespaced per contract by the executor.
 */
import type {Role} from '../genesis.js'
import type {ConsortiumView} from '../consortium/view.js'

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
  /** Version 2 chains: organisations, accounts and policies as of this tx (its overlay). */
  readonly consortium?: ConsortiumView
  /**
   * Version 2 chains: runs another system contract's method on its own state, with this tx's
   * context and without a policy check of its own (the caller, governance, has decided).
   */
  readonly invoke?: (contract: string, method: string, args: unknown) => unknown
}

/** The resource a call acts on, and the organisation owning it (for SELF policies). */
export interface ResourceRef {
  readonly resource: string
  readonly ownerOrg?: string
}

export interface ContractMethod {
  /** Read-only methods may be called through `query` without a tx. */
  readonly readOnly: boolean
  /** Roles allowed to call through a tx; undefined = any registered account. */
  readonly roles?: readonly Role[]
  /**
   * Version 2 chains: the resource a call acts on (default `<contract>.<method>`); the executor
   * checks its policy before `run`. Gets a context with `consortium`.
   */
  readonly resource?: (args: unknown, context: CallContext) => ResourceRef
  /** Version 2 chains: the method checks its callers itself (governance: proposals and votes). */
  readonly selfAuthorizing?: boolean
  run(state: ContractState, args: unknown, context: CallContext): unknown
}

export interface SystemContract {
  readonly name: string
  readonly description: string
  readonly methods: Readonly<Record<string, ContractMethod>>
}
