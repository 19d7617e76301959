// A slim mathjs instance with only the expression-node classes and the parser: equations are built and parsed as
// trees, never evaluated. It is created on first use so that loading mathjs stays off the server's start-up path, and
// from mathjs's number-only build, whose default instance costs the server ~30 MB less memory than the full one.

import type { MathNode } from 'mathjs';

export type { MathNode };

interface MathNodes {
  SymbolNode: new (name: string) => MathNode;
  ConstantNode: new (value: number | string) => MathNode;
  OperatorNode: new (op: string, fn: string, args: MathNode[], implicit?: boolean) => MathNode;
  FunctionNode: new (fn: MathNode | string, args: MathNode[]) => MathNode;
  ParenthesisNode: new (content: MathNode) => MathNode;
  parse: (expr: string) => MathNode;
}

let instance: MathNodes | undefined;

export function mathNodes(): MathNodes {
  if (!instance) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mathjs = require('mathjs/number') as typeof import('mathjs');
    instance = mathjs.create({
      SymbolNodeDependencies: mathjs.SymbolNodeDependencies,
      ConstantNodeDependencies: mathjs.ConstantNodeDependencies,
      OperatorNodeDependencies: mathjs.OperatorNodeDependencies,
      FunctionNodeDependencies: mathjs.FunctionNodeDependencies,
      ParenthesisNodeDependencies: mathjs.ParenthesisNodeDependencies,
      parseDependencies: mathjs.parseDependencies,
    }) as unknown as MathNodes;
  }
  return instance;
}
