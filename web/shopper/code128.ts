/**
 * Code 128 for the voucher reference, for stores whose scanners read only 1D barcodes
 * (ISO/IEC 15417). The reference is twelve digits, so code set C (two digits a symbol) encodes
 * it in six symbols: start C, the pairs, a mod-103 check symbol, stop.
 */

/** Bar/space widths of symbols 0…106 (bar first); each sums to 11 modules, the stop to 13. */
export const PATTERNS = [
  '212222',
  '222122',
  '222221',
  '121223',
  '121322',
  '131222',
  '122213',
  '122312',
  '132212',
  '221213',
  '221312',
  '231212',
  '112232',
  '122132',
  '122231',
  '113222',
  '123122',
  '123221',
  '223211',
  '221132',
  '221231',
  '213212',
  '223112',
  '312131',
  '311222',
  '321122',
  '321221',
  '312212',
  '322112',
  '322211',
  '212123',
  '212321',
  '232121',
  '111323',
  '131123',
  '131321',
  '112313',
  '132113',
  '132311',
  '211313',
  '231113',
  '231311',
  '112133',
  '112331',
  '132131',
  '113123',
  '113321',
  '133121',
  '313121',
  '211331',
  '231131',
  '213113',
  '213311',
  '213131',
  '311123',
  '311321',
  '331121',
  '312113',
  '312311',
  '332111',
  '314111',
  '221411',
  '431111',
  '111224',
  '111422',
  '121124',
  '121421',
  '141122',
  '141221',
  '112214',
  '112412',
  '122114',
  '122411',
  '142112',
  '142211',
  '241211',
  '221114',
  '413111',
  '241112',
  '134111',
  '111242',
  '121142',
  '121241',
  '114212',
  '124112',
  '124211',
  '411212',
  '421112',
  '421211',
  '212141',
  '214121',
  '412121',
  '111143',
  '111341',
  '131141',
  '114113',
  '114311',
  '411113',
  '411311',
  '113141',
  '114131',
  '311141',
  '411131',
  '211412',
  '211214',
  '211232',
  '2331112',
] as const;

const START_C = 105;
const STOP = 106;
/** Blank modules each side; the standard asks for at least ten. */
export const QUIET_MODULES = 10;

/** The symbol values for an even-length digit string in code set C, check symbol included. */
export function code128CSymbols(digits: string): number[] {
  if (!/^([0-9]{2})+$/.test(digits)) throw new RangeError(`code set C needs an even number of digits: ${digits}`);
  const values = [START_C];
  for (let i = 0; i < digits.length; i += 2) values.push(Number(digits.slice(i, i + 2)));
  const check = values.reduce((sum, value, position) => sum + value * Math.max(position, 1), 0) % 103;
  return [...values, check, STOP];
}

export interface BarcodeDrawing {
  /** Total width in modules, quiet zones included. */
  width: number;
  /** One `M x 0h w v1 h-w z` rectangle per bar, for a viewBox of height 1. */
  path: string;
}

export function drawCode128(digits: string): BarcodeDrawing {
  let x = QUIET_MODULES;
  let path = '';
  for (const symbol of code128CSymbols(digits)) {
    const widths = PATTERNS[symbol]!;
    for (let i = 0; i < widths.length; i++) {
      const w = Number(widths[i]);
      if (i % 2 === 0) path += `M${x} 0h${w}v1h${-w}z`;
      x += w;
    }
  }
  return { width: x + QUIET_MODULES, path };
}
