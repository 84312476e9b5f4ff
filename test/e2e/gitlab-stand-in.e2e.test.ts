// The GitLab stand-in answers the REST API as GitLab does and serves its repositories over git.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRepoRoot,
  encodeProjectId,
  isolatedGitEnv,
  makeRepo,
  requireTools,
  run,
  startGitLabStandIn,
  toolPath,
  type BareRepo,
  type GitLabStandIn,
  type RepoRoot,
} from './harness/index.js';

const TOKEN = 'glpat-standin-test-token';
const DEEP = 'platform/oss/a/b/c';
const SECRET = 'platform/oss/secret';
const INNER = 'platform/oss/inner';
const MOVED = 'platform/oss/renamed';
const FORMER = 'platform/legacy/old-name';

async function api(lab: GitLabStandIn, id: string, headers: Record<string, string> = {}, route = 'projects') {
  const res = await fetch(`${lab.url}/api/v4/${route}/${id}`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, any> };
}

function lsRemote(url: string) {
  return run(toolPath('git'), ['ls-remote', url, 'HEAD'], { env: isolatedGitEnv() });
}

describe.skipIf(!requireTools('git', 'git-http-backend'))('GitLab stand-in', () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  let deep: BareRepo;
  let secret: BareRepo;
  let moved: BareRepo;
  const auth = { 'PRIVATE-TOKEN': TOKEN };

  beforeAll(async () => {
    repos = await createRepoRoot();
    deep = await makeRepo(repos.dir, DEEP, { files: { 'go.mod': 'module go.example.com/oss/a/b/c\n' } });
    secret = await makeRepo(repos.dir, SECRET, { files: { 'go.mod': 'module go.example.com/oss/secret\n' }, branch: 'trunk' });
    moved = await makeRepo(repos.dir, MOVED, { files: { 'go.mod': 'module go.example.com/oss/renamed\n' } });
    lab = await startGitLabStandIn({
      root: repos.dir,
      token: TOKEN,
      sshHost: 'gitlab.example.com',
      projects: [
        { path: DEEP, visibility: 'public' },
        { path: SECRET, visibility: 'private', defaultBranch: 'trunk' },
        { path: INNER, visibility: 'internal' },
        { path: MOVED, visibility: 'public', formerPaths: [FORMER] },
      ],
    });
  });

  afterAll(async () => {
    await lab?.close();
    await repos?.close();
  });

  it('encodes a full path as GitLab wants it', () => {
    expect(encodeProjectId('platform/oss/a')).toBe('platform%2Foss%2Fa');
    expect(encodeProjectId(42)).toBe('42');
  });

  it('answers a project with GitLab field names, scp ssh_url_to_repo, by path or numeric id', async () => {
    const r = await api(lab, encodeProjectId(DEEP));
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json');
    expect(r.body).toMatchObject({
      name: 'c',
      path: 'c',
      path_with_namespace: DEEP,
      name_with_namespace: 'platform / oss / a / b / c',
      namespace: { full_path: 'platform/oss/a/b', kind: 'group' },
      default_branch: 'main',
      visibility: 'public',
      http_url_to_repo: `${lab.url}/${DEEP}.git`,
      ssh_url_to_repo: `git@gitlab.example.com:${DEEP}.git`,
      web_url: `${lab.url}/${DEEP}`,
      archived: false,
      empty_repo: false,
    });
    expect((await api(lab, String(r.body.id))).body.path_with_namespace).toBe(DEEP);
    // Routes are case-insensitive; the answer carries the canonical path.
    expect((await api(lab, encodeProjectId(DEEP.toUpperCase()))).body.path_with_namespace).toBe(DEEP);
  });

  it('hides private and internal projects without a token: 404, same as a missing one', async () => {
    const notFound = { status: 404, body: { message: '404 Project Not Found' } };
    expect(await api(lab, encodeProjectId(SECRET))).toMatchObject(notFound);
    expect(await api(lab, encodeProjectId(INNER))).toMatchObject(notFound);
    expect(await api(lab, encodeProjectId('platform/oss/nope'), auth)).toMatchObject(notFound);
    const priv = await api(lab, encodeProjectId(SECRET), auth);
    expect(priv).toMatchObject({ status: 200, body: { visibility: 'private', default_branch: 'trunk' } });
    expect(await api(lab, encodeProjectId(INNER), { Authorization: `Bearer ${TOKEN}` })).toMatchObject({ status: 200 });
  });

  it('answers 401 for a wrong token, even for a public project', async () => {
    const r = await api(lab, encodeProjectId(DEEP), { 'PRIVATE-TOKEN': 'glpat-wrong' });
    expect(r).toMatchObject({ status: 401, body: { message: '401 Unauthorized' } });
  });

  it('decodes :id once; a raw slash is another route', async () => {
    expect(await api(lab, DEEP, auth)).toMatchObject({ status: 404, body: { error: '404 Not Found' } });
    expect(await api(lab, encodeURIComponent(encodeProjectId(DEEP)), auth)).toMatchObject({
      status: 404,
      body: { message: '404 Project Not Found' },
    });
    expect(await api(lab, 'platform', auth)).toMatchObject({ status: 404, body: { message: '404 Project Not Found' } });
  });

  it('finds a moved project under its former path and answers with the new one', async () => {
    const r = await api(lab, encodeProjectId(FORMER));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      path_with_namespace: MOVED,
      web_url: `${lab.url}/${MOVED}`,
      http_url_to_repo: `${lab.url}/${MOVED}.git`,
      ssh_url_to_repo: `git@gitlab.example.com:${MOVED}.git`,
    });
  });

  it('answers groups by encoded path, 404 when unknown', async () => {
    expect(await api(lab, encodeProjectId('platform/oss'), {}, 'groups')).toMatchObject({
      status: 200,
      body: { full_path: 'platform/oss', visibility: 'public' },
    });
    expect(await api(lab, 'platform%2Fnope', {}, 'groups')).toMatchObject({
      status: 404,
      body: { message: '404 Group Not Found' },
    });
  });

  it('records every API call with its decoded id, auth kind and status', async () => {
    const before = lab.apiCalls.length;
    await api(lab, encodeProjectId(SECRET));
    await api(lab, encodeProjectId(SECRET), auth);
    await api(lab, encodeProjectId(SECRET), { 'PRIVATE-TOKEN': 'nope' });
    expect(lab.apiCalls.slice(before).map(({ id, auth: a, status }) => ({ id, auth: a, status }))).toEqual([
      { id: SECRET, auth: 'none', status: 404 },
      { id: SECRET, auth: 'token', status: 200 },
      { id: SECRET, auth: 'bad-token', status: 401 },
    ]);
    expect(lab.apiCalls.at(-1)!.path).toBe(`/api/v4/projects/${encodeProjectId(SECRET)}`);
    expect(lab.requestsLog.at(-1)).toMatch(/^GET \/api\/v4\/projects\/platform%2Foss%2Fsecret HTTP\/1\.1\r\n/);
    expect(lab.requestsLog.at(-1)).toMatch(/\r\nprivate-token: nope(\r\n|$)/i);
  });

  it('serves git smart HTTP; private needs the token; a moved project clones under the old path', async () => {
    expect((await lsRemote(`${lab.url}/${DEEP}.git`)).stdout.slice(0, 40)).toBe(deep.head);
    expect((await lsRemote(`${lab.url}/${FORMER}.git`)).stdout.slice(0, 40)).toBe(moved.head);
    const anon = await lsRemote(`${lab.url}/${SECRET}.git`);
    expect(anon.code).not.toBe(0);
    expect(lab.gitRequests.at(-1)).toMatchObject({ status: 401, project: undefined });
    const withToken = lab.url.replace('http://', `http://oauth2:${TOKEN}@`);
    expect((await lsRemote(`${withToken}/${SECRET}.git`)).stdout.slice(0, 40)).toBe(secret.head);
    expect((await lsRemote(`${withToken}/platform/oss/nope.git`)).code).not.toBe(0);
    expect(lab.gitRequests.at(-1)).toMatchObject({ status: 404 });
  });

  it('goes down, refuses, slows down, and comes back; git keeps working', async () => {
    try {
      lab.setMode('down');
      expect(await api(lab, encodeProjectId(DEEP))).toMatchObject({
        status: 500,
        body: { message: '500 Internal Server Error' },
      });
      expect((await lsRemote(`${lab.url}/${DEEP}.git`)).code).toBe(0);

      lab.setMode('refuse');
      await expect(fetch(`${lab.url}/api/v4/projects/${encodeProjectId(DEEP)}`)).rejects.toThrow();
      expect(lab.apiCalls.at(-1)).toMatchObject({ id: DEEP, status: 0 });

      lab.setMode('slow', 300);
      const started = Date.now();
      expect((await api(lab, encodeProjectId(DEEP))).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    } finally {
      lab.setMode('ok');
    }
    expect((await api(lab, encodeProjectId(DEEP))).status).toBe(200);
  });
});
