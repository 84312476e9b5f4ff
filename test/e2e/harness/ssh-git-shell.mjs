#!/usr/bin/env node
// Forced command for the e2e sshd (see sshd.ts), playing the part of gitlab-shell: it serves
// `git-upload-pack '<project>.git'` from the bare repositories under a root directory and
// refuses everything else. Plain JavaScript because sshd runs it with node directly.
//
// argv: <repo root> <git binary>. The client's command arrives in SSH_ORIGINAL_COMMAND.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const [root, git] = process.argv.slice(2);
const original = process.env.SSH_ORIGINAL_COMMAND ?? '';

function refuse(reason) {
  process.stderr.write(`modgate-e2e ssh: ${reason}\n`);
  process.exit(1);
}

// git quotes the path with single quotes (sq_quote); a path needing escapes is not one we serve.
const match = /^git[ -]upload-pack '([^'\\!]+)'$/.exec(original);
if (!match) refuse(`command not allowed: ${JSON.stringify(original)}`);

// Like gitlab-shell: an optional leading slash, an optional .git suffix.
const project = match[1].replace(/^\//, '').replace(/\.git$/, '');
const segments = project.split('/');
if (segments.some((s) => s === '' || s === '.' || s === '..')) refuse(`invalid project path ${JSON.stringify(match[1])}`);

const repo = join(root, `${project}.git`);
if (!existsSync(repo)) refuse(`project not found: ${project}`);

const child = spawn(git, ['upload-pack', repo], {
  stdio: 'inherit',
  env: {
    PATH: process.env.PATH,
    // Only the protocol version travels from the client (AcceptEnv GIT_PROTOCOL).
    ...(process.env.GIT_PROTOCOL ? { GIT_PROTOCOL: process.env.GIT_PROTOCOL } : {}),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
