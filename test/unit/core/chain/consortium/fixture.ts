/** A version 2 chain of three organisations, each with an orgadmin, auditor, user and devops account. */
import {toHex} from '../../../../../src/core/bytes.js'
import type {SystemContract} from '../../../../../src/core/chain/contracts/contract.js'
import {systemContractsOf} from '../../../../../src/core/chain/contracts/system.js'
import {executeBlock, query, type BlockExecution, type ExecutionEnvironment} from '../../../../../src/core/chain/executor.js'
import {DEFAULT_PARAMS, parseGenesis, ROLES, type Genesis, type Role} from '../../../../../src/core/chain/genesis.js'
import {addressOf, createSigner, generateKeyPair, type Signer} from '../../../../../src/core/crypto/index.js'
import {createTx, type Tx, type TxRequest} from '../../../../../src/core/types/tx.js'

export const CHAIN_ID = 'consortium-test'
export const ORGS = ['org1', 'org2', 'org3'] as const
export type OrgId = (typeof ORGS)[number]

export interface ConsortiumOptions {
  readonly chainId?: string
  /** The system contracts (default: the registry's for the genesis, contracts/system.ts). */
  readonly contracts?: (genesis: Genesis) => ReadonlyMap<string, SystemContract>
}

export interface Consortium {
  readonly genesis: Genesis
  readonly keys: Readonly<Record<OrgId, Readonly<Record<Role, Signer>>>>
  readonly env: ExecutionEnvironment
  /** Committed state: hex key → value. */
  readonly state: Map<string, Uint8Array>
  /** Executes txs as one block at the next height and commits its writes. */
  run(...txs: Tx[]): BlockExecution
  query(contract: string, method: string, args?: unknown): unknown
  tx(signer: Signer, request: Partial<TxRequest>): Tx
  height: number
}

export function createConsortium(options: ConsortiumOptions = {}): Consortium {
  const chainId = options.chainId ?? CHAIN_ID
  const keys = Object.fromEntries(ORGS.map((org) => [org, Object.fromEntries(ROLES.map((role) => [role, createSigner(generateKeyPair())]))])) as Record<OrgId, Record<Role, Signer>>
  const node = createSigner(generateKeyPair())
  const genesis = parseGenesis({
    version: 2,
    chainId,
    consensus: 'solo',
    timestamp: 1_700_000_000_000,
    orgs: ORGS.map((org) => ({id: org, name: `Department ${org}`, encryptionKey: ''})),
    validators: [{name: 'node0', publicKey: toHex(node.publicKey), org: 'org1'}],
    accounts: ORGS.flatMap((org) => ROLES.map((role) => ({name: `${org}-${role}`, org, roles: [role], publicKey: toHex(keys[org][role].publicKey), address: addressOf(keys[org][role].publicKey)}))),
    params: {...DEFAULT_PARAMS},
  })
  const state = new Map<string, Uint8Array>()
  const env: ExecutionEnvironment = {
    chainId,
    contracts: (options.contracts ?? systemContractsOf)(genesis),
    roleOf: (address) => genesis.accounts.find((account) => account.address === address)?.roles[0],
    readState: (key) => state.get(toHex(key)),
    genesis,
  }
  let counter = 0
  const consortium: Consortium = {
    genesis,
    keys,
    env,
    state,
    height: 0,
    run(...txs) {
      consortium.height++
      const execution = executeBlock(env, txs, {height: consortium.height, timestamp: 1_700_000_000_000 + consortium.height})
      for (const write of execution.writes) {
        if (write.value === null) state.delete(toHex(write.key))
        else state.set(toHex(write.key), write.value)
      }
      return execution
    },
    query: (contract, method, args = {}) => query(env, contract, method, args, consortium.height),
    tx: (signer, request) => createTx({chainId, contract: 'evidence', method: 'put', args: {key: `k-${++counter}`, hash: 'ab'.repeat(32)}, expiry: consortium.height + 100, ...request}, signer),
  }
  return consortium
}
