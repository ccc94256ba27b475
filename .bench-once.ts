import {readFileSync} from 'node:fs'
import {benchCrypto, opensslSpeed, parseOpensslEvp, parseOpensslSm2} from './src/bench/crypto.js'
console.log(parseOpensslSm2(readFileSync('/tmp/osl/sp5.txt','utf8')), parseOpensslEvp(readFileSync('/tmp/osl/sp4.txt','utf8'),'sm3'), parseOpensslEvp(readFileSync('/tmp/osl/sp2.txt','utf8'),'sm4-cbc'))
console.log('ours', await benchCrypto({durationMs: 3000}))
console.log('openssl', await opensslSpeed({seconds: 3}))
console.log('missing', await opensslSpeed({seconds: 1, openssl: '/nonexistent/openssl'}))
