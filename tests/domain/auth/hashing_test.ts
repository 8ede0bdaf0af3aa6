import assert from "node:assert/strict";
import {
  DEFAULT_PASSWORD_COST,
  digestsEqual,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  randomHex,
  randomToken,
  sha256Hex,
  TEST_PASSWORD_COST,
  verifyDummyPassword,
  verifyPassword,
} from "../../../domain/auth/hashing.ts";

Deno.test("hashPassword makes an argon2id PHC string that verifies only the right password", async () => {
  const hash = await hashPassword("correct horse battery", TEST_PASSWORD_COST);
  assert.match(hash, /^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.equal(await verifyPassword("correct horse battery", hash), true);
  assert.equal(await verifyPassword("correct horse batterY", hash), false);
  assert.equal(await verifyPassword("", hash), false);
});

Deno.test("hashPassword salts every hash", async () => {
  const a = await hashPassword("same password", TEST_PASSWORD_COST);
  const b = await hashPassword("same password", TEST_PASSWORD_COST);
  assert.notEqual(a, b);
});

Deno.test("hashPassword keeps the cost in the hash, so a later cost change still verifies", async () => {
  const hash = await hashPassword("pw-with-other-cost", { memoryKib: 128, iterations: 2 });
  assert.match(hash, /\$m=128,t=2,p=1\$/);
  assert.equal(await verifyPassword("pw-with-other-cost", hash), true);
});

Deno.test("hashPassword defaults to OWASP's argon2id minimum (19 MiB, 2 iterations, 1 lane)", () => {
  assert.deepEqual({ ...DEFAULT_PASSWORD_COST }, {
    memoryKib: 19456,
    iterations: 2,
    parallelism: 1,
  });
});

Deno.test("hashPassword normalises passwords to NFKC", async () => {
  const hash = await hashPassword("caf\u00e9-password", TEST_PASSWORD_COST);
  assert.equal(await verifyPassword("cafe\u0301-password", hash), true);
});

Deno.test("hashPassword refuses an over-long password and a bad cost", async () => {
  await assert.rejects(
    hashPassword("x".repeat(MAX_PASSWORD_LENGTH + 1), TEST_PASSWORD_COST),
    RangeError,
  );
  await assert.rejects(hashPassword("pw", { memoryKib: 4, iterations: 1 }), RangeError);
  await assert.rejects(hashPassword("pw", { memoryKib: 64, iterations: 0 }), RangeError);
  await assert.rejects(
    hashPassword("pw", { memoryKib: 64, iterations: 1, parallelism: 0 }),
    RangeError,
  );
});

Deno.test("verifyPassword answers false for a malformed hash or an over-long password", async () => {
  assert.equal(await verifyPassword("pw", "not a hash"), false);
  const hash = await hashPassword("pw", TEST_PASSWORD_COST);
  assert.equal(await verifyPassword("x".repeat(MAX_PASSWORD_LENGTH + 1), hash), false);
});

Deno.test("verifyDummyPassword is always false, also when called concurrently", async () => {
  const cost = { memoryKib: 72, iterations: 1 };
  const results = await Promise.all(
    ["a", "b", "", "x".repeat(5000)].map((pw) => verifyDummyPassword(pw, cost)),
  );
  assert.deepEqual(results, [false, false, false, false]);
});

Deno.test("verifyDummyPassword takes about as long as a real verification", async () => {
  // A real cost, so that the time is dominated by argon2 rather than by noise.
  const cost = { memoryKib: 4096, iterations: 2 };
  const hash = await hashPassword("the real password", cost);
  await verifyDummyPassword("warm-up", cost);
  // Interleaved and compared by median, so that a burst of load on this shared machine hits
  // both sides alike; the bound is wide (3×) because this checks the order of magnitude of the
  // work (same argon2 cost), not a speed.
  const realTimes: number[] = [];
  const dummyTimes: number[] = [];
  for (let i = 0; i < 7; i++) {
    let t0 = performance.now();
    await verifyPassword("a wrong password", hash);
    realTimes.push(performance.now() - t0);
    t0 = performance.now();
    await verifyDummyPassword("a wrong password", cost);
    dummyTimes.push(performance.now() - t0);
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  const real = median(realTimes);
  const dummy = median(dummyTimes);
  assert.ok(dummy > real / 3 && dummy < real * 3, `real ${real} ms, dummy ${dummy} ms`);
});

Deno.test("sha256Hex matches the FIPS 180-2 test vector", async () => {
  assert.equal(
    await sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("digestsEqual compares equal-length hex digests and refuses anything else", async () => {
  const a = await sha256Hex("a");
  const b = await sha256Hex("b");
  assert.equal(digestsEqual(a, a), true);
  assert.equal(digestsEqual(a, `${a}`), true);
  assert.equal(digestsEqual(a, b), false);
  assert.equal(digestsEqual(a, a.slice(0, 63)), false);
  assert.equal(digestsEqual(a.toUpperCase(), a.toUpperCase()), false);
  assert.equal(digestsEqual("", ""), true);
});

Deno.test("randomToken gives unpadded base64url of the asked entropy", () => {
  const tokens = new Set(Array.from({ length: 100 }, () => randomToken()));
  assert.equal(tokens.size, 100);
  for (const token of tokens) assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(randomToken(48).length, 64);
  assert.throws(() => randomToken(8), RangeError);
  assert.throws(() => randomToken(1.5), RangeError);
});

Deno.test("randomHex gives lowercase hex, two characters a byte", () => {
  assert.match(randomHex(32), /^[0-9a-f]{64}$/);
  assert.notEqual(randomHex(), randomHex());
  assert.throws(() => randomHex(4), RangeError);
});
