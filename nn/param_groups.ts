/**
 * Parameter groups for the optimizers (`new SGD(groups, options)`), as the fast CIFAR-10
 * recipes use them: batch-norm biases at a raised learning rate (airbench: 64×) with their own
 * weight decay, everything else at the base rate.
 *
 * @module
 */

import { BatchNorm2d } from "./modules/batchnorm.ts";
import type { Module, Parameter } from "./modules/module.ts";
import type { ParamGroup } from "./optim.ts";

/** Options of {@link batchNormGroups}. */
export interface BatchNormGroupOptions {
  /** The batch-norm biases' learning rate is this × the optimizer's lr (default 1). */
  biasLrScale?: number;
  /** The batch-norm biases' weight decay (default: the optimizer's). */
  biasWeightDecay?: number;
}

/**
 * Two groups of `model`'s parameters: the biases (β) of every `BatchNorm2d` in it, then every
 * other parameter, in `parameters()` order within each. Scales frozen with
 * `trainWeight: false` are buffers, so they are in neither group.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BatchNorm2d, Conv2d, Sequential, SGD } from "../mod.ts";
 * import { batchNormGroups } from "./param_groups.ts";
 * const net = new Sequential([new Conv2d(3, 4, { bias: false }), new BatchNorm2d(4, { trainWeight: false })]);
 * const groups = batchNormGroups(net, { biasLrScale: 64, biasWeightDecay: 0 });
 * assert.deepEqual(groups.map((g) => g.params.map((p) => p.name)), [["1.bias"], ["0.weight"]]);
 * const opt = new SGD(groups, { lr: 0.01, momentum: 0.9, nesterov: true });
 * assert.equal(opt.groups[0].lrScale, 64);
 * ```
 */
export function batchNormGroups(
  model: Module,
  options: BatchNormGroupOptions = {},
): ParamGroup[] {
  const { biasLrScale = 1, biasWeightDecay } = options;
  const biases = new Set<unknown>();
  const visit = (m: Module): void => {
    if (m instanceof BatchNorm2d) biases.add(m.bias.value);
    for (const [, child] of m.namedChildren()) visit(child);
  };
  visit(model);
  const bn: Parameter[] = [], rest: Parameter[] = [];
  for (const p of model.parameters()) (biases.has(p.value) ? bn : rest).push(p);
  const bnGroup: ParamGroup = { params: bn, lrScale: biasLrScale };
  if (biasWeightDecay !== undefined) bnGroup.weightDecay = biasWeightDecay;
  return [bnGroup, { params: rest }];
}
