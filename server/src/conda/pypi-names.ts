// Conda package names and the PyPI projects they install, where the two differ (the common ML and science ones).
import { canonicalizeName } from '../pep/name';
import type { CondaPackage, CondaSolveReport } from '../model/reports';

/** conda name -> PEP 503 PyPI name, for packages whose names differ. Same-named Python packages need no entry. */
const CONDA_TO_PYPI: Record<string, string> = {
  pytorch: 'torch',
  'pytorch-cpu': 'torch',
  'pytorch-gpu': 'torch',
  'py-opencv': 'opencv-python',
  opencv: 'opencv-python',
  'matplotlib-base': 'matplotlib',
  'msgpack-python': 'msgpack',
  pytables: 'tables',
  'py-xgboost': 'xgboost',
  'py-xgboost-cpu': 'xgboost',
  'py-xgboost-gpu': 'xgboost',
  'tensorflow-base': 'tensorflow',
  'tensorflow-cpu': 'tensorflow',
  'tensorflow-gpu': 'tensorflow',
  ruamel_yaml: 'ruamel-yaml',
  pyqt: 'pyqt5',
  'py-lief': 'lief',
  pygraphviz: 'pygraphviz',
  'python-graphviz': 'graphviz',
  'py-boost': 'boost',
  libopencv: 'opencv-python',
};

/** PyPI name -> the conda package a channel publishes it as (the usual one). */
const PYPI_TO_CONDA: Record<string, string> = {
  torch: 'pytorch',
  'opencv-python': 'opencv',
  'opencv-python-headless': 'opencv',
  msgpack: 'msgpack-python',
  tables: 'pytables',
  xgboost: 'py-xgboost',
  'ruamel-yaml': 'ruamel.yaml',
  graphviz: 'python-graphviz',
};

/** The PEP 503 PyPI name a conda Python package installs. */
export function pypiNameOfConda(condaName: string): string {
  const n = condaName.toLowerCase();
  return CONDA_TO_PYPI[n] ?? canonicalizeName(n);
}

/** The conda names a PyPI project is published under, the usual one first. */
export function condaNamesOfPypi(pypiName: string): string[] {
  const n = canonicalizeName(pypiName);
  const out = [PYPI_TO_CONDA[n], n, n.replace(/-/g, '_')].filter((x): x is string => !!x);
  return [...new Set(out)];
}

/**
 * What conda's solution installs, as pip sees it (PEP 503 name -> the conda package), for the `pip:` part that runs on
 * top of it: only Python packages (those depending on python, or noarch: python). Empty unless the solve succeeded.
 */
export function condaInstalledForPip(report: CondaSolveReport): Map<string, CondaPackage> {
  const out = new Map<string, CondaPackage>();
  if (report.status !== 'ok') return out;
  for (const p of report.solution) if (p.python) out.set(pypiNameOfConda(p.name), p);
  return out;
}
