/**
 * The relations between limits (limits.ts): raising one without the others fails here. Every
 * answer and message that crosses the wire fits one frame; a block fits a one-item sync answer;
 * the modules that enforce a limit use the value from limits.ts.
 */
import {expect} from 'chai'
import * as L from '../../../src/core/limits.js'
import {DEFAULT_LIMITS} from '../../../src/core/net/options.js'
import {messageBytesMax} from '../../../src/core/net/connection.js'
import {RAFT_LIMITS_DEFAULTS} from '../../../src/core/consensus/raft/options.js'
import {BLOCK_LIMITS} from '../../../src/core/types/block.js'
import {CERTIFICATE_FIXED_BYTES, CERTIFICATE_SIGNATURE_BYTES, CERTIFICATE_SIGNATURES_MAX} from '../../../src/core/types/certificate.js'
import {TX_LIMITS} from '../../../src/core/types/tx.js'
import {HEADER_SYNC_LIMITS} from '../../../src/core/node/header-sync.js'
import {DEFAULT_PARAMS} from '../../../src/core/chain/genesis.js'
import {VERIFY_POOL_QUEUED_BYTES_DEFAULT, VERIFY_POOL_QUEUED_ITEMS_DEFAULT} from '../../../src/core/crypto/verify-pool.js'
import {LEDGER_LIMITS} from '../../../src/core/ledger/index.js'
import {META_LIMITS} from '../../../src/core/ledger/meta.js'
import {STATE_LIMITS} from '../../../src/core/ledger/state.js'
import {GOVERNANCE_LIMITS} from '../../../src/core/chain/governance/records.js'
import {SYNC_SERVICE_DEFAULTS} from '../../../src/core/net/sync.js'

/** CBOR framing of an answer's outer map and array, generously. */
const ANSWER_FRAMING_BYTES = 64

describe('core/limits: how the limits relate', () => {
  it('the network layer enforces the frame of limits.ts, and its message room is what limits.ts assumes', () => {
    expect(DEFAULT_LIMITS.frameBytesMax).to.equal(L.FRAME_BYTES_MAX)
    expect(messageBytesMax(DEFAULT_LIMITS)).to.be.at.least(L.MESSAGE_BYTES_MAX)
  })

  it('the largest legal sync answer (one item of the largest size, or many up to the budget) fits a message', () => {
    const largestItem = L.BLOCK_BYTES_MAX + L.CERTIFICATE_BYTES_MAX + L.SYNC_ITEM_OVERHEAD_BYTES
    expect(largestItem).to.be.at.most(L.SYNC_ANSWER_BYTES_MAX)
    // Past the first item an answer stops before its budget: at most budget + one item.
    expect(L.SYNC_ANSWER_BYTES_MAX + ANSWER_FRAMING_BYTES + L.SYNC_HEADER_BYTES).to.be.below(L.MESSAGE_BYTES_MAX)
    expect(HEADER_SYNC_LIMITS.answerBytesMax).to.equal(L.SYNC_ANSWER_BYTES_MAX)
  })

  it('a tx-fetch answer (bounded by bytes, at least one tx) fits a message', () => {
    expect(L.TX_BYTES_MAX).to.be.below(L.SYNC_ANSWER_BYTES_MAX)
    expect(L.SYNC_ANSWER_BYTES_MAX + L.TX_BATCH_TXS_MAX * 8 + L.SYNC_HEADER_BYTES).to.be.below(L.MESSAGE_BYTES_MAX)
  })

  it('a block that could not travel cannot exist: block bytes derive from the answer budget', () => {
    expect(BLOCK_LIMITS.bytesMax).to.equal(L.BLOCK_BYTES_MAX)
    expect(BLOCK_LIMITS.txsMax).to.equal(L.BLOCK_TXS_MAX)
    expect(L.BLOCK_TX_BYTES_MAX + L.BLOCK_HEADER_BYTES_MAX).to.be.at.most(L.BLOCK_BYTES_MAX)
    // The CBOR array header of the txs is inside the header reserve.
    expect(L.BLOCK_HEADER_BYTES_MAX).to.be.at.least(1024)
  })

  it('a tx fits a block, and its args fit the tx', () => {
    expect(TX_LIMITS.bytesMax).to.equal(L.TX_BYTES_MAX)
    expect(TX_LIMITS.argsBytesMax).to.equal(L.TX_ARGS_BYTES_MAX)
    expect(L.TX_ARGS_BYTES_MAX).to.be.below(L.TX_BYTES_MAX)
    expect(L.TX_BYTES_MAX).to.be.below(L.BLOCK_TX_BYTES_MAX)
  })

  it('a certificate of the most signatures fits its reserve', () => {
    expect(CERTIFICATE_FIXED_BYTES + CERTIFICATE_SIGNATURES_MAX * CERTIFICATE_SIGNATURE_BYTES).to.be.at.most(L.CERTIFICATE_BYTES_MAX)
  })

  it('consensus messages carrying a block fit a message (PBFT pre-prepare, Raft append)', () => {
    expect(L.BLOCK_BYTES_MAX + L.CONSENSUS_OVERHEAD_BYTES_MAX).to.be.below(L.MESSAGE_BYTES_MAX)
    expect(RAFT_LIMITS_DEFAULTS.appendBytesMax).to.equal(L.RAFT_APPEND_BYTES_MAX)
    expect(Math.max(L.BLOCK_BYTES_MAX, L.RAFT_APPEND_BYTES_MAX + L.BLOCK_BYTES_MAX) + L.CONSENSUS_OVERHEAD_BYTES_MAX).to.be.below(L.MESSAGE_BYTES_MAX)
    expect(RAFT_LIMITS_DEFAULTS.messageBytesMax).to.be.at.most(L.MESSAGE_BYTES_MAX)
  })

  it('a proposal record at its limits (action args, every vote, the kept result) fits one state value', () => {
    expect(GOVERNANCE_LIMITS.votesMax).to.equal(L.PROPOSAL_VOTES_MAX)
    expect(GOVERNANCE_LIMITS.actionArgsBytesMax).to.equal(L.TX_ARGS_BYTES_MAX)
    const recordBytes = L.TX_ARGS_BYTES_MAX + L.PROPOSAL_VOTES_MAX * L.PROPOSAL_VOTE_BYTES_MAX + L.PROPOSAL_RESULT_BYTES_MAX + 8 * 1024
    expect(recordBytes).to.be.at.most(STATE_LIMITS.valueBytesMax)
    expect(L.PROPOSALS_OPEN_PER_PROPOSER_MAX).to.be.at.most(L.PROPOSALS_OPEN_MAX)
  })

  it('the persisted Raft state (retained log, the unapplied window, one block) fits a meta value', () => {
    expect(RAFT_LIMITS_DEFAULTS.retainedBytes).to.equal(L.RAFT_RETAINED_BYTES_MAX)
    const entryHeaders = 4 * RAFT_LIMITS_DEFAULTS.retainedEntries * 256
    expect(4 * L.RAFT_RETAINED_BYTES_MAX + L.BLOCK_BYTES_MAX + entryHeaders + L.CONSENSUS_OVERHEAD_BYTES_MAX).to.be.at.most(L.META_VALUE_BYTES_MAX)
    expect(META_LIMITS.valueBytesMax).to.equal(L.META_VALUE_BYTES_MAX)
  })

  it('the default genesis blocks are within the block limits', () => {
    expect(DEFAULT_PARAMS.blockTxsMax).to.be.at.most(L.BLOCK_TXS_MAX)
  })

  it('a catching-up node buffers a bounded number of answers', () => {
    expect(L.SYNC_BUFFER_BYTES_MAX).to.be.at.least(L.SYNC_ANSWER_BYTES_MAX)
    expect(L.SYNC_REQUESTS_IN_FLIGHT_MAX * L.SYNC_ANSWER_BYTES_MAX + L.SYNC_BUFFER_BYTES_MAX).to.be.at.most(256 * 1024 * 1024)
  })

  it('a peer serves a catching-up node\'s requests at once, and serving memory is bounded', () => {
    // Even with all its requests sent to one peer, none waits behind the others (nor is answered busy).
    expect(L.SYNC_REQUESTS_IN_FLIGHT_MAX).to.be.at.most(L.SYNC_REQUESTS_SERVED_MAX)
    expect(L.SYNC_REQUESTS_WAITING_MAX).to.be.at.least(L.SYNC_REQUESTS_SERVED_MAX)
    // Block sync leaves room in the sync service for status polls, header and tx fetches.
    expect(L.SYNC_REQUESTS_IN_FLIGHT_MAX).to.be.below(L.SYNC_REQUESTS_OUTGOING_MAX)
    expect(L.SYNC_REQUESTS_SERVED_MAX * L.SYNC_ANSWER_BYTES_MAX).to.be.at.most(256 * 1024 * 1024)
    expect(L.SYNC_HEADER_BYTES + L.SYNC_FAILURE_REASON_BYTES_MAX).to.be.below(L.MESSAGE_BYTES_MAX)
  })
})

describe('core/limits: queue bounds', () => {
  it('the largest consensus message one frame carries always fits an empty chain queue', () => {
    expect(L.CHAIN_QUEUE_STEP_BYTES_MAX).to.be.at.least(L.MESSAGE_BYTES_MAX)
    expect(L.CHAIN_QUEUE_TASKS_MAX).to.be.at.least(1)
  })

  it('a forwarded tx batch is one a peer decodes (TX_BATCH_TXS_MAX) and one message carries', () => {
    expect(L.FORWARD_BATCH_TXS_MAX).to.be.at.most(L.TX_BATCH_TXS_MAX)
    // A batch ends past its byte bound by less than one tx; each entry has a few bytes of framing.
    expect(L.FORWARD_BATCH_BYTES_MAX + L.TX_BYTES_MAX + L.FORWARD_BATCH_TXS_MAX * 8).to.be.below(L.MESSAGE_BYTES_MAX)
  })

  it('waiters for one tx are a part of all waiters', () => {
    expect(L.TX_WAITERS_PER_TX_MAX).to.be.at.most(L.TX_WAITERS_MAX)
  })

  it('the mempool holds a full block of txs, and the verify pool takes a full block of signatures', () => {
    expect(L.MEMPOOL_BYTES_MAX).to.be.at.least(L.BLOCK_TX_BYTES_MAX)
    expect(L.VERIFY_POOL_QUEUED_ITEMS_MAX).to.be.at.least(L.BLOCK_TXS_MAX)
  })

  it('a signed RPC request is still fresh when its slowest allowed upload ends; the replay cache holds a window of busy traffic', () => {
    // Signed before sending, checked once the body is read: the body may take the request timeout.
    expect(L.RPC_REQUEST_CLOCK_SKEW_MS_MAX).to.be.at.least(L.RPC_REQUEST_TIMEOUT_MS)
    // A nonce stays until its timestamp leaves the window (2 × skew wide): every connection at one request a second fits.
    expect(L.RPC_REQUEST_NONCES_MAX).to.be.at.least(L.RPC_CONNECTIONS_MAX * ((2 * L.RPC_REQUEST_CLOCK_SKEW_MS_MAX) / 1000))
  })

  it('the modules use the bounds of limits.ts', () => {
    expect(VERIFY_POOL_QUEUED_ITEMS_DEFAULT).to.equal(L.VERIFY_POOL_QUEUED_ITEMS_MAX)
    expect(VERIFY_POOL_QUEUED_BYTES_DEFAULT).to.equal(L.VERIFY_POOL_QUEUED_BYTES_MAX)
    expect(LEDGER_LIMITS.queuedWritesMax).to.equal(L.LEDGER_WRITES_QUEUED_MAX)
    expect(SYNC_SERVICE_DEFAULTS).to.deep.equal({
      inFlightMax: L.SYNC_REQUESTS_OUTGOING_MAX,
      servingMax: L.SYNC_REQUESTS_SERVED_MAX,
      waitingMax: L.SYNC_REQUESTS_WAITING_MAX,
      timeoutMsMax: L.SYNC_REQUEST_TIMEOUT_MS_MAX,
    })
  })
})
