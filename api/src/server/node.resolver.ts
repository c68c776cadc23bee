import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { NODE_GETTERS } from '../app/modules.js';
import { Access } from '../shared/access.js';
import type { RequestContext } from '../shared/context.js';
import { Node } from '../shared/graphql.js';
import { parseGlobalId } from '../shared/ids.js';

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description: "Any object by its global id. Ids of other organizations' objects, and malformed ids, give null.",
  })
  @Access({ customer: 'MEMBER', partner: 'tickets:read', staff: 'ANY' })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Node | null> {
    const parsed = parseGlobalId(id);
    // Each type's getter is its module's, with the tenancy and visibility of that type's own query.
    const getter = parsed ? NODE_GETTERS[parsed.type] : undefined;
    if (!parsed || !getter) return null;
    return (await getter(ctx, parsed.id)) as Node | null;
  }
}
