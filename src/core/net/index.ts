/** Node-to-node networking (spec §8.4.5): authenticated, encrypted TCP transport, peer set, sync. */
export {type Channel, CHANNELS, checkChannel} from './envelope.js'
export {FrameDecoder, encodeFrame, FRAME_HEADER_BYTES} from './frame.js'
export {Handshake, type HandshakeOptions, type HandshakeResult, type IsAllowed, PROTOCOL_VERSION, type Role} from './handshake.js'
export {DEFAULT_LIMITS, type NetworkLimits, reconnectDelayMs, resolveLimits} from './options.js'
export {type PeerAddress, type PeerStatus} from './peer.js'
export {MAC_BYTES, SecureChannel, type SessionKeys} from './secure-channel.js'
export {type RequestHandler, type SyncOptions, SyncService, type SyncTransport} from './sync.js'
export {
  type DisconnectListener, type MessageListener, NetworkNode, type NetworkNodeOptions, type PeerListener,
} from './transport.js'
export {messageBytesMax} from './connection.js'
export {sm3Kdf} from './kdf.js'
