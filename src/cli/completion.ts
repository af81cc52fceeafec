// hodei completion bash|zsh|fish: shell completion generated from the command tree itself, so it
// never lists a command or flag the CLI does not have.
import { InvalidArgumentError, type Command } from 'commander';

interface Node { path: string[]; subcommands: string[]; options: string[] }

/** Every command path with its subcommands and long/short flags. */
export function commandTree(program: Command): Node[] {
  const out: Node[] = [];
  const walk = (cmd: Command, path: string[]): void => {
    const options = cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
    out.push({ path, subcommands: cmd.commands.map((c) => c.name()), options: [...options, '--help'] });
    for (const c of cmd.commands) walk(c, [...path, c.name()]);
  };
  walk(program, []);
  return out;
}

export function bashCompletion(program: Command): string {
  const cases = commandTree(program).map((n) => `    "${n.path.join(' ')}") words="${[...n.subcommands, ...n.options].join(' ')}" ;;`).join('\n');
  return `# bash completion for hodei; load with: source <(hodei completion bash)
_hodei() {
  local cur path="" w words i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    _hodei_is_path "\${path:+$path }$w" && path="\${path:+$path }$w"
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
_hodei_is_path() {
  case "$1" in ${commandTree(program).filter((n) => n.path.length).map((n) => `"${n.path.join(' ')}"`).join('|')}) return 0 ;; esac
  return 1
}
complete -F _hodei hodei
`;
}

export function zshCompletion(program: Command): string {
  return `#compdef hodei
# zsh completion for hodei; load with: source <(hodei completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program)}`;
}

export function fishCompletion(program: Command): string {
  const lines = ['# fish completion for hodei; load with: hodei completion fish | source', 'complete -c hodei -f'];
  for (const n of commandTree(program)) {
    const cond = n.path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${n.path.at(-1)}`;
    for (const sub of n.subcommands) lines.push(`complete -c hodei -n '${cond}' -a ${sub}`);
    for (const o of n.options.filter((x) => x.startsWith('--'))) lines.push(`complete -c hodei -n '${cond}' -l ${o.slice(2)}`);
  }
  return lines.join('\n') + '\n';
}

export function registerCompletionCommand(program: Command): void {
  program.command('completion').description('print a shell completion script: bash, zsh or fish')
    .argument('<shell>', 'bash | zsh | fish')
    .action((shell: string) => {
      const gen = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion }[shell];
      if (!gen) throw new InvalidArgumentError(`shell must be bash, zsh or fish, got '${shell}'`);
      process.stdout.write(gen(program));
    });
}
