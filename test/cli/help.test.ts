import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/tools.js";

describe("command help", () => {
  const commands = ["diagnose", "analyze", "evidence", "collect", "replay", "simulate", "fleet", "demo"];

  it.each(commands)("%s --help exits 0 and shows no empty-list default", (command) => {
    const help = runCli([command, "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`Usage: nosynack ${command}`);
    expect(help.stdout).not.toContain("(default: [])");
  });

  it("keeps the defaults that say something", () => {
    expect(runCli(["replay", "--help"]).stdout).toMatch(/--rows <n>[^\n]*\n?[^\n]*\(default: 50\)/);
    expect(runCli(["fleet", "--help"]).stdout).toContain('(default: "15m")');
  });
});
