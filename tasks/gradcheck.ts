/**
 * `deno task gradcheck`: checks every layer's backward pass against centred-difference
 * numerical gradients in float64 and prints a table like the homework notebook's (layer,
 * case, relative error of dx / dw / db). Exits with status 1 when any error exceeds its bound.
 *
 *   deno task gradcheck [--seed 0]
 *
 * @module
 */

import { parseFlags, runTask, USAGE_ERROR } from "../train/cli.ts";
import {
  BOUNDS,
  drawAwayFromKinks,
  H_LINEAR,
  H_SMOOTH,
  MARGIN,
  minAbs,
  minWindowGap,
} from "./_gradcheck_bounds.ts";
import {
  affineBackward,
  affineForward,
  affineReluBackward,
  affineReluForward,
  convBackwardNaive,
  convForwardNaive,
  type ConvParam,
  convReluBackward,
  convReluForward,
  convReluPoolBackward,
  convReluPoolForward,
  evalNumericalGradient,
  gradientErrors,
  maxPoolBackwardNaive,
  maxPoolForwardNaive,
  type PoolParam,
  relError,
  reluBackward,
  reluForward,
  Rng,
  softmaxLoss,
  svmLoss,
  Tensor,
} from "../mod.ts";

/** One line of the table: the relative errors of the gradients a layer returns. */
export interface GradcheckRow {
  layer: string;
  case: string;
  /** Relative error per input name (`x`, `w`, `b`). */
  errors: Record<string, number>;
  bound: number;
  /** The centred-difference step used. */
  h: number;
}

interface Case {
  layer: string;
  case: string;
  bound: number;
  /** The centred-difference step. */
  h: number;
  run: (rng: Rng) => Record<string, number>;
}

const shape = (s: readonly number[]) => `(${s.join(",")})`;

function convCase(xShape: number[], wShape: number[], p: ConvParam): Case {
  return {
    layer: "conv (naive)",
    case: `x=${shape(xShape)} w=${shape(wShape)} s=${p.stride} p=${p.pad}`,
    bound: BOUNDS.conv,
    h: H_LINEAR,
    run: (rng) => {
      const x = Tensor.randn(xShape, rng), w = Tensor.randn(wShape, rng);
      const b = Tensor.randn([wShape[0]], rng);
      const layer = { forward: () => convForwardNaive(x, w, b, p), backward: convBackwardNaive };
      return gradientErrors(layer, { x, w, b }, { rng, h: H_LINEAR });
    },
  };
}

function poolCase(xShape: number[], p: PoolParam): Case {
  return {
    layer: "max-pool (naive)",
    case: `x=${shape(xShape)} ${p.poolHeight}×${p.poolWidth} s=${p.stride}, ties ≥ ${MARGIN}`,
    bound: BOUNDS.pool,
    h: H_LINEAR,
    run: (rng) => {
      const x = drawAwayFromKinks(() => Tensor.randn(xShape, rng), (x) => minWindowGap(x, p));
      const layer = { forward: () => maxPoolForwardNaive(x, p), backward: maxPoolBackwardNaive };
      return gradientErrors(layer, { x }, { rng, h: H_LINEAR });
    },
  };
}

function affineCase(xShape: number[], M: number): Case {
  const D = xShape.slice(1).reduce((a, b) => a * b, 1);
  return {
    layer: "affine",
    case: `x=${shape(xShape)} w=${shape([D, M])}`,
    bound: BOUNDS.affine,
    h: H_LINEAR,
    run: (rng) => {
      const x = Tensor.randn(xShape, rng), w = Tensor.randn([D, M], rng);
      const b = Tensor.randn([M], rng);
      const layer = { forward: () => affineForward(x, w, b), backward: affineBackward };
      return gradientErrors(layer, { x, w, b }, { rng, h: H_LINEAR });
    },
  };
}

function lossCase(name: "softmax" | "svm", N: number, C: number): Case {
  const loss = name === "softmax" ? softmaxLoss : svmLoss;
  return {
    layer: `${name} loss`,
    case: `x=${shape([N, C])} = 0.001·randn`,
    bound: BOUNDS.loss,
    h: H_SMOOTH,
    run: (rng) => {
      const x = Tensor.randn([N, C], rng, { std: 0.001 });
      const y = Int32Array.from({ length: N }, () => rng.int(C));
      const numerical = evalNumericalGradient((t) => loss(t, y).loss, x, H_SMOOTH);
      return { x: relError(loss(x, y).dx, numerical) };
    },
  };
}

function convReluCase(xShape: number[], F: number, pool?: PoolParam): Case {
  const s1p1 = { stride: 1, pad: 1 };
  return {
    layer: pool ? "conv-relu-pool" : "conv-relu",
    case: `x=${shape(xShape)} w=${shape([F, xShape[1], 3, 3])} s=1 p=1${
      pool ? ` pool ${pool.poolHeight}×${pool.poolWidth} s=${pool.stride}` : ""
    }, kinks ≥ ${MARGIN}`,
    bound: BOUNDS.sandwich,
    h: H_LINEAR,
    run: (rng) => {
      const draw = () => ({
        x: Tensor.randn(xShape, rng),
        w: Tensor.randn([F, xShape[1], 3, 3], rng),
        b: Tensor.randn([F], rng),
      });
      const { x, w, b } = drawAwayFromKinks(draw, ({ x, w, b }) => {
        const a = convForwardNaive(x, w, b, s1p1).out; // the pre-activation
        return Math.min(minAbs(a), pool ? minWindowGap(a, pool) : Infinity);
      });
      const options = { rng, h: H_LINEAR };
      if (pool) {
        const forward = () => convReluPoolForward(x, w, b, s1p1, pool);
        return gradientErrors({ forward, backward: convReluPoolBackward }, { x, w, b }, options);
      }
      const forward = () => convReluForward(x, w, b, s1p1);
      return gradientErrors({ forward, backward: convReluBackward }, { x, w, b }, options);
    },
  };
}

function affineReluCase(xShape: number[], M: number): Case {
  const D = xShape.slice(1).reduce((a, b) => a * b, 1);
  return {
    layer: "affine-relu",
    case: `x=${shape(xShape)} w=${shape([D, M])}, kinks ≥ ${MARGIN}`,
    bound: BOUNDS.sandwich,
    h: H_LINEAR,
    run: (rng) => {
      const draw = () => ({
        x: Tensor.randn(xShape, rng),
        w: Tensor.randn([D, M], rng),
        b: Tensor.randn([M], rng),
      });
      const { x, w, b } = drawAwayFromKinks(draw, (v) => minAbs(affineForward(v.x, v.w, v.b).out));
      const layer = { forward: () => affineReluForward(x, w, b), backward: affineReluBackward };
      return gradientErrors(layer, { x, w, b }, { rng, h: H_LINEAR });
    },
  };
}

/** Every case of the table, in the order printed. */
export const CASES: readonly Case[] = [
  convCase([4, 3, 5, 5], [2, 3, 3, 3], { stride: 1, pad: 1 }), // the homework's check
  convCase([2, 3, 7, 7], [4, 3, 3, 3], { stride: 2, pad: 1 }),
  convCase([1, 2, 6, 5], [3, 2, 2, 3], { stride: 2, pad: 0 }),
  convCase([2, 1, 4, 4], [2, 1, 3, 1], { stride: 1, pad: 2 }),
  poolCase([3, 2, 8, 8], { poolHeight: 2, poolWidth: 2, stride: 2 }), // the homework's check
  poolCase([2, 2, 5, 5], { poolHeight: 3, poolWidth: 3, stride: 1 }),
  poolCase([1, 3, 5, 4], { poolHeight: 3, poolWidth: 2, stride: 1 }),
  affineCase([10, 2, 3], 5), // the homework's check
  affineCase([1, 7], 3),
  {
    layer: "relu",
    case: `x=(10,10), kinks ≥ ${MARGIN}`,
    bound: BOUNDS.relu,
    h: H_LINEAR,
    run: (rng) => {
      const x = drawAwayFromKinks(() => Tensor.randn([10, 10], rng), minAbs);
      const layer = { forward: () => reluForward(x), backward: reluBackward };
      return gradientErrors(layer, { x }, { rng, h: H_LINEAR });
    },
  },
  lossCase("softmax", 50, 10),
  lossCase("svm", 50, 10),
  convReluCase([2, 3, 8, 8], 3), // the homework's checks, from here on
  convReluCase([2, 3, 16, 16], 3, { poolHeight: 2, poolWidth: 2, stride: 2 }),
  affineReluCase([2, 3, 4], 10),
];

/** Runs every case, each with its own generator seeded from `seed` and the case's index. */
export function gradcheckTable(seed: number): GradcheckRow[] {
  return CASES.map((c, i) => ({
    layer: c.layer,
    case: c.case,
    errors: c.run(new Rng(seed * 1000 + i)),
    bound: c.bound,
    h: c.h,
  }));
}

/** Whether every error of a row is within its bound (NaN fails). */
export function rowPasses(row: GradcheckRow): boolean {
  return Object.values(row.errors).every((e) => e <= row.bound);
}

/** The rows as an aligned text table. */
export function formatTable(rows: readonly GradcheckRow[]): string {
  const e = (v: number | undefined) => v === undefined ? "—" : v.toExponential(1);
  const lines = [["layer", "case", "h", "dx", "dw", "db", "bound", ""]];
  for (const r of rows) {
    const { x, w, b } = r.errors;
    const verdict = rowPasses(r) ? "ok" : "FAIL";
    lines.push([r.layer, r.case, e(r.h), e(x), e(w), e(b), e(r.bound), verdict]);
  }
  const widths = lines[0].map((_, col) => Math.max(...lines.map((l) => l[col].length)));
  return lines.map((l) => l.map((cell, col) => cell.padEnd(widths[col])).join("  ").trimEnd())
    .join("\n");
}

const HELP = `deno task gradcheck — check every layer's backward against numerical gradients

Usage: deno task gradcheck [--seed N]

  --seed N   seed of the random inputs (default 0); each case draws from seed·1000 + index
  -h, --help show this help

Prints layer, case and the relative error of dx / dw / db (max |a − n| / max(1e-8, |a| + |n|),
as the homework's rel_error) in float64, with centred differences: step h = 1e-3 on the
piecewise-linear layers (exact on a linear piece, so a larger step only cuts rounding; inputs
are redrawn until every ReLU input and pool tie is at least 0.01 away from its kink) and the
homework's 1e-5 on the smooth losses. Exits with status 1 if any error exceeds its bound.`;

function main(args: string[]): number {
  const { values } = parseFlags({
    args,
    options: { seed: { type: "string", default: "0" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) {
    console.error(`Cannot run gradcheck: --seed must be an integer, got "${values.seed}"`);
    return USAGE_ERROR;
  }
  console.log(
    `gradcheck: seed=${seed} dtype=float64 h=${H_LINEAR.toExponential()} (piecewise-linear layers), ` +
      `${H_SMOOTH.toExponential()} (losses), kink/tie margin=${MARGIN}, cases=${CASES.length}\n`,
  );
  const rows = gradcheckTable(seed);
  console.log(formatTable(rows));
  const failed = rows.filter((r) => !rowPasses(r)).length;
  console.log(failed === 0 ? "\nall within bounds" : `\n${failed} case(s) exceed their bound`);
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) await runTask("gradcheck", () => main(Deno.args));
