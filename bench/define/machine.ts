import { loadavg } from 'node:os';
import si from 'systeminformation';
import { z } from 'zod';

export const MachineSchema = z.object({
  hostname: z.string(),
  cpuModel: z.string(),
  physicalCores: z.number(),
  logicalCores: z.number(),
  cpuSpeedGHz: z.number(),
  memoryBytes: z.number(),
  os: z.string(),
  kernel: z.string(),
  arch: z.string(),
  /** "vm", "container (Docker Container)", or "bare metal / unknown" */
  virtualisation: z.string(),
  node: z.string(),
});
export type Machine = z.infer<typeof MachineSchema>;

export async function describeMachine(): Promise<Machine> {
  const [cpu, mem, os, system] = await Promise.all([si.cpu(), si.mem(), si.osInfo(), si.system()]);
  const container = /docker|container|lxc|podman/i.test(system.model) ? `container (${system.model})` : '';
  return {
    hostname: os.hostname,
    cpuModel: `${cpu.manufacturer} ${cpu.brand}`.trim(),
    physicalCores: cpu.physicalCores,
    logicalCores: cpu.cores,
    cpuSpeedGHz: cpu.speed,
    memoryBytes: mem.total,
    os: `${os.distro} ${os.release}`.trim(),
    kernel: os.kernel,
    arch: os.arch,
    virtualisation: system.virtual
      ? `vm${system.virtualHost ? ` (${system.virtualHost})` : ''}`
      : container || 'bare metal / unknown',
    node: process.version,
  };
}

/** 1, 5 and 15-minute load averages, as uptime prints them. */
export function loadAverage(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

/**
 * The speed probe (execute/speed-probe.ts, analyse/speed.ts): the lecture's count(PROBE_N), about
 * 10 ms on a 2020s CPU — long enough to time, short beside a round — timed TIMINGS_PER_PROBE times
 * before every round, to tell how steady the machine was for Python code.
 */
export const PROBE_N = 200_000;
export const TIMINGS_PER_PROBE = 3;
