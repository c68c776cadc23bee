import { data } from 'react-router';
import type { ErrorBody } from '../components/error-message';
import { toFormErrors, type FormError } from '../components/form-errors';
import { consoleAbilities, requireStaff } from './console.server';
import type { ArticleDraft } from './console-kb';
import { renderArticleMarkdown } from './markdown.server';
import type { HandlerArgs } from './session.server';

/**
 * The console's knowledge-base pages are for the staff who may change articles (specialists and admins). Agents and
 * on-call engineers are refused with a way back to their views: the API would refuse the changes anyway.
 */
export async function requireArticleEditor(args: HandlerArgs) {
  const staffApi = await requireStaff(args);
  if (!consoleAbilities(staffApi.staff.role).editArticles) {
    const body: ErrorBody = {
      message: 'Editing the knowledge base is for specialists and admins. Ask one of them to change an article.',
      back: { to: '/console', label: 'Back to your views' },
    };
    throw data(body, { status: 403 });
  }
  return staffApi;
}

const text = (form: FormData, name: string) => String(form.get(name) ?? '');

export function readDraft(form: FormData): ArticleDraft {
  return {
    title: text(form, 'title'),
    summary: text(form, 'summary'),
    body: text(form, 'body'),
    productArea: text(form, 'productArea'),
    visibility: text(form, 'visibility'),
    tags: text(form, 'tags'),
  };
}

/** The body as the help center will show it: the same safe Markdown rendering (markdown.server.ts). */
export function previewHtml(body: string): string {
  return renderArticleMarkdown(body).html;
}

export { toFormErrors, type FormError };
