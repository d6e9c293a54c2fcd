// @ts-check
// A full disk for tests of atomic writers: a double over `node:fs/promises`' `open` whose
// file handles draw every `writeFile` on a byte budget. Once the budget is spent a write
// takes what still fits and then fails with ENOSPC; `sync` can be made to fail with any
// code (delayed allocation reports a full disk at fsync). Used with
// `jest.unstable_mockModule('node:fs/promises', () => ({ ...realFs, open: disk.open }))`.

/**
 * @param {string} code
 * @param {string} syscall
 */
const osError = (code, syscall) => Object.assign(new Error(`${code}: simulated, ${syscall}`), { code, syscall });

/**
 * @param {typeof import('node:fs/promises')} realFs the real module, imported by the test
 * @returns {import('./full-disk.d.mts').FullDisk}
 */
export function createFullDisk(realFs) {
  /** @type {import('./full-disk.d.mts').FullDisk} */
  const disk = {
    budget: undefined,
    failSync: undefined,
    open: async (...args) => limited(await realFs.open(...args)),
  };
  /** @param {import('node:fs/promises').FileHandle} handle */
  function limited(handle) {
    return new Proxy(handle, {
      get(target, key, receiver) {
        if (key === 'writeFile') {
          return async (/** @type {string | Uint8Array} */ data) => {
            const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
            if (disk.budget === undefined) return target.writeFile(bytes);
            const n = Math.min(bytes.length, disk.budget);
            disk.budget -= n;
            if (n > 0) await target.write(bytes, 0, n);
            if (n < bytes.length) throw osError('ENOSPC', 'write');
          };
        }
        if (key === 'sync') {
          return async () => {
            if (disk.failSync !== undefined) throw osError(disk.failSync, 'fsync');
            return target.sync();
          };
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
  return disk;
}
