import {createRequire} from 'node:module'
import {pathToFileURL} from 'node:url'
const require = createRequire(import.meta.url)
let t0 = performance.now()
const url = pathToFileURL(require.resolve('binaryen')).href + '?tsx-namespace=wichain-vm'
const b = (await import(url)).default
console.log('binaryen import', Math.round(performance.now() - t0), typeof b.readBinary); t0 = performance.now()
