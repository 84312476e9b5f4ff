// The CLI's settings from the environment: an empty variable counts as unset, as in the shell's
// ${VAR:-default} (`MODGATE_CONFIG= modgate check`, a systemd `Environment=PORT=`).
import { describe, expect, it } from "vitest";
import { configPathFrom, DEFAULT_CONFIG_PATH } from "../../src/node/config-file.js";
import { DEFAULT_PORT, envSetting, portTextFrom } from "../../src/node/env.js";

describe("settings from the environment", () => {
  it("envSetting: unset and empty are both undefined; anything else is the value as written", () => {
    expect(envSetting("X", {})).toBeUndefined();
    expect(envSetting("X", { X: "" })).toBeUndefined();
    expect(envSetting("X", { X: " " })).toBe(" ");
    expect(envSetting("X", { X: "a.yaml" })).toBe("a.yaml");
  });

  it("configPathFrom: the flag, then a non-empty MODGATE_CONFIG, then config/modgate.yaml", () => {
    expect(configPathFrom(undefined, { MODGATE_CONFIG: "" })).toBe(DEFAULT_CONFIG_PATH);
    expect(configPathFrom(undefined, {})).toBe(DEFAULT_CONFIG_PATH);
    expect(configPathFrom(undefined, { MODGATE_CONFIG: "env.yaml" })).toBe("env.yaml");
    expect(configPathFrom("flag.yaml", { MODGATE_CONFIG: "env.yaml" })).toBe("flag.yaml");
  });

  it("portTextFrom: the flag (even empty: the CLI rejects it), then a non-empty PORT, then 8080", () => {
    expect(portTextFrom(undefined, { PORT: "" })).toBe(DEFAULT_PORT);
    expect(portTextFrom(undefined, {})).toBe("8080");
    expect(portTextFrom(undefined, { PORT: "9000" })).toBe("9000");
    expect(portTextFrom("7000", { PORT: "9000" })).toBe("7000");
    expect(portTextFrom("", { PORT: "9000" })).toBe("");
  });
});
