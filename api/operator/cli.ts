/**
 * `counterpay` — the operator's command line. Uses the same DATABASE_URL / DATA_DIR as the server.
 * On PGlite it never opens a data folder that a running server holds: it sends the command to
 * that server over the admin socket instead, and says so on stderr.
 */
import { parseEnv } from '../config/env.ts';
import { openDatabase } from '../db/client.ts';
import { DataDirBusyError, lockHolder } from '../db/data-dir-lock.ts';
import { createServices } from '../context.ts';
import { describeFailure, runCommand, USAGE, type CommandResult } from './commands.ts';
import { sendToServer } from './admin-socket.ts';
import { createWorker } from '../outbox/run-worker.ts';

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  if (args.length === 0 || args[0] === 'help' || args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return args.length === 0 ? 2 : 0;
  }
  const print = (result: CommandResult) => console.log(json ? JSON.stringify(result.json) : result.text);
  const fail = (error: { code: string; message: string; usage: boolean }) => {
    if (json) console.log(JSON.stringify({ error: { code: error.code, message: error.message } }));
    else console.error(`counterpay: ${error.message}${error.usage ? `\n\n${USAGE}` : ''}`);
    return error.usage ? 2 : 1;
  };

  let env;
  try {
    env = parseEnv();
  } catch (err) {
    return fail({ code: 'configuration', message: (err as Error).message, usage: false });
  }

  if (!env.DATABASE_URL) {
    if (args[0] === 'worker' && lockHolder(env.DATA_DIR)) {
      return fail({ code: 'data-dir-busy', message: `the server (pid ${lockHolder(env.DATA_DIR)}) holds ${env.DATA_DIR} and runs the outbox worker itself; extra workers need PostgreSQL (DATABASE_URL)`, usage: false });
    }
    const viaServer = await sendToServer(env.DATA_DIR, args);
    if (viaServer) {
      console.error(`counterpay: the server (pid ${viaServer.pid}) holds ${env.DATA_DIR}; the command runs through it.`);
      if (viaServer.ok) {
        print(viaServer.result!);
        return 0;
      }
      return fail(viaServer.error!);
    }
    const holder = lockHolder(env.DATA_DIR);
    if (holder) {
      return fail({ code: 'data-dir-busy', message: `process ${holder} holds the data folder ${env.DATA_DIR} but does not answer on its socket (starting up?); try again in a moment`, usage: false });
    }
  }

  let database;
  try {
    database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, poolSize: 2 });
  } catch (err) {
    if (err instanceof DataDirBusyError) return fail({ code: 'data-dir-busy', message: `${err.message}; try again in a moment`, usage: false });
    return fail({ code: 'database', message: `cannot open the database: ${(err as Error).message}`, usage: false });
  }
  try {
    const services = await createServices(database, { publicUrl: env.PUBLIC_URL, signingKeySecret: env.SIGNING_KEY_SECRET, production: env.NODE_ENV === 'production' });
    await services.keys.ensureCurrent();
    if (args[0] === 'worker') return await runWorker(services, env);
    print(await runCommand(services, args));
    return 0;
  } catch (err) {
    return fail(describeFailure(err));
  } finally {
    await database.close();
  }
}

/** `counterpay worker`: drains the outbox until SIGINT/SIGTERM (several may run against one PostgreSQL). */
async function runWorker(services: Awaited<ReturnType<typeof createServices>>, env: ReturnType<typeof parseEnv>): Promise<number> {
  const log = (line: string) => console.error(`[counterpay worker] ${line}`);
  const w = createWorker(services, env, log);
  w.start();
  log(`running (pid ${process.pid}); stop with Ctrl-C`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await w.stop();
  log('stopped');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
