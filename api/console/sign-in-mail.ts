/** The console's sign-in and invitation e-mails, in English and Simplified Chinese in one message. */
import type { OutgoingMail } from '../messages/delivery.ts';
import type { ConsoleRole } from '../db/schema.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const ROLE_ZH: Record<ConsoleRole, string> = { admin: '管理员', developer: '开发者', viewer: '查看者' };

export interface SignInMailInput {
  to: string;
  url: string;
  kind: 'sign-in' | 'invitation';
  validMs: number;
  invitedBy?: string;
  merchantName?: string;
  role?: ConsoleRole;
}

function validity(ms: number): { en: string; zh: string } {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return { en: `${minutes} minutes`, zh: `${minutes} 分钟` };
  const hours = Math.round(minutes / 60);
  return { en: `${hours} hours`, zh: `${hours} 小时` };
}

export function signInMail(m: SignInMailInput): OutgoingMail {
  const valid = validity(m.validMs);
  const where = m.merchantName ? { en: ` for ${m.merchantName}`, zh: `（${m.merchantName}）` } : { en: ' as an operator', zh: '（运营方）' };
  const en =
    m.kind === 'invitation'
      ? `${m.invitedBy ?? 'Counterpay'} invited you to the Counterpay console${where.en}${m.role ? ` (${m.role})` : ''}.`
      : 'Someone asked to sign in to the Counterpay console with this address.';
  const zh =
    m.kind === 'invitation'
      ? `${m.invitedBy ?? 'Counterpay'} 邀请您使用 Counterpay 控制台${where.zh}${m.role ? `，角色：${ROLE_ZH[m.role]}` : ''}。`
      : '有人请求用此邮箱登录 Counterpay 控制台。';
  const after = {
    en: `The link works once, within ${valid.en}. If you did not ask for it, ignore this e-mail: nothing happens.`,
    zh: `此链接仅可使用一次，${valid.zh}内有效。如非您本人操作，请忽略此邮件。`,
  };
  const subject = m.kind === 'invitation' ? 'You are invited to the Counterpay console / Counterpay 控制台邀请' : 'Sign in to Counterpay / 登录 Counterpay';
  return {
    to: m.to,
    subject,
    text: `${en}\n\nSign in: ${m.url}\n\n${after.en}\n\n${zh}\n\n登录：${m.url}\n\n${after.zh}\n`,
    html: `<!doctype html><html><body style="font-family:sans-serif">
<p>${esc(en)}</p><p><a href="${esc(m.url)}">Sign in to Counterpay</a></p><p>${esc(after.en)}</p>
<hr><p lang="zh-CN">${esc(zh)}</p><p lang="zh-CN"><a href="${esc(m.url)}">登录 Counterpay</a></p><p lang="zh-CN">${esc(after.zh)}</p>
</body></html>`,
    attachments: [],
  };
}
