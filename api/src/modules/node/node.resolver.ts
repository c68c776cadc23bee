import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Access } from '../../server/access.js';
import type { RequestContext } from '../../shared/context.js';
import { Node } from '../../shared/graphql.js';
import { parseGlobalId } from '../../shared/ids.js';
import { isStaffLike } from '../../shared/principal.js';
import { ApiKey } from '../identity/identity.entity.js';
import { ApiKeyType, UserType } from '../identity/identity.types.js';
import { ArticleType, getArticle } from '../kb/index.js';
import { OrganizationType } from '../organizations/organization.types.js';
import { Comment } from '../tickets/ticket.entity.js';
import { CommentVisibility } from '../tickets/ticket.enums.js';
import { getTicket } from '../tickets/ticket.service.js';
import { CommentType, TicketType } from '../tickets/ticket.types.js';
import { TierType } from '../tiers/tier.types.js';

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description: "Any object by its global id. Ids of other organizations' objects, and malformed ids, give null.",
  })
  @Access({ customer: 'MEMBER', partner: 'tickets:read', staff: 'ANY' })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Node | null> {
    const parsed = parseGlobalId(id);
    if (!parsed) return null;
    switch (parsed.type) {
      case 'Ticket': {
        const ticket = await getTicket(ctx, parsed.id);
        return ticket && TicketType.from(ticket);
      }
      case 'Comment': {
        const comment = await ctx.em.findOne(Comment, { id: parsed.id });
        if (!comment || (comment.visibility === CommentVisibility.INTERNAL && !isStaffLike(ctx.principal))) return null;
        return CommentType.from(comment);
      }
      case 'Organization': {
        const organization = await ctx.loaders.organization.load(parsed.id);
        return organization && OrganizationType.from(organization);
      }
      case 'User': {
        const user = await ctx.loaders.user.load(parsed.id);
        return user && UserType.from(user, isStaffLike(ctx.principal) || user.organization !== null);
      }
      case 'Tier': {
        const entry = (await ctx.loaders.tierCatalogue()).find((candidate) => candidate.tier.id === parsed.id);
        return entry ? TierType.from(entry.tier) : null;
      }
      case 'ApiKey': {
        const key = await ctx.em.findOne(ApiKey, { id: parsed.id });
        if (!key || (key.staffRole && !(ctx.principal.kind === 'staff' && ctx.principal.role === 'ADMIN'))) return null;
        return ApiKeyType.from(key);
      }
      case 'Article': {
        const article = await getArticle(ctx, parsed.id);
        return article && ArticleType.from(article);
      }
      default:
        return null;
    }
  }
}
