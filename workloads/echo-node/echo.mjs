// The echo server in Node.js (no dependencies), beside the Python servers of workloads/echo.
//
// event-loop: one net.createServer on the one event loop (Node's answer to epoll and asyncio).
// cluster: W worker processes (node:cluster) sharing one listener; Node's default scheduling on
//          Linux (round-robin: the primary accepts and hands each connection to a worker).
//
// It follows the protocol of workloads/common/gilbench_server.py: binds 127.0.0.1 port 0, prints
// {"event":"ready",...}; on SIGTERM stops, reaps its workers and prints {"event":"done",...}.
// worker_threads is not a mode: a thread cannot take over a socket accepted by another thread, and
// threads listening on one port need reusePort, which Node 20 does not have.
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';

const MODES = ['event-loop', 'cluster'];

function options() {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string' },
      workers: { type: 'string', default: '1' },
      message_bytes: { type: 'string', default: '64' },
    },
  });
  const workers = Number(values.workers);
  if (!MODES.includes(values.mode) || !(Number.isInteger(workers) && workers >= 1)) {
    process.stderr.write(`usage: echo.mjs --mode ${MODES.join('|')} --workers N [--message_bytes N]\n`);
    process.exit(2);
  }
  return { mode: values.mode, workers, messageBytes: Number(values.message_bytes) };
}

function say(event, fields) {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}

/** Every byte back as it comes; pipe() stops reading while the client is slow to read the answers. */
function echoServer(onAccept) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    onAccept();
    sockets.add(socket);
    socket.on('error', () => socket.destroy()); // the client vanished: this connection ends, the server goes on
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  const stop = () => {
    server.close();
    for (const socket of sockets) socket.destroy();
  };
  return { server, stop };
}

/** process.resourceUsage() in the units of the Python servers' done line. */
function usage() {
  const u = process.resourceUsage();
  return {
    user_s: u.userCPUTime / 1e6,
    sys_s: u.systemCPUTime / 1e6,
    maxrss_kib: u.maxRSS,
    voluntary_switches: u.voluntaryContextSwitches,
    involuntary_switches: u.involuntaryContextSwitches,
  };
}

const NO_USAGE = { user_s: 0, sys_s: 0, maxrss_kib: 0, voluntary_switches: 0, involuntary_switches: 0 };

/** Like RUSAGE_CHILDREN: times and switches add up, the peak memory is the largest child's. */
function addUsage(total, one) {
  return {
    user_s: total.user_s + one.user_s,
    sys_s: total.sys_s + one.sys_s,
    maxrss_kib: Math.max(total.maxrss_kib, one.maxrss_kib),
    voluntary_switches: total.voluntary_switches + one.voluntary_switches,
    involuntary_switches: total.involuntary_switches + one.involuntary_switches,
  };
}

/** Node raises its soft open-file limit to the hard one at start-up; this is what it got. */
function openFileLimit() {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === 'unlimited' ? 1 << 30 : Number(soft);
}

function sayDone(args, accepted, children) {
  say('done', {
    mode: args.mode,
    workers: args.workers,
    params: { message_bytes: args.messageBytes },
    accepted,
    rusage_total: { self: usage(), children },
    pid: process.pid,
    start_method: args.mode === 'cluster' ? 'cluster.fork' : null,
    python: { implementation: 'Node.js', version: process.versions.node, v8: process.versions.v8 },
  });
}

function eventLoop(args) {
  let accepted = 0;
  const { server, stop } = echoServer(() => accepted++);
  server.listen(0, '127.0.0.1', () =>
    say('ready', { port: server.address().port, pid: process.pid, nofile: openFileLimit() }),
  );
  process.once('SIGTERM', () => {
    stop();
    sayDone(args, [accepted], NO_USAGE);
    process.exit(0);
  });
}

function primary(args) {
  const workers = Array.from({ length: args.workers }, () => cluster.fork());
  const reports = new Map();
  let listening = 0;
  let stopping = false;
  for (const [index, worker] of workers.entries()) {
    worker.on('listening', (address) => {
      if (++listening === workers.length)
        say('ready', { port: address.port, pid: process.pid, nofile: openFileLimit() });
    });
    worker.on('message', (report) => reports.set(index, report));
    // A worker that dies before SIGTERM leaves a server short of a worker: stop, the run fails.
    worker.on('exit', () => void (stopping || process.exit(1)));
  }
  process.once('SIGTERM', async () => {
    stopping = true;
    const exited = workers.map(
      (worker) => new Promise((resolve) => (worker.isDead() ? resolve() : worker.once('exit', resolve))),
    );
    for (const worker of workers) if (!worker.isDead()) worker.send('stop');
    await Promise.all(exited);
    const said = workers.map((_, index) => reports.get(index) ?? { accepted: 0, usage: NO_USAGE });
    sayDone(
      args,
      said.map((r) => r.accepted),
      said.map((r) => r.usage).reduce(addUsage, NO_USAGE),
    );
    process.exit(0);
  });
}

function worker() {
  let accepted = 0;
  const { server, stop } = echoServer(() => accepted++);
  // The primary stops its workers itself, after they have said what they did.
  process.on('SIGTERM', () => {});
  process.on('message', (message) => {
    if (message !== 'stop') return;
    stop();
    process.send({ accepted, usage: usage() }, () => process.exit(0));
  });
  // In a cluster, port 0 is one port: the primary picks it for the first worker, the others share it.
  server.listen(0, '127.0.0.1');
}

const args = options();
if (args.mode === 'event-loop') eventLoop(args);
else if (cluster.isPrimary) primary(args);
else worker();
