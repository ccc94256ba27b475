/**
 * The invariants every run checks, on every block every correct node applies: no two different
 * blocks at one height anywhere, each node's chain grows one height at a time on its own parent,
 * and every certificate verifies against the validator set of its height.
 */
import {bytesEqual, toHex} from '../../bytes.js'
import {commitCertificateProblem, type VerifySignature} from '../certificate.js'
import type {CommitCertificate, CommittedBlock, NodeId} from '../engine.js'
import {ValidatorSchedule} from '../validator-schedule.js'
import {decodeSimBlock} from './application.js'

export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvariantViolation'
  }
}

export class SafetyChecker {
  private readonly committed = new Map<number, {hash: string; node: NodeId}>()
  private readonly schedule: ValidatorSchedule
  blocksChecked = 0

  constructor(
    initialValidators: readonly NodeId[],
    private readonly kind: CommitCertificate['kind'],
    private readonly verify: VerifySignature,
    private readonly digest: (payload: Uint8Array) => Uint8Array,
  ) {
    this.schedule = new ValidatorSchedule(1, initialValidators)
  }

  /** Called before `node` applies `block` on top of `tip`. */
  onApply(node: NodeId, block: CommittedBlock, tip: {height: number; hash: Uint8Array}): void {
    this.blocksChecked++
    const hash = this.digest(block.payload)
    if (block.height !== tip.height + 1) fail(`${node} applied height ${block.height} on top of ${tip.height}`)
    const first = this.committed.get(block.height)
    if (first !== undefined && first.hash !== toHex(hash)) {
      fail(`SAFETY: height ${block.height} committed as ${first.hash.slice(0, 16)} by ${first.node} and ${toHex(hash).slice(0, 16)} by ${node}`)
    }
    const content = decodeSimBlock(block.payload)
    if (content === undefined || content.height !== block.height || !bytesEqual(content.parent, tip.hash)) {
      fail(`${node} committed an invalid block at height ${block.height}`)
    }
    this.checkCertificate(node, block, hash)
    if (first === undefined) {
      this.committed.set(block.height, {hash: toHex(hash), node})
      if (content.validators !== undefined) this.schedule.set(block.height + 1, content.validators)
    }
  }

  validatorsAt(height: number): readonly NodeId[] {
    return this.schedule.at(height)
  }

  private checkCertificate(node: NodeId, block: CommittedBlock, hash: Uint8Array): void {
    const certificate = block.certificate
    if (certificate.kind !== this.kind) fail(`${node}: certificate kind ${certificate.kind}`)
    if (certificate.height !== block.height || !bytesEqual(certificate.blockHash, hash)) {
      fail(`${node}: certificate at height ${block.height} names another block`)
    }
    const problem = commitCertificateProblem(certificate, this.schedule.at(block.height), this.verify)
    if (problem !== undefined) fail(`${node}: certificate at height ${block.height} does not verify: ${problem}`)
  }
}

function fail(message: string): never {
  throw new InvariantViolation(message)
}
