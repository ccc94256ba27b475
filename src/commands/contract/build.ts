import {Args, Flags} from '@oclif/core'
import {join, resolve} from 'node:path'
import {WichainCommand} from '../../cli/base.js'

export default class ContractBuild extends WichainCommand<typeof ContractBuild> {
  static summary = 'Compile a contract project (assembly/index.ts) to a WASM module'
  static description = 'Runs the AssemblyScript compiler with the flags the chain expects (stub runtime, no floats, memory capped) and validates the output as a deploy would.'
  static examples = ['<%= config.bin %> contract build ./my-counter --out counter.wasm --json']
  static args = {dir: Args.string({description: 'contract project directory', required: true})}
  static flags = {
    out: Flags.string({description: 'output file (default DIR/build/contract.wasm)'}),
  }

  protected async execute() {
    const {buildContract} = await import('../../core/vm/build.js')
    const out = resolve(this.flags.out ?? join(this.args.dir, 'build', 'contract.wasm'))
    const built = await buildContract(this.args.dir, out)
    return {out, size: built.size, codeHash: built.info.codeHash, methods: built.info.methods, imports: built.info.imports}
  }
}
