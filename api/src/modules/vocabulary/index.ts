import type { ModuleDefinition } from '../../shared/module.js';

export {
  COMMENT_VISIBILITIES,
  CommentVisibility,
  Coverage,
  COVERAGES,
  DOMAINS,
  OPEN_STATUSES,
  PRIORITY_ORDER,
  SupportDomain,
  TICKET_CHANNELS,
  TICKET_IMPACTS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TicketChannel,
  TicketImpact,
  TicketPriority,
  TicketStatus,
  type Domain,
} from './vocabulary.js';

export const vocabularyModule: ModuleDefinition = { name: 'vocabulary' };
