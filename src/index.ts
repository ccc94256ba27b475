/**
 * wichain as a library: the client SDK business systems use to push records on chain, and the
 * building blocks to sign txs and verify certificates offline.
 */
export {WichainClient, type ClientOptions, type TxResult} from './sdk/client.js'
export {createTx, decodeTx, txToJson, type Tx, type TxRequest} from './core/types/tx.js'
export {verifyTxCertificate, type TxCertificate, type TxCertificateCheck} from './core/chain/tx-certificate.js'
export {parseGenesis, type Genesis} from './core/chain/genesis.js'
export * as crypto from './core/crypto/index.js'
export {WichainError, ERROR_CODES, type ErrorCode} from './core/errors.js'
