/**
 * A version 2 chain of three organisations (an orgadmin, auditor, user and devops account each)
 * with the governance contract and a test-only `probe` contract whose methods stand for governed
 * actions: `deploy` (resource contracts.deploy: MAJORITY of org admins), `update` (orgs.update:
 * SELF of the org named in the args), `fail` (contracts.deploy, throws), `setPolicy` (writes a
 * policy override as the policy contract would).
 */
import {utf8, toHex} from '../../../../../src/core/bytes.js'
import {encodeCanonical} from '../../../../../src/core/codec/canonical.js'
import {POLICY_CONTRACT_NAME, policyKey} from '../../../../../src/core/chain/consortium/records.js'
import type {SystemContract} from '../../../../../src/core/chain/contracts/contract.js'
import {evidenceContract} from '../../../../../src/core/chain/contracts/evidence.js'
import {stateKey, type BlockExecution, type ExecutionEnvironment} from '../../../../../src/core/chain/executor.js'
import type {Genesis, Role} from '../../../../../src/core/chain/genesis.js'
import {createGovernanceContract} from '../../../../../src/core/chain/governance/index.js'
import type {Signer} from '../../../../../src/core/crypto/index.js'
import {WichainError} from '../../../../../src/core/errors.js'
import type {Policy} from '../../../../../src/core/authz/policy.js'
import type {Receipt} from '../../../../../src/core/types/receipt.js'
import {createTx, type Tx, type TxRequest} from '../../../../../src/core/types/tx.js'

import {createConsortium, type OrgId} from '../consortium/fixture.js'

export {ORGS, type OrgId} from '../consortium/fixture.js'
export const CHAIN_ID = 'governance-test'

export const probeContract: SystemContract = {
  name: 'probe',
  description: 'test-only governed actions',
  methods: {
    deploy: {
      readOnly: false,
      resource: () => ({resource: 'contracts.deploy'}),
      run(state, args, context) {
        const {name} = args as {name: string}
        state.set(`deployed/${name}`, utf8(`${context.height}`))
        return {deployed: name, height: context.height}
      },
    },
    update: {
      readOnly: false,
      resource: (args) => ({resource: 'orgs.update', ownerOrg: (args as {org: string}).org}),
      run(state, args) {
        const {org, name} = args as {org: string; name: string}
        state.set(`name/${org}`, utf8(name))
        return {org, name}
      },
    },
    fail: {
      readOnly: false,
      resource: () => ({resource: 'contracts.deploy'}),
      run() {
        throw new WichainError('CONTRACT_ERROR', 'the action refuses')
      },
    },
    read: {
      readOnly: true,
      run(state, args) {
        const value = state.get((args as {key: string}).key)
        return value === undefined ? null : Buffer.from(value).toString('utf8')
      },
    },
  },
}

export interface GovernanceNet {
  readonly genesis: Genesis
  readonly keys: Readonly<Record<OrgId, Readonly<Record<Role, Signer>>>>
  readonly env: ExecutionEnvironment
  /** Executes txs as one block at the next height and commits its writes. */
  run(...txs: Tx[]): BlockExecution
  /** One tx in its own block: its receipt, with the result parsed. */
  send(signer: Signer, method: string, args: unknown): Receipt & {readonly answer: any}
  query(contract: string, method: string, args?: unknown): any
  /** Skips `blocks` empty blocks. */
  skip(blocks: number): void
  /** Sets a policy override in state, as the policy contract would. */
  setPolicy(resource: string, policy: Policy): void
  tx(signer: Signer, request: Partial<TxRequest>): Tx
  readonly height: number
}

export function createGovernanceNet(): GovernanceNet {
  const base = createConsortium({
    chainId: CHAIN_ID,
    contracts: () => {
      const contracts = new Map<string, SystemContract>([[evidenceContract.name, evidenceContract], [probeContract.name, probeContract]])
      const governance = createGovernanceContract((name) => contracts.get(name))
      contracts.set(governance.name, governance)
      return contracts
    },
  })
  const net: GovernanceNet = {
    genesis: base.genesis,
    keys: base.keys,
    env: base.env,
    get height() {
      return base.height
    },
    run: (...txs) => base.run(...txs),
    send(signer, method, args) {
      const receipt = net.run(net.tx(signer, {contract: 'governance', method, args: args as TxRequest['args']})).receipts[0]!
      return {...receipt, answer: JSON.parse(receipt.result)}
    },
    query: (contract, method, args = {}) => base.query(contract, method, args),
    skip(blocks) {
      for (let index = 0; index < blocks; index++) net.run()
    },
    setPolicy(resource, policy) {
      base.state.set(toHex(stateKey(POLICY_CONTRACT_NAME, policyKey(resource))), encodeCanonical({rule: policy.rule, orgs: [...policy.orgs], roles: [...policy.roles]}))
    },
    tx: (signer, request) => createTx({chainId: CHAIN_ID, contract: 'evidence', method: 'put', args: {}, expiry: base.height + 100, ...request}, signer),
  }
  return net
}
