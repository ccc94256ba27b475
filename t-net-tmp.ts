import {generateKeyPair, verify, sign, createSigner} from './src/core/crypto/index.js'
const k = generateKeyPair()
const m = new Uint8Array(32)
const s = sign(k.privateKey, m, k.publicKey)
for (let i=0;i<4;i++){ const t=performance.now(); verify(k.publicKey, m, s); console.log('verify', performance.now()-t)}
for (let i=0;i<3;i++){ const t=performance.now(); createSigner(generateKeyPair()); console.log('signer', performance.now()-t)}
