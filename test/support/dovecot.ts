/**
 * A private, throwaway Dovecot (IMAP + LMTP) for integration tests.
 *
 * Every call to {@link startDovecot} writes its own config into a fresh temp dir
 * (own base_dir, state_dir, log and mail store), listens on free loopback ports
 * only, and accepts any user name with the password `secret`. Mail delivered by
 * LMTP to `<user>@example.test` or `<user>+tag@example.test` lands in the INBOX
 * that IMAP login `<user>` sees.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';

const execFileAsync = promisify(execFile);

const DOVECOT_BIN = '/usr/sbin/dovecot';
const DOVEADM_BIN = '/usr/bin/doveadm';
const HOST = '127.0.0.1';
const PASSWORD = 'secret';
const MAIL_USER = 'vmail';
const START_TIMEOUT_MS = 15_000;
/** doveadm's exit code when `kick` found no connection of that user. */
const EX_NOUSER = 68;

/** A running private Dovecot instance. */
export interface DovecotServer {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** IMAP (plaintext, no TLS) port. */
  readonly imapPort: number;
  /** LMTP port. */
  readonly lmtpPort: number;
  /** The password every user logs in with (`secret`). */
  readonly password: string;
  /** Path of the generated dovecot.conf. */
  readonly configPath: string;
  /**
   * Delivers a raw message by LMTP.
   * @param opts.user mailbox owner; recipients default to `[<user>@example.test]`
   * @param opts.envelopeFrom envelope sender; `''` (the default) sends `MAIL FROM:<>`
   * @param opts.recipients envelope recipients, e.g. `['alice+tag@example.test']`
   */
  deliver(opts: { user: string; raw: string | Buffer; envelopeFrom?: string; recipients?: string[] }): Promise<void>;
  /** Runs `doveadm -c <conf> ...args` and returns its stdout. Rejects on a non-zero exit. */
  doveadm(args: string[]): Promise<string>;
  /** Forces a new UIDVALIDITY on a mailbox (`doveadm mailbox update --uid-validity`). */
  setUidValidity(user: string, mailbox: string, uidValidity: number): Promise<void>;
  /**
   * Drops every IMAP connection of a user (`doveadm kick`).
   * @returns false when the user had no connection (doveadm exits 68 then), true otherwise
   */
  kick(user: string): Promise<boolean>;
  /** Stops Dovecot and deletes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** True when the Dovecot binary is installed on this machine. */
export const dovecotAvailable = (): boolean => existsSync(DOVECOT_BIN);

/**
 * Starts a private Dovecot and resolves once its IMAP port answers `* OK`.
 * @throws Error with the Dovecot log if it is not installed or does not start.
 */
export async function startDovecot(): Promise<DovecotServer> {
  if (!dovecotAvailable()) {
    throw new Error(`Dovecot is not installed (${DOVECOT_BIN} missing): apt-get install -y dovecot-imapd dovecot-lmtpd`);
  }
  const { uid, gid } = ensureMailUser();
  const [imapPort, lmtpPort] = await freePorts(2);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'dovecot-test-'));
  // Login processes run as dovenull and must traverse into base_dir.
  await chmod(dir, 0o755);
  for (const sub of ['mail', 'home']) {
    await mkdir(path.join(dir, sub));
    await chown(path.join(dir, sub), uid, gid);
  }
  const configPath = path.join(dir, 'dovecot.conf');
  const logPath = path.join(dir, 'dovecot.log');
  await writeFile(configPath, dovecotConfig(dir, logPath, imapPort!, lmtpPort!));

  const child = spawn(DOVECOT_BIN, ['-F', '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`dovecot exited (code ${code}, signal ${signal})`));
    child.once('error', (err) => resolve(`dovecot failed to spawn: ${err.message}`));
  });
  // Never leave an orphaned Dovecot behind if the test process dies without stop().
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const cleanup = async (): Promise<void> => {
    process.off('exit', killOnExit);
    await killAndWait(child);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await Promise.race([
      waitForImapGreeting(imapPort!, START_TIMEOUT_MS),
      exited.then((why) => Promise.reject(new Error(why))),
    ]);
  } catch (err) {
    const log = await readFile(logPath, 'utf8').catch(() => '');
    await cleanup();
    throw new Error(
      `Dovecot did not start: ${(err as Error).message}\n--- output ---\n${output}\n--- ${logPath} ---\n${log}`,
    );
  }

  const doveadm = async (args: string[]): Promise<string> => {
    try {
      const { stdout } = await execFileAsync(DOVEADM_BIN, ['-c', configPath, ...args]);
      return stdout;
    } catch (err) {
      const e = err as Error & { stderr?: string; code?: number };
      throw Object.assign(new Error(`doveadm ${args.join(' ')} failed (exit ${e.code}): ${e.stderr || e.message}`), {
        exitCode: e.code,
      });
    }
  };

  let stopped: Promise<void> | undefined;
  return {
    host: HOST,
    imapPort: imapPort!,
    lmtpPort: lmtpPort!,
    password: PASSWORD,
    configPath,
    async deliver({ user, raw, envelopeFrom = '', recipients = [`${user}@example.test`] }) {
      const transport = nodemailer.createTransport({ host: HOST, port: lmtpPort, lmtp: true, ignoreTLS: true });
      try {
        // An empty (false) envelope sender is sent as MAIL FROM:<>.
        await transport.sendMail({ envelope: { from: envelopeFrom || false, to: recipients }, raw });
      } finally {
        transport.close();
      }
    },
    doveadm,
    async setUidValidity(user, mailbox, uidValidity) {
      await doveadm(['mailbox', 'update', '-u', user, '--uid-validity', String(uidValidity), mailbox]);
    },
    async kick(user) {
      try {
        await doveadm(['kick', user]);
        return true;
      } catch (err) {
        if ((err as { exitCode?: number }).exitCode === EX_NOUSER) return false;
        throw err;
      }
    },
    stop() {
      stopped ??= cleanup();
      return stopped;
    },
  };
}

/** The whole private config; nothing from /etc/dovecot is included. */
function dovecotConfig(dir: string, logPath: string, imapPort: number, lmtpPort: number): string {
  return `# Generated by test/support/dovecot.ts
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = ${path.basename(dir)}
log_path = ${logPath}
listen = ${HOST}
protocols = imap lmtp
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
# alice, Alice@example.test and alice+tag@example.test all become user "alice".
auth_username_format = %Ln
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
mail_location = maildir:${dir}/mail/%u
mail_uid = ${MAIL_USER}
mail_gid = ${MAIL_USER}
first_valid_uid = 1
first_valid_gid = 1

passdb {
  driver = static
  args = password=${PASSWORD}
}
userdb {
  driver = static
  args = uid=${MAIL_USER} gid=${MAIL_USER} home=${dir}/home/%u allow_all_users=yes
}

service imap-login {
  inet_listener imap {
    address = ${HOST}
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = ${HOST}
    port = ${lmtpPort}
  }
}
`;
}

/** Returns uid/gid of the `vmail` system user, creating it if needed (Dovecot refuses uid 0). */
function ensureMailUser(): { uid: number; gid: number } {
  const lookup = (): string => execFileSync('getent', ['passwd', MAIL_USER], { encoding: 'utf8' });
  let entry: string;
  try {
    entry = lookup();
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', MAIL_USER]);
    entry = lookup();
  }
  const [, , uid, gid] = entry.trim().split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Finds `count` distinct free loopback ports by binding port 0 (all held open at once). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, HOST, () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Polls the IMAP port until a connection gets the `* OK` greeting. */
async function waitForImapGreeting(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    try {
      const greeting = await readGreeting(port);
      if (greeting.startsWith('* OK')) return;
      last = `unexpected greeting ${JSON.stringify(greeting)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`IMAP port ${port} not ready after ${timeoutMs} ms (${last})`);
}

function readGreeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST);
    let data = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('timed out waiting for greeting')));
    socket.on('data', (d) => {
      data += d.toString();
      if (data.includes('\n')) {
        socket.end('x LOGOUT\r\n');
        resolve(data);
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before greeting')));
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}
