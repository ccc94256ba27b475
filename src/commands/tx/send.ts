import {Flags} from '@oclif/core'
import {createSigner} from '../../core/crypto/index.js'
import {isErrorCode, WichainError} from '../../core/errors.js'
import {createTx} from '../../core/types/tx.js'
import {WichainCommand} from '../../cli/base.js'
import {clientFor, loadKey} from '../../cli/context.js'
import {parseArgsFlag} from '../../cli/send.js'
import {chainFlag, homeFlag, keyFlag, passwordFileFlag, rpcFlag} from '../../cli/flags.js'

export default class TxSend extends WichainCommand<typeof TxSend> {
  static summary = 'Sign and send a tx; waits for its commit unless --no-wait'
  static description = 'Exit 0 only when the tx commits with status ok. A tx that commits but fails (e.g. a second evidence.put of a key) exits non-zero with the receipt\'s error code; its txHash is in error.details.'
  static examples = [
    `<%= config.bin %> tx send --rpc http://127.0.0.1:26600 --key net/admin/user.json --contract evidence --method put --args '{"key":"INJ-2026-001","hash":"66c7f0f4…"}' --json`,
  ]
  static flags = {
    rpc: rpcFlag(),
    home: homeFlag(),
    chain: chainFlag(),
    key: keyFlag({required: true}),
    'password-file': passwordFileFlag(),
    contract: Flags.string({description: 'contract name (e.g. evidence)', required: true}),
    method: Flags.string({description: 'method name (e.g. put)', required: true}),
    args: Flags.string({description: 'JSON arguments', default: '{}'}),
    wait: Flags.boolean({description: 'wait for the commit (--no-wait returns once accepted)', default: true, allowNo: true}),
    'timeout-ms': Flags.integer({description: 'how long to wait for the commit', default: 30_000, min: 1, max: 60_000}),
  }

  protected async execute() {
    // Refused here, before any key or node is touched, when no node would admit the args.
    const args = parseArgsFlag(this.flags.args)
    const client = clientFor(this.flags)
    const signer = createSigner(await loadKey(this.flags))
    const status = await client.chainStatus()
    const tx = createTx(
      {chainId: status.chainId, contract: this.flags.contract, method: this.flags.method, args, expiry: status.height + (status as {txExpiryWindow?: number}).txExpiryWindow! },
      signer,
    )
    const result = await client.sendTx(tx, this.flags.wait ? this.flags['timeout-ms'] : 0)
    if (result.status === 'failed') {
      const receipt = (await client.getTx(tx.hashHex)).receipt as {error?: {code: string; message: string}}
      const code = isErrorCode(receipt.error?.code) ? receipt.error.code : 'CONTRACT_ERROR'
      throw new WichainError(code, `tx ${tx.hashHex} failed: ${receipt.error?.message ?? 'unknown reason'}`, {...result})
    }
    if (this.flags.wait && result.status === 'pending') {
      throw new WichainError('TIMEOUT', `tx ${tx.hashHex} not committed within ${this.flags['timeout-ms']} ms (still pending)`, {...result})
    }
    return {txHash: result.txHash, height: result.height ?? null, status: result.status}
  }
}
