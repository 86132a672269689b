// Compiled packages built against NumPy 1.x before a known release: with NumPy 2 they fail at import.
import data from './data/numpy2.json';
import type { Sourced } from './types';

export interface Numpy2Package extends Sourced {
  name: string;
  /** The first release built against NumPy 2 (it runs with NumPy 1.x and 2.x). */
  firstBuiltForNumpy2: string;
}

interface Numpy2Data {
  symptom: string;
  packages: Numpy2Package[];
}

const d = data as unknown as Numpy2Data;

/** The error NumPy prints when a module built for NumPy 1.x is imported under NumPy 2. */
export const numpy2Symptom: string = d.symptom;
export const numpy2Packages: readonly Numpy2Package[] = d.packages;
