// The loopback index and conda channel the demo workspace (an ML user's: a requirements file with the PyTorch CUDA
// index, an environment.yml with a pip part, a pyproject with extras) is judged against in the VS Code tests.
import type { ChannelPackage } from '../../helpers/conda-channel';
import { ML_CHANNEL_WIDE } from '../../helpers/conda-fixtures';
import type { IndexPackage } from '../../helpers/package-index';

/**
 * What the demo's files ask for, shaped like PyPI's: TensorFlow 2.13.0 caps numpy at 1.24.3 and protobuf below 5,
 * torchvision 0.16.2 pins its torch, and newer releases exist beyond what the files admit (pillow 10).
 */
export const DEMO_PACKAGES: IndexPackage[] = [
  { name: 'torch', version: '2.1.2', dependencies: ['numpy', 'typing-extensions'] },
  { name: 'torchvision', version: '0.16.2', dependencies: ['numpy', 'torch==2.1.2', 'pillow!=8.3.*,>=5.3.0'] },
  { name: 'typing-extensions', version: '4.12.2' },
  { name: 'numpy', version: '1.24.3' },
  { name: 'numpy', version: '1.26.4' },
  {
    name: 'tensorflow',
    version: '2.13.0',
    dependencies: ['numpy<=1.24.3,>=1.22', 'protobuf!=4.21.0,<5.0.0dev,>=3.20.3'],
  },
  { name: 'protobuf', version: '4.25.3' },
  { name: 'protobuf', version: '5.26.1' },
  { name: 'pillow', version: '9.5.0' },
  { name: 'pillow', version: '10.3.0' },
  { name: 'requests', version: '2.31.0' },
];

/** The conda side: Pythons, TensorFlow tied to its Pythons, and pip for the environment's pip part. */
export const DEMO_CHANNEL: ChannelPackage[] = [
  ...ML_CHANNEL_WIDE,
  { name: 'pip', version: '24.0', build: 'pyhd8ed1ab_0', noarch: 'python', depends: ['python >=3.7'] },
];
