/** Root help lists the exit-code families and error codes, as scripts rely on them. */
import {Help} from '@oclif/core'
import {ERROR_CODES, EXIT} from '../core/errors.js'

export default class WichainHelp extends Help {
  public formatRoot(): string {
    const families = Object.entries(EXIT).map(([name, code]) => `  ${String(code).padStart(2)}  ${name}`)
    const codes = Object.entries(ERROR_CODES).map(([code, mapping]) => `  ${code.padEnd(22)} exit ${mapping.exit}  ${mapping.description}`)
    return [
      super.formatRoot(),
      '',
      'EXIT CODES',
      ...families,
      '',
      'ERROR CODES' + ' (in --json output: {"error":{"code","message"}})',
      ...codes,
      '',
      'Every command takes --json: stdout then holds exactly one JSON document.',
    ].join('\n')
  }
}
