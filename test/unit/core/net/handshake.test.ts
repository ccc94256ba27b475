import {expect} from 'chai'
import {kdf as referenceKdf} from 'sm-crypto-v2'
import {bytesEqual, toHex} from '../../../../src/core/bytes.js'
import {createSigner, generateKeyPair} from '../../../../src/core/crypto/index.js'
import {WichainError} from '../../../../src/core/errors.js'
import {Handshake, type HandshakeOptions, type HandshakeResult, sm3Kdf} from '../../../../src/core/net/index.js'
import {decodeHandshakeMessage, encodeHello, encodeReject} from '../../../../src/core/net/handshake-messages.js'
import {identity, type TestIdentity} from './helpers.js'

const alice = identity()
const bob = identity()
const mallory = identity()

function options(who: TestIdentity, allowed: TestIdentity[], extra: Partial<HandshakeOptions> = {}): HandshakeOptions {
  const keys = new Set(allowed.map((peer) => peer.hex))
  return {signer: createSigner(who.keyPair), networkId: 'chain-a', isAllowed: (key) => keys.has(key), ...extra}
}

/** Runs both state machines against each other in memory; returns both results. */
function run(initiator: Handshake, responder: Handshake): {initiator: HandshakeResult; responder: HandshakeResult} {
  let toResponder = [...initiator.start()]
  responder.start()
  let initiatorResult: HandshakeResult | undefined
  let responderResult: HandshakeResult | undefined
  for (let round = 0; round < 4 && (initiatorResult === undefined || responderResult === undefined); round++) {
    const toInitiator: Uint8Array[] = []
    for (const frame of toResponder) {
      const step = responder.receive(frame)
      toInitiator.push(...step.outgoing)
      responderResult ??= step.result
    }
    toResponder = []
    for (const frame of toInitiator) {
      const step = initiator.receive(frame)
      toResponder.push(...step.outgoing)
      initiatorResult ??= step.result
    }
  }
  expect(initiatorResult, 'initiator finished').to.not.equal(undefined)
  expect(responderResult, 'responder finished').to.not.equal(undefined)
  return {initiator: initiatorResult as HandshakeResult, responder: responderResult as HandshakeResult}
}

function failure(action: () => unknown): WichainError {
  try {
    action()
  } catch (error) {
    if (error instanceof WichainError) return error
    throw error
  }
  throw new Error('expected a failure')
}

describe('net/handshake', () => {
  it('authenticates both sides and agrees on mirrored per-direction keys', () => {
    const result = run(
      new Handshake('initiator', options(alice, [bob], {expectedRemoteKeyHex: bob.hex})),
      new Handshake('responder', options(bob, [alice])),
    )
    expect(result.initiator.remoteKeyHex).to.equal(bob.hex)
    expect(result.responder.remoteKeyHex).to.equal(alice.hex)
    expect(result.initiator.initiatorKeyHex).to.equal(alice.hex)
    expect(result.responder.initiatorKeyHex).to.equal(alice.hex)
    expect(toHex(result.initiator.transcriptHash)).to.equal(toHex(result.responder.transcriptHash))
    const [mine, theirs] = [result.initiator.keys, result.responder.keys]
    expect(toHex(mine.send.key)).to.equal(toHex(theirs.receive.key))
    expect(toHex(mine.send.macKey)).to.equal(toHex(theirs.receive.macKey))
    expect(toHex(mine.receive.iv)).to.equal(toHex(theirs.send.iv))
    expect(toHex(mine.send.key)).to.not.equal(toHex(mine.receive.key))
    expect(toHex(mine.send.macKey)).to.not.equal(toHex(mine.receive.macKey))
  })

  it('derives fresh keys for every session between the same nodes', () => {
    const first = run(new Handshake('initiator', options(alice, [bob])), new Handshake('responder', options(bob, [alice])))
    const second = run(new Handshake('initiator', options(alice, [bob])), new Handshake('responder', options(bob, [alice])))
    expect(toHex(first.initiator.keys.send.key)).to.not.equal(toHex(second.initiator.keys.send.key))
  })

  it('responder refuses an initiator that is not on its allowed list, before revealing anything', () => {
    const initiator = new Handshake('initiator', options(mallory, [bob]))
    let ephemeralKeys = 0
    const responder = new Handshake('responder', options(bob, [alice], {generateEphemeral: () => {
      ephemeralKeys += 1
      return generateKeyPair()
    }}))
    expect(responder.start()).to.deep.equal([])
    const error = failure(() => responder.receive(initiator.start()[0]))
    expect(ephemeralKeys, 'no key work for an unlisted client').to.equal(0)
    expect(error.code).to.equal('PEER_REFUSED')
    expect(error.details?.reason).to.equal('key is not on the allowed node list')
    expect(error.details?.publicKey).to.equal(mallory.hex)
  })

  it('initiator refuses a responder that is not on its allowed list', () => {
    const initiator = new Handshake('initiator', options(alice, []))
    const responder = new Handshake('responder', options(bob, [alice]))
    responder.start()
    const [hello] = responder.receive(initiator.start()[0]).outgoing
    expect(failure(() => initiator.receive(hello)).details?.reason).to.equal('key is not on the allowed node list')
  })

  it('refuses another network id, another protocol version, an unexpected identity and itself', () => {
    const otherNetwork = new Handshake('initiator', {...options(alice, [bob]), networkId: 'chain-b'})
    const responder = () => {
      const handshake = new Handshake('responder', options(bob, [alice]))
      handshake.start()
      return handshake
    }
    expect(failure(() => responder().receive(otherNetwork.start()[0])).message).to.match(/network id 'chain-b'/)
    const hello = decodeHandshakeMessage(new Handshake('initiator', options(alice, [bob])).start()[0])
    if (hello.type !== 'hello') throw new Error('expected hello')
    const futureHello = encodeHello({...hello.hello, version: 2})
    expect(failure(() => responder().receive(futureHello)).message).to.match(/protocol version 2/)
    const wrongTarget = new Handshake('initiator', options(alice, [bob, mallory], {expectedRemoteKeyHex: mallory.hex}))
    const [bobHello] = responder().receive(wrongTarget.start()[0]).outgoing
    expect(failure(() => wrongTarget.receive(bobHello)).message).to.match(/not the key listed/)
    const self = new Handshake('initiator', options(bob, [bob]))
    expect(failure(() => responder().receive(self.start()[0])).message).to.match(/connected to itself/)
  })

  it('fails on a forged auth signature and on a signature replayed from another session', () => {
    const initiator = new Handshake('initiator', options(alice, [bob]))
    const responder = new Handshake('responder', options(bob, [alice]))
    responder.start()
    const [hello, auth] = responder.receive(initiator.start()[0]).outgoing
    initiator.receive(hello)
    const forged = new Uint8Array(auth)
    forged[10] ^= 1
    expect(failure(() => initiator.receive(forged)).message).to.match(/does not verify/)

    // Replay: Bob's auth from session 1 shown to Alice in session 2 (fresh ephemerals and nonces).
    const initiator2 = new Handshake('initiator', options(alice, [bob]))
    const responder2 = new Handshake('responder', options(bob, [alice]))
    responder2.start()
    const [hello2] = responder2.receive(initiator2.start()[0]).outgoing
    initiator2.receive(hello2)
    expect(failure(() => initiator2.receive(auth)).code).to.equal('HANDSHAKE_FAILED')
  })

  it('fails when an impostor sends a listed key it does not hold', () => {
    const impostor = new Handshake('initiator', options(mallory, [bob]))
    const helloMessage = decodeHandshakeMessage(impostor.start()[0])
    if (helloMessage.type !== 'hello') throw new Error('expected hello')
    const claimed = encodeHello({...helloMessage.hello, staticKey: alice.keyPair.publicKey})
    const responder = new Handshake('responder', options(bob, [alice]))
    responder.start()
    responder.receive(claimed)
    // The impostor can only sign with its own key; the responder checks against Alice's.
    const signer = createSigner(mallory.keyPair)
    const auth = new Uint8Array(65)
    auth[0] = 2
    auth.set(signer.sign(new Uint8Array(32)), 1)
    expect(failure(() => responder.receive(auth)).code).to.equal('HANDSHAKE_FAILED')
  })

  it('reports a peer reject as PEER_REFUSED from the remote side and rejects garbage', () => {
    const initiator = new Handshake('initiator', options(alice, [bob]))
    initiator.start()
    const error = failure(() => initiator.receive(encodeReject('key is not on the allowed node list\n')))
    expect(error.code).to.equal('PEER_REFUSED')
    expect(error.details?.remote).to.equal(true)
    expect(error.message).to.not.contain('\n')
    const responder = new Handshake('responder', options(bob, [alice]))
    responder.start()
    expect(failure(() => responder.receive(new Uint8Array([1, 2, 3]))).code).to.equal('HANDSHAKE_FAILED')
    expect(failure(() => responder.receive(new Uint8Array([1]))).message).to.match(/state failed/)
  })

  it('treats an allow-list callback that throws as a refusal', () => {
    const responder = new Handshake('responder', {...options(bob, []), isAllowed: () => {
      throw new Error('database down')
    }})
    responder.start()
    expect(failure(() => responder.receive(new Handshake('initiator', options(alice, [bob])).start()[0])).code).to.equal('PEER_REFUSED')
  })

  it('uses the GB/T 32918.4 SM3 KDF (matches sm-crypto-v2)', () => {
    const secret = new Uint8Array(64).map((_, i) => i * 7)
    for (const length of [1, 16, 32, 33, 128, 1000]) {
      expect(bytesEqual(sm3Kdf(secret, length), referenceKdf(secret, length)), `length ${length}`).to.equal(true)
    }
  })
})
