// The centre update of a chained Lloyd iteration, so that several iterations run per submission
// with no read-back in between: one workgroup adds the blocks of `lloyd_reduce` (sums, counts,
// inertia), divides, measures the squared centre shift and decides, as kmeans.ts does on the
// host, whether the chain goes on:
//   the iteration had an empty cluster: stop before committing it (status.done = 4); the host
//     reads its partials and runs that iteration itself (scikit-learn's relocation needs a sort
//     of every row by distance), since the labels, distances and partials of the iteration are
//     left as they are;
//   the labels did not change (from the second iteration on): stop, labels converged (1);
//   the shift is within tol: stop (2); max_iter iterations: stop (3).
// It then writes the indirect dispatch arguments of the next iteration's assign and reduce
// passes: their planned workgroup counts while the chain goes on, zeros once it stopped, so the
// rest of the batch costs nothing and leaves every buffer as it was at the stop. This pass
// itself is a direct dispatch (a buffer cannot be both its storage and its indirect argument)
// and returns at once once the chain has stopped.

override D: u32; // features
override STRIDE: u32; // floats per padded centre row (4 × vec4s per row)
override K: u32; // clusters

const WG: u32 = 256u;
// Blocks are added in runs, so that the float32 rounding grows with RUN + blocks / RUN.
const RUN: u32 = 16u;

struct Params {
  blocks: u32, // blocks of `partials`
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  _pad3: u32,
  _pad4: u32,
  _pad5: u32,
  _pad6: u32,
}

// Written by the host when a chain starts, then only here.
struct Status {
  done: u32, // 0 while running; else why the chain stopped (see above)
  iter: u32, // iterations committed so far (the fit's count, not the batch's)
  changed: u32, // rows whose label changed in the last iteration run (committed or not)
  inertia: f32, // inertia of the last iteration run, against its centres before the update
  shift: f32, // squared centre shift of the last committed update
  max_iter: u32,
  tol: f32, // absolute tolerance on the squared centre shift
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> centers: array<f32>;
@group(0) @binding(2) var<storage, read_write> next: array<f32>;
@group(0) @binding(3) var<storage, read_write> status: Status;
@group(0) @binding(4) var<storage, read_write> changed: array<u32>;
@group(0) @binding(5) var<storage, read_write> indirect: array<u32>;
@group(0) @binding(6) var<storage, read> planned: array<u32>;
@group(0) @binding(7) var<uniform> params: Params;

var<workgroup> wg_shift: array<f32, WG>;
var<workgroup> wg_inertia: array<f32, WG>;
var<workgroup> wg_empty: array<u32, WG>;
var<workgroup> wg_commit: u32;
var<workgroup> wg_done: u32;

fn block_sum(e: u32, entries: u32) -> f32 {
  var total = 0.0;
  for (var s = 0u; s < params.blocks; s += RUN) {
    var run = 0.0;
    for (var b = s; b < min(s + RUN, params.blocks); b++) {
      run += partials[b * entries + e];
    }
    total += run;
  }
  return total;
}

// Counts are whole numbers per block: added as integers, they stay exact beyond 2^24 rows.
fn block_count(e: u32, entries: u32) -> u32 {
  var total = 0u;
  for (var b = 0u; b < params.blocks; b++) {
    total += u32(partials[b * entries + e]);
  }
  return total;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) {
    wg_done = status.done;
  }
  if (workgroupUniformLoad(&wg_done) != 0u) {
    return;
  }
  let entries = K * (D + 1u) + 1u;
  let in_bounds = params.blocks * entries <= arrayLength(&partials)
    && K * STRIDE <= min(arrayLength(&centers), arrayLength(&next));
  var shift = 0.0;
  var inertia = 0.0;
  var empty = 0u;
  if (in_bounds) {
    for (var e = lid; e < K * D; e += WG) {
      let c = e / D;
      let f = e % D;
      let count = block_count(c * (D + 1u) + D, entries);
      let o = c * STRIDE + f;
      if (count == 0u) {
        empty = 1u;
        next[o] = centers[o];
      } else {
        let v = block_sum(c * (D + 1u) + f, entries) / f32(count);
        let t = v - centers[o];
        shift += t * t;
        next[o] = v;
      }
    }
    for (var s = lid * RUN; s < params.blocks; s += WG * RUN) {
      var run = 0.0;
      for (var b = s; b < min(s + RUN, params.blocks); b++) {
        run += partials[b * entries + entries - 1u];
      }
      inertia += run;
    }
  }
  wg_shift[lid] = shift;
  wg_inertia[lid] = inertia;
  wg_empty[lid] = empty;
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (lid < half) {
      wg_shift[lid] += wg_shift[lid + half];
      wg_inertia[lid] += wg_inertia[lid + half];
      wg_empty[lid] = max(wg_empty[lid], wg_empty[lid + half]);
    }
  }
  workgroupBarrier();

  if (lid == 0u) {
    let now_changed = changed[0];
    changed[0] = 0u;
    status.changed = now_changed;
    status.inertia = wg_inertia[0];
    var commit = 0u;
    var done = 0u;
    if (!in_bounds) {
      done = 4u; // the host's own iteration reports the binding error's consequences
    } else if (wg_empty[0] != 0u) {
      done = 4u;
    } else {
      commit = 1u;
      let iter = status.iter + 1u;
      status.iter = iter;
      status.shift = wg_shift[0];
      if (iter > 1u && now_changed == 0u) {
        done = 1u;
      } else if (wg_shift[0] <= status.tol) {
        done = 2u;
      } else if (iter >= status.max_iter) {
        done = 3u;
      }
    }
    status.done = done;
    wg_commit = commit;
    for (var i = 0u; i < min(arrayLength(&indirect), arrayLength(&planned)); i++) {
      indirect[i] = select(0u, planned[i], done == 0u);
    }
  }
  // Each thread copies the entries it wrote itself, so no storage barrier is needed.
  if (workgroupUniformLoad(&wg_commit) != 0u) {
    for (var e = lid; e < K * D; e += WG) {
      let o = (e / D) * STRIDE + e % D;
      centers[o] = next[o];
    }
  }
}
