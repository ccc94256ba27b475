/**
 * Proposal sides for the chain unit tests: the real `Proposals` (block building and validation)
 * over in-memory state with the chain's system contracts, without a ledger or network. One side
 * proposes, another validates, each with its own state and mempool, as two nodes would.
 */
import type {SystemContract} from '../../../../src/core/chain/contracts/contract.js'
import {createAccountsContract} from '../../../../src/core/chain/contracts/accounts.js'
import {evidenceContract} from '../../../../src/core/chain/contracts/evidence.js'
import {createNodesContract} from '../../../../src/core/chain/contracts/nodes.js'
import {executeBlock} from '../../../../src/core/chain/executor.js'
import {GENESIS_TIMESTAMP, createTestState, roleLookup, type TestNetwork, type TestState} from './fixtures.js'
import {Mempool} from '../../../../src/core/chain/mempool.js'
import {Proposals, type ProposalHost} from '../../../../src/core/chain/proposals.js'
import {nextStateRoot, type Ledger} from '../../../../src/core/ledger/index.js'
import {nullLogger} from '../../../../src/core/log.js'
import {createBlock, encodeBlock, receiptRootOf, txRootOf, type Block} from '../../../../src/core/types/block.js'
import type {Tx} from '../../../../src/core/types/tx.js'

/** The head every side starts from (height 0): any fixed hash and state root will do. */
const HEAD = {height: 0, hash: new Uint8Array(32).fill(7)}
const TIP = {stateRoot: new Uint8Array(32).fill(9), timestamp: GENESIS_TIMESTAMP}
export const BLOCK_TIME = GENESIS_TIMESTAMP + 1_000

export interface ProposalSide {
  readonly proposals: Proposals
  readonly mempool: Mempool
  readonly state: TestState
  /** The node key that signs this side's proposals (the network's validator). */
  readonly proposer: Uint8Array
}

/** The system contracts a Chain of this network runs (chain.ts systemContractsOf), plus `extra`. */
export function chainContracts(network: TestNetwork, extra: readonly SystemContract[] = []): SystemContract[] {
  return [evidenceContract, createNodesContract(network.genesis.validators), createAccountsContract(network.genesis.accounts), ...extra]
}

export function proposalSide(network: TestNetwork, contracts: readonly SystemContract[] = chainContracts(network)): ProposalSide {
  const state = createTestState(network, contracts)
  const mempool = new Mempool({txsMax: 1000, bytesMax: 64 * 1024 * 1024})
  const ledger = {hasTxSync: () => false, getTx: async () => undefined} as unknown as Ledger
  const host: ProposalHost = {
    genesis: network.genesis,
    ledger,
    mempool,
    logger: nullLogger,
    proposer: network.validator.publicKey,
    compact: false,
    head: () => HEAD,
    tip: () => TIP,
    now: () => BLOCK_TIME,
    params: () => network.genesis.params,
    rules: () => ({chainId: network.genesis.chainId, txExpiryWindow: network.genesis.params.txExpiryWindow, roleOf: roleLookup(network.genesis), readState: state.env.readState}),
    environment: () => state.env,
    restep: async () => undefined,
  }
  return {proposals: new Proposals(host), mempool, state, proposer: host.proposer}
}

/**
 * What a malicious (or outdated) proposer sends: a block of `txs` at height 1 with the roots of
 * its own execution, no admission rule applied.
 */
export function proposeAnyway(side: ProposalSide, txs: readonly Tx[]): {block: Block; payload: Uint8Array} {
  const execution = executeBlock(side.state.env, txs, {height: 1, timestamp: BLOCK_TIME})
  const block = createBlock(
    {
      chainId: side.state.env.chainId,
      height: 1,
      prevHash: HEAD.hash,
      txRoot: txRootOf(txs),
      receiptRoot: receiptRootOf(execution.receipts),
      stateRoot: nextStateRoot(TIP.stateRoot, execution.writes),
      timestamp: BLOCK_TIME,
      proposer: side.proposer,
      round: 0,
      txCount: txs.length,
    },
    txs,
  )
  return {block, payload: encodeBlock(block)}
}
