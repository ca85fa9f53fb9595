import { relative } from 'node:path';
import { fail, writing } from '../../core/errors.ts';
import { PROFILES, type Profile } from '../../define/workload.ts';
import { formatDuration } from '../../execute/progress.ts';
import { FIGURES } from '../../present/figures/index.ts';
import { writeFigures } from '../../present/figures/page.ts';
import { DEFAULT_PYTHON, experimentsOf, readExperiments, runExperiments } from '../experiments.ts';
import { interpreterNames, list, number, parse, writableDir } from './args.ts';

export const FIGURES_HELP = `Usage: gilbench figures [options]

Measures each claim of the lecture and draws it: runs exactly the experiments the chosen figures
need, then writes each figure (PNG and SVG, slide-sized) and FIGURES.md — claim → figure →
measured number → verdict (holds, does not hold, depends) — with every experiment's results in
data/<experiment>/results.json beside them.

Figures: ${FIGURES.map((f) => f.id).join(', ')}

Options:
  --only LIST        figures to make (default: all), e.g. --only gil-cpu,convoy
  --profile NAME     quick (about 6 minutes on 2 cores) | default (about 20) | full (the lecture's sizes)
  --out DIR          where figures, FIGURES.md and data/ go (default: reports/figures)
  --python LIST      the interpreters of the figures that use one (default: python3); every
                     free-threaded build found is measured beside them (gil-timeline, convoy,
                     io-bound, cpu-servers; with python3 when none named has a GIL), and gil-cpu
                     runs every interpreter found as well (see "gilbench doctor")
  --from FILE        take an experiment from this results file instead of running it, when
                     the file holds every cell the experiment plans; may be repeated
  --max-age HOURS    --from files older than this are not used (default: 24)
  --render           run nothing: draw the figures and FIGURES.md again from DIR/data (the
                     profile is the one the data were measured with)
  -h, --help         show this help

Exit codes: 0 done, 2 bad input, 3 a file could not be written (disk full, read-only),
130 interrupted.

Examples:
  npm run figures
  gilbench figures --only gil-cpu,gil-timeline --profile quick
  gilbench figures --render --out reports/figures`;

export async function figuresCommand(args: string[]): Promise<number> {
  const { values } = parse(args, {
    only: { type: 'string', multiple: true },
    profile: { type: 'string', default: 'default' },
    out: { type: 'string', default: 'reports/figures' },
    python: { type: 'string', multiple: true },
    from: { type: 'string', multiple: true },
    'max-age': { type: 'string', default: '24' },
    render: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(FIGURES_HELP);
    return 0;
  }
  const profile = values.profile as Profile;
  if (!PROFILES.includes(profile)) fail(`--profile must be one of ${PROFILES.join(', ')}; got "${values.profile}".`);
  const only = list(values.only);
  if (only?.length === 0) fail(`--only names no figure; the figures are: ${FIGURES.map((f) => f.id).join(', ')}.`);
  for (const id of only ?? [])
    if (!FIGURES.some((f) => f.id === id))
      fail(`Unknown figure "${id}"; the figures are: ${FIGURES.map((f) => f.id).join(', ')}.`);
  const figures = FIGURES.filter((f) => !only || only.includes(f.id));
  const out = writableDir('--out', values.out);
  const started = performance.now();
  const results = values.render
    ? readExperiments(out, experimentsOf(figures, profile))
    : await runExperiments({
        figures,
        profile,
        out,
        python: interpreterNames(values.python, DEFAULT_PYTHON),
        from: values.from ?? [],
        maxAgeH: number('--max-age', values['max-age'], 0, 1e6)!,
        command: ['gilbench', 'figures', ...args],
      });
  if (!results) {
    console.error(
      `gilbench figures: interrupted; every child was stopped. What was measured is in ${relative(process.cwd(), out)}/data (marked partial).`,
    );
    return 130;
  }
  const page = writing(`the figures in ${out}`, () => writeFigures(figures, results, out));
  console.error(
    `gilbench figures: done in ${formatDuration((performance.now() - started) / 1000)}; ${relative(process.cwd(), page)}`,
  );
  return 0;
}
