/**
 * Peak memory and time of one CSV upload through a real server process (issue 11, defect 11):
 * generates a CSV of `ROWS` rows × 8 columns (id, gender, region, five numeric; ~16 MiB at
 * 200k rows), starts `main.ts` in open mode on a temporary KV file, posts the CSV to
 * `POST /api/upload` as `text/csv`, and prints the server's peak resident memory (`VmHWM` of
 * `/proc/<pid>/status`, Linux only) before and after, and the request's time. Every other
 * setting is `deno task start`'s default.
 *
 *   deno run --allow-all bench/upload_memory.ts [rows=200000] [runs=3]
 *
 * @module
 */
const rows = Number(Deno.args[0] ?? 200_000);
const runs = Number(Deno.args[1] ?? 3);
const root = new URL("..", import.meta.url).pathname;

/** A deterministic CSV of `n` customers. */
export function generateCsv(n: number): Uint8Array<ArrayBuffer> {
  const regions = ["North", "South", "East", "West", "Central"];
  let seed = 42;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const lines = ["customer_id,gender,region,age,income,purchase_amount,frequency,recency"];
  for (let i = 0; i < n; i++) {
    lines.push([
      `cust-${(i * 2_654_435_761 % 4_294_967_296).toString(16).padStart(8, "0")}-${
        String(i).padStart(6, "0")
      }`,
      rand() < 0.5 ? "Female" : "Male",
      regions[Math.floor(rand() * regions.length)],
      18 + Math.floor(rand() * 60),
      (20_000 + rand() * 130_000).toFixed(6),
      (rand() * 5_000).toFixed(8),
      (1 + rand() * 40).toFixed(10),
      (rand() * 365).toFixed(2),
    ].join(","));
  }
  return new TextEncoder().encode(lines.join("\n") + "\n");
}

function vm(pid: number, field: "VmHWM" | "VmRSS"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1]);
  return kb / 1024;
}

async function once(csv: Uint8Array<ArrayBuffer>, port: number): Promise<void> {
  const dir = await Deno.makeTempDir();
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", "--allow-write", "main.ts"],
    cwd: root,
    env: {
      KV_PATH: `${dir}/kv.sqlite3`,
      OPEN_ACCESS: "1",
      PORT: String(port),
      ACCESS_LOG: "off",
    },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`${base}/api/health`).then((r) => r.body?.cancel())) === undefined) break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const idle = vm(server.pid, "VmHWM");
    const t0 = performance.now();
    const res = await fetch(`${base}/api/upload`, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: csv,
    });
    const body = await res.json();
    const seconds = (performance.now() - t0) / 1000;
    if (res.status !== 200) {
      throw new Error(`upload answered ${res.status}: ${JSON.stringify(body)}`);
    }
    const peak = vm(server.pid, "VmHWM");
    console.log(
      `rows ${body.rows ?? body.row_count ?? rows}  time ${seconds.toFixed(2)} s  ` +
        `(server: ${body.processing_time} s)  VmHWM idle ${idle.toFixed(0)} MiB → peak ${
          peak.toFixed(0)
        } MiB (+${(peak - idle).toFixed(0)})`,
    );
  } finally {
    server.kill("SIGTERM");
    await server.status;
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const csv = generateCsv(rows);
  console.log(`CSV: ${rows} rows, ${(csv.byteLength / 1048576).toFixed(1)} MiB`);
  for (let i = 0; i < runs; i++) await once(csv, 18_700 + i);
}
