import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

/**
 * Proof that the layering rules fire: test/fixtures/layering/src/<layer>/ holds one file per
 * rule, each breaking it (its first line says which message it must get) or, as a control,
 * importing only what its layer may (`expect: clean`). The rules are the real ones, from
 * eslint.layers.js, which eslint.config.js uses for src/.
 */

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'layering');

interface LayersModule {
  LAYERS: string[];
  layerConfigs: (base: string) => Linter.Config[];
  syntaxConfigs: (base: string) => Linter.Config[];
  restrictedImports: (layer: string) => unknown;
}

async function layers(): Promise<LayersModule> {
  return (await import(new URL('../eslint.layers.js', import.meta.url).href)) as LayersModule;
}

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? fixtureFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function expectation(file: string): string {
  const m = /^\/\/ expect: (.+)$/m.exec(readFileSync(file, 'utf8'));
  if (!m?.[1]) throw new Error(`${file} has no "// expect:" line`);
  return m[1];
}

describe('layering lint rules', () => {
  it('Given one fixture per broken layering rule, When linted with the layer rules, Then each rule fires with its message and the clean controls pass', async () => {
    const { layerConfigs, syntaxConfigs } = await layers();
    const eslint = new ESLint({
      cwd: FIXTURES,
      overrideConfigFile: true,
      overrideConfig: [
        { files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tseslint.parser } },
        ...layerConfigs('src'),
        ...syntaxConfigs('src'),
      ],
    });
    const files = fixtureFiles(join(FIXTURES, 'src'));
    expect(files.length).toBeGreaterThan(20);
    const results = await eslint.lintFiles(files);
    for (const r of results) {
      const name = relative(FIXTURES, r.filePath);
      const want = expectation(r.filePath);
      const got = r.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
      if (want.startsWith('clean')) expect(got, name).toEqual([]);
      else {
        expect(got.length, `${name}: ${got.join(' | ')}`).toBe(1);
        // Import rules and syntax rules (reveal, eval, Function) each have their own fixtures.
        expect(got[0], name).toMatch(/^no-restricted-(imports|syntax):/);
        expect(got[0], name).toContain(want);
      }
    }
  });

  it('Given the real eslint.config.js, When asked for the rules of a file in each layer, Then they are the layer rules', async () => {
    const { LAYERS, restrictedImports } = await layers();
    const eslint = new ESLint({ cwd: ROOT });
    for (const layer of LAYERS) {
      const config = (await eslint.calculateConfigForFile(`src/${layer}/x.ts`)) as Linter.Config;
      expect(config.rules?.['no-restricted-imports'], layer).toEqual([2, restrictedImports(layer)]);
    }
    // `.reveal` is refused in the engine and allowed in adapters (and in tests).
    const syntaxOf = async (f: string): Promise<string> =>
      JSON.stringify(
        ((await eslint.calculateConfigForFile(f)) as Linter.Config).rules?.['no-restricted-syntax'],
      );
    expect(await syntaxOf('src/engine/x.ts')).toContain('only adapters reveal');
    expect(await syntaxOf('src/ui/prompts/x.tsx')).toContain('only adapters reveal');
    expect(await syntaxOf('src/adapters/x.ts')).not.toContain('only adapters reveal');
    expect(await syntaxOf('src/adapters/x.ts')).toContain('no eval');
    expect(await syntaxOf('src/engine/x.test.ts')).not.toContain('only adapters reveal');
    // Tests may import anything (test-support included); the fixtures are not linted.
    const forTest = (await eslint.calculateConfigForFile('src/engine/x.test.ts')) as Linter.Config;
    expect((forTest.rules?.['no-restricted-imports'] as unknown[] | undefined)?.[0]).toBe(0);
    expect(await eslint.isPathIgnored('test/fixtures/layering/src/ui/imports-cli.ts')).toBe(true);
  });
});
