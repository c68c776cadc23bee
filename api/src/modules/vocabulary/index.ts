import type { ModuleDefinition } from '../../shared/module.js';

export {
  CommentVisibility,
  Coverage,
  COVERAGES,
  DOMAINS,
  OPEN_STATUSES,
  PRIORITY_ORDER,
  SupportDomain,
  TICKET_CHANNELS,
  TicketChannel,
  TicketImpact,
  TicketPriority,
  TicketStatus,
  type Domain,
} from './vocabulary.js';

export const vocabularyModule: ModuleDefinition = { name: 'vocabulary' };
