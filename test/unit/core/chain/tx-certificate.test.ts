import {expect} from 'chai'
import {fromHex, toHex, utf8} from '../../../../src/core/bytes.js'
import {createSigner, generateKeyPair, type Signer} from '../../../../src/core/crypto/index.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {WichainError} from '../../../../src/core/errors.js'
import {evidenceContract} from '../../../../src/core/chain/contracts/evidence.js'
import {executeBlock} from '../../../../src/core/chain/executor.js'
import {genesisBlock, parseGenesis, type Genesis} from '../../../../src/core/chain/genesis.js'
import {buildTxCertificate, TX_CERTIFICATE_FORMAT, TX_CERTIFICATE_FORMAT_V1, verifyTxCertificate, type TxCertificate} from '../../../../src/core/chain/tx-certificate.js'
import {decodeHeader, encodeHeader, hashHeader, receiptRootOf, txRootOf, type BlockHeader} from '../../../../src/core/types/block.js'
import {commitSignBytes, encodeCertificate, type CommitCertificate, type ConsensusKind} from '../../../../src/core/types/certificate.js'
import {createReceipt, encodeReceipt, type Receipt} from '../../../../src/core/types/receipt.js'
import {txFromDocument, txToDocument, type Tx} from '../../../../src/core/types/tx.js'
import {CHAIN_ID, createTestNetwork, createTestState, genesisDocument, makeTx, type TestNetwork} from './fixtures.js'

interface CommittedBlock {
  readonly header: BlockHeader
  readonly txs: readonly Tx[]
  readonly receipts: readonly Receipt[]
  readonly certificate: CommitCertificate
}

function commitCertificate(kind: ConsensusKind, header: BlockHeader, signers: readonly Signer[]): CommitCertificate {
  const blockHash = hashHeader(header)
  const message = commitSignBytes(kind, header.height, header.round, blockHash)
  return {kind, height: header.height, blockHash, round: header.round, signatures: signers.map((signer) => ({signer: toHex(signer.publicKey), signature: signer.sign(message)}))}
}

/** Execute `txs` as block 1 on top of the genesis and commit it with `signers`. */
function commitBlock(network: TestNetwork, genesis: Genesis, txs: readonly Tx[], signers: readonly Signer[]): CommittedBlock {
  const {env} = createTestState(network, [evidenceContract])
  const timestamp = genesis.timestamp + 1000
  const {receipts} = executeBlock(env, txs, {height: 1, timestamp})
  const header: BlockHeader = {
    chainId: genesis.chainId,
    height: 1,
    prevHash: genesisBlock(genesis).hash,
    txRoot: txRootOf(txs),
    receiptRoot: receiptRootOf(receipts),
    stateRoot: sm3(utf8('state after block 1')),
    timestamp,
    proposer: signers[0]!.publicKey,
    round: 0,
    txCount: txs.length,
  }
  return {header, txs, receipts, certificate: commitCertificate(genesis.consensus, header, signers)}
}

function certificateFor(genesis: Genesis, block: CommittedBlock, index: number): TxCertificate {
  return buildTxCertificate({genesisHash: genesisBlock(genesis).hash, ...block, index})
}

/** A JSON copy of the certificate (what `tx proof` writes to a file) with `change` applied. */
function changed(certificate: TxCertificate, change: (document: Record<string, any>) => void): Record<string, any> {
  const document = JSON.parse(JSON.stringify(certificate)) as Record<string, any>
  change(document)
  return document
}

function flipHexByte(hex: string, position: number): string {
  const bytes = fromHex(hex)
  bytes[position]! ^= 0x01
  return toHex(bytes)
}

describe('core/chain/tx-certificate', () => {
  const network = createTestNetwork()
  const genesis = network.genesis
  const {user, auditor, orgadmin} = network.accounts
  const txs = [
    makeTx(user, {args: {key: 'inj-001', hash: 'aa'.repeat(32)}}),
    makeTx(orgadmin, {args: {key: 'inj-002', hash: 'bb'.repeat(32)}}),
    makeTx(auditor, {args: {key: 'inj-003', hash: 'cc'.repeat(32)}}), // fails: auditors may not put
    makeTx(user, {args: {key: 'inj-004', hash: 'dd'.repeat(32), meta: {org: '太原市人社局'}}}),
    makeTx(user, {args: {key: 'inj-001', hash: 'ee'.repeat(32)}}), // fails: key already recorded
  ]
  const block = commitBlock(network, genesis, txs, [network.validator])
  const certificate = certificateFor(genesis, block, 1)

  function expectInvalid(document: unknown, reason: RegExp, against: Genesis = genesis): void {
    let check
    expect(() => (check = verifyTxCertificate(document, against))).to.not.throw()
    expect(check!.valid, JSON.stringify(check)).to.equal(false)
    expect(check!.reason).to.be.a('string').and.match(reason)
  }

  describe('a valid certificate', () => {
    it('verifies against the genesis, for every tx of the block', () => {
      expect(block.receipts.map((receipt) => receipt.status)).to.deep.equal(['ok', 'ok', 'failed', 'ok', 'failed'])
      for (let index = 0; index < txs.length; index++) {
        const check = verifyTxCertificate(certificateFor(genesis, block, index), genesis)
        expect(check).to.deep.equal({valid: true, txHash: txs[index]!.hashHex, height: 1, status: block.receipts[index]!.status, chainId: CHAIN_ID, membershipChanges: 0})
      }
    })

    it('survives a JSON round trip (the exported file) and a re-parsed genesis file', () => {
      const file = JSON.parse(JSON.stringify(certificate)) as unknown
      const genesisFile = parseGenesis(JSON.parse(JSON.stringify(genesis)))
      expect(verifyTxCertificate(file, genesisFile).valid).to.equal(true)
    })

    it('carries the canonical bytes and a summary for humans', () => {
      expect(certificate.format).to.equal(TX_CERTIFICATE_FORMAT)
      expect(certificate.genesisHash).to.equal(genesisBlock(genesis).hashHex)
      expect(certificate.tx).to.equal(toHex(txs[1]!.bytes))
      expect(certificate.header).to.equal(toHex(encodeHeader(block.header)))
      expect(certificate.blockHash).to.equal(toHex(hashHeader(block.header)))
      expect(certificate.receipt).to.equal(toHex(encodeReceipt(block.receipts[1]!)))
      expect(certificate.certificate).to.equal(toHex(encodeCertificate(block.certificate)))
      expect(certificate.summary).to.deep.equal({status: 'ok', contract: 'evidence', method: 'put', sender: orgadmin.address, blockTime: block.header.timestamp})
    })

    it('still verifies in format 1 (no membership chain), against the genesis validators', () => {
      const v1 = changed(certificate, (d) => Object.assign(d, {format: TX_CERTIFICATE_FORMAT_V1, membership: undefined}))
      expect(verifyTxCertificate(v1, genesis)).to.include({valid: true, membershipChanges: 0})
      expectInvalid(changed(certificate, (d) => void (d.format = TX_CERTIFICATE_FORMAT_V1)), /format 1 certificate carries no membership/)
      expectInvalid(changed(certificate, (d) => void delete d.membership), /membership must be a list/)
    })

    it('is refused by buildTxCertificate for an index outside the block', () => {
      for (const index of [-1, 5, 1.5]) {
        expect(() => certificateFor(genesis, block, index)).to.throw(WichainError).with.property('code', 'NOT_FOUND')
      }
    })

    it('verifies for a PBFT chain with a quorum of validator signatures, not fewer', () => {
      const validators = [network.validator, ...Array.from({length: 3}, () => createSigner(generateKeyPair()))]
      const pbftGenesis = parseGenesis(genesisDocument(validators, network.accounts, 'pbft'))
      const quorum = commitBlock(network, pbftGenesis, txs.slice(0, 2), validators.slice(1))
      expect(verifyTxCertificate(certificateFor(pbftGenesis, quorum, 0), pbftGenesis).valid).to.equal(true)
      const short = commitBlock(network, pbftGenesis, txs.slice(0, 2), validators.slice(2))
      expectInvalid(certificateFor(pbftGenesis, short, 0), /only 2 signatures, 3 needed/, pbftGenesis)
    })
  })

  describe('tampering is rejected with a reason', () => {
    it('tx bytes', () => {
      expectInvalid(changed(certificate, (d) => void (d.tx = toHex(txs[0]!.bytes))), /tx bytes do not hash to txHash/)
      expectInvalid(changed(certificate, (d) => void (d.tx = flipHexByte(d.tx, 40))), /./)
      expectInvalid(changed(certificate, (d) => void (d.tx = d.tx.slice(0, -2))), /tx/)
      // Another tx of the block with its hash: the receipt still names the original tx.
      expectInvalid(changed(certificate, (d) => Object.assign(d, {tx: toHex(txs[0]!.bytes), txHash: txs[0]!.hashHex})), /receipt is for another tx/)
      // Another tx and its receipt, but the proofs of position 1.
      const other = {tx: toHex(txs[3]!.bytes), txHash: txs[3]!.hashHex, receipt: toHex(encodeReceipt(block.receipts[3]!))}
      expectInvalid(changed(certificate, (d) => Object.assign(d, other)), /tx is not in the block/)
    })

    it('tx signature', () => {
      const forgedTx = txFromDocument({body: txToDocument(txs[1]!).body, signature: txs[0]!.signature})
      const forgedBlock = commitBlock(network, genesis, [txs[0]!, forgedTx], [network.validator])
      expectInvalid(certificateFor(genesis, forgedBlock, 1), /tx signature does not verify/)
    })

    it('receipt bytes', () => {
      expectInvalid(changed(certificate, (d) => void (d.receipt = toHex(encodeReceipt(block.receipts[0]!)))), /receipt is for another tx/)
      const flipped = createReceipt({...block.receipts[1]!, status: 'failed', error: {code: 'CONTRACT_ERROR', message: 'x'}})
      expectInvalid(changed(certificate, (d) => Object.assign(d, {receipt: toHex(encodeReceipt(flipped)), summary: {...d.summary, status: 'failed'}})), /receipt is not in the block/)
      const otherResult = createReceipt({...block.receipts[1]!, result: '{"key":"inj-002","hash":"00"}'})
      expectInvalid(changed(certificate, (d) => void (d.receipt = toHex(encodeReceipt(otherResult)))), /receipt is not in the block/)
      expectInvalid(changed(certificate, (d) => void (d.receipt = flipHexByte(d.receipt, 5))), /./)
    })

    it('header bytes', () => {
      const later = {...block.header, timestamp: block.header.timestamp + 1}
      expectInvalid(changed(certificate, (d) => void (d.header = toHex(encodeHeader(later)))), /header does not match height\/blockHash/)
      // Header and blockHash changed together: the commit certificate signed another block.
      const moved = (d: Record<string, any>) => Object.assign(d, {header: toHex(encodeHeader(later)), blockHash: toHex(hashHeader(later)), summary: {...d.summary, blockTime: later.timestamp}})
      expectInvalid(changed(certificate, moved), /commit certificate is for another block/)
      const otherRoot = {...block.header, txRoot: sm3(utf8('x'))}
      expectInvalid(changed(certificate, (d) => Object.assign(d, {header: toHex(encodeHeader(otherRoot)), blockHash: toHex(hashHeader(otherRoot))})), /tx is not in the block/)
      const otherCount = {...block.header, txCount: 6}
      expectInvalid(changed(certificate, (d) => Object.assign(d, {header: toHex(encodeHeader(otherCount)), blockHash: toHex(hashHeader(otherCount))})), /proof size does not match the block/)
      expectInvalid(changed(certificate, (d) => void (d.header = flipHexByte(d.header, 3))), /./)
      expect(decodeHeader(fromHex(certificate.header))).to.deep.equal(block.header)
    })

    it('proof paths', () => {
      expectInvalid(changed(certificate, (d) => void (d.txProof.path[0].hash = toHex(sm3(utf8('x'))))), /tx is not in the block/)
      expectInvalid(changed(certificate, (d) => void (d.receiptProof.path[1].hash = toHex(sm3(utf8('x'))))), /receipt is not in the block/)
      expectInvalid(changed(certificate, (d) => void d.txProof.path.pop()), /tx is not in the block/)
      expectInvalid(changed(certificate, (d) => void d.receiptProof.path.push(d.receiptProof.path[0])), /receipt is not in the block/)
      expectInvalid(changed(certificate, (d) => void (d.txProof.path[0].side = d.txProof.path[0].side === 'left' ? 'right' : 'left')), /tx is not in the block/)
      expectInvalid(changed(certificate, (d) => void (d.txProof.path = 'none')), /tx is not in the block/)
    })

    it('proof index and total', () => {
      expectInvalid(changed(certificate, (d) => void (d.txProof.index = 0)), /different positions/)
      expectInvalid(changed(certificate, (d) => void (d.receiptProof.index = 2)), /different positions/)
      expectInvalid(changed(certificate, (d) => void (d.txProof.index = d.receiptProof.index = 0)), /tx is not in the block/)
      expectInvalid(changed(certificate, (d) => void (d.txProof.total = 4)), /proof size does not match the block/)
      expectInvalid(changed(certificate, (d) => void (d.receiptProof.total = 8)), /proof size does not match the block/)
      expectInvalid(changed(certificate, (d) => void (d.receiptProof.total = 1e999)), /proof size does not match the block/)
    })

    it('commit certificate signature and signer', () => {
      const flipped = {...block.certificate, signatures: [{...block.certificate.signatures[0]!, signature: fromHex(flipHexByte(toHex(block.certificate.signatures[0]!.signature), 10))}]}
      expectInvalid(changed(certificate, (d) => void (d.certificate = toHex(encodeCertificate(flipped)))), /bad signature by/)
      const byStranger = commitCertificate('solo', block.header, [network.stranger])
      expectInvalid(changed(certificate, (d) => void (d.certificate = toHex(encodeCertificate(byStranger)))), /is not a validator/)
      // A validator's signature over another block's hash.
      const otherHeader = {...block.header, stateRoot: sm3(utf8('another state'))}
      const forOtherBlock = {...commitCertificate('solo', otherHeader, [network.validator]), blockHash: hashHeader(block.header)}
      expectInvalid(changed(certificate, (d) => void (d.certificate = toHex(encodeCertificate(forOtherBlock)))), /bad signature by/)
      const unsigned = {...block.certificate, signatures: []}
      expectInvalid(changed(certificate, (d) => void (d.certificate = toHex(encodeCertificate(unsigned)))), /needs exactly one signature/)
      const pbft = commitCertificate('pbft', block.header, [network.validator])
      expectInvalid(changed(certificate, (d) => void (d.certificate = toHex(encodeCertificate(pbft)))), /certificate is pbft; the chain runs solo/)
      const wrongHeight = {...block.certificate, height: 2}
      expectInvalid(changed(certificate, (d) => void (d.certificate = toHex(encodeCertificate(wrongHeight)))), /commit certificate is for another block/)
      expectInvalid(changed(certificate, (d) => void (d.certificate = d.certificate.slice(4))), /./)
    })

    it('summary fields', () => {
      const changes: Array<Record<string, unknown>> = [
        {status: 'failed'}, {contract: 'governance'}, {method: 'get'}, {sender: network.accounts.user.address}, {blockTime: 0},
      ]
      for (const change of changes) {
        expectInvalid(changed(certificate, (d) => void (d.summary = {...d.summary, ...change})), /summary does not match the signed data/)
      }
      expectInvalid(changed(certificate, (d) => void delete d.summary), /summary does not match/)
      expectInvalid(changed(certificate, (d) => void (d.summary = null)), /summary does not match/)
    })

    it('top-level fields', () => {
      expectInvalid(changed(certificate, (d) => void (d.chainId = 'injury-city')), /chain id does not match the genesis/)
      expectInvalid(changed(certificate, (d) => void (d.height = 2)), /header does not match height\/blockHash/)
      expectInvalid(changed(certificate, (d) => void (d.blockHash = '00'.repeat(32))), /header does not match height\/blockHash/)
      expectInvalid(changed(certificate, (d) => void (d.txHash = txs[0]!.hashHex)), /tx bytes do not hash to txHash/)
      expectInvalid(changed(certificate, (d) => void (d.genesisHash = '00'.repeat(32))), /another genesis/)
    })

    it('another genesis: other chain id or other validators', () => {
      const otherChain = parseGenesis({...network.document, chainId: 'injury-city'})
      expectInvalid(certificate, /another genesis/, otherChain)
      const otherValidator = createSigner(generateKeyPair())
      const otherValidators = parseGenesis({...network.document, validators: [{name: 'node0', publicKey: toHex(otherValidator.publicKey)}]})
      expectInvalid(certificate, /another genesis/, otherValidators)
      // Even with the genesis hash of that other genesis, the signatures do not match its validators.
      const rehomed = changed(certificate, (d) => void (d.genesisHash = genesisBlock(otherValidators).hashHex))
      expectInvalid(rehomed, /is not a validator/, otherValidators)
    })

    it('wrong format string', () => {
      for (const format of ['wichain-tx-certificate/3', '', null, 1]) {
        expectInvalid(changed(certificate, (d) => void (d.format = format)), /not a wichain tx certificate/)
      }
      expectInvalid(changed(certificate, (d) => void delete d.format), /not a wichain tx certificate/)
    })

    it('junk JSON values, never throwing', () => {
      const junk: unknown[] = [
        null, undefined, [], [certificate], 'certificate', 42, true, {},
        {format: TX_CERTIFICATE_FORMAT},
        {format: TX_CERTIFICATE_FORMAT, genesisHash: certificate.genesisHash},
        changed(certificate, (d) => void (d.tx = 5)),
        changed(certificate, (d) => void (d.tx = 'zz')),
        changed(certificate, (d) => void (d.tx = '')),
        changed(certificate, (d) => void (d.receipt = null)),
        changed(certificate, (d) => void (d.header = [])),
        changed(certificate, (d) => void (d.certificate = '')),
        changed(certificate, (d) => void (d.txProof = null)),
        changed(certificate, (d) => void (d.receiptProof = 'proof')),
        changed(certificate, (d) => void (d.txProof.path = [null])),
        changed(certificate, (d) => void (d.txProof.index = '1')),
      ]
      for (const document of junk) expectInvalid(document, /./)
      expectInvalid(certificate, /./, null as unknown as Genesis)
    })
  })
})
