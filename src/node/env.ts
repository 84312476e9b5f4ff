// Settings read from the environment. An empty variable counts as unset, as in
// the shell's ${VAR:-default}: `MODGATE_CONFIG= modgate serve` or a unit file's
// `Environment=PORT=` means "no value", never a file named "" or port 0.

/** The value of the environment variable `name`, or undefined when it is unset or empty. */
export function envSetting(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

export const DEFAULT_PORT = "8080";

/** The port text from --port, then $PORT (unless empty), then 8080; cli.ts checks that it is a port. */
export function portTextFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? envSetting("PORT", env) ?? DEFAULT_PORT;
}
