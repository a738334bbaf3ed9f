/**
 * `counterpay` — the operator's command line. Uses the same DATABASE_URL / DATA_DIR as the server.
 * On PGlite it never opens a data folder that a running server holds: it sends the command to
 * that server over the admin socket instead, and says so on stderr.
 *
 * Everything it prints goes through `write`, which escapes control characters in text (names and
 * messages come from the data) and keeps JSON one valid object per line.
 */
import { parseEnv } from '../config/env.ts';
import { DataDirBusyError, lockHolder } from '../db/data-dir-lock.ts';
import type { Services } from '../context.ts';
import { UsageError } from '../errors.ts';
import { describeFailure, escapeControlCharacters, OWN_PROCESS_COMMANDS, resolveCommand, runCommand, type CommandResult } from './commands.ts';
import { sendToServer } from './admin-socket.ts';
import { usageText } from './usage.ts';
// The database, the services and the worker are imported only when this process opens the
// database itself: a command sent to a running server, or a usage error, starts faster without.

/**
 * The one way the CLI prints: a line of text with its control characters escaped (the layout's
 * newlines and tabs stay), or one JSON object. JSON.stringify already escapes C0 controls; DEL
 * and C1 controls, which it leaves raw, are written as \u escapes too (the same JSON value).
 */
function write(stream: 'stdout' | 'stderr', output: { text: string } | { json: unknown }): void {
  const line = 'json' in output ? escapeControlCharacters(JSON.stringify(output.json)) : escapeControlCharacters(output.text, 'layout');
  process[stream].write(`${line}\n`);
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  if (args.length === 0 || args[0] === 'help' || args.includes('--help') || args.includes('-h')) {
    write('stdout', { text: usageText() });
    return args.length === 0 ? 2 : 0;
  }
  const print = (result: CommandResult) => write('stdout', json ? { json: result.json } : { text: result.text });
  const fail = (error: { code: string; message: string; usage: boolean }) => {
    if (json) write('stdout', { json: { error: { code: error.code, message: error.message } } });
    else write('stderr', { text: `counterpay: ${error.message}${error.usage ? `\n\n${usageText()}` : ''}` });
    return error.usage ? 2 : 1;
  };

  // Which command it is, before anything is opened: a mistyped one fails at once, and one that
  // runs in this process (the worker) is never sent to a server.
  let ownProcess = false;
  try {
    const command = resolveCommand(args);
    ownProcess = OWN_PROCESS_COMMANDS.includes(command.name);
    if (ownProcess && command.args.length > 0) throw new UsageError(`${command.name} takes no arguments, got ${command.args.join(' ')}`);
  } catch (err) {
    return fail(describeFailure(err));
  }

  let env: ReturnType<typeof parseEnv>;
  try {
    env = parseEnv();
  } catch (err) {
    return fail({ code: 'configuration', message: (err as Error).message, usage: false });
  }

  if (!env.DATABASE_URL) {
    if (ownProcess && lockHolder(env.DATA_DIR)) {
      return fail({
        code: 'data-dir-busy',
        message: `the server (pid ${lockHolder(env.DATA_DIR)}) holds ${env.DATA_DIR} and runs the outbox worker itself; extra workers need PostgreSQL (DATABASE_URL)`,
        usage: false,
      });
    }
    const viaServer = await sendToServer(env.DATA_DIR, args);
    if (viaServer) {
      write('stderr', { text: `counterpay: the server (pid ${viaServer.pid}) holds ${env.DATA_DIR}; the command runs through it.` });
      if (viaServer.ok) {
        print(viaServer.result!);
        return 0;
      }
      return fail(viaServer.error!);
    }
    const holder = lockHolder(env.DATA_DIR);
    if (holder) {
      return fail({
        code: 'data-dir-busy',
        message: `process ${holder} holds the data folder ${env.DATA_DIR} but does not answer on its socket (starting up?); try again in a moment`,
        usage: false,
      });
    }
  }

  const { openDatabase } = await import('../db/client.ts');
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, poolSize: 2 });
  } catch (err) {
    if (err instanceof DataDirBusyError) return fail({ code: 'data-dir-busy', message: `${err.message}; try again in a moment`, usage: false });
    return fail({ code: 'database', message: `cannot open the database: ${(err as Error).message}`, usage: false });
  }
  try {
    const { createServices } = await import('../context.ts');
    const services = await createServices(database, {
      publicUrl: env.PUBLIC_URL,
      signingKeySecret: env.SIGNING_KEY_SECRET,
      production: env.NODE_ENV === 'production',
      webhookTargets: env.WEBHOOK_TARGETS,
    });
    await services.keys.ensureCurrent();
    if (ownProcess) return await runWorker(services, env);
    print(await runCommand(services, args));
    return 0;
  } catch (err) {
    return fail(describeFailure(err));
  } finally {
    await database.close();
  }
}

/** `counterpay worker`: drains the outbox until SIGINT/SIGTERM (several may run against one PostgreSQL). */
async function runWorker(services: Services, env: ReturnType<typeof parseEnv>): Promise<number> {
  const { createWorker } = await import('../outbox/run-worker.ts');
  const log = (line: string) => write('stderr', { text: `[counterpay worker] ${line}` });
  // The signal handlers come first: "running" may reach a reader (who may answer with SIGTERM at
  // once) before the next line here runs, since writes to a pipe are synchronous.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const w = createWorker(services, env, log);
  w.start();
  log(`running (pid ${process.pid}); stop with Ctrl-C`);
  await stopped;
  await w.stop();
  log('stopped');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
