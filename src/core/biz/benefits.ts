/**
 * Benefit amounts of 工伤保险条例 (2010 revision), articles 35–37 and 34, in fen (integers): what
 * a benefit verification (工伤待遇核定) must agree with. Regional figures (the wage basis, the
 * regional average monthly wage) are inputs; the factors below are the regulation's. Pure.
 */
import {WichainError} from '../errors.js'

export const DISABILITY_GRADES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const
export type DisabilityGrade = (typeof DISABILITY_GRADES)[number]

/** One-time disability subsidy: months of the person's wage basis, by grade 1–10 (arts. 35–37). */
export const ONE_TIME_SUBSIDY_MONTHS: Readonly<Record<DisabilityGrade, number>> = Object.freeze({1: 27, 2: 25, 3: 23, 4: 21, 5: 18, 6: 16, 7: 13, 8: 11, 9: 9, 10: 7})

/** Monthly disability allowance: percent of the wage basis, grades 1–6 only (arts. 35–36). */
export const DISABILITY_ALLOWANCE_PERCENT: Readonly<Partial<Record<DisabilityGrade, number>>> = Object.freeze({1: 90, 2: 85, 3: 80, 4: 75, 5: 70, 6: 60})

export const CARE_DEPENDENCIES = ['complete', 'most', 'partial'] as const
export type CareDependency = (typeof CARE_DEPENDENCIES)[number]

/** Monthly care fee: percent of the regional average monthly wage, by dependency (art. 34). */
export const CARE_FEE_PERCENT: Readonly<Record<CareDependency, number>> = Object.freeze({complete: 50, most: 40, partial: 30})

function fen(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new WichainError('INVALID_ARGUMENT', `${what} must be a whole number of fen, not negative`)
  return value
}

function grade(value: number): DisabilityGrade {
  if (!(DISABILITY_GRADES as readonly number[]).includes(value)) throw new WichainError('INVALID_ARGUMENT', 'a disability grade is 1..10')
  return value as DisabilityGrade
}

/** Percent of an amount in fen, rounded half up to the fen. */
function percentOf(amountFen: number, percent: number): number {
  return Math.floor((amountFen * percent + 50) / 100)
}

export function oneTimeSubsidyFen(gradeValue: number, wageBasisFen: number): number {
  return ONE_TIME_SUBSIDY_MONTHS[grade(gradeValue)] * fen(wageBasisFen, 'the wage basis')
}

/** The monthly allowance; 0 for grades 7–10, which have none. */
export function monthlyAllowanceFen(gradeValue: number, wageBasisFen: number): number {
  const percent = DISABILITY_ALLOWANCE_PERCENT[grade(gradeValue)]
  return percent === undefined ? 0 : percentOf(fen(wageBasisFen, 'the wage basis'), percent)
}

export function monthlyCareFeeFen(dependency: CareDependency, regionalAverageWageFen: number): number {
  if (!CARE_DEPENDENCIES.includes(dependency)) throw new WichainError('INVALID_ARGUMENT', `care dependency is one of ${CARE_DEPENDENCIES.join(', ')}`)
  return percentOf(fen(regionalAverageWageFen, 'the regional average wage'), CARE_FEE_PERCENT[dependency])
}
