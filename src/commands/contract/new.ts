import {Args, Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {scaffoldContract, templatesDir} from '../../cli/contract.js'

export default class ContractNew extends WichainCommand<typeof ContractNew> {
  static summary = 'Scaffold an AssemblyScript contract project from a template'
  static description = 'Copies templates/contracts/<template> into DIR with a copy of the SDK, so the project also builds on its own with `npx asc --config asconfig.json`. Templates: counter, evidence (存证), claim (work-injury claim state machine).'
  static examples = ['<%= config.bin %> contract new ./my-counter --template counter --json']
  static args = {dir: Args.string({description: 'directory to create (must be new or empty)', required: true})}
  static flags = {
    template: Flags.string({description: 'template name (counter, evidence, claim)', default: 'counter'}),
  }

  protected async execute() {
    const {dir, files} = await scaffoldContract(templatesDir(), this.flags.template, this.args.dir)
    return {dir, template: this.flags.template, files, next: `${this.config.bin} contract build ${dir} --out ${dir}/build/contract.wasm`}
  }
}
