// Entry point of the WASM backend: `run(tid, nth)` executes the job that the TypeScript side
// (kernels/wasm/pool.ts) wrote into the control block, on the main thread (tid 0) and on every
// worker at once; each kernel takes its share from (tid, nth). Layout of the control block at
// CTRL (bytes): i32 generation @0, i32 done @4, i32 op @8, i32 thread count @12, f64 result
// @32, f64 arguments @64 + 8·i. The kernels allocate nothing: every pointer is an offset into
// the one shared memory that the TypeScript arena carved.

import {
  convBackward,
  convBackwardScratch,
  convBackwardSharedBytes,
  convForward,
  convForwardScratch,
} from "./conv2d";
import { argmaxOutside, maxPoolBackward, maxPoolForward } from "./pool2d";
import { addRowBias, reluBackward, reluForward, sumRows } from "./elementwise";
import { softmaxCrossEntropy, svmLoss } from "./loss";
import { gemm } from "./gemm_entry";
import { adamStep, sgdStep } from "./optim";
import { avgPoolBackward, avgPoolForward } from "./avgpool";
import { batchNormBackward, batchNormForward } from "./batchnorm";
import { dropoutBackward, dropoutForward } from "./dropout";
import { softmaxCrossEntropySmoothed } from "./cross_entropy";
import { axpy } from "./axpy";
import { rmspropStep, sumOfSquares } from "./solver";
import {
  convPoolReluBackwardFilter,
  convPoolReluBackwardScratch,
  convPoolReluForward,
  convPoolReluForwardScratch,
} from "./conv_pool";

export { convBackwardScratch, convBackwardSharedBytes, convForwardScratch };
export { convPath } from "./conv_path";
export { convPoolReluBackwardScratch, convPoolReluForwardScratch };
export { gemmScratch } from "./gemm_entry";

const CTRL: usize = 256;

// @ts-ignore: decorator
@inline function p(i: i32): usize {
  return <usize> load<f64>(CTRL + 64 + (<usize> i << 3));
}

// @ts-ignore: decorator
@inline function n(i: i32): i32 {
  return <i32> load<f64>(CTRL + 64 + (<usize> i << 3));
}

// @ts-ignore: decorator
@inline function f(i: i32): f64 {
  return load<f64>(CTRL + 64 + (<usize> i << 3));
}

/** Runs this thread's share of the current job. */
export function run(tid: i32, nth: i32): void {
  const op = load<i32>(CTRL + 8);
  switch (op) {
    case 1:
      convForward(
        tid,
        nth,
        p(0),
        p(1),
        p(2),
        p(3),
        n(4),
        n(5),
        n(6),
        n(7),
        n(8),
        n(9),
        n(10),
        n(11),
        n(12),
        n(13),
        n(14),
        p(15) + <usize> tid * p(16),
      );
      break;
    case 2:
      convBackward(
        tid,
        nth,
        p(0),
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        n(6),
        n(7),
        n(8),
        n(9),
        n(10),
        n(11),
        n(12),
        n(13),
        n(14),
        n(15),
        n(16),
        p(17) + <usize> tid * p(18),
        n(19) != 0,
        n(20) != 0,
        p(21),
        n(19) == 2,
      );
      break;
    case 4:
      maxPoolForward(tid, nth, p(0), p(1), p(2), n(3), n(4), n(5), n(6), n(7), n(8), n(9), n(10));
      break;
    case 5:
      maxPoolBackward(tid, nth, p(0), p(1), p(2), n(3), n(4), n(5), n(6), CTRL + 32);
      break;
    case 6:
      gemm(
        tid,
        nth,
        p(0),
        p(1),
        p(2),
        n(3),
        n(4),
        n(5),
        n(6) != 0,
        n(7) != 0,
        n(8) != 0,
        p(9) + <usize> tid * p(10),
      );
      break;
    case 7:
      addRowBias(tid, nth, p(0), p(1), n(2), n(3));
      break;
    case 8:
      sumRows(tid, nth, p(0), p(1), n(2), n(3));
      break;
    case 9:
      reluForward(tid, nth, p(0), p(1), n(2));
      break;
    case 10:
      reluBackward(tid, nth, p(0), p(1), p(2), n(3));
      break;
    case 11:
      if (tid == 0) store<f64>(CTRL + 32, softmaxCrossEntropy(p(0), p(1), p(2), n(3), n(4)));
      break;
    case 12:
      if (tid == 0) store<f64>(CTRL + 32, svmLoss(p(0), p(1), p(2), n(3), n(4)));
      break;
    case 13:
      sgdStep(tid, nth, p(0), p(1), p(2), n(3), f(4), f(5), f(6), f(7), n(8) != 0, n(9) != 0);
      break;
    case 14:
      adamStep(
        tid,
        nth,
        p(0),
        p(1),
        p(2),
        p(3),
        n(4),
        f(5),
        f(6),
        f(7),
        f(8),
        f(9),
        n(10),
        n(11) != 0,
      );
      break;
    case 20:
      avgPoolForward(tid, nth, p(0), p(1), n(2), n(3), n(4), n(5), n(6), n(7), n(8), n(9));
      break;
    case 21:
      avgPoolBackward(tid, nth, p(0), p(1), n(2), n(3), n(4), n(5), n(6), n(7), n(8), n(9));
      break;
    case 22:
      batchNormForward(
        tid,
        nth,
        p(0),
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        p(6),
        p(7),
        n(8),
        n(9),
        n(10),
        f(11),
        f(12),
        n(13) != 0,
        n(14) != 0,
      );
      break;
    case 23:
      batchNormBackward(
        tid,
        nth,
        p(0),
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        p(6),
        p(7),
        n(8),
        n(9),
        n(10),
        n(11) != 0,
        p(12),
      );
      break;
    case 24:
      dropoutForward(tid, nth, p(0), p(1), p(2), n(3), p(4), p(5), n(6) != 0, f(7));
      break;
    case 25:
      dropoutBackward(tid, nth, p(0), p(1), p(2), n(3));
      break;
    case 26:
      if (tid == 0) {
        store<f64>(CTRL + 32, softmaxCrossEntropySmoothed(p(0), p(1), p(2), n(3), n(4), f(5)));
      }
      break;
    case 27:
      axpy(tid, nth, p(0), p(1), <f32> f(2), n(3));
      break;
    case 28:
      rmspropStep(tid, nth, p(0), p(1), p(2), n(3), <f32> f(4), <f32> f(5), <f32> f(6));
      break;
    case 29:
      if (tid == 0) store<f64>(CTRL + 32, sumOfSquares(p(0), n(1)));
      break;
    case 30:
      convPoolReluForward(
        tid,
        nth,
        p(0),
        p(1),
        p(2),
        p(3),
        p(4),
        n(5),
        n(6),
        n(7),
        n(8),
        n(9),
        n(10),
        n(11),
        n(12),
        n(13),
        n(14),
        n(15),
        p(16) + <usize> tid * p(17),
      );
      break;
    case 31:
      convPoolReluBackwardFilter(
        tid,
        nth,
        p(0),
        p(1),
        p(2),
        p(3),
        p(4),
        n(5),
        n(6),
        n(7),
        n(8),
        n(9),
        n(10),
        n(11),
        n(12),
        n(13),
        n(14),
        n(15),
        p(16) + <usize> tid * p(17),
        CTRL + 32,
      );
      break;
    case 32:
      argmaxOutside(tid, nth, p(0), n(1), n(2), n(3), CTRL + 32);
      break;
  }
}

/** The first byte past the module's static data; the TypeScript arena starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
