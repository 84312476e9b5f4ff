// The module proxy, from a parsed request to an answer. A request takes one
// way down, each layer with one job:
//   protocol/request.ts   the path → module, endpoint, version (or 400)
//   modules.ts            module → its GitLab project and repository (404 / 503)
//   access.ts             who may read it (401 / 403)
//   protocol/answers.ts   endpoint → status, headers, body
//   cache/caching-repo.ts the content store, caches and single flight around
//   repo/code-repo.ts     the go command's codeRepo over GitLab (gitlab-host.ts)
// Failures are typed errors mapped to statuses in one place (protocol/errors.ts).
import { textAnswer, type PlainAnswer } from "../http/responses.js";
import type { Client } from "../http/client.js";
import type { GitlabClient } from "../gitlab/client.js";
import { GitlabUnavailable } from "../gitlab/failure.js";
import { AccessControl } from "./access.js";
import { AccessDecisions } from "./auth/decisions.js";
import { FailedChecks } from "./auth/failed-checks.js";
import type { CompiledFailedAuth } from "../core/compiled.js";
import type { Locate } from "./location.js";
import type { ProxyRequest } from "./protocol/request.js";
import type { ContentStore, StoredObject } from "./store/store.js";
import { Modules, UnknownProject, type FoundModule } from "./modules.js";
import { ProtocolAnswers } from "./protocol/answers.js";
import { AccessUndecided, errorAnswer, outcomeOf } from "./protocol/errors.js";
import { buildGate, type StoreNote } from "./cache/caching-repo.js";
import type { ProxyEvent, RequestOutcome } from "./events.js";
import { summarize, type ModuleSummary } from "./summary.js";

export type { ProxyEvent } from "./events.js";
export type { ModuleSummary } from "./summary.js";
export { errorAnswer } from "./protocol/errors.js";

export interface ProxyServiceOptions {
  /** Where a module path lives (src/app/locate.ts: the go-get rules and discovery). */
  locate: Locate;
  store: ContentStore;
  /** The one GitLab client of this assembly (shared with discovery: one call gate, one health). */
  gitlab: GitlabClient;
  listTtlSeconds: number;
  /** Seconds an access decision per (credential, project) is remembered. */
  authTtlSeconds: number;
  /** Limits on credential checks GitLab rejects (proxy.failedAuth); as given, for this process. */
  failedAuth: CompiledFailedAuth;
  /** Most zips built at once (proxy.maxConcurrentBuilds), across every module; default: no cap. */
  maxConcurrentBuilds?: number;
  /** The operator's lines about credential checks (GitLab's ban); default stderr. */
  report?: (line: string) => void;
  now?: () => number;
  onEvent?: (event: ProxyEvent) => void;
}

export class ProxyService {
  private readonly modules: Modules;
  private readonly access: AccessControl;
  private readonly answers: ProtocolAnswers;

  constructor(private readonly o: ProxyServiceOptions) {
    const now = o.now ?? Date.now;
    this.modules = new Modules({
      locate: o.locate,
      client: o.gitlab,
      store: o.store,
      listTtlMs: o.listTtlSeconds * 1000,
      now,
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      ...(o.maxConcurrentBuilds === undefined ? {} : { builds: buildGate(o.maxConcurrentBuilds) }),
    });
    const { perClient, total, windowSeconds } = o.failedAuth;
    this.access = new AccessControl(new AccessDecisions(o.authTtlSeconds * 1000, now), (project, credential) => o.gitlab.canRead(project, credential), {
      failedChecks: new FailedChecks({ perClient, total, windowMs: windowSeconds * 1000 }, now),
      now,
      ...(o.report ? { report: o.report } : {}),
    });
    this.answers = new ProtocolAnswers(o.listTtlSeconds);
  }

  /**
   * `client`: who asks (Authorization header, address), read only to decide access to a non-public module.
   * Synchronous when the answer is already known for a public module (remembered stored
   * content, a fresh list): a warm proxy answer then costs what a literal go-get hit costs,
   * with no promise chain (`npm run bench`, docs/benchmarks.md). Non-public modules always
   * take the long way: their access decision is asynchronous.
   */
  handle(request: ProxyRequest, client?: Client): PlainAnswer | Promise<PlainAnswer> {
    if (request.kind === "module") {
      // One reading of the clock for every freshness check of this answer.
      const now = this.modules.now();
      const found = this.modules.peekPublic(request.modulePath, now);
      const known = found && this.answers.known(found, request.endpoint, request.version, now);
      if (known) return this.count(request.endpoint, outcomeOf(known.status), known, request.endpoint === "list" ? undefined : true);
    }
    return this.handleAsync(request, client);
  }

  private async handleAsync(request: ProxyRequest, client?: Client): Promise<PlainAnswer> {
    if (request.kind === "sumdb") return this.count("sumdb", "not-found", textAnswer(404, "not found: this proxy does not serve the checksum database"));
    if (request.kind === "bad") return this.count("bad", "bad-request", textAnswer(400, `bad request: ${request.reason}`));
    if (request.kind === "missing") return this.count(request.endpoint, "not-found", textAnswer(404, `not found: ${request.reason}`));
    const { modulePath, endpoint, version } = request;
    try {
      const found = await this.open(modulePath, client);
      if (!isFound(found)) return this.count(endpoint, outcomeOf(found.status), found);
      const note: StoreNote = {};
      const answer = await this.answers.answer(found, endpoint, version, note);
      return this.count(endpoint, "ok", answer, note.fromStore);
    } catch (err) {
      // No project where a rule maps the path: without a credential, the private module's 401 (finding 8).
      const answer = (err instanceof UnknownProject && this.access.challengeUnknown(modulePath, client)) || errorAnswer(err);
      return this.count(endpoint, outcomeOf(answer.status), answer);
    }
  }

  /** The module, when this client may read it; otherwise the access answer (401/403). */
  private async open(modulePath: string, client: Client | undefined): Promise<FoundModule | PlainAnswer> {
    const found = await this.modules.find(modulePath);
    let denied: PlainAnswer | undefined;
    try {
      denied = await this.access.decide({ modulePath, project: found.projectPath, projectId: found.projectId, isPublic: found.isPublic, client });
    } catch (err) {
      // No remembered decision for this credential, and GitLab cannot make one: 503, never a grant nor a 404 (finding 6).
      if (err instanceof GitlabUnavailable) throw new AccessUndecided(modulePath, err);
      throw err;
    }
    return denied ?? found;
  }

  private count(endpoint: string, outcome: RequestOutcome, answer: PlainAnswer, fromStore?: boolean): PlainAnswer {
    const onEvent = this.o.onEvent;
    if (onEvent) {
      const event: ProxyEvent = { type: "request", endpoint, outcome, bytes: bodyBytes(answer) };
      if (fromStore !== undefined) event.fromStore = fromStore;
      onEvent(event);
    }
    return answer;
  }

  /**
   * `modgate resolve MODULE@QUERY` (modgate's own question, with the server
   * token: no client to authorise). countFiles (store/zip-entry-count.ts) is
   * passed in by the Node CLI, the only caller, so the Worker bundle does not carry it.
   */
  async summarize(modulePath: string, query: string, countFiles: (zip: StoredObject) => Promise<number>): Promise<ModuleSummary | PlainAnswer> {
    try {
      return await summarize((await this.modules.find(modulePath)).repo, query, countFiles);
    } catch (err) {
      return errorAnswer(err);
    }
  }
}

function isFound(x: FoundModule | PlainAnswer): x is FoundModule {
  return "repo" in x;
}

function bodyBytes(answer: PlainAnswer): number {
  const body = answer.body;
  if (body === null) return 0;
  if (typeof body === "string") return utf8Length(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return body.size;
}

/** UTF-8 length without encoding (answers are mostly ASCII; no allocation per request). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
