/** What a push notification says, in the shopper's language (the wallet's two: English, Simplified Chinese). */
import { formatMoney } from '../../core/money/money.ts';

type Kind = 'paid' | 'refund' | 'expiring';
interface Facts {
  shop: string;
  amount: number;
  currency: string;
  order: string;
}

const TEXT: Record<'en' | 'zh', Record<Kind, (f: Facts, money: string) => { title: string; body: string }>> = {
  en: {
    paid: (f, money) => ({ title: `Paid: ${money} to ${f.shop}`, body: `Order ${f.order} is paid. Thank you!` }),
    refund: (f, money) => ({
      title: `Refund ready: ${money}`,
      body: `${f.shop} refunds ${money} for order ${f.order}. Show its code at any Counterpay store to collect the cash.`,
    }),
    expiring: (f, money) => ({
      title: `Pay within 24 hours: ${money}`,
      body: `Your voucher for ${f.shop} (order ${f.order}) expires in less than a day. Pay it at any Counterpay store.`,
    }),
  },
  zh: {
    paid: (f, money) => ({ title: `已付款：${money}（${f.shop}）`, body: `订单 ${f.order} 已付款。谢谢！` }),
    refund: (f, money) => ({ title: `退款可领取：${money}`, body: `${f.shop} 为订单 ${f.order} 退款 ${money}。在任一 Counterpay 门店出示退款码即可领取现金。` }),
    expiring: (f, money) => ({ title: `请在 24 小时内付款：${money}`, body: `您在 ${f.shop} 的付款凭证（订单 ${f.order}）将在一天内过期。请到任一 Counterpay 门店付款。` }),
  },
};

export function pushText(locale: 'en' | 'zh', kind: Kind, facts: Facts): { title: string; body: string } {
  return TEXT[locale][kind](facts, formatMoney(facts.amount, facts.currency, locale === 'zh' ? 'zh-CN' : 'en'));
}
