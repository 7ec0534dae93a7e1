// `replikit <command>`: dispatch to the command, with --help everywhere and
// exit code 2 for bad usage.

import { readFileSync } from 'node:fs';
import { runDevCommand } from './dev-command.js';

interface Command {
  readonly summary: string;
  readonly run: (argv: string[]) => Promise<number>;
}

const io = { stdout: process.stdout, stderr: process.stderr };

const COMMANDS: Readonly<Record<string, Command>> = {
  dev: { summary: 'a whole cluster in this process (worker threads), with HTTP and the live dashboard', run: runDevCommand },
  node: {
    summary: 'one node of a multi-host cluster (TCP between nodes, HTTP for clients)',
    run: async (argv) => (await import('./node-command.js')).runNodeCommand(argv),
  },
  verify: {
    summary: 'a fault campaign against a cluster, checked for linearizability',
    run: async (argv) => (await import('./verify-command.js')).runVerifyCommand(argv),
  },
  statechart: {
    summary: 'print the role statechart (mermaid, svg or json), drawn from the machine itself',
    run: async (argv) => (await import('./statechart-command.js')).runStatechartCommand(argv),
  },
  status: { summary: 'show the cluster as one node sees it', run: (argv) => clientCommand(['status', ...argv]) },
  put: { summary: 'write a key', run: (argv) => clientCommand(['put', ...argv]) },
  get: { summary: 'read a key', run: (argv) => clientCommand(['get', ...argv]) },
  del: { summary: 'delete a key', run: (argv) => clientCommand(['del', ...argv]) },
};

async function clientCommand(argv: string[]): Promise<number> {
  const { runClientCommand } = await import('./client-commands.js');
  return runClientCommand(argv, io);
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return `usage: replikit <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nreplikit <command> --help shows a command's options; replikit --version its version.`;
}

/** The version of the package this file was shipped in: dist/src/cli/ is three folders below package.json, src/cli/ two. */
function version(): string {
  for (const path of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'replikit' && pkg.version) return pkg.version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(`replikit ${version()}`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`replikit: unknown command ${JSON.stringify(name)} (replikit --help lists the commands)`);
    return 2;
  }
  return command.run(rest);
}

process.exitCode = await main(process.argv.slice(2));
