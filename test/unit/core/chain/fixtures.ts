/** Shared fixtures for the chain unit tests: keys, a genesis document and tx helpers. */
import {toHex} from '../../../../src/core/bytes.js'
import type {SystemContract} from '../../../../src/core/chain/contracts/contract.js'
import {contractManager} from '../../../../src/core/chain/contracts/manager.js'
import type {BlockExecution, ExecutionEnvironment} from '../../../../src/core/chain/executor.js'
import {addressOf, createSigner, generateKeyPair, type KeyPair, type Signer} from '../../../../src/core/crypto/index.js'
import {DEFAULT_PARAMS, parseGenesis, ROLES, type Genesis, type Role} from '../../../../src/core/chain/genesis.js'
import {createTx, type Tx, type TxRequest} from '../../../../src/core/types/tx.js'

export const CHAIN_ID = 'injury-prov'
export const GENESIS_TIMESTAMP = 1_700_000_000_000

/** A solo chain of one node key and one `user` account (the chain-driver tests' shape). */
export function soloGenesis(nodeKey: KeyPair, user: KeyPair, chainId: string, params: Record<string, number>): Genesis {
  return parseGenesis({
    version: 1,
    chainId,
    consensus: 'solo',
    timestamp: GENESIS_TIMESTAMP,
    validators: [{name: 'node0', publicKey: toHex(nodeKey.publicKey)}],
    accounts: [{name: 'user', role: 'user', publicKey: toHex(user.publicKey), address: addressOf(user.publicKey)}],
    params,
  })
}

export interface TestNetwork {
  readonly validator: Signer
  readonly accounts: Readonly<Record<Role, Signer>>
  /** A key that is in no account list. */
  readonly stranger: Signer
  readonly document: Record<string, unknown>
  readonly genesis: Genesis
}

export function genesisDocument(validators: readonly Signer[], accounts: Readonly<Record<Role, Signer>>, consensus = 'solo'): Record<string, unknown> {
  return {
    version: 1,
    chainId: CHAIN_ID,
    consensus,
    timestamp: GENESIS_TIMESTAMP,
    validators: validators.map((validator, index) => ({name: `node${index}`, publicKey: toHex(validator.publicKey)})),
    accounts: ROLES.map((role) => ({name: `${role}-1`, role, publicKey: toHex(accounts[role].publicKey), address: addressOf(accounts[role].publicKey)})),
    params: {...DEFAULT_PARAMS},
  }
}

export function createTestNetwork(): TestNetwork {
  const validator = createSigner(generateKeyPair())
  const accounts = Object.fromEntries(ROLES.map((role) => [role, createSigner(generateKeyPair())])) as Record<Role, Signer>
  const document = genesisDocument([validator], accounts)
  return {validator, accounts, stranger: createSigner(generateKeyPair()), document, genesis: parseGenesis(document)}
}

export function roleLookup(genesis: Genesis): (address: string) => Role | undefined {
  const roles = new Map(genesis.accounts.map((account) => [account.address, account.roles[0]!]))
  return (address) => roles.get(address)
}

let counter = 0

/** A signed tx for the test chain; unique unless `request` fixes nonce and timestamp. */
export function makeTx(signer: Signer, request: Partial<TxRequest> = {}): Tx {
  counter++
  return createTx({chainId: CHAIN_ID, contract: 'evidence', method: 'put', args: {key: `key-${counter}`}, expiry: 50, ...request}, signer)
}

export interface TestState {
  readonly env: ExecutionEnvironment
  /** Committed state: hex key → value. */
  readonly state: Map<string, Uint8Array>
  /** Apply a block's writes to `state`, as the ledger would. */
  commit(execution: BlockExecution): void
}

/** An execution environment over an in-memory Map, with the network's accounts and roles. */
export function createTestState(network: TestNetwork, contracts: readonly SystemContract[]): TestState {
  const state = new Map<string, Uint8Array>()
  const env: ExecutionEnvironment = {
    chainId: network.genesis.chainId,
    // The contract manager is on every chain (contracts/system.ts).
    contracts: new Map([contractManager, ...contracts].map((contract) => [contract.name, contract])),
    roleOf: roleLookup(network.genesis),
    readState: (key) => state.get(toHex(key)),
  }
  const commit = (execution: BlockExecution): void => {
    for (const write of execution.writes) {
      if (write.value === null) state.delete(toHex(write.key))
      else state.set(toHex(write.key), write.value)
    }
  }
  return {env, state, commit}
}
