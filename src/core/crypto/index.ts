/** The SM crypto core: SM2 keys, signatures and encryption, SM3, SM4, keystore files. */
export * from './sm2.js'
export {hmacSm3, sm3, SM3_BYTES} from './sm3.js'
export {
  createSm4BlockCipher, type Sm4BlockCipher, SM4_BLOCK_BYTES, SM4_IV_BYTES, SM4_KEY_BYTES, sm4Ctr, sm4DecryptCbc,
  sm4EncryptBlock, sm4EncryptCbc,
} from './sm4.js'
export {
  createKeystore, KEYSTORE_ITERATIONS_DEFAULT, KEYSTORE_ITERATIONS_MAX, KEYSTORE_VERSION, type Keystore,
  type KeystoreCrypto, type KeystoreOptions, openKeystore, parseKeystore, readKeystoreFile, readPasswordFile,
  writeKeystoreFile, type WriteKeystoreOptions,
} from './keystore.js'
