/**
 * The production ConsensusCrypto: SM2 signatures (default ID) with the node key, SM3 digests.
 * A node id is the hex of its 65-byte public key, so any id can be verified without a lookup.
 */
import {fromHex, toHex} from '../bytes.js'
import {createSigner, verify, type KeyPair} from '../crypto/sm2.js'
import {sm3} from '../crypto/sm3.js'
import type {ConsensusCrypto, NodeId} from './engine.js'

export function createSm2ConsensusCrypto(keyPair: KeyPair): ConsensusCrypto {
  const signer = createSigner(keyPair)
  return Object.freeze({
    self: toHex(signer.publicKey),
    sign: (message: Uint8Array) => signer.sign(message),
    verify: (id: NodeId, message: Uint8Array, signature: Uint8Array) => verifyById(id, message, signature),
    hash: (data: Uint8Array) => sm3(data),
  })
}

function verifyById(id: NodeId, message: Uint8Array, signature: Uint8Array): boolean {
  let publicKey: Uint8Array
  try {
    publicKey = fromHex(id, 'node id')
  } catch {
    return false
  }
  return verify(publicKey, message, signature)
}
