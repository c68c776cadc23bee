import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../config.js';
import { program } from './program.js';

const README = readFileSync(resolve(import.meta.dirname, '../../../README.md'), 'utf8');

/** The rows of the README table under `heading`: the first backticked text of each row. */
function tableCodes(heading: string): string[] {
  const section = README.slice(README.indexOf(heading));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| ---')));
  return [...table.matchAll(/^\| `([^`]+)`/gm)].map((match) => match[1]!);
}

/** Every command that runs something, by its full path ("apikey create"). */
function leafCommands(command: Command, prefix = ''): { path: string; command: Command }[] {
  return command.commands.flatMap((child) => {
    const path = `${prefix}${child.name()}`;
    return child.commands.length ? leafCommands(child, `${path} `) : [{ path, command: child }];
  });
}

describe('the command line', () => {
  const commands = leafCommands(program());

  it('describes every command', () => {
    expect(commands.length).toBe(13);
    for (const { path, command } of commands) expect(command.description(), path).not.toBe('');
  });

  it('is the table the README shows, no more and no fewer commands', () => {
    const documented = new Set(tableCodes('## The admin command line').map((code) => code.split(/ (?=[-<[])/)[0]!));
    expect([...documented].sort()).toEqual(commands.map((entry) => entry.path).sort());
  });
});

describe('the README configuration table', () => {
  it('lists exactly the variables the product reads', () => {
    // CI is read by the test suite, not by the product.
    const documented = tableCodes('## Configuration').filter((name) => name !== 'CI');
    expect(documented.sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
