// Per-block partial sums of a Lloyd step, in `lloyd_reduce.wgsl`'s layout (entry c·(D+1) + f,
// f < D: the sum of feature f over the block's rows labelled c; c·(D+1) + D: their count;
// K·(D+1): the block's squared distances), for small K × D: one thread per row instead of one
// per output entry. Each of the workgroup's threads walks the block's rows with a stride of the
// workgroup size (consecutive threads read consecutive rows, so every row is read once and the
// reads coalesce), adding each row into private per-cluster accumulators: for every cluster the
// row is added times 0 or 1, so the accumulators are only ever indexed by loop counters and stay
// in registers. The threads' accumulators are then added by a tree in workgroup memory, one
// vec4 at a time. The one-thread-per-entry shader reads every row K·(D+1) times in long serial
// loops; this one is chosen while the accumulators are small (ACC vec4s, baked).

override D: u32; // features
override D4: u32; // vec4s per padded row
override K: u32; // clusters

const WG: u32 = 256u;
// K × (D4 + 1): per cluster, D4 vec4s of sums and one of count.
const ACC: u32 = 24u; // @baked

struct Params {
  row_offset: u32, // first row of this dispatch inside the chunk buffer `x`
  rows: u32, // rows in this dispatch
  base: u32, // global index of the chunk's row 0 (indexes `labels` and `dist2`)
  block_rows: u32, // rows per block (per workgroup)
  first_block: u32, // index in `partials` of this dispatch's first block
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read> dist2: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> scratch: array<vec4f, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let entries = K * (D + 1u) + 1u;
  let first = wg.x * params.block_rows;
  let out = (params.first_block + wg.x) * entries;
  // Uniform across the workgroup, so the early return keeps the barriers below uniform.
  if (first >= params.rows || out + entries > arrayLength(&partials) || K * (D4 + 1u) > ACC) {
    return;
  }
  let last = min(first + params.block_rows, params.rows);
  let g0 = params.base + params.row_offset;
  let g_end = min(arrayLength(&labels), arrayLength(&dist2));
  let r_end = arrayLength(&x) / D4;

  var acc: array<vec4f, ACC>;
  var inertia = 0.0;
  for (var i = first + lid; i < last; i += WG) {
    let g = g0 + i;
    let r = params.row_offset + i;
    if (g >= g_end || r >= r_end) {
      continue;
    }
    let label = u32(labels[g]);
    inertia += dist2[g];
    for (var c = 0u; c < K; c++) {
      let m = select(0.0, 1.0, label == c);
      let a = c * (D4 + 1u);
      for (var t = 0u; t < D4; t++) {
        acc[a + t] += m * x[r * D4 + t];
      }
      acc[a + D4].x += m;
    }
  }

  for (var v = 0u; v <= K * (D4 + 1u); v++) {
    if (v < K * (D4 + 1u)) {
      scratch[lid] = acc[v];
    } else {
      scratch[lid] = vec4f(inertia, 0.0, 0.0, 0.0);
    }
    for (var half = WG / 2u; half > 0u; half >>= 1u) {
      workgroupBarrier();
      if (lid < half) {
        scratch[lid] += scratch[lid + half];
      }
    }
    workgroupBarrier();
    if (lid == 0u) {
      let total = scratch[0];
      if (v == K * (D4 + 1u)) {
        partials[out + entries - 1u] = total.x;
      } else {
        let c = v / (D4 + 1u);
        let t = v % (D4 + 1u);
        if (t == D4) {
          partials[out + c * (D + 1u) + D] = total.x;
        } else {
          for (var j = 0u; j < 4u; j++) {
            let f = t * 4u + j;
            if (f < D) {
              partials[out + c * (D + 1u) + f] = total[j];
            }
          }
        }
      }
    }
    // scratch[0] is read above before the next round overwrites it.
    workgroupBarrier();
  }
}
