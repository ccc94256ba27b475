/**
 * Signed txs with any args text, built around createTx (which refuses args a node would refuse):
 * what a hostile client or proposer can put on the wire. Decoded with decodeTx, as a node would.
 */
import {randomBytes} from 'node:crypto'
import {encodeCanonical} from '../../../../src/core/codec/canonical.js'
import type {Signer} from '../../../../src/core/crypto/index.js'
import {decodeTx, encodeTxBody, type Tx, type TxBody} from '../../../../src/core/types/tx.js'
import {CHAIN_ID} from './fixtures.js'

export function rawTx(signer: Signer, args: string, fields: Partial<Omit<TxBody, 'args' | 'sender'>> = {}): Tx {
  const body: TxBody = {
    chainId: CHAIN_ID,
    sender: signer.publicKey,
    nonce: new Uint8Array(randomBytes(16)),
    expiry: 50,
    contract: 'evidence',
    method: 'put',
    timestamp: 1_700_000_000_000,
    ...fields,
    args,
  }
  const signature = signer.sign(encodeTxBody(body))
  return decodeTx(encodeCanonical({body: {...body}, signature}))
}
