/**
 * Header-only sync between a full Chain and a HeaderChain, in process: headers with certificates
 * and membership links cross the wire encoding, the header chain follows the validator set
 * through an add and a remove, and refuses what a tampered, incomplete or forged answer claims.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {toHex} from '../../../../src/core/bytes.js'
import {createSigner} from '../../../../src/core/crypto/index.js'
import {nullLogger} from '../../../../src/core/log.js'
import {HeaderChain} from '../../../../src/core/node/header-chain.js'
import {decodeHeadersAnswer, encodeHeadersAnswer, serveHeaders, type HeadersAnswer} from '../../../../src/core/node/header-sync.js'
import {decodeSyncQuery, encodeSyncQuery, SYNC_HEADERS_PER_ANSWER_MAX} from '../../../../src/core/node/sync-protocol.js'
import {hashHeader} from '../../../../src/core/types/block.js'
import {commitSignBytes} from '../../../../src/core/types/certificate.js'
import {buildChangingChain, type ChangingChain} from '../chain/membership-fixture.js'

describe('core/node/header-sync: a header-only chain follows a full one', function () {
  this.timeout(60_000)
  let fixture: ChangingChain
  let directory: string
  let headers: HeaderChain | undefined
  let serial = 0

  const open = async (): Promise<HeaderChain> => {
    headers = await HeaderChain.open({directory: join(directory, `headers-${serial++}`), genesis: fixture.genesis, logger: nullLogger})
    return headers
  }
  /** The full chain's answer after the wire encoding, as a peer receives it. */
  const served = async (from = 1, count = SYNC_HEADERS_PER_ANSWER_MAX): Promise<HeadersAnswer> =>
    decodeHeadersAnswer(encodeHeadersAnswer(await serveHeaders(fixture.chains[0]!, from, count)))

  before(async () => {
    fixture = await buildChangingChain('wi-headers')
    directory = mkdtempSync(join(tmpdir(), 'wichain-header-sync-'))
  })
  afterEach(async () => {
    await headers?.close()
    headers = undefined
  })
  after(async () => {
    await fixture.cluster.close()
    rmSync(directory, {recursive: true, force: true})
  })

  it('asks for headers with a bounded count', () => {
    expect(decodeSyncQuery(encodeSyncQuery({type: 'headers', from: 3, count: 10_000}))).to.deep.equal({type: 'headers', from: 3, count: SYNC_HEADERS_PER_ANSWER_MAX})
  })

  it('serves headers with the links of the changes among them, and nothing past the head', async () => {
    const {heights, chains} = fixture
    const answer = await served()
    expect(answer.headers.map((entry) => entry.header.height)).to.deep.equal(Array.from({length: chains[0]!.head().height}, (_, index) => index + 1))
    expect(answer.links.map((link) => link.height)).to.deep.equal([heights.add, heights.remove])
    expect((await served(heights.voted, 1)).links).to.deep.equal([])
    expect((await served(heights.remove, 1)).links.map((link) => link.height)).to.deep.equal([heights.remove])
    expect((await served(chains[0]!.head().height + 1)).headers).to.deep.equal([])
  })

  it('stores verified headers, follows the validator set, and keeps both across a reopen', async () => {
    const chain = await open()
    expect(await chain.apply(await served(1, 2))).to.deep.equal({applied: 2})
    expect(await chain.apply(await served(3))).to.deep.equal({applied: fixture.chains[0]!.head().height - 2})
    expect(toHex(chain.head().hash)).to.equal(toHex(fixture.chains[0]!.head().hash))
    expect(chain.members()).to.deep.equal(fixture.chains[0]!.members())
    expect(chain.status()).to.include({height: fixture.chains[0]!.head().height, role: 'observer', validators: 4})
    const last = (await chain.getHeader(fixture.heights.after))!
    expect(toHex(last.hash)).to.equal(toHex(fixture.chains[0]!.head().hash))
    expect(await chain.getHeaderByHash(last.hash)).to.deep.equal(last)
    await chain.close()
    headers = await HeaderChain.open({directory: join(directory, `headers-${serial - 1}`), genesis: fixture.genesis, logger: nullLogger})
    expect(headers.members()).to.deep.equal(fixture.chains[0]!.members())
    expect(headers.head().height).to.equal(fixture.chains[0]!.head().height)
  })

  it('checks a tx certificate against the headers it holds', async () => {
    const chain = await open()
    const certificate = JSON.parse(JSON.stringify(await fixture.chains[0]!.getTxCertificate(fixture.txs.voted.hashHex)))
    expect(await chain.checkTxCertificate(certificate)).to.deep.include({valid: false, reason: `this node does not hold block ${fixture.heights.voted} yet`})
    await chain.apply(await served())
    expect(await chain.checkTxCertificate(certificate)).to.deep.include({valid: true, height: fixture.heights.voted, membershipChanges: 1})
    expect(await chain.checkTxCertificate({...certificate, tx: '00'})).to.include({valid: false})
  })

  it('fails closed without the links: a block signed by the added validator is refused', async () => {
    const chain = await open()
    const answer = await served()
    const result = await chain.apply({headers: answer.headers, links: []})
    expect(result.applied).to.equal(fixture.heights.voted - 1)
    expect(result.problem).to.match(/signer .* is not a validator/)
    expect(chain.head().height).to.equal(fixture.heights.voted - 1)
  })

  it('refuses a link for another block, a header that does not extend, and a link outside the answer', async () => {
    const chain = await open()
    const answer = await served()
    const [add, remove] = answer.links
    const swapped = await chain.apply({headers: answer.headers, links: [{...remove!, height: add!.height}]})
    expect(swapped).to.deep.include({applied: fixture.heights.add - 1})
    expect(swapped.problem).to.match(/link .* is for another block/)
    expect((await chain.apply({headers: answer.headers.slice(chain.head().height + 1), links: []})).problem).to.match(/does not extend/)
    const fresh = await open()
    expect((await fresh.apply({headers: answer.headers.slice(0, 1), links: [add!]})).problem).to.match(/links for heights not in the answer/)
    await fresh.close()
  })

  it('refuses a certificate signed by a validator after its removal', async () => {
    const chain = await open()
    const answer = await served()
    const lastEntry = answer.headers.at(-1)!
    const blockHash = hashHeader(lastEntry.header)
    const message = commitSignBytes('pbft', lastEntry.header.height, lastEntry.header.round, blockHash)
    const signatures = [1, 2, 3].map((index) => createSigner(fixture.nodeKeys[index]!)).map((signer) => ({signer: toHex(signer.publicKey), signature: signer.sign(message)}))
    const forged = {headers: [...answer.headers.slice(0, -1), {header: lastEntry.header, certificate: {...lastEntry.certificate, signatures}}], links: answer.links}
    const result = await chain.apply(forged)
    expect(result.applied).to.equal(answer.headers.length - 1)
    expect(result.problem).to.match(/signer .* is not a validator/)
  })
})
