// hodei login and hodei config get-contexts|use-context|view: named contexts in the client config
// file (like kubeconfig), and the effective server configuration with the source of each value.
import { InvalidArgumentError, type Command } from 'commander';
import { HodeiClient } from '../client/client.js';
import { clientConfigPath, readClientConfig, saveContext, useContext } from './contexts.js';
import { addOutputOptions, renderList, renderOne, type OutputFlags } from './output.js';
import { registerConfigViewCommand } from './config-view.js';

interface LoginFlags { server: string; token?: string; name?: string; skipVerify?: boolean }

/** "http://10.0.0.5:7070" → "10.0.0.5-7070": a readable default context name. */
export function contextNameOf(server: string): string {
  const u = new URL(server);
  return `${u.hostname}${u.port ? `-${u.port}` : ''}`.replace(/[^\w.-]/g, '-');
}

export function registerLoginCommands(program: Command): void {
  program.command('login').description(`store a server and its API token as a named context in ${clientConfigPath()} (mode 0600) and make it current`)
    .requiredOption('--server <url>', 'Hodei server URL')
    .option('--token <token>', 'API token (default: env HODEI_API_TOKEN, else read from stdin)')
    .option('--name <context>', 'context name (default: host-port of the server)')
    .option('--skip-verify', 'store the context without checking the token against the server')
    .action(async (flags: LoginFlags) => {
      if (!/^https?:\/\/[^\s]+$/.test(flags.server)) throw new InvalidArgumentError(`--server must be an http(s) URL, got '${flags.server}'`);
      const token = flags.token ?? process.env.HODEI_API_TOKEN ?? (await readStdin()).trim();
      if (!token) throw new InvalidArgumentError('no token: give --token, set HODEI_API_TOKEN, or pipe it on stdin');
      // Check the token before storing it: a wrong one is refused here, not at the next command.
      if (!flags.skipVerify) await new HodeiClient(flags.server, token).listJobs({ limit: 1 });
      const name = flags.name ?? contextNameOf(flags.server);
      saveContext({ name, server: flags.server.replace(/\/+$/, ''), token });
      process.stdout.write(`Logged in to ${flags.server} as context '${name}' (saved in ${clientConfigPath()})\n`);
    });

  const config = program.command('config').description('client contexts and the effective server configuration');
  addOutputOptions(config.command('get-contexts').description('list the contexts of the client config file; * marks the current one'), ['table', 'json', 'yaml', 'name'])
    .action((flags: OutputFlags) => {
      const cfg = readClientConfig();
      const rows = cfg.contexts.map((c) => ({ current: c.name === cfg.currentContext, name: c.name, server: c.server }));
      process.stdout.write(renderList(flags, { currentContext: cfg.currentContext ?? null, contexts: rows }, rows, {
        name: (r) => r.name,
        columns: [
          { header: 'CURRENT', value: (r) => (r.current ? '*' : '') },
          { header: 'NAME', value: (r) => r.name },
          { header: 'SERVER', value: (r) => r.server },
        ],
      }));
    });
  config.command('use-context').description('make a context the current one').argument('<name>')
    .action((name: string) => {
      useContext(name);
      process.stdout.write(`Switched to context '${name}'.\n`);
    });
  config.command('current-context').description('print the current context\'s name')
    .action(() => {
      const cfg = readClientConfig();
      if (!cfg.currentContext) throw new InvalidArgumentError(`no current context: run hodei login --server URL`);
      process.stdout.write(renderOne({}, null, () => `${cfg.currentContext}\n`));
    });
  registerConfigViewCommand(config);
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
