/** The shapes callers of the transport see: options and listener signatures. */
import type {KeyPair} from '../crypto/index.js'
import type {Logger} from '../log.js'
import type {Channel} from './envelope.js'
import type {IsAllowed} from './handshake.js'
import type {NetworkLimits} from './options.js'
import type {PeerAddress} from './peer.js'

export interface NetworkNodeOptions {
  readonly nodeKey: KeyPair
  /** Chain id or consortium network id; both sides must use the same. */
  readonly networkId: string
  /** Consulted at every handshake and by refreshAllowed(); the list may change at run time. */
  readonly isAllowed: IsAllowed
  readonly host?: string
  /** 0 picks a free port; read it back with address(). */
  readonly port?: number
  readonly peers?: readonly PeerAddress[]
  readonly limits?: Partial<NetworkLimits>
  readonly logger?: Logger
  readonly nowMs?: () => number
}

export type MessageListener = (fromPublicKeyHex: string, channel: Channel, body: Uint8Array) => void
export type PeerListener = (publicKeyHex: string) => void
export type DisconnectListener = (publicKeyHex: string, reason: string) => void
