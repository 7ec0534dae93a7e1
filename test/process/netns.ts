// Hosts made of Linux network namespaces, for tests that partition real
// `replikit node` processes with the kernel's own network instead of the
// chaos routes.
//
// The lab of one run (every name carries the test process's pid):
//
//   root namespace (the test)   rkp<pid>h  10.77.S.254/24
//                                   │ veth
//   rkp<pid>sw  (a switch)       br0 ── p1 ── p2 ── p3          nothing else in it
//                                       │     │     │   veths
//   rkp<pid>n1 / n2 / n3         eth0 10.77.S.1 / .2 / .3 (+ lo)
//
// The bridge lives in a namespace of its own, so the root namespace's firewall
// (and br_netfilter there) never sees node-to-node traffic: the only rules on
// the path are the ones a test adds. The test reaches every node's HTTP over
// rkp<pid>h. A node is started with `ip netns exec rkp<pid>nX node ...` (ip
// execs in place, so signals reach node itself).
//
// A partition is a firewall rule inside the cut node's namespace: TCP to or
// from the other nodes' addresses with a peer (Raft) port at either end is
// dropped, both ways, silently (no RST: the connections hang as they would if
// a switch died). Traffic to and from 10.77.S.254, i.e. the test, is left
// alone. nft is used when present, else iptables; healing removes exactly
// those rules and returns how many packets they dropped.
//
// destroy() deletes the namespaces (which takes the veths, the bridge and the
// rules with them) and is safe to call twice or after a half-finished create.
// Labs of earlier runs whose process is gone are swept on create.

import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const PREFIX = 'rkp';
const NFT_TABLE = 'replikit_partition';

type Firewall = { kind: 'nft'; path: string } | { kind: 'iptables'; path: string };

/**
 * Why network-namespace tests cannot run here, or null when they can. Checks
 * the platform, root, `ip`, a firewall tool, and that a namespace can really
 * be made and filtered (a container without the capabilities fails there).
 */
export function netnsUnavailableReason(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) return `network namespaces need root (running as uid ${uid})`;
  const ip = findTool('ip');
  if (!ip) return '`ip` (iproute2) is not installed';
  const firewall = findFirewall();
  if (!firewall) return 'neither `nft` nor `iptables` is installed (Debian: apt-get install nftables)';
  const probe = `${PREFIX}${process.pid}probe`;
  try {
    run(ip, ['netns', 'add', probe]);
  } catch (error) {
    return `cannot create a network namespace: ${(error as Error).message}`;
  }
  try {
    listRules(firewall, probe);
  } catch (error) {
    return `${firewall.kind} does not work inside a namespace: ${(error as Error).message}`;
  } finally {
    try {
      run(ip, ['netns', 'del', probe]);
    } catch {
      // Nothing to do: the sweep of the next run removes it.
    }
  }
  return null;
}

interface Host {
  readonly id: string;
  readonly netns: string;
  readonly address: string;
}

export class NetnsLab {
  private readonly hosts = new Map<string, Host>();
  private readonly namespaces: string[] = [];
  private readonly cutRules = new Map<string, string[][]>();
  private destroyed = false;

  private constructor(
    private readonly ip: string,
    private readonly firewall: Firewall,
    private readonly name: string,
    /** The first three octets, e.g. "10.77.42". */
    private readonly subnet: string,
  ) {}

  /** One namespace per id, on one bridge, each with its own address. */
  static create(ids: readonly string[]): NetnsLab {
    const ip = findTool('ip');
    const firewall = findFirewall();
    if (!ip || !firewall) throw new Error(netnsUnavailableReason() ?? 'ip or a firewall tool is missing');
    if (ids.length < 1 || ids.length > 200) throw new Error(`a lab holds 1 to 200 hosts, not ${ids.length}`);
    sweepStaleLabs(ip);
    const lab = new NetnsLab(ip, firewall, `${PREFIX}${process.pid}`, freeSubnet(ip));
    try {
      lab.build(ids);
    } catch (error) {
      lab.destroy();
      throw error;
    }
    return lab;
  }

  get firewallKind(): 'nft' | 'iptables' {
    return this.firewall.kind;
  }

  /** The address the test uses to reach the lab (its end of the uplink). */
  get testAddress(): string {
    return `${this.subnet}.254`;
  }

  address(id: string): string {
    return this.host(id).address;
  }

  netnsOf(id: string): string {
    return this.host(id).netns;
  }

  /** The command prefix that runs a program inside `id`'s namespace. */
  command(id: string): string[] {
    return [this.ip, 'netns', 'exec', this.host(id).netns];
  }

  /**
   * Cuts `id` off from `others`: inside `id`'s namespace, drop TCP between its
   * address and theirs whenever one end uses one of `ports`, in and out.
   */
  cut(id: string, others: readonly string[], ports: readonly number[]): void {
    if (this.cutRules.has(id)) throw new Error(`${id} is already cut`);
    if (others.length === 0 || ports.length === 0) throw new Error('cut needs peers and ports');
    const netns = this.host(id).netns;
    const addresses = others.map((other) => this.address(other));
    if (this.firewall.kind === 'nft') {
      const set = (values: readonly (string | number)[]): string => `{ ${values.join(', ')} }`;
      const ruleset = [
        `table inet ${NFT_TABLE} {`,
        '  chain input {',
        '    type filter hook input priority filter; policy accept;',
        `    ip saddr ${set(addresses)} tcp dport ${set(ports)} counter drop`,
        `    ip saddr ${set(addresses)} tcp sport ${set(ports)} counter drop`,
        '  }',
        '  chain output {',
        '    type filter hook output priority filter; policy accept;',
        `    ip daddr ${set(addresses)} tcp dport ${set(ports)} counter drop`,
        `    ip daddr ${set(addresses)} tcp sport ${set(ports)} counter drop`,
        '  }',
        '}',
        '',
      ].join('\n');
      run(this.ip, ['netns', 'exec', netns, this.firewall.path, '-f', '-'], ruleset);
      this.cutRules.set(id, []);
      return;
    }
    // iptables: multiport --ports matches the source or the destination port.
    const portList = ports.join(',');
    const rules = [
      ['INPUT', '-s', addresses.join(','), '-p', 'tcp', '-m', 'multiport', '--ports', portList, '-j', 'DROP'],
      ['OUTPUT', '-d', addresses.join(','), '-p', 'tcp', '-m', 'multiport', '--ports', portList, '-j', 'DROP'],
    ];
    const added: string[][] = [];
    this.cutRules.set(id, added);
    for (const rule of rules) {
      run(this.ip, ['netns', 'exec', netns, this.firewall.path, '-w', '-A', ...rule]);
      added.push(rule);
    }
  }

  /** The firewall rules in force in `id`'s namespace, as the tool lists them. */
  rules(id: string): string {
    return listRules(this.firewall, this.host(id).netns);
  }

  /** Removes the cut of `id`; returns how many packets its rules dropped. */
  heal(id: string): number {
    const added = this.cutRules.get(id);
    if (added === undefined) throw new Error(`${id} is not cut`);
    const netns = this.host(id).netns;
    const dropped = this.droppedPackets(netns);
    if (this.firewall.kind === 'nft') {
      run(this.ip, ['netns', 'exec', netns, this.firewall.path, 'delete', 'table', 'inet', NFT_TABLE]);
    } else {
      for (const rule of added) run(this.ip, ['netns', 'exec', netns, this.firewall.path, '-w', '-D', ...rule]);
    }
    this.cutRules.delete(id);
    return dropped;
  }

  /** Deletes every namespace of the lab (and with them the veths, the bridge and the rules). Never throws. */
  destroy(): string[] {
    if (this.destroyed) return [];
    this.destroyed = true;
    const problems: string[] = [];
    for (const netns of this.namespaces.splice(0).reverse()) {
      try {
        run(this.ip, ['netns', 'del', netns]);
      } catch (error) {
        problems.push(`${netns}: ${(error as Error).message}`);
      }
    }
    // The uplink's root end goes with its peer in the switch namespace; make sure.
    try {
      run(this.ip, ['link', 'del', 'dev', `${this.name}h`]);
    } catch {
      // Already gone, as expected.
    }
    return problems;
  }

  private build(ids: readonly string[]): void {
    const ip = (...args: string[]): string => run(this.ip, args);
    const sw = this.addNamespace(`${this.name}sw`);
    ip('-n', sw, 'link', 'set', 'dev', 'lo', 'up');
    ip('-n', sw, 'link', 'add', 'dev', 'br0', 'type', 'bridge');
    ip('-n', sw, 'link', 'set', 'dev', 'br0', 'up');
    ids.forEach((id, index) => {
      if (!/^[A-Za-z0-9]{1,4}$/.test(id)) throw new Error(`host id ${JSON.stringify(id)}: 1 to 4 letters or digits`);
      const netns = this.addNamespace(`${this.name}${id}`);
      const address = `${this.subnet}.${index + 1}`;
      const port = `p${index + 1}`;
      ip('-n', netns, 'link', 'set', 'dev', 'lo', 'up');
      ip('link', 'add', 'dev', 'eth0', 'netns', netns, 'type', 'veth', 'peer', 'name', port, 'netns', sw);
      ip('-n', sw, 'link', 'set', 'dev', port, 'master', 'br0', 'up');
      ip('-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      ip('-n', netns, 'link', 'set', 'dev', 'eth0', 'up');
      this.hosts.set(id, { id, netns, address });
    });
    const uplink = `${this.name}h`;
    ip('link', 'add', 'dev', uplink, 'type', 'veth', 'peer', 'name', 'uplink', 'netns', sw);
    ip('-n', sw, 'link', 'set', 'dev', 'uplink', 'master', 'br0', 'up');
    ip('addr', 'add', `${this.testAddress}/24`, 'dev', uplink);
    ip('link', 'set', 'dev', uplink, 'up');
  }

  private addNamespace(netns: string): string {
    run(this.ip, ['netns', 'add', netns]);
    this.namespaces.push(netns);
    return netns;
  }

  private droppedPackets(netns: string): number {
    const text = listRules(this.firewall, netns, { counters: true });
    let total = 0;
    if (this.firewall.kind === 'nft') {
      for (const match of text.matchAll(/counter packets (\d+) bytes \d+ drop/g)) total += Number(match[1]);
    } else {
      // `iptables -L -v -x -n`: the first column of a rule line is its packet count.
      for (const line of text.split('\n')) {
        const match = /^\s*(\d+)\s+\d+\s+DROP\b/.exec(line);
        if (match) total += Number(match[1]);
      }
    }
    return total;
  }

  private host(id: string): Host {
    const host = this.hosts.get(id);
    if (!host) throw new Error(`no host ${id} in the lab`);
    return host;
  }
}

function listRules(firewall: Firewall, netns: string, options: { counters?: boolean } = {}): string {
  const ip = findTool('ip') as string;
  if (firewall.kind === 'nft') return run(ip, ['netns', 'exec', netns, firewall.path, 'list', 'ruleset']);
  const args = options.counters ? ['-w', '-L', '-v', '-x', '-n'] : ['-w', '-S'];
  return run(ip, ['netns', 'exec', netns, firewall.path, ...args]);
}

/** nft when present, else iptables; REPLIKIT_NETNS_FIREWALL=nft|iptables picks one. */
function findFirewall(): Firewall | null {
  const wanted = process.env['REPLIKIT_NETNS_FIREWALL'];
  const order = wanted === 'iptables' ? (['iptables'] as const) : wanted === 'nft' ? (['nft'] as const) : (['nft', 'iptables'] as const);
  for (const kind of order) {
    const path = findTool(kind);
    if (path) return { kind, path };
  }
  return null;
}

/** An executable on PATH or in the sbin directories (which a non-login PATH may lack). */
function findTool(name: string): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** A 10.77.S.0/24 that no interface of the root namespace is on. */
function freeSubnet(ip: string): string {
  const used = run(ip, ['-4', '-o', 'addr', 'show']) + run(ip, ['-4', 'route', 'show']);
  for (let i = 0; i < 200; i++) {
    const candidate = `10.77.${20 + ((process.pid + i) % 200)}`;
    if (!used.includes(`${candidate}.`)) return candidate;
  }
  throw new Error('no free 10.77.x.0/24 subnet for the lab');
}

/** Deletes namespaces (and uplinks) of labs whose test process no longer runs. */
function sweepStaleLabs(ip: string): void {
  const names = run(ip, ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(PREFIX));
  for (const name of names) {
    const pid = Number(/^rkp(\d+)/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    try {
      run(ip, ['netns', 'del', name]);
    } catch {
      // Another sweeper got there first.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function run(file: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`${[file, ...args].join(' ')} failed${stderr ? `: ${stderr}` : `: ${(error as Error).message}`}`);
  }
}
