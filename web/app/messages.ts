/**
 * Every sentence the app shows, in English and Simplified Chinese. `{name}` marks a value filled
 * in by `translate`. Refusals say what happened and what the person can do about it.
 */
import { LOCALES, type Locale } from '../../core/text/locales.ts';
import type { TillMessageKey } from '../cashier/messages.ts';
import type { MoreMessageKey } from '../shopper/more-messages.ts';

export const en = {
  'app.name': 'Counterpay',
  'app.skip': 'Skip to content',
  'app.nav': 'Main',
  'app.wallet': 'My vouchers',
  'app.language': 'Language',
  'app.offline': 'You are offline. Your saved vouchers and their codes still work.',
  'app.update.ready': 'A new version of Counterpay is ready.',
  'app.update.now': 'Update now',
  'app.update.later': 'Later',
  'app.notFound': 'There is no page at this address.',
  'app.toWallet': 'Go to my vouchers',

  'status.open': 'Ready to pay',
  'status.paid': 'Paid',
  'status.expired': 'Expired',
  'status.canceled': 'Canceled',

  'wallet.title': 'My vouchers',
  'wallet.empty': 'No vouchers yet. Open the link or QR code the shop sent you: the voucher is saved here and works without a connection.',
  'wallet.order': 'Order {order}',
  'wallet.remove': 'Remove',
  'wallet.removeLabel': 'Remove the voucher for order {order} from {merchant} from this phone',
  'wallet.removeConfirm': 'Remove the voucher for order {order} from this phone? You can open the shop’s link again to get it back.',
  'wallet.checking': 'Checking the status of your vouchers…',
  'wallet.checkedAt': 'Status checked {time}.',
  'wallet.neverChecked': 'Status not checked with the server yet.',
  'wallet.unreadable': 'A saved voucher could not be read by this version of the app.',
  'wallet.history': 'History',

  'voucher.loading': 'Opening your voucher…',
  'voucher.instructions': 'Show this code at the counter of a participating store and pay {amount} in cash or by card.',
  'voucher.saved': 'Saved on this phone: it works without a connection.',
  'voucher.merchant': 'Shop',
  'voucher.order': 'Order number',
  'voucher.items': 'Items',
  'voucher.amount': 'Amount due',
  'voucher.expires': 'Expires',
  'voucher.status': 'Status',
  'voucher.reference': 'Reference',
  'voucher.referenceHelp': 'If the code does not scan, the cashier can type this reference.',
  'voucher.testMark': 'TEST',
  'voucher.testNote': 'A test voucher: no store takes money for it.',
  'voucher.expiresIn': 'Expires in {time}',
  'voucher.expiresSoon': 'Expires soon: in {time}',
  'voucher.expiredOn': 'Expired on {date}',
  'voucher.amountPaid': 'Amount paid',
  'voucher.total': 'Amount',
  'voucher.notSaved': 'The shop canceled this voucher before you opened it, so it was not saved on this phone.',
  'voucher.moreItems': 'and {count} more',
  'voucher.connectTitle': 'Connect once to open this voucher',
  'voucher.paidNote': 'Paid on {date}. Nothing more to do.',
  'voucher.paidNoteUnknownDate': 'Paid. Nothing more to do.',
  'voucher.paidNoteRefund': 'Paid {date}. Money is coming back to you: collect it at a store with the code below.',
  'voucher.canceledNote': 'The shop canceled this voucher. Do not pay it.',
  'voucher.expiredNote': 'This voucher has expired. Do not pay it: ask the shop for a new one.',
  'voucher.qrAlt': 'QR code of the voucher. Reference {reference}.',
  'voucher.barcodeAlt': 'Barcode of reference {reference}.',
  'voucher.fullscreen': 'Show code full screen',
  'voucher.closeFullscreen': 'Close full screen',
  'voucher.print': 'Print',
  'voucher.back': 'All my vouchers',
  'voucher.missing': 'This voucher is not saved on this phone. Open the link the shop sent you to save it.',
  'voucher.quantity': '{quantity} ×',

  'refund.collect': 'Collect {amount} at any Counterpay store',
  'refund.title': 'Refund of {amount}',
  'refund.until': 'You can collect it until {date}.',
  'refund.codeMayBeAsked': 'The cashier may ask for the six-digit code we sent you.',
  'refund.qrAlt': 'QR code of the refund. Reference {reference}.',
  'refund.fullscreen': 'Show refund code full screen',
  'refund.paidNote': 'Paid out on {date}.',
  'refund.paidNoteUnknownDate': 'Paid out.',
  'refund.canceledNote': 'The shop canceled this refund.',
  'refund.expiredNote': 'This refund expired on {date} before it was collected. Ask the shop about it.',
  'refund.ready': 'Refund ready: {amount}',
  'refund.notVoucher': 'This is a refund’s code, not a voucher to pay: show it at the counter of any Counterpay store to collect the money.',

  'refused.title': 'This voucher cannot be opened',
  'refused.malformed': 'This link is not a complete Counterpay voucher; it may have been cut off when it was copied. Open the original message from the shop again.',
  'refused.unsupported': 'This voucher was made by a newer version of Counterpay. Connect to the internet and reload this page to update the app.',
  'refused.unknown_key': 'This voucher is not signed by Counterpay, so it was not saved. Do not pay it: ask the shop for a new link.',
  'refused.bad_signature': 'This voucher has been altered, so it was not saved. Do not pay it: open the original link from the shop again.',
  'refused.keys_unavailable': 'Counterpay needs an internet connection once to check this voucher. It opens by itself once you are connected, and works without one after that.',
  'refused.link_not_found': 'Counterpay does not know this link. Check that it was copied in full, or ask the shop to send it again.',
  'refused.link_offline': 'This link needs an internet connection the first time it is opened. It opens by itself once you are connected, and works without one after that.',
  'refused.link_failed': 'Counterpay could not open this link just now. Try again in a minute.',
  'refused.link_mismatch': 'The server’s answer for this link does not match its voucher, so nothing was saved. Ask the shop to send the link again.',

  'time.days': '{d} d {h} h',
  'time.hours': '{h} h {m} min',
  'time.minutes': '{m} min {s} s',

  'app.tillName': 'Counterpay Till',
  'app.consoleName': 'Counterpay Console',
} as const;

/**
 * A sentence of the shopper view or the shell. The till adds its own (web/cashier/messages.ts), and so
 * do the voucher screen's later parts, "Where to pay" and notifications (web/shopper/more-messages.ts).
 */
export type AppMessageKey = keyof typeof en;
export type MessageKey = AppMessageKey | TillMessageKey | MoreMessageKey;

export const zh: Record<AppMessageKey, string> = {
  'app.name': 'Counterpay',
  'app.skip': '跳到正文',
  'app.nav': '主菜单',
  'app.wallet': '我的付款券',
  'app.language': '语言',
  'app.offline': '您已离线。已保存的付款券和付款码仍可使用。',
  'app.update.ready': 'Counterpay 有新版本。',
  'app.update.now': '立即更新',
  'app.update.later': '稍后',
  'app.notFound': '此地址没有页面。',
  'app.toWallet': '前往我的付款券',

  'status.open': '待付款',
  'status.paid': '已付款',
  'status.expired': '已过期',
  'status.canceled': '已取消',

  'wallet.title': '我的付款券',
  'wallet.empty': '还没有付款券。打开商家发给您的链接或二维码，付款券会保存在这里，无网络时也能使用。',
  'wallet.order': '订单 {order}',
  'wallet.remove': '删除',
  'wallet.removeLabel': '从本机删除 {merchant} 订单 {order} 的付款券',
  'wallet.removeConfirm': '从本机删除订单 {order} 的付款券？再次打开商家的链接即可找回。',
  'wallet.checking': '正在查询付款券状态…',
  'wallet.checkedAt': '状态查询于{time}。',
  'wallet.neverChecked': '尚未向服务器查询状态。',
  'wallet.unreadable': '有一张已保存的付款券无法被此版本读取。',
  'wallet.history': '历史记录',

  'voucher.loading': '正在打开付款券…',
  'voucher.instructions': '请在合作门店的收银台出示此码，以现金或银行卡支付 {amount}。',
  'voucher.saved': '已保存在本机：无网络时也能使用。',
  'voucher.merchant': '商家',
  'voucher.order': '订单号',
  'voucher.items': '商品',
  'voucher.amount': '应付金额',
  'voucher.expires': '有效期至',
  'voucher.status': '状态',
  'voucher.reference': '参考号',
  'voucher.referenceHelp': '如果扫码失败，收银员可以输入此参考号。',
  'voucher.testMark': '测试',
  'voucher.testNote': '这是测试付款凭证：任何门店都不会为它收款。',
  'voucher.expiresIn': '{time}后过期',
  'voucher.expiresSoon': '即将过期：{time}后',
  'voucher.expiredOn': '已于{date}过期',
  'voucher.amountPaid': '已付金额',
  'voucher.total': '金额',
  'voucher.notSaved': '商家在您打开之前已取消此付款券，因此未保存在本机。',
  'voucher.moreItems': '另有 {count} 件',
  'voucher.connectTitle': '请联网一次以打开此付款券',
  'voucher.paidNote': '已于{date}付款，无需其他操作。',
  'voucher.paidNoteUnknownDate': '已付款，无需其他操作。',
  'voucher.paidNoteRefund': '已付款 {date}。有一笔退款待您领取：请凭下方的码到门店领取。',
  'voucher.canceledNote': '商家已取消此付款券，请勿付款。',
  'voucher.expiredNote': '此付款券已过期，请勿付款；请向商家索取新的付款券。',
  'voucher.qrAlt': '付款券二维码。参考号 {reference}。',
  'voucher.barcodeAlt': '参考号 {reference} 的条形码。',
  'voucher.fullscreen': '全屏显示付款码',
  'voucher.closeFullscreen': '关闭全屏',
  'voucher.print': '打印',
  'voucher.back': '全部付款券',
  'voucher.missing': '本机未保存此付款券。请打开商家发给您的链接来保存。',
  'voucher.quantity': '{quantity} ×',

  'refund.collect': '在任意 Counterpay 门店领取 {amount}',
  'refund.title': '退款 {amount}',
  'refund.until': '可在{date}之前领取。',
  'refund.codeMayBeAsked': '收银员可能会询问我们发给您的六位数验证码。',
  'refund.qrAlt': '退款二维码。参考号 {reference}。',
  'refund.fullscreen': '全屏显示退款码',
  'refund.paidNote': '已于{date}领取。',
  'refund.paidNoteUnknownDate': '已领取。',
  'refund.canceledNote': '商家已取消此退款。',
  'refund.expiredNote': '此退款已于{date}过期，未被领取。请联系商家。',
  'refund.ready': '可领取退款：{amount}',
  'refund.notVoucher': '这是退款码，不是待付款的付款券：请在任意 Counterpay 门店的收银台出示此码领取退款。',

  'refused.title': '无法打开此付款券',
  'refused.malformed': '此链接不是完整的 Counterpay 付款券，可能在复制时被截断。请重新打开商家发来的原始消息。',
  'refused.unsupported': '此付款券由更新版本的 Counterpay 生成。请连接网络并刷新页面以更新应用。',
  'refused.unknown_key': '此付款券没有 Counterpay 的签名，因此未保存。请勿付款，并向商家索取新的链接。',
  'refused.bad_signature': '此付款券已被篡改，因此未保存。请勿付款，请重新打开商家发来的原始链接。',
  'refused.keys_unavailable': 'Counterpay 需要联网一次来验证此付款券。联网后会自动打开，之后无网络也能使用。',
  'refused.link_not_found': 'Counterpay 不认识此链接。请确认链接完整，或请商家重新发送。',
  'refused.link_offline': '首次打开此链接需要联网。联网后会自动打开，之后无网络也能使用。',
  'refused.link_failed': 'Counterpay 暂时无法打开此链接。请稍后再试。',
  'refused.link_mismatch': '服务器对此链接的答复与付款券不符，因此未保存任何内容。请商家重新发送链接。',

  'time.days': '{d}天{h}小时',
  'time.hours': '{h}小时{m}分钟',
  'time.minutes': '{m}分{s}秒',

  'app.tillName': 'Counterpay 收银台',
  'app.consoleName': 'Counterpay 控制台',
};

/** The catalogues are keyed by the supported locales (core/text/locales.ts). */
export { LOCALES, type Locale };
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', zh: '简体中文' };
/**
 * Every sentence the app has loaded, by language. The till's arrive with its chunk
 * (web/cashier/messages.ts calls addCatalog), so the shopper never downloads them; the voucher
 * screen's later parts bring theirs likewise (web/shopper/more-messages.ts).
 */
export const catalogs: Record<Locale, Record<string, string>> = { en: { ...en }, zh: { ...zh } };

export function addCatalog(extra: Record<Locale, Record<string, string>>): void {
  for (const locale of LOCALES) Object.assign(catalogs[locale], extra[locale]);
}
