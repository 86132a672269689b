// `stackDoctor.showOutput`: reveals the "Stack Doctor" output channel (client and server log).
import type { CommandContext } from './context';

export function showOutput({ output }: CommandContext): () => void {
  return () => output.show(true);
}
