/**
 * ISO 4217 alphabetic codes in current circulation with their minor-unit exponent.
 * Fund codes (BOV, CLF, USN…) and withdrawn currencies are left out: no shop prices in them.
 * The exponent comes from ISO 4217, not from Intl, whose data differs for a few (ISK, HUF).
 */
const ZERO_DECIMAL = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF';
const THREE_DECIMAL = 'BHD IQD JOD KWD LYD OMR TND';
const TWO_DECIMAL =
  'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF ' +
  'CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL ' +
  'HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT ' +
  'MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB ' +
  'SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH ' +
  'USD UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG';

export const CURRENCY_EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...ZERO_DECIMAL.split(' ').map((c) => [c, 0] as const),
  ...TWO_DECIMAL.split(' ').map((c) => [c, 2] as const),
  ...THREE_DECIMAL.split(' ').map((c) => [c, 3] as const),
]);
