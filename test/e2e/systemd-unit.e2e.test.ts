// The example systemd unit (deploy/systemd/modgate.service): its key fields, `systemd-analyze
// verify` when systemd's tools are installed (any warning fails), and its commands run the
// way systemd would run them, with no systemd needed: ExecStart with the unit's Environment=
// (the install dir /opt/modgate mapped to this checkout, MODGATE_CONFIG and PORT to test
// values), ExecReload's lines in order ($MAINPID, ${MODGATE_CONFIG} expanded), KillSignal
// within TimeoutStopSec. Uses the built CLI (npm run build).
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort, httpRequest, makeTempDir, removeDir, run } from "./harness/index.js";
import { REPO_ROOT } from "./harness/modgate.js";

const UNIT_PATH = join(REPO_ROOT, "deploy/systemd/modgate.service");
const INSTALL_DIR = "/opt/modgate";
const SYSTEMD_ANALYZE = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find((p) => existsSync(p));

type Unit = Record<string, Record<string, string[]>>;

/** systemd's unit syntax: [Section], Key=Value (keys may repeat), # and ; comments, trailing-backslash continuations. */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section: Record<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, " ").split("\n");
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = unit[header[1]!] ??= {};
      continue;
    }
    const eq = line.indexOf("=");
    if (section === undefined || eq < 0) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    // An empty assignment resets a list, as in systemd.
    section[key] = value === "" ? [""] : [...(section[key] ?? []).filter((v) => v !== ""), value];
  }
  return unit;
}

/** Environment= values: space-separated K=V, double quotes allowed. */
function environment(values: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const value of values) {
    for (const [, quoted, plain] of value.matchAll(/"([^"]*)"|(\S+)/g)) {
      const assignment = quoted ?? plain!;
      const eq = assignment.indexOf("=");
      env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    }
  }
  return env;
}

/** A command line as systemd splits it: ${VAR} is one word, $VAR splits on whitespace. */
function commandLine(line: string, vars: Record<string, string>): { argv: string[]; ignoreFailure: boolean } {
  let text = line;
  let ignoreFailure = false;
  while (/^[-@:+!]/.test(text)) {
    if (text[0] === "-") ignoreFailure = true;
    else throw new Error(`exec prefix ${text[0]} is not emulated: ${line}`);
    text = text.slice(1);
  }
  const argv: string[] = [];
  for (const [, quoted, plain] of text.matchAll(/"([^"]*)"|(\S+)/g)) {
    const word = quoted ?? plain!;
    const braced = /^\$\{(\w+)\}$/.exec(word);
    const bare = /^\$(\w+)$/.exec(word);
    if (braced) argv.push(vars[braced[1]!] ?? "");
    else if (bare) argv.push(...(vars[bare[1]!] ?? "").split(/\s+/).filter(Boolean));
    else argv.push(word.replace(/\$\{(\w+)\}/g, (_, name: string) => vars[name] ?? ""));
  }
  return { argv, ignoreFailure };
}

const UNIT_TEXT = readFileSync(UNIT_PATH, "utf8");
const unit = parseUnit(UNIT_TEXT);
const service = unit.Service ?? {};
const one = (key: string) => {
  const values = service[key] ?? [];
  expect(values, key).toHaveLength(1);
  return values[0]!;
};

describe("deploy/systemd/modgate.service", () => {
  it("runs modgate as the modgate user on loopback, with the documented config path and port", () => {
    expect(one("User")).toBe("modgate");
    expect(environment(service.Environment ?? [])).toMatchObject({ MODGATE_CONFIG: "/etc/modgate/modgate.yaml", PORT: "8080" });
    expect(one("EnvironmentFile")).toBe("-/etc/modgate/env");
    // node by absolute path, or found on PATH through /usr/bin/env.
    expect(one("ExecStart")).toMatch(new RegExp(`^(/usr/bin/env node|/\\S*/node) ${INSTALL_DIR}/dist/node/cli\\.js serve --hostname 127\\.0\\.0\\.1$`));
    expect(service.ExecReload?.at(-1)).toBe("/bin/kill -HUP $MAINPID");
    expect(one("KillSignal")).toBe("SIGTERM");
    expect(one("TimeoutStopSec")).toBe("15");
    expect(one("Restart")).toBe("on-failure");
    expect(unit.Install?.WantedBy).toEqual(["multi-user.target"]);
  });

  it("is hardened, without breaking V8", () => {
    for (const [key, value] of Object.entries({
      NoNewPrivileges: "yes",
      ProtectSystem: "strict",
      ProtectHome: "yes",
      PrivateTmp: "yes",
      PrivateDevices: "yes",
      CapabilityBoundingSet: "",
      RestrictSUIDSGID: "yes",
    })) {
      expect(one(key), key).toBe(value);
    }
    // V8's JIT needs writable+executable memory.
    expect(service.MemoryDenyWriteExecute ?? []).not.toContain("yes");
  });

  it("gives the module proxy store one writable place: CacheDirectory= (rebuildable), named in the header", () => {
    // Under ProtectSystem=strict, CacheDirectory= is the unit's only writable path; the store can be rebuilt, so a cache.
    expect(one("CacheDirectory")).toBe("modgate");
    expect(service.StateDirectory ?? []).toEqual([]);
    expect(one("CacheDirectoryMode")).toBe("0750");
    // The config has to point there: the header says how.
    expect(UNIT_TEXT).toContain("proxy.cacheDir: /var/cache/modgate");
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    expect(readme.slice(readme.indexOf("## Run with systemd"))).toContain("/var/cache/modgate");
  });

  it.runIf(SYSTEMD_ANALYZE !== undefined)("passes systemd-analyze verify without a warning", async () => {
    const result = await run(SYSTEMD_ANALYZE!, ["verify", UNIT_PATH], {
      env: { PATH: process.env.PATH, SYSTEMD_LOG_COLOR: "0", SYSTEMD_PAGER: "" },
      timeoutMs: 30_000,
    });
    expect(`${result.stdout}${result.stderr}`.trim()).toBe("");
    expect(result.code).toBe(0);
  });

  describe("its commands, run as systemd would", () => {
    let dir = "";
    beforeAll(async () => {
      dir = await makeTempDir("systemd");
    });
    afterAll(async () => {
      if (dir !== "") await removeDir(dir);
    });

    const mapInstallDir = (argv: string[]) => argv.map((a) => a.split(INSTALL_DIR).join(REPO_ROOT.replace(/\/$/, "")));

    it("ExecStart serves, ExecReload checks then reloads (and refuses a broken file), KillSignal stops it within TimeoutStopSec", async () => {
      const configPath = join(dir, "modgate.yaml");
      // The proxy on, its store where the unit's CacheDirectory= would be (a temp dir here).
      const cacheDir = join(dir, "var-cache-modgate");
      const config = (modules: string[]) =>
        `gitlab:\n  url: https://gitlab.example.com\nproxy:\n  enabled: true\n  cacheDir: ${cacheDir}\nmodules:\n${modules.map((m) => `  - path: go.example.com/${m}\n    project: platform/${m}\n`).join("")}`;
      await writeFile(configPath, config(["tools"]));
      const port = await freeLoopbackPort();
      const vars: Record<string, string> = {
        ...environment(service.Environment ?? []),
        MODGATE_CONFIG: configPath,
        PORT: String(port),
      };
      const env = { PATH: process.env.PATH, ...vars };
      const start = commandLine(one("ExecStart"), vars);
      const cwd = one("WorkingDirectory") === INSTALL_DIR ? REPO_ROOT : one("WorkingDirectory");
      const [cmd, ...args] = mapInstallDir(start.argv);
      const child = spawn(cmd!, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
      child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      const waitFor = async (re: RegExp, what: string) => {
        for (let i = 0; i < 300 && !re.test(output); i++) await new Promise((r) => setTimeout(r, 50));
        expect(output, what).toMatch(re);
      };
      const reload = async () => {
        for (const line of service.ExecReload ?? []) {
          const { argv, ignoreFailure } = commandLine(line, { ...vars, MAINPID: String(child.pid) });
          const [rcmd, ...rargs] = mapInstallDir(argv);
          const result = await run(rcmd!, rargs, { cwd, env, timeoutMs: 30_000 });
          if (result.code !== 0 && !ignoreFailure) return result; // systemd stops at the first failing line
        }
        return undefined;
      };
      try {
        await waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, "listening on loopback");
        expect(output).toContain(`127.0.0.1:${port}`);
        const base = `http://127.0.0.1:${port}`;
        expect((await httpRequest(base, { path: "/-/healthz" })).status).toBe(200);
        expect((await httpRequest(base, { path: "/libs?go-get=1", host: "go.example.com" })).status).toBe(404);
        // The store is made at start, in the one writable directory.
        expect(existsSync(cacheDir)).toBe(true);
        expect((await httpRequest(base, { path: "/go.example.com/nothing/@v/list" })).status).toBe(404);

        // systemctl reload with a good edit: the new module is served.
        await writeFile(configPath, config(["tools", "libs"]));
        expect(await reload()).toBeUndefined();
        await waitFor(/reloaded/, "reload reported");
        expect((await httpRequest(base, { path: "/libs?go-get=1", host: "go.example.com" })).status).toBe(200);

        // systemctl reload with a broken file: the reload fails with the location, nothing changes.
        await writeFile(configPath, config(["tools", "libs"]).replace("project:", "projct:"));
        const failed = await reload();
        expect(failed?.code).not.toBe(0);
        expect(`${failed?.stdout}${failed?.stderr}`).toMatch(/modgate\.yaml:\d+:\d+: /);
        expect((await httpRequest(base, { path: "/libs?go-get=1", host: "go.example.com" })).status).toBe(200);

        child.kill(one("KillSignal") as NodeJS.Signals);
        const stopMs = Number(one("TimeoutStopSec")) * 1000;
        const code = await Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), stopMs))]);
        expect(code, output).toBe(0);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
    });
  });
});
