/** The merchant API's shapes the console's voucher pages read (core/contract/vouchers.ts, refunds.ts, webhooks.ts, settlements.ts). */
export { Voucher, VoucherList, VoucherTimeline } from '../../core/contract/vouchers.ts';
export { Refund, MERCHANT_REFUND_REASONS } from '../../core/contract/refunds.ts';
export { CreatedEndpoint, DeliveryList, EndpointList, Redelivery } from '../../core/contract/webhooks.ts';
export { SettlementList } from '../../core/contract/settlements.ts';
export { VOUCHER_STATUSES as VOUCHER_STATUS_VALUES } from '../../core/vouchers/voucher-status.ts';
