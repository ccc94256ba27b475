/**
 * Cheap deterministic signatures for the simulator: signature = SM3(secret(signer) || message).
 * Only the simulator knows every secret; a node's crypto can sign only as itself, so a Byzantine
 * node can equivocate with its own key but cannot forge another's. Real SM2 plugs in instead
 * through `SimulationOptions.createCrypto`.
 */
import {bytesEqual, utf8} from '../../bytes.js'
import {sm3} from '../../crypto/sm3.js'
import type {ConsensusCrypto, NodeId} from '../engine.js'

export class FakeKeyring {
  private readonly secrets = new Map<NodeId, Uint8Array>()

  constructor(ids: readonly NodeId[], seed: number) {
    for (const id of ids) this.secrets.set(id, sm3(utf8(`wichain-sim-secret/${seed}/${id}`)))
  }

  cryptoFor(self: NodeId): ConsensusCrypto {
    const secret = this.secrets.get(self)
    if (secret === undefined) throw new RangeError(`no simulated key for ${self}`)
    return {
      self,
      sign: (message) => sm3(secret, message),
      verify: (signer, message, signature) => this.verify(signer, message, signature),
      hash: (data) => sm3(data),
    }
  }

  verify(signer: NodeId, message: Uint8Array, signature: Uint8Array): boolean {
    const secret = this.secrets.get(signer)
    return secret !== undefined && signature.length === 32 && bytesEqual(sm3(secret, message), signature)
  }
}
