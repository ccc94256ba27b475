/**
 * The signed manifest (format version 2). The account that makes a backup signs, with SM2, the
 * canonical CBOR of the whole manifest with `signature` empty: every member digest (so the node's
 * config, genesis and keystore, and every block segment), the chain id, genesis hash and head,
 * the creation time, the encryption block and its MAC, and the signer's own public key.
 *
 *   signature = SM2-Sign(signerKey, encodeCanonical({domain: MANIFEST_SIGNATURE_DOMAIN, manifest: {...manifest, signature: ''}}))
 *
 * Whether that signer may make backups of the chain is a separate question (signer.ts), asked
 * once the backup's genesis is read.
 */
import {fromHex, toHex} from '../../core/bytes.js'
import {encodeCanonical} from '../../core/codec/canonical.js'
import {addressOf, verify, type Signer} from '../../core/crypto/index.js'
import {WichainError} from '../../core/errors.js'
import type {Manifest} from './format.js'

/** Separates these signatures from every other SM2 signature a key makes (txs, votes, requests). */
export const MANIFEST_SIGNATURE_DOMAIN = 'wichain-backup-manifest/2'

export function manifestSignBytes(manifest: Manifest): Uint8Array {
  return encodeCanonical({domain: MANIFEST_SIGNATURE_DOMAIN, manifest: {...manifest, signature: ''}})
}

/** The manifest signed by `signer`, whose public key it must already name. */
export function signManifest(manifest: Manifest, signer: Signer): Manifest {
  if (manifest.signer !== toHex(signer.publicKey)) throw new Error('assertion: the manifest names another signer than the key signing it')
  return {...manifest, signature: toHex(signer.sign(manifestSignBytes(manifest)))}
}

/** Checks the manifest's signature against the key it names; returns the signer's address. */
export function checkManifestSignature(manifest: Manifest, file: string): string {
  const publicKey = fromHex(manifest.signer)
  let address: string
  try {
    address = addressOf(publicKey)
  } catch {
    throw new WichainError('VERIFICATION_FAILED', `backup ${file}: the manifest's signer is not a valid SM2 public key`, {file})
  }
  if (!verify(publicKey, manifestSignBytes(manifest), fromHex(manifest.signature))) {
    throw new WichainError('VERIFICATION_FAILED', `backup ${file}: the manifest's signature does not verify (the backup was altered after it was made, or not signed by ${address})`, {
      file,
      signer: address,
    })
  }
  return address
}
