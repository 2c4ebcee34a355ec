import { cpus, totalmem } from 'node:os';

/** One line naming the machine, printed with every benchmark so the figures can be compared honestly. */
export function machineLine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`;
}
