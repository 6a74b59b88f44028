#!/usr/bin/env node
// The registry mirror this project is developed against serves only some platforms' builds of
// packages with native binaries (Biome, DuckDB). npm then leaves those optional dependencies
// out of package-lock.json, and `npm ci` refuses the lock as out of sync. This records each
// missing platform package as an optional, platform-bound entry, which npm skips on every other
// platform. Run it after changing dependencies: node scripts/lock-other-platforms.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORM = /(android|darwin|linux|win32|freebsd)-(arm64|x64|ia32|arm)(-(musl|gnu))?$/;
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const target = `node_modules/${name}`;
    const m = PLATFORM.exec(name);
    if (!m || lock.packages[target] || lock.packages[`${path}/${target}`]) continue;
    lock.packages[target] = {
      version,
      cpu: [m[2]],
      dev: entry.dev,
      license: entry.license,
      optional: true,
      os: [m[1]],
      ...(m[4] ? { libc: [m[4]] } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`recorded ${added} platform-bound optional dependencies`);
