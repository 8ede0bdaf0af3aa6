/** The WebAssembly kernels of the CPU backend: one module, built by `deno task build:wasm`. */
export { lloyd } from "./lloyd";
export { pairSums } from "./pair_sums";
export { pairSumsGrouped, pairSumsMany } from "./pair_sums_many";
export { gmmEStep } from "./gmm";
export { kmeansppFold } from "./kmeanspp";
export { lloydBounded } from "./lloyd_bounded";
