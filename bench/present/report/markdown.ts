import { basename } from 'node:path';
import type { Analysis, CellGroup } from '../../analyse/index.ts';
import { speedSentence } from '../../analyse/speed.ts';
import type { CellSummary } from '../../analyse/summary.ts';
import { BUSY_FLAG_RULE } from '../../core/busy.ts';
import { fixed, latency, mib } from '../../core/format.ts';
import { median } from '../../core/stats.ts';
import { FIXTURE_NOTES } from '../../define/fixtures.ts';
import {
  gilStatus,
  hasJit,
  type Interpreter,
  implementationLabel,
  modeLabel,
  runsWithoutGil,
} from '../../define/interpreters.ts';
import { PRIME_S } from '../../define/load.ts';
import { type Size, type Skip, sweepParts, totalRuns, type WorkloadInfo } from '../../define/plan.ts';
import type { Sample } from '../../store/records.ts';
import type { Results } from '../../store/results.ts';
import { type VersionComparison, versionSection } from './versions.ts';

/** report.md: what ran, where, and what it showed. Pure: results, their analysis and the charts' files in, text out. */

export interface ChartFiles {
  workload: string;
  interpreter: string;
  files: { title: string; file: string }[];
}

export interface VersionSection {
  comparison: VersionComparison;
  files: { title: string; file: string }[];
}

/** What the report says of the priming every server gets before its measured connections open (execute/loadgen primeServer). */
const PRIMED =
  `Every server was primed before its measured connections opened: one connection exchanged messages for ${PRIME_S * 1000} ms and closed ` +
  '(its accept is counted in "accepted per worker"), since a server that has never seen a connection close can run in a state no long-running server is in.';

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function statusLine(results: Results): string {
  const measured = results.runs.length;
  const planned = totalRuns(results.plan);
  const auto = results.plan.autoRepeat ? ` (${planned} planned, then rounds added by --repeat auto)` : '';
  if (results.status === 'complete') return `Complete: ${measured} runs${auto}.`;
  return `**${results.status.toUpperCase()}**: ${measured} of ${planned} planned runs were made; the numbers below use only those.`;
}

function machineSection(results: Results): string {
  const m = results.machine;
  const speed = speedSentence(results.speedProbe);
  return [
    '## Machine',
    table(
      [
        'CPU',
        'cores (physical / logical)',
        'memory',
        'OS',
        'kernel',
        'virtualisation',
        'load before → after (1/5/15 min)',
      ],
      [
        [
          // Some virtual CPUs report no clock speed (0).
          m.cpuSpeedGHz > 0 ? `${m.cpuModel} @ ${m.cpuSpeedGHz} GHz` : m.cpuModel,
          `${m.physicalCores} / ${m.logicalCores}`,
          `${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB`,
          `${m.os} (${m.arch})`,
          m.kernel,
          m.virtualisation,
          `${results.loadBefore.join(' ')} → ${results.loadAfter?.join(' ') ?? '–'}`,
        ],
      ],
    ),
    ...(speed ? ['', speed] : []),
    ...(results.interpreters.some(hasJit)
      ? [
          '',
          `${results.interpreters
            .filter(hasJit)
            .map((i) => i.id)
            .join(
              ', ',
            )}: PyPy compiles hot loops with its JIT while a run goes on. Each run is a fresh process, so the JIT warms up again in every run (a warm-up round does not carry over to the next), and every time below includes that warming.`,
        ]
      : []),
    '',
    table(
      ['interpreter', 'executable', 'version', 'implementation', 'GIL', 'switch interval'],
      results.interpreters.map((i) => [
        i.id,
        `\`${[...Object.entries(i.env).map(([k, v]) => `${k}=${v}`), i.executable].join(' ')}\``,
        i.version,
        implementationLabel(i),
        runsWithoutGil(i) ? `**${gilStatus(i)}**` : gilStatus(i),
        i.switchIntervalS === null ? '–' : `${i.switchIntervalS * 1000} ms`,
      ]),
    ),
  ].join('\n');
}

/** A merged file ran on several machines: name each. */
function sourcesTable(results: Results): string {
  if (!results.sources?.length) return '';
  return [
    'Merged from:',
    table(
      ['run', 'host', 'CPU', 'cores', 'OS'],
      results.sources.map((s) => [
        s.runId,
        s.machine.hostname,
        s.machine.cpuModel,
        `${s.machine.physicalCores} / ${s.machine.logicalCores}`,
        s.machine.os,
      ]),
    ),
  ].join('\n\n');
}

function planSection(results: Results): string {
  const p = results.plan;
  const rounds = p.workloads.map((w) => {
    const cell = p.cells.find((c) => c.workload === w.name);
    const measured =
      cell &&
      Math.max(
        cell.repeats,
        ...p.cells
          .filter((c) => c.workload === w.name)
          .map((c) => results.runs.filter((r) => r.cellId === c.id && !r.warmup).length),
      );
    return cell
      ? `${w.name}: ${cell.warmup} warm-up + ${measured === cell.repeats ? cell.repeats : `${cell.repeats} to ${measured}`} measured rounds`
      : '';
  });
  return [
    '## Plan',
    `Profile \`${p.profile}\`: ${p.cells.length} cells (${rounds.filter(Boolean).join('; ')}), run interleaved ` +
      `(round 1 of every cell, then round 2, …). The process tree was ${p.sampleIntervalMs ? `sampled every ${p.sampleIntervalMs} ms` : 'not sampled'}.`,
    ...sizesLines(p.sizes),
    `Command: \`${results.command.join(' ')}\`; started ${results.startedAt}${results.finishedAt ? `, finished ${results.finishedAt}` : ''}.`,
  ].join('\n\n');
}

/** "Sizes: countdown n = 12,000,000 on cpython-3.11.7 (calibrated: …)": what each interpreter's task was. */
function sizesLines(sizes: Size[]): string[] {
  if (sizes.length === 0) return [];
  const count = (value: number) => value.toLocaleString('en-US');
  const lines = sizes.map((s) => {
    const how =
      s.how === 'calibrated'
        ? `calibrated to a ${s.targetS} s serial task: one took ${fixed(s.probe!.taskS, 3)} s at ${count(s.probe!.value)}`
        : s.how === 'given'
          ? 'given'
          : "the profile's: calibration failed";
    return `- ${s.workload} ${s.param} = ${count(s.value)} on ${s.interpreters.join(', ')} (${how})`;
  });
  const differ =
    new Set(sizes.map((s) => `${s.workload} ${s.value}`)).size > new Set(sizes.map((s) => s.workload)).size;
  const note = differ
    ? ' Interpreters that ran different sizes are compared by ratios and by time per unit of size, never by their times.'
    : '';
  return [
    `Sizes of each task, per interpreter (before the first round, a serial task was timed at a growing size, and the size scaled to the profile's time).${note}`,
    lines.join('\n'),
  ];
}

interface Column {
  header: string;
  value: (s: CellSummary) => string;
}

/** "threads, no GIL", "processes (forkserver)": a cell's mode, with how it ran where that is not its name. */
function modeName(s: CellSummary, interpreter: Interpreter | undefined): string {
  const started = s.startMethod && s.startMethod !== s.cell.mode ? ` (${s.startMethod})` : '';
  return `${modeLabel(s.cell.mode, interpreter)}${started}`;
}

/** "W=2, connections=10": what tells a cell apart from its neighbours in the same table. */
export function cellLabel(cell: CellSummary['cell'], info: WorkloadInfo): string {
  const workers = info.ignoresWorkers.includes(cell.mode) ? [] : [`W=${cell.workers}`];
  return [...workers, ...sweepParts(cell.sweep)].join(', ') || `W=${cell.workers}`;
}

const measured = (s: CellSummary, text: string) => (s.repeats ? text : '–');
/** "1.20 – 1.31 (94%)": the median's interval with its actual coverage; a single run has none. */
const medianInterval = (s: CellSummary, format: (x: number) => string) => {
  const { low, high, confidence } = s.primary.interval;
  return s.repeats === 1
    ? 'one run: no interval'
    : `${format(low)} – ${format(high)} (${Math.round(confidence * 100)}%)`;
};
/** What the /proc sampler saw, where it saw enough of the run. */
const sampled = (s: CellSummary, text: string) => (!s.repeats ? '–' : s.sampled ? text : 'not sampled');

/** A server's table: throughput and latency from the load generator, the tree from /proc. */
function serverColumns(info: WorkloadInfo, mode: (s: CellSummary) => string): Column[] {
  const noun = info.taskNoun ?? 'answers';
  const server = (s: CellSummary, text: (server: NonNullable<CellSummary['server']>) => string) =>
    s.server ? text(s.server) : '–';
  return [
    { header: 'mode', value: mode },
    { header: 'cell', value: (s) => cellLabel(s.cell, info) },
    { header: `${noun}/s (median)`, value: (s) => measured(s, Math.round(s.tasksPerS).toLocaleString('en-US')) },
    {
      header: 'CI of median',
      value: (s) =>
        measured(
          s,
          medianInterval(s, (x) => Math.round(x).toLocaleString('en-US')),
        ),
    },
    { header: 'vs serial', value: (s) => (s.speedup === undefined ? '–' : `${fixed(s.speedup, 2)}x`) },
    {
      header: 'latency p50 / p99 / p99.9',
      value: (s) => server(s, (x) => `${latency(s.taskP50S)} / ${latency(s.taskP99S)} / ${latency(x.p999Ms / 1000)}`),
    },
    { header: 'server CPU util', value: (s) => measured(s, fixed(s.cpuUtilisation, 2)) },
    {
      header: 'server CPU µs per answer (user + system)',
      value: (s) =>
        server(s, (x) => (x.idle ? '–' : `${fixed(x.cpuPerAnswerUs.user, 1)} + ${fixed(x.cpuPerAnswerUs.system, 1)}`)),
    },
    {
      header: 'CPU% mean / peak',
      value: (s) => sampled(s, `${Math.round(s.meanCpuPct)} / ${Math.round(s.peakCpuPct)}`),
    },
    { header: 'server RSS MiB (end)', value: (s) => server(s, (x) => mib(x.rssKiB)) },
    { header: 'PIDs / threads', value: (s) => server(s, (x) => `${s.maxPids} / ${x.threads}`) },
    { header: 'open at end', value: (s) => server(s, (x) => String(x.openAtEnd)) },
    { header: 'accepted per worker', value: (s) => server(s, (x) => x.accepted.join(' / ')) },
    {
      header: 'generator: engine, CPU% / busiest thread',
      value: (s) =>
        server(s, (x) => `${x.engine}, ${Math.round(x.generatorCpuPct)} / ${Math.round(x.busiestThread * 100)}%`),
    },
    {
      header: 'others CPU% / steal%',
      value: (s) => measured(s, `${fixed(s.othersCpuPct, 0)} / ${fixed(s.stealPct, 1)}`),
    },
    { header: 'runs', value: (s) => `${s.repeats}${s.warnings.length ? ` ⚠ ${s.warnings.join(', ')}` : ''}` },
  ];
}

/** The table's columns; those about tasks and the ideal appear only for workloads that have them. */
function columns(info: WorkloadInfo, interpreter: Interpreter | undefined): Column[] {
  const mode = (s: CellSummary) => modeName(s, interpreter);
  if (info.kind === 'server') return serverColumns(info, mode);
  return [
    { header: 'mode', value: mode },
    { header: 'W', value: (s) => String(s.cell.workers) },
    { header: 'median wall (s)', value: (s) => fixed(s.primary.median, 3) },
    {
      header: 'CI of median',
      value: (s) =>
        measured(
          s,
          medianInterval(s, (x) => fixed(x, 3)),
        ),
    },
    { header: 'CV', value: (s) => measured(s, `${fixed(s.primary.cv * 100, 1)}%`) },
    { header: 'process wall (s)', value: (s) => fixed(s.medianProcessWallS, 3) },
    { header: 'speedup vs serial', value: (s) => (s.speedup === undefined ? '–' : `${fixed(s.speedup, 2)}x`) },
    ...(info.ideal
      ? [
          {
            header: 'vs ideal',
            value: (s: CellSummary) => (s.cell.idealWallS ? `${fixed(s.primary.median / s.cell.idealWallS, 2)}x` : '–'),
          },
        ]
      : []),
    ...(info.taskNoun
      ? [
          { header: `${info.taskNoun}/s`, value: (s: CellSummary) => fixed(s.tasksPerS, 1) },
          {
            header: 'latency p50 / p99',
            value: (s: CellSummary) => measured(s, `${latency(s.taskP50S)} / ${latency(s.taskP99S)}`),
          },
        ]
      : []),
    { header: 'CPU util', value: (s) => (s.tooShort ? '–' : fixed(s.cpuUtilisation, 2)) },
    {
      header: 'CPU% mean / peak',
      value: (s) => sampled(s, `${Math.round(s.meanCpuPct)} / ${Math.round(s.peakCpuPct)}`),
    },
    { header: 'peak RSS MiB', value: (s) => sampled(s, mib(s.peakRssKiB)) },
    { header: 'PIDs', value: (s) => sampled(s, String(s.maxPids)) },
    { header: 'threads', value: (s) => sampled(s, String(s.maxThreads)) },
    {
      header: 'others CPU% / steal% / preempted/s',
      value: (s) =>
        measured(s, `${fixed(s.othersCpuPct, 0)} / ${fixed(s.stealPct, 1)} / ${fixed(s.involuntaryPerS, 0)}`),
    },
    { header: 'runs', value: (s) => `${s.repeats}${s.warnings.length ? ` ⚠ ${s.warnings.join(', ')}` : ''}` },
  ];
}

/**
 * A command line for a table: each absolute path by its file name (the interpreter table names the
 * executable in full), and a long one cut between words, never inside one.
 */
function shortCommand(command: string, limit = 80): string {
  const words = command.split(' ').map((word) => (word.startsWith('/') ? basename(word) : word));
  let shown = words[0] ?? '';
  for (const word of words.slice(1)) {
    if (shown.length + 1 + word.length > limit) return `${shown} …`;
    shown += ` ${word}`;
  }
  return shown;
}

/** What top showed at the busiest moment of the cell's typical run. */
function topTable(s: CellSummary): string {
  const samples = s.typical?.timeline.samples ?? [];
  const busiest =
    samples
      .slice(1)
      .reduce<Sample | undefined>((best, x) => (!best || x.totalCpuPct > best.totalCpuPct ? x : best), undefined) ??
    samples[0];
  if (!busiest) return '';
  const rows = busiest.processes.map((p) => [
    String(p.pid),
    String(p.ppid),
    p.state,
    p.cpuPct.toFixed(0),
    mib(p.rssKiB),
    String(p.threads),
    `\`${shortCommand(p.command)}\``,
  ]);
  return [
    `<details><summary>top at t = ${busiest.t.toFixed(2)} s — ${s.cell.id}</summary>`,
    '',
    table(['PID', 'PPID', 'S', '%CPU', 'RSS MiB', 'THR', 'command'], rows),
    '',
    '</details>',
  ].join('\n');
}

function failureNotes(cells: CellSummary[]): string[] {
  return cells.flatMap((s) =>
    s.failures.slice(0, 1).map(
      (run) =>
        `- **${s.cell.id}** failed ${s.failures.length}x: ${run.error}${
          run.stderrTail
            ? `\n\n  \`\`\`\n${run.stderrTail
                .split('\n')
                .map((l) => `  ${l}`)
                .join('\n')}\n  \`\`\``
            : ''
        }`,
    ),
  );
}

function groupSection(
  info: WorkloadInfo,
  { cells, rankings }: CellGroup,
  charts: ChartFiles | undefined,
  interpreter: Interpreter | undefined,
): string {
  const table_ = columns(info, interpreter);
  // Each mode at its largest W: a mode that ignores W ran only at the smallest.
  const maxWorkers = (mode: string) =>
    Math.max(...cells.filter((c) => c.cell.mode === mode).map((c) => c.cell.workers));
  // A server's serial cell has a verdict of its own (it starves clients); a batch's serial is the yardstick.
  const judged = cells.filter(
    (c) => c.cell.workers === maxWorkers(c.cell.mode) && (info.kind === 'server' || c.cell.mode !== 'serial'),
  );
  const verdicts = [
    ...rankings,
    ...judged.map((c) => `${modeName(c, interpreter)} at ${cellLabel(c.cell, info)}: ${c.verdict.sentence}`),
  ].map((line) => `- ${line}`);
  const failures = failureNotes(cells);
  const placements = [...new Set(cells.flatMap((c) => (c.server?.placement ? [c.server.placement] : [])))];
  return [
    `### ${cells[0]!.cell.interpreter}${runsWithoutGil(interpreter) ? ' (GIL disabled)' : ''}`,
    verdicts.join('\n'),
    table(
      table_.map((c) => c.header),
      cells.map((s) => table_.map((c) => c.value(s))),
    ),
    ...(placements.length ? [`Placement: ${placements.join('; ')}.`] : []),
    ...(info.kind === 'server' ? [PRIMED] : []),
    ...(failures.length ? ['**Failures**', failures.join('\n')] : []),
    ...(charts?.files.map((f) => `![${f.title}](${f.file})`) ?? []),
    cells.map(topTable).filter(Boolean).join('\n\n'),
  ].join('\n\n');
}

/** Two workloads' cells in one table and one set of charts, each mode named with what ran it. */
function besideSection(group: Analysis['beside'][number], charts: ChartFiles | undefined): string {
  const table_ = columns(group.info, undefined);
  const ranked = group.rankings.map((line) => `- ${line}`);
  return [
    `### Side by side: ${group.partner} and ${group.workload}`,
    `Both workloads' cells of this run, measured alike and interleaved, in one table; each mode is named with what ran it.`,
    ...(ranked.length ? [ranked.join('\n')] : []),
    table(
      table_.map((c) => c.header),
      group.cells.map((s) => table_.map((c) => c.value(s))),
    ),
    ...(charts?.files.map((f) => `![${f.title}](${f.file})`) ?? []),
  ].join('\n\n');
}

/** "subinterpreters on cpython-3.8.18, cpython-3.11.7: needs Python 3.12 or newer: …", one line per reason. */
function skippedLines(skipped: Skip[]): string {
  const byReason = new Map<string, Skip[]>();
  for (const skip of skipped) byReason.set(skip.reason, [...(byReason.get(skip.reason) ?? []), skip]);
  return [...byReason.entries()]
    .map(([reason, skips]) => {
      const workers = [...new Set(skips.flatMap((s) => (s.workers === undefined ? [] : [s.workers])))];
      const at = workers.length ? ` at W=${workers.join(', ')}` : '';
      return `- Skipped ${skips[0]!.mode ?? 'every cell'}${at} on ${[...new Set(skips.map((s) => s.interpreter))].join(', ')}: ${reason}.`;
    })
    .join('\n');
}

/** The charts drawn for the report, by section. */
export interface DrawnSections {
  charts: ChartFiles[];
  versions: VersionSection[];
  /** per side-by-side group, in the analysis's order */
  beside: ChartFiles[];
}

export function renderMarkdown(results: Results, analysis: Analysis, drawn: DrawnSections): string {
  const summaries = analysis.cells;
  const sections = [
    `# gilbench report — ${results.runId}`,
    statusLine(results),
    machineSection(results),
    sourcesTable(results),
    planSection(results),
  ].filter(Boolean);
  for (const info of results.plan.workloads) {
    const first = summaries.find((s) => s.cell.workload === info.name);
    const skipped = results.plan.skipped.filter((s) => s.workload === info.name);
    if (!first) {
      if (skipped.length) sections.push(`## ${info.name}: ${info.title}`, skippedLines(skipped));
      continue;
    }
    const params = Object.entries(first.cell.params)
      .map(
        ([k, v]) =>
          `${k} = ${k in first.cell.sweep ? `swept (${sweptValues(summaries, info.name, k)})` : v.toLocaleString('en-US')}`,
      )
      .join(', ');
    sections.push(
      `## ${info.name}: ${info.title}`,
      `${info.shows}\n\nParameters: ${params}.${info.ideal ? ` Ideal wall time: ${info.ideal}.` : ''}`,
    );
    if (info.fixture) sections.push([FIXTURE_NOTES[info.fixture], fixtureFactsLine(results, info.name)].join(' '));
    if (skipped.length) sections.push(skippedLines(skipped));
    for (const { comparison, files } of drawn.versions.filter((v) => v.comparison.workload === info.name))
      sections.push(versionSection(comparison, files));
    for (const interpreter of results.interpreters) {
      const group = analysis.groups.find((g) => g.workload === info.name && g.interpreter === interpreter.id);
      if (!group) continue;
      sections.push(
        groupSection(
          info,
          group,
          drawn.charts.find((c) => c.workload === info.name && c.interpreter === interpreter.id),
          interpreter,
        ),
      );
    }
    for (const [i, group] of analysis.beside.entries())
      if (group.workload === info.name) sections.push(besideSection(group, drawn.beside[i]));
  }
  sections.push(HOW_TO_READ);
  return `${sections.join('\n\n')}\n`;
}

function sweptValues(summaries: CellSummary[], workload: string, name: string): string {
  const values = new Set(summaries.filter((s) => s.cell.workload === workload).map((s) => s.cell.params[name]!));
  return [...values].map((v) => v.toLocaleString('en-US')).join(', ');
}

/** The fixture's own measurements over every measured run of the workload: median and worst. */
function fixtureFactsLine(results: Results, workload: string): string {
  const cells = new Set(results.plan.cells.filter((c) => c.workload === workload).map((c) => c.id));
  const facts = results.runs
    .filter((r) => !r.warmup && cells.has(r.cellId) && r.fixtureFacts)
    .map((r) => r.fixtureFacts!);
  const names = [...new Set(facts.flatMap((f) => Object.keys(f)))];
  if (names.length === 0) return '';
  const described = names.map((name) => {
    const values = facts.flatMap((f) => (f[name] === undefined ? [] : [f[name]!]));
    return `${name.replaceAll('_', ' ')}: median ${fixed(median(values), 2)}, worst run ${fixed(Math.max(...values), 2)}`;
  });
  return `Measured by the fixture itself, per run: ${described.join('; ')}.`;
}

const HOW_TO_READ = `## How to read this report
- **median wall** is the time the workload measured around its own work (interpreter start-up excluded), the median over the measured rounds; **CI of median** is a distribution-free confidence interval from order statistics, with its actual coverage (few rounds cannot reach 95%).
- **process wall** is the median time from spawn to exit as the harness saw it, interpreter start-up included: what \`hyperfine\` or \`time\` would report for the same command line.
- **CV** is the spread (standard deviation / mean); above 10% the cell is flagged as noisy: rerun with more \`--repeat\` (or \`--repeat auto\`) or on a quieter machine.
- **others CPU% / steal% / preempted/s**: CPU the rest of the machine used while the cell ran (the harness included, in % of one core) and the share the hypervisor stole, both from /proc/stat; and how often per second the measured tree was preempted (involuntary context switches, from getrusage: high when its own processes outnumber the cores, or when others compete). ${BUSY_FLAG_RULE}
- **speedup vs serial** = serial's median wall / this mode's. Where W tasks of equal size run in every mode (countdown), serial is taken at the same W, and an ideal parallel mode reaches min(W, cores)x; where serial does the same K tasks whatever W is (fetch), the one serial cell is the baseline, and the ideal is the workload's stated ideal.
- **CPU util** = (user + system CPU of the process and its children, from getrusage) / wall time: 1.0 means one core busy throughout.
- **CPU% mean / peak**, **peak RSS**, **PIDs**, **threads** come from walking the process tree in /proc during the run, as top and ps do (100% = one core).`;
