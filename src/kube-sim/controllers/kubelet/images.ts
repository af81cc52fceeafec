// Which images the simulated registry has, and which containers really run the Hodei agent.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { hodeiCliCommand } from '../../../util/paths.js';
import type { Container } from '../pod-types.js';

export const DEFAULT_IMAGE_ALLOW_LIST = ['hodei-worker', 'ghcr.io/hodei/hodei', 'alpine', 'busybox', 'python', 'node', 'ubuntu', 'debian'];

/** Image name without registry host for docker.io images: `docker.io/library/alpine:3` → `alpine:3`. */
function shortName(image: string): string {
  return image.replace(/^(docker\.io\/)?(library\/)?/, '');
}

export function imageAllowed(image: string, allow: readonly string[]): boolean {
  const name = shortName(image);
  return allow.some((p) => name.startsWith(p.replace(/\*$/, '')));
}

/**
 * The Hodei image: `hodei-worker*` (tests) or the published `ghcr.io/hodei/hodei` of deploy/Dockerfile,
 * whose ENTRYPOINT is `hodei` — `hodei server` (the control plane of deploy/kubernetes) and
 * `hodei worker` both run as the local build.
 */
export const isWorkerImage = (image: string): boolean => shortName(image).startsWith('hodei-worker') || /^ghcr\.io\/hodei\/hodei[:@]/.test(image);

/** A stable digest-style image id, like the runtime reports. */
export function imageId(image: string): string {
  const repo = image.split('@')[0]?.replace(/:[^/:]+$/, '') ?? image;
  const full = repo.includes('/') ? (repo.includes('.') ? repo : `docker.io/${repo}`) : `docker.io/library/${repo}`;
  return `${full}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/**
 * argv of the real process for a container that runs the agent, or undefined (simulated):
 *  - image `hodei-worker*` with no command, or command `hodei ...` → `hodei` CLI + command[1..] + args;
 *  - command[0] under the agent path prefix (the agent an init container copied into a shared
 *    volume, the Tekton/Argo entrypoint pattern) → `hodei` CLI + command[1..] + args.
 */
export function agentArgv(c: Container, agentPathPrefix: string, cli: () => string[] = hodeiCliCommand): string[] | undefined {
  const cmd = c.command ?? [];
  const args = c.args ?? [];
  const first = cmd[0];
  if (isWorkerImage(c.image) && (first === undefined || basename(first) === 'hodei')) return [...cli(), ...cmd.slice(1), ...args];
  if (first !== undefined && first.startsWith(agentPathPrefix)) return [...cli(), ...cmd.slice(1), ...args];
  return undefined;
}
