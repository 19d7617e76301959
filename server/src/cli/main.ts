// The `model-audit` command line: check, render and lsp, per the contract. Usage and I/O errors exit 2 with a
// one-line reason on stderr; nothing here writes to the files it reads.

import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { Severity } from '../core/graph';
import { loadParsers } from '../parsing/loadParsers';
import { collectFiles, displayPath, UsageError } from '../workspace/files';
import { type CheckedFile, checkJson, checkText } from './checkReport';
import { probeCommand } from './probeCommand';
import { renderModels } from './renderCommand';
import { ALL_FINDING_CODES, rulesJson, rulesText } from './rulesCommand';
import { toSarif } from '../core/sarif';
import { describeConfigProblems, ProjectConfigs } from '../workspace/projectConfig';
import { createImportResolver } from '../workspace/pythonImports';
import { checkFilesWithSpecs, diffSpec } from './specCommands';

export interface CliIo {
  readonly cwd: string;
  out(text: string): void;
  err(text: string): void;
}

const VERSION = '0.1.0';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name('model-audit')
    .description('Finds the soft bugs that gradient descent hides in neural-network code.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError(false);

  program
    .command('check')
    .description('Audit model files and spec files; folders are walked.')
    .argument('<paths...>', 'files or folders')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'never']).default('warning'))
    .option('--show-hints', 'also print hints (code the extractor did not understand)', false)
    .action(async (paths: string[], opts: { format: string; failOn: string; showHints: boolean }) => {
      const checked = await checkPaths(paths, io.cwd, io);
      if (opts.format === 'json') io.out(checkJson(checked));
      else if (opts.format === 'sarif') io.out(`${JSON.stringify(toSarif(checked.map((f) => f.analysis), VERSION, new Map(checked.flatMap((f) => (f.notebook ? [[f.path, f.notebook] as const] : []))), ALL_FINDING_CODES), null, 2)}\n`);
      else io.out(checkText(checked, { showHints: opts.showHints }));
      if (opts.failOn !== 'never') {
        const threshold = opts.failOn as Severity;
        const failing = checked.some((f) => f.analysis.findings.some((d) => Severity.atLeast(d.severity, threshold)));
        exitCode = failing ? 1 : 0;
      }
    });

  program
    .command('rules')
    .description('List every finding code: code, name, default severity, fix safety, what it flags.')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((opts: { format: string }) => {
      io.out(opts.format === 'json' ? rulesJson() : rulesText());
    });

  program
    .command('render')
    .description("Print each model's equation.")
    .argument('<file>', 'a model file')
    .option('--model <name>', 'only this model')
    .addOption(new Option('--format <format>', 'output format').choices(['unicode', 'latex', 'markdown', 'spec']).default('unicode'))
    .action(async (file: string, opts: { model?: string; format: 'unicode' | 'latex' | 'markdown' | 'spec' }) => {
      const [checked] = await checkPaths([file], io.cwd, io);
      io.out(renderModels(checked, opts));
    });

  program
    .command('diff')
    .description('Print a spec and its bound code side by side, both equations, with the differences marked.')
    .argument('<spec>', 'a .mspec file')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown']).default('text'))
    .action(async (spec: string, opts: { format: 'text' | 'markdown' }) => {
      const result = diffSpec(spec, io.cwd, await loadParsers(), opts.format);
      io.out(result.text);
      exitCode = result.exitCode;
    });

  program
    .command('probe')
    .description('Run quick-train probes on a model (TensorFlow.js, in a worker process).')
    .argument('<file>', 'the model file')
    .option('--model <name>', "the model's name (optional when the file has one model)")
    .option('--probe <ids...>', 'nonlinearity, overfit, init-loss, gradient-flow, spec-bakeoff, or all')
    .option('--spec <file>', 'a spec (.mspec) or a model file whose model is the spec, for spec-bakeoff')
    .option('--spec-model <name>', "the spec's model, when the spec file has several")
    .addOption(new Option('--backend <backend>', 'where to train').choices(['auto', 'cpu', 'wasm', 'tensorflow', 'tensorflow-gpu']).default('auto'))
    .option('--steps <n>', 'training steps per probe')
    .option('--seed <n>', 'random seed (the same seed gives the same verdicts)')
    .option('--width-scale <s>', 'scale hidden widths down for speed (0 < s ≤ 1); stated in the result')
    .option('--set <name=value>', 'a size the code leaves open (constructor argument, config field), e.g. --set vocab_size=100; repeatable', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--budget <seconds>', 'time the whole run aims to give its verdicts in (default 30); each probe picks steps and widths to fit')
    .option('--timeout <seconds>', 'time limit for the whole run (default 120)')
    .option('--max-memory <mb>', "the worker's heap limit in MB (default 2048)")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--report <file.html>', 'also write an HTML report with the loss curves')
    .action(async (file: string, opts: Record<string, string | string[] | undefined>) => {
      exitCode = await probeCommand(
        {
          file,
          model: opts.model as string | undefined,
          probe: opts.probe as string[] | undefined,
          spec: opts.spec as string | undefined,
          specModel: opts.specModel as string | undefined,
          backend: opts.backend as string | undefined,
          steps: opts.steps as string | undefined,
          seed: opts.seed as string | undefined,
          widthScale: opts.widthScale as string | undefined,
          set: opts.set as string[] | undefined,
          budget: opts.budget as string | undefined,
          timeout: opts.timeout as string | undefined,
          maxMemory: opts.maxMemory as string | undefined,
          format: opts.format as string | undefined,
          report: opts.report as string | undefined,
        },
        { cwd: io.cwd, out: io.out, err: io.err, progress: process.stderr.isTTY ? (line) => io.err(`${line}\n`) : undefined },
      );
    });

  program
    .command('lsp')
    .description('Run the language server (for any LSP client).')
    .option('--stdio', 'talk LSP over stdin and stdout (the default)')
    // Clients add their own flags (vscode-languageclient passes --clientProcessId=N); the server library reads them.
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async () => {
      const { startServer } = await import('../lsp/server');
      startServer();
      exitCode = -1;
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return 2;
    }
    if (error instanceof UsageError) {
      io.err(`model-audit: ${error.message}\n`);
      return 2;
    }
    io.err(`model-audit: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

async function checkPaths(paths: readonly string[], cwd: string, io: CliIo): Promise<CheckedFile[]> {
  const files = collectFiles(paths, cwd);
  const parsers = await loadParsers();
  // Each file is analysed with its project's configuration; a configuration's problems are reported once.
  const configs = new ProjectConfigs();
  const reported = new Set<string>();
  const optionsFor = (full: string) => {
    const found = configs.forFile(full);
    if (found.path && !reported.has(found.path)) {
      reported.add(found.path);
      for (const line of describeConfigProblems(found, (path) => displayPath(path, cwd))) io.err(`model-audit: ${line}\n`);
    }
    return found.config.options;
  };
  // Specs are checked against their code, and code against the checked specs that name it.
  // Models that import their blocks from other files of the project are followed through those files.
  // A broken notebook named on its own stops the check (exit 2); one found in a folder is skipped with its reason.
  const named = new Set(paths.map((p) => resolve(cwd, p)));
  const skipNotebook = (full: string, reason: string) => {
    if (named.has(full)) return false;
    io.err(`model-audit: skipped ${reason}\n`);
    return true;
  };
  return checkFilesWithSpecs(files, cwd, parsers, optionsFor, createImportResolver([cwd], cwd), skipNotebook);
}

/** Runs the command line on this process's arguments and streams; `bin/model-audit.js` calls it. */
export function main(): void {
  runCli(process.argv.slice(2), { cwd: process.cwd(), out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`model-audit: internal error: ${String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

if (require.main === module) main();
