import type { ModuleDefinition } from '../../shared/module.js';
import { Macro } from './macro.entity.js';
import { MacroResolver, macroNode } from './macro.resolver.js';

/** Saved replies (macros): the support team's Markdown templates with placeholders, filled in for a ticket. */
export { createMacro, findMacroByTitle } from './macro.service.js';
export { MACROS_READ } from './macro.types.js';

export const macrosModule: ModuleDefinition = {
  name: 'macros',
  entities: [Macro],
  resolvers: [MacroResolver],
  nodes: { Macro: macroNode },
};
