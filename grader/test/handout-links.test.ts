// Goal: every handout section a stub or test points a student to exists — a TODO that sends a
// student to a missing heading is a broken promise.
// Method: collect every `labs/.../README.md#anchor` mentioned in labs/ code and check each
// anchor against the headings of that README (GitHub-style slugs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kitPath } from '../src/repo-paths';

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? tsFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(readme: string): Set<string> {
  const text = fs.readFileSync(kitPath(readme), 'utf8');
  return new Set(text.split('\n').filter((line) => /^#{1,6}\s/.test(line)).map((line) => slug(line.replace(/^#+\s*/, ''))));
}

test('slugs follow the GitHub rule', () => {
  expect(slug('Election (2AA)')).toBe('election-2aa');
  expect(slug('Ready and advance (2AC)')).toBe('ready-and-advance-2ac');
});

test('every README section that lab code points to exists', () => {
  const references = new Map<string, Set<string>>();
  for (const file of tsFiles(kitPath('labs'))) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(/(labs\/[\w./-]+README\.md)#([\w-]+)/g)) {
      const anchors = references.get(match[1]) ?? new Set<string>();
      anchors.add(match[2]);
      references.set(match[1], anchors);
    }
  }
  expect(references.size).toBeGreaterThan(2);
  const missing: string[] = [];
  for (const [readme, anchors] of references) {
    if (!fs.existsSync(kitPath(readme))) {
      missing.push(`${readme} (no such file)`);
      continue;
    }
    const present = anchorsOf(readme);
    for (const anchor of anchors) if (!present.has(anchor)) missing.push(`${readme}#${anchor}`);
  }
  expect(missing).toEqual([]);
});
