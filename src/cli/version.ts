// hodei version: the client's version and, when a server answers, the server's version and build.
import type { Command } from 'commander';
import { VERSION } from '../version.js';
import { addClientOptions, clientFrom, type ClientFlags } from './common.js';
import { renderOne } from './output.js';

export function registerVersionCommand(program: Command): void {
  addClientOptions(program.command('version').description('print the client version and the server\'s version and build')
    .option('--client', 'only the client version (no server needed)'), ['table', 'json', 'yaml'])
    .action(async (flags: ClientFlags & { client?: boolean }) => {
      const client = { version: VERSION, node: process.version, platform: `${process.platform}/${process.arch}` };
      const server = flags.client ? undefined : await clientFrom(flags).version();
      const doc = { client, ...(server ? { server } : {}) };
      process.stdout.write(renderOne(flags, doc, () => [
        `Client Version: ${client.version} (node ${client.node}, ${client.platform})`,
        ...(server ? [`Server Version: ${server.version} (commit ${server.build.commit ?? 'unknown'}, built ${server.build.builtAt ?? 'unknown'}, node ${server.build.node}, ${server.build.platform})`] : []),
      ].join('\n') + '\n'));
    });
}
