/** PEM armour (RFC 7468): base64 in 64-column lines between BEGIN/END labels. */
import {WichainError} from '../errors.js'

/** PEM key files are a few hundred bytes; refuse anything far larger before parsing it. */
export const PEM_CHARS_MAX = 64 * 1024

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/

export function encodePem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64')
  const lines = base64.match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

/** The first PEM block in `text`: its label and DER bytes. KEY_ERROR when there is none. */
export function decodePem(text: string): {label: string; der: Uint8Array} {
  if (text.length > PEM_CHARS_MAX) throw new WichainError('KEY_ERROR', `PEM text longer than ${PEM_CHARS_MAX} characters`)
  const match = PEM_RE.exec(text)
  if (match === null) throw new WichainError('KEY_ERROR', 'no PEM block found')
  const label = match[1]!
  const body = match[2]!
  // Legacy OpenSSL encryption headers ("Proc-Type: 4,ENCRYPTED") mean a password-protected key.
  if (body.includes(':')) throw new WichainError('KEY_ERROR', 'encrypted or annotated PEM is not supported')
  const base64 = body.replace(/\s+/g, '')
  if (base64.length % 4 !== 0 || !BASE64_RE.test(base64)) {
    throw new WichainError('KEY_ERROR', `PEM block ${label} is not valid base64`)
  }
  return {label, der: new Uint8Array(Buffer.from(base64, 'base64'))}
}
