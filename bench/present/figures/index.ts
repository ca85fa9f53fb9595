import { blockedLoop } from './blocked-loop.ts';
import { convoy } from './convoy.ts';
import { cpuServers } from './cpu-servers.ts';
import { eventLoops } from './event-loops.ts';
import type { Figure } from './figure.ts';
import { gilCpu } from './gil-cpu.ts';
import { gilTimeline } from './gil-timeline.ts';
import { ioBound } from './io-bound.ts';
import { memoryPerConnection } from './memory-per-connection.ts';
import { preforkBalance } from './prefork-balance.ts';
import { workerCost } from './worker-cost.ts';

/** The lecture's claims, in the lecture's order: FIGURES.md numbers them so. */
export const FIGURES: Figure[] = [
  gilCpu,
  gilTimeline,
  convoy,
  ioBound,
  workerCost,
  memoryPerConnection,
  preforkBalance,
  cpuServers,
  eventLoops,
  blockedLoop,
];
